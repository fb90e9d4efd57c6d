"""Notices over Viber: outside the customer's 24-hour session a notice is a paid bot-initiated
message like any other, so it goes only with viber.allow_bot_initiated; inside the session it
goes with its keyboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bots.channel import Rates, Refusal, SendContext
from bots.viber import Sender, ViberApi, ViberChannel
from core.notices import Kind
from dialogs.messages import Reply
from storage.database import Database
from storage.tables import conversations, outbox
from tests.fakes.viber import FakeViber
from tests.meta.notices import notice
from tests.viber.harness import Harness, make_settings, running

USER = "nOtIcE+user/7Q=="
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", [Kind.DEBT_DUE, Kind.OUTAGE_EMERGENCY, Kind.READING_REMINDER])
def test_a_notice_outside_the_session_needs_bot_initiated_messages_allowed(kind: Kind) -> None:
    api = ViberApi("token-0123456789", "http://127.0.0.1:9/pa")
    strict = ViberChannel(api, Rates(0, 0), Sender("Б"))
    paid = ViberChannel(api, Rates(0, 0), Sender("Б"), allow_bot_initiated=True)
    reply = notice(kind)
    for last in (None, NOW - timedelta(hours=24, seconds=1), NOW - timedelta(days=30)):
        context = SendContext(NOW, last)
        assert strict.refusal(reply, context) is Refusal.BOT_INITIATED
        assert paid.refusal(reply, context) is None
    inside = SendContext(NOW, NOW - timedelta(hours=23))
    assert strict.refusal(reply, inside) is None and paid.refusal(reply, inside) is None


async def enqueue(vb: Harness, reply: Reply) -> dict[str, Any]:
    """A notice queued for the customer's conversation; its row once the sender is done."""
    conversation = await vb.conversation(USER)
    async with vb.database.unit_of_work() as store:
        row_id = await store.outbox.add(
            conversation["id"], "viber", USER, reply.to_dict(), datetime.now(UTC)
        )
        await store.commit()
    vb.services.sender.wake()
    await vb.settle()
    (row,) = await vb.rows(select(outbox).where(outbox.c.id == row_id))
    return row


async def silent_for(vb: Harness, hours: float) -> None:
    at = datetime.now(UTC) - timedelta(hours=hours)
    async with vb.database.unit_of_work() as store:
        await store.connection.execute(update(conversations).values(last_inbound_at=at))
        await store.commit()


async def test_a_notice_after_the_session_is_refused_without_a_call(vb: Harness) -> None:
    await vb.say(USER, "тарифы")
    row = await enqueue(vb, notice(Kind.DEBT_DUE))
    assert row["status"] == "sent"  # inside the session: free, with its keyboard
    assert vb.fake.texts(USER)[-1] == "По счёту 5901000001 к оплате 1 514,86 ₽ до 15 декабря."
    await silent_for(vb, hours=25)
    calls = len(vb.fake.calls)
    row = await enqueue(vb, notice(Kind.DEBT_OVERDUE))
    assert (row["status"], row["last_error"]) == ("failed", "refused: bot_initiated")
    assert len(vb.fake.calls) == calls


async def test_allowed_bot_initiated_notices_go_after_the_session(
    fake_viber: FakeViber, demo: Database
) -> None:
    settings = make_settings(fake_viber, allow_bot_initiated=True)
    async with running(settings, demo, fake_viber) as vb:
        await vb.say(USER, "тарифы")
        await silent_for(vb, hours=72)
        row = await enqueue(vb, notice(Kind.OUTAGE_PLANNED))
        assert row["status"] == "sent", row["last_error"]
        (last,) = vb.fake.sent(USER)[-1:]
        assert last.text == "ул. Ленина, д. 64: отключение с 24 декабря 10:00 до 24 декабря 16:00."
        assert [b["ActionBody"] for b in last.keyboard["Buttons"]] == ["go:payment", "unsub:debt"]
