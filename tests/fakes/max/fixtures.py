"""pytest fixture: a started FakeMax."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.max.models import TOKEN
from tests.fakes.max.server import FakeMax


@pytest.fixture
async def fake_max() -> AsyncIterator[FakeMax]:
    """A fake MAX Bot API on a free port with the token of models.TOKEN; fails the test on its
    own bugs."""
    async with FakeMax(TOKEN) as fake:
        yield fake
    assert not fake.internal_errors, "FakeMax failed internally:\n" + "\n".join(
        fake.internal_errors
    )
