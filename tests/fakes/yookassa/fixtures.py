"""pytest fixture: a started FakeYookassa."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.yookassa.server import FakeYookassa


@pytest.fixture
async def fake_yookassa() -> AsyncIterator[FakeYookassa]:
    """A fake YooKassa on a free port (server.SHOP_ID, SECRET_KEY); fails the test on its own
    bugs."""
    async with FakeYookassa() as fake:
        yield fake
    assert not fake.internal_errors, "FakeYookassa failed internally:\n" + "\n".join(
        fake.internal_errors
    )
