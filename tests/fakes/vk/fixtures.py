"""pytest fixture: a started FakeVk."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.vk.server import FakeVk


@pytest.fixture
async def fake_vk() -> AsyncIterator[FakeVk]:
    """A fake VK API on a free port with models.TOKEN and GROUP_ID; fails the test on its own
    bugs."""
    async with FakeVk() as fake:
        yield fake
    assert not fake.internal_errors, "FakeVk failed internally:\n" + "\n".join(fake.internal_errors)
