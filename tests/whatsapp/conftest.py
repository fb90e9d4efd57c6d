"""The real app with WhatsApp and Messenger pointed at FakeGraph (tests/meta/fixtures.py)."""

from tests.meta.fixtures import demo, meta

__all__ = ["demo", "meta"]
