"""pytest fixture: a started FakeViber."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.viber.models import TOKEN
from tests.fakes.viber.server import FakeViber


@pytest.fixture
async def fake_viber() -> AsyncIterator[FakeViber]:
    """A fake Viber API on a free port with the token of models.TOKEN; fails the test on its
    own bugs."""
    async with FakeViber(TOKEN) as fake:
        yield fake
    assert not fake.internal_errors, "FakeViber failed internally:\n" + "\n".join(
        fake.internal_errors
    )
