"""What the retention job clears, deletes and keeps, table by table, and that nothing it leaves
lets an event be processed twice or a notice be sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from core.conversations import Author
from dialogs.messages import Inbound, InboundKind
from energobot.retention import RetentionPolicy, retention_policy, run_once
from energobot.settings import RetentionSettings, Settings
from energobot.wiring import build_pipeline
from storage.database import Database
from storage.tables import (
    audit,
    consents,
    escalation_messages,
    escalations,
    inbox,
    link_attempts,
    outbox,
)
from tests.retention.helpers import (
    CHANNEL,
    DAY,
    NOW,
    POLICY,
    conversation,
    count,
    debt_notice,
    event,
    queue_notice,
    reply,
    send_all_notices,
)


async def test_inbox_bodies_cleared_after_their_period_keys_after_theirs(
    database: Database,
) -> None:
    _, conv = await conversation(database)
    await event(database, conv, "young", NOW - 29 * DAY)
    await event(database, conv, "old", NOW - 31 * DAY)
    await event(database, conv, "older-than-keys", NOW - 91 * DAY)

    counts = await run_once(database.unit_of_work, POLICY, NOW)

    assert (counts.inbox_cleared, counts.inbox_deleted) == (2, 1)
    async with database.unit_of_work() as store:
        rows = {row.event_id: row for row in (await store.connection.execute(select(inbox))).all()}
        transcript = await store.conversations.transcript(conv, 10)
    assert set(rows) == {"young", "old"}
    assert rows["young"].body["text"] == "показания young"
    assert rows["young"].conversation_id == conv
    # The customer's words are gone; the key and the time stay.
    assert rows["old"].body == {"expired": True}
    assert rows["old"].conversation_id is None
    assert [line.text for line in transcript] == ["показания young"]


async def test_a_replayed_webhook_after_its_body_was_cleared_is_still_a_duplicate(
    database: Database,
) -> None:
    then = NOW - 40 * DAY
    pipeline = build_pipeline(
        Settings(database={"url": str(database.url)}), database, clock=lambda: then
    )
    start = Inbound(CHANNEL, "2002", "update-77", InboundKind.START, then)
    first = await pipeline.handle(start)
    assert not first.duplicate and first.replies
    replies = await count(database, outbox)

    counts = await run_once(database.unit_of_work, POLICY, NOW)
    assert counts.inbox_cleared == 1

    again = await pipeline.handle(start)
    assert again.duplicate
    assert again.replies == ()
    assert await count(database, outbox) == replies
    assert await count(database, inbox) == 1


async def test_replies_deleted_when_final_and_old_pending_never(database: Database) -> None:
    _, conv = await conversation(database)
    young = await reply(database, conv, NOW - 29 * DAY)
    kept_pending = await reply(database, conv, NOW - 200 * DAY, status="pending")
    for status in ("sent", "failed", "skipped"):
        await reply(database, conv, NOW - 31 * DAY, status=status)

    counts = await run_once(database.unit_of_work, POLICY, NOW)

    assert counts.replies_deleted == 3
    async with database.unit_of_work() as store:
        left = (await store.connection.execute(select(outbox.c.id).order_by(outbox.c.id))).all()
    assert [row.id for row in left] == [young, kept_pending]


async def test_notices_keep_their_keys_for_the_notice_period(database: Database) -> None:
    customer, conv = await conversation(database)
    recent = debt_notice(customer, conv, "2026-10-15")
    ancient = debt_notice(customer, conv, "2025-10-15")
    assert await queue_notice(database, recent, NOW - 60 * DAY) == 1
    assert await queue_notice(database, ancient, NOW - 366 * DAY) == 1
    await send_all_notices(database, NOW - 60 * DAY)

    counts = await run_once(database.unit_of_work, POLICY, NOW)

    # Older than replies' 30 days, younger than the notices' year: the row and its key stay,
    # and producing the same notice again queues nothing.
    assert counts.notices_deleted == 1
    assert await count(database, outbox, outbox.c.notice_key == recent.key) == 1
    assert await queue_notice(database, recent, NOW) == 0
    assert await count(database, outbox, outbox.c.notice_key == ancient.key) == 0


async def test_a_pending_notice_is_never_deleted(database: Database) -> None:
    customer, conv = await conversation(database)
    draft = debt_notice(customer, conv, "2025-01-15")
    await queue_notice(database, draft, NOW - 500 * DAY)

    counts = await run_once(database.unit_of_work, POLICY, NOW)

    assert counts.notices_deleted == 0
    assert await queue_notice(database, draft, NOW) == 0


async def test_link_attempts_deleted_after_their_period(database: Database) -> None:
    customer, _ = await conversation(database)
    async with database.unit_of_work() as store:
        await store.link_attempts.add(customer, "5900000001", False, NOW - 91 * DAY)
        await store.link_attempts.add(customer, "5900000002", False, NOW - 89 * DAY)
        await store.link_attempts.add(customer, "5900000003", False, NOW - timedelta(hours=1))
        await store.commit()

    counts = await run_once(database.unit_of_work, POLICY, NOW)

    assert counts.link_attempts_deleted == 1
    async with database.unit_of_work() as store:
        numbers = (await store.connection.execute(select(link_attempts.c.account_number))).all()
        recent = await store.link_attempts.failures_by_customer(customer, NOW - DAY)
    assert sorted(n for (n,) in numbers) == ["5900000002", "5900000003"]
    assert recent == 1


async def test_escalations_audit_and_consents_are_not_touched(database: Database) -> None:
    customer, conv = await conversation(database)
    long_ago = NOW - 3000 * DAY
    async with database.unit_of_work() as store:
        await store.consents.record(customer, "2019-01", CHANNEL, long_ago)
        escalation = await store.escalations.open(conv, "жалоба", long_ago, [])
        await store.escalations.add_message(escalation.id, Author.CUSTOMER, "где свет", long_ago)
        await store.audit.record("operator:anna", "reply", long_ago, {"conversation": conv})
        await store.commit()
    before = [await count(database, t) for t in (consents, escalations, escalation_messages, audit)]

    await run_once(database.unit_of_work, POLICY, NOW)

    after = [await count(database, t) for t in (consents, escalations, escalation_messages, audit)]
    assert after == before == [1, 1, 1, 1]


async def test_a_second_run_finds_nothing(database: Database) -> None:
    _, conv = await conversation(database)
    await event(database, conv, "old", NOW - 31 * DAY)
    await reply(database, conv, NOW - 31 * DAY)
    await run_once(database.unit_of_work, POLICY, NOW)

    again = await run_once(database.unit_of_work, POLICY, NOW)

    assert again.batches == 0
    assert again.summary().startswith("inbox_cleared 0, inbox_deleted 0, replies_deleted 0")


def test_the_policy_never_goes_below_what_the_periods_guard() -> None:
    settings = Settings(
        retention={"replies_days": 1, "notices_days": 62, "link_attempts_days": 1},
        server={"media_link_days": 7},
        notices={"debt_days_before": 40},
        linking={"per_account_window_hours": 72},
    )
    policy = retention_policy(settings)
    assert policy.replies == 7 * DAY  # a file's link opens its reply row
    assert policy.notices == (40 + 1 + 30 + 1) * DAY  # one due date's notices, all its span
    assert policy.link_attempts == 3 * DAY  # the link limit's window
    assert policy == RetentionPolicy(
        inbox=30 * DAY,
        inbox_keys=90 * DAY,
        replies=7 * DAY,
        notices=72 * DAY,
        link_attempts=3 * DAY,
        batch=1000,
    )


def test_an_inbox_key_cannot_go_before_its_body() -> None:
    with pytest.raises(ValidationError, match="must outlive its body"):
        RetentionSettings(inbox_days=60, inbox_keys_days=30)
    with pytest.raises(ValidationError):
        RetentionSettings(inbox_keys_days=7)  # platforms retry for up to a week


async def test_a_reply_sent_late_is_kept_for_the_period_from_its_sending(
    database: Database,
) -> None:
    """Held back for weeks (blocked, backing off), sent last week: its file's link, signed when
    it went, still opens for the whole period."""
    _, conv = await conversation(database)
    late = await reply(database, conv, NOW - 45 * DAY, status="pending")
    async with database.unit_of_work() as store:
        await store.outbox.mark_sent(late, NOW - 7 * DAY, "m2")
        await store.commit()

    counts = await run_once(database.unit_of_work, POLICY, NOW)

    assert counts.replies_deleted == 0
    assert await count(database, outbox, outbox.c.id == late) == 1
