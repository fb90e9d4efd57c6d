"""pytest fixture: a started FakeGraph."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.graph.server import FakeGraph


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraph]:
    """A fake Graph API (WhatsApp Cloud, Messenger) on a free port; fails the test on its bugs."""
    async with FakeGraph() as fake:
        yield fake
    assert not fake.internal_errors, "FakeGraph failed internally:\n" + "\n".join(
        fake.internal_errors
    )
