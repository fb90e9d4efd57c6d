"""The real app with WhatsApp and Messenger pointed at FakeGraph (tests/meta/fixtures.py)."""

from tests.meta.fixtures import meta

__all__ = ["meta"]
