"""Notices over MAX: no messaging window, so a notice goes like any message however long the
customer has been silent — but a bot cannot write first: a user who never started the bot (404
chat.not.found, "dialog.not.found") or stopped it (403 chat.denied) cannot be reached, and the
send fails as unreachable (blocks), so nothing more is tried until they write again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bots.channel import Rates, SendContext, SendError
from bots.max.api import MaxApi, MaxApiError
from bots.max.channel import MaxChannel, Words, send_error
from core.notices import Kind
from dialogs.messages import Reply
from storage.tables import outbox
from tests.fakes.max import FakeMax
from tests.max.harness import Harness
from tests.meta.notices import notice

STARTED = "9007199254740995"
NEVER_STARTED = "9007199254740996"
STOPPED = "9007199254740997"
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
async def channel(fake_max: FakeMax) -> AsyncIterator[MaxChannel]:
    fake_max.add_user(STARTED)
    fake_max.add_user(NEVER_STARTED, started=False)
    fake_max.block(STOPPED)
    channel = MaxChannel(
        MaxApi(fake_max.token, fake_max.base_url, 5), Rates(30, 2, 1), Words.load()
    )
    yield channel
    await channel.close()


@pytest.mark.parametrize("kind", list(Kind))
def test_a_notice_is_never_refused_for_silence(channel: MaxChannel, kind: Kind) -> None:
    for last in (None, NOW - timedelta(days=90), NOW - timedelta(minutes=1)):
        assert channel.refusal(notice(kind), SendContext(NOW, last)) is None


async def test_a_notice_to_a_long_silent_user_goes_with_its_buttons(
    channel: MaxChannel, fake_max: FakeMax
) -> None:
    mid = await channel.send(STARTED, notice(Kind.DEBT_DUE), SendContext(NOW, None))
    (sent,) = fake_max.sent(STARTED)
    assert sent.mid == mid
    assert sent.text == "По счёту 5901000001 к оплате 1 514,86 ₽ до 15 декабря."
    assert [b["payload"] for b in sent.buttons] == ["go:payment", "unsub:debt"]


@pytest.mark.parametrize(
    ("user", "status", "code", "message"),
    [
        (NEVER_STARTED, 404, "chat.not.found", "dialog.not.found"),
        (STOPPED, 403, "chat.denied", "error.dialog.suspended"),
    ],
)
async def test_a_user_the_bot_may_not_write_to_is_unreachable(
    channel: MaxChannel, fake_max: FakeMax, user: str, status: int, code: str, message: str
) -> None:
    with pytest.raises(SendError) as caught:
        await channel.send(user, notice(Kind.OUTAGE_EMERGENCY), SendContext(NOW, None))
    (call,) = fake_max.calls_to("/messages")
    assert call.status == status and call.response["code"] == code
    assert message in call.response["message"]
    error = caught.value
    assert (error.blocks, error.permanent, error.retry_after) == (True, True, None)
    assert code in error.reason
    assert fake_max.sent(user) == []


def test_either_reported_shape_of_the_no_dialog_answer_blocks() -> None:
    for error in (
        MaxApiError(404, "chat.not.found", "dialog.not.found"),
        MaxApiError(404, "dialog.not.found", "Dialog not found"),
    ):
        assert send_error(error).blocks, error


async def queue(mx: Harness, user: int, reply: Reply) -> dict[str, Any]:
    """A row queued outside the customer's turn (as the notice producer does); the row once the
    sender is done with it."""
    conversation = await mx.conversation(user)
    async with mx.database.unit_of_work() as store:
        row_id = await store.outbox.add(
            conversation["id"], "max", str(user), reply.to_dict(), datetime.now(UTC)
        )
        await store.commit()
    mx.services.sender.wake()
    await mx.settle()
    (row,) = await mx.rows(select(outbox).where(outbox.c.id == row_id))
    return row


async def test_a_notice_to_a_user_who_stopped_the_bot_marks_the_conversation(
    mx: Harness,
) -> None:
    user = 7311
    await mx.start(user)
    mx.fake.block(user)  # stopped without MAX telling us (no bot_stopped came)
    row = await queue(mx, user, notice(Kind.RECEIPT_READY))
    assert row["status"] == "failed" and "chat.denied" in row["last_error"]
    assert (await mx.conversation(user))["send_blocked"]
    calls = len(mx.fake.calls_to("/messages"))
    row = await queue(mx, user, notice(Kind.OUTAGE_EMERGENCY))
    assert row["status"] == "failed"
    assert len(mx.fake.calls_to("/messages")) == calls  # not even tried
