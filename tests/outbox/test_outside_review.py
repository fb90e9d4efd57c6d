"""What an outside review of the notices found, each a failing test before its fix."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from bots.channel import Rates
from core.accounts import Category
from core.balance import summarize
from core.notices import CampaignRecord, CampaignStatus, Kind
from core.restriction import restriction_check
from outbox.notices.gate import Gate
from outbox.notices.rules import Job, due_jobs
from outbox.notices.scheduler import Scheduler, SchedulerConfig
from outbox.produce import tell_visit
from outbox.sender import OutboxSender, SenderConfig
from storage.database import Database
from storage.tables import accounts, charges, outbox
from tests.outbox.test_notices import (
    CHANNEL,
    GATE,
    RULES,
    Clock,
    NoticeChannel,
    add_outage,
    drain,
    link,
    local,
    scheduler,
)


async def campaigns_by_kind(database: Database) -> dict[str, CampaignRecord]:
    async with database.unit_of_work() as store:
        return {c.kind: c for c in await store.campaigns.recent(50)}


async def test_a_campaign_cancelled_mid_production_blocks_no_later_notice(demo: Database) -> None:
    await link(demo, "anna", "5901000001")
    clock = Clock(local("2026-12-23T10:05"))
    s = scheduler(demo, clock)
    job = next(j for j in due_jobs(clock(), RULES, []) if j.kind is Kind.READING_REMINDER)
    assert await s._take(job, clock())
    run = await s._open(job, clock())
    async with demo.unit_of_work() as store:  # cancelled before its first page is queued
        assert await store.campaigns.set_status(run.campaign.id, CampaignStatus.CANCELLED)
        await store.commit()
    await s._fill([run], clock())
    await s._close(run, clock())
    await scheduler(demo, clock, "other").run_due(clock())
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert channel.of("anna", Kind.READING_REMINDER) == []
    assert channel.of("anna", Kind.DEBT_OVERDUE), "stuck behind a cancelled campaign's row"


async def test_a_paused_campaign_holds_its_notices_and_only_its_own(demo: Database) -> None:
    await link(demo, "anna", "5901000001")
    clock = Clock(local("2026-12-23T10:05"))
    await scheduler(demo, clock).run_due(clock())
    found = await campaigns_by_kind(demo)
    async with demo.unit_of_work() as store:  # the reminder's row is the first in the lane
        await store.campaigns.set_status(found["reading_reminder"].id, CampaignStatus.PAUSED)
        await store.commit()
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert channel.of("anna", Kind.READING_REMINDER) == []
    assert channel.of("anna", Kind.DEBT_OVERDUE), "the running campaign waits behind the paused"
    async with demo.unit_of_work() as store:  # and a paused one behind a running one stays
        await store.campaigns.set_status(found["reading_reminder"].id, CampaignStatus.RUNNING)
        await store.campaigns.set_status(found["debt_overdue"].id, CampaignStatus.PAUSED)
        await store.commit()
    clock.at = local("2026-12-24T10:05")
    await scheduler(demo, clock).run_due(clock())  # the 24th's overdue run adds nothing new
    await drain(demo, channel, clock)
    assert len(channel.of("anna", Kind.READING_REMINDER)) == 1
    assert len(channel.of("anna", Kind.DEBT_OVERDUE)) == 1


async def test_a_night_emergency_does_not_wait_behind_held_visit_news(demo: Database) -> None:
    anna = await link(demo, "anna", "5901000001")  # ул. Ленина, д. 64
    clock = Clock(local("2026-12-20T21:30"))
    async with demo.unit_of_work() as store:
        assert await tell_visit(store, anna, 1, "В-1", "done", clock())
        await store.commit()
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert channel.of("anna", Kind.VISIT_STATUS) == []  # held till 09:00
    await add_outage(demo, "Ленина", "", "2026-12-20T23:10", "2026-12-21T04:00", "emergency")
    clock.at = local("2026-12-20T23:30")
    await scheduler(demo, clock).run_due(clock())
    await drain(demo, channel, clock)
    assert channel.of("anna", Kind.OUTAGE_EMERGENCY), "the emergency waited behind a held notice"


async def test_an_alert_still_queued_when_the_power_is_back_is_not_sent(demo: Database) -> None:
    await link(demo, "anna", "5901000001")
    outage = await add_outage(
        demo, "Ленина", "", "2026-12-20T11:00", "2026-12-20T18:00", "emergency"
    )
    clock = Clock(local("2026-12-20T11:05"))
    await scheduler(demo, clock).run_due(clock())  # queued; the sender is busy elsewhere
    clock.at = local("2026-12-20T11:10")
    async with demo.unit_of_work() as store:
        assert await store.outages.restore(outage, clock())
        await store.commit()
    clock.at = local("2026-12-20T11:11")
    await scheduler(demo, clock).run_due(clock())
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert channel.of("anna", Kind.OUTAGE_EMERGENCY) == []
    assert channel.of("anna", Kind.OUTAGE_RESTORED) == []


async def test_receipts_imported_after_the_hour_are_announced(demo: Database) -> None:
    await link(demo, "anna", "5901000001")
    async with demo.unit_of_work() as store:
        found = await store.connection.execute(  # type: ignore[attr-defined]
            select(charges).where(charges.c.period == "2026-11")
        )
        saved = [dict(r) for r in found.mappings().all()]
        assert saved
        await store.connection.execute(  # type: ignore[attr-defined]
            charges.delete().where(charges.c.period == "2026-11")
        )
        await store.commit()
    clock = Clock(local("2026-12-05T10:05"))  # billing's November import has not come yet
    await scheduler(demo, clock).run_due(clock())
    async with demo.unit_of_work() as store:  # ... it comes at 11:00
        await store.connection.execute(insert(charges), saved)  # type: ignore[attr-defined]
        await store.commit()
    for at in ("2026-12-05T12:00", "2026-12-06T10:05", "2026-12-06T10:06"):
        clock.at = local(at)
        await scheduler(demo, clock, "other").run_due(clock())
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert len(channel.of("anna", Kind.RECEIPT_READY)) == 1


async def test_a_notice_waiting_past_its_lease_is_not_sent_twice(demo: Database) -> None:
    await link(demo, "anna", "5901000001", "5901000002", "5901000003")
    clock = Clock(local("2026-12-23T10:05"))
    await scheduler(demo, clock).run_due(clock())
    base, start = clock(), time.monotonic()

    def moving() -> datetime:
        return base + timedelta(seconds=time.monotonic() - start)

    # The chat's rate makes the later rows wait longer than the (shortened) lease.
    channel = NoticeChannel(Rates(per_second=0, per_chat_per_second=2, per_chat_burst=1))
    config = SenderConfig(poll_seconds=0.05, heartbeat_seconds=0.2, lease_seconds=0.4)
    senders = [
        OutboxSender(demo.unit_of_work, {CHANNEL: channel}, config, clock=moving, gate=Gate(GATE))
        for _ in range(2)
    ]
    senders[0].start()
    await asyncio.sleep(0.1)
    senders[1].start()
    await asyncio.sleep(5)
    for sender in senders:
        await sender.stop()
    texts = [t for kinds in channel.got.values() for ts in kinds.values() for t in ts]
    assert {t: n for t, n in Counter(texts).items() if n > 1} == {}


async def test_erasing_a_customer_forgets_their_queued_notices(demo: Database) -> None:
    anna = await link(demo, "anna", "5901000001")
    clock = Clock(local("2026-12-23T10:05"))
    await scheduler(demo, clock).run_due(clock())
    async with demo.unit_of_work() as store:
        await store.customers.erase(anna, clock())
        await store.commit()
        result = await store.connection.execute(  # type: ignore[attr-defined]
            select(outbox.c.body).where(outbox.c.lane > 0)
        )
        bodies = [row.body for row in result]
    assert not any("5901000001" in str(body) for body in bodies)


async def test_the_restriction_warning_goes_exactly_where_the_balance_answer_says_possible(
    demo: Database,
) -> None:
    day = local("2026-12-01T10:05")
    async with demo.unit_of_work() as store:
        found = await store.connection.execute(select(accounts))  # type: ignore[attr-defined]
        rows = found.mappings().all()
        tariffs = await store.tariffs.all()
        possible = set()
        for row in rows:
            if row["balance"] <= 0:
                continue
            history = await store.history.for_account(row["number"], 36)
            summary = summarize(
                row["balance"], row["due_date"], history, day.date(), RULES.penalties
            )
            check = restriction_check(
                summary, Category(row["category"]), tariffs, day.date(), RULES.restriction
            )
            if check.possible:
                possible.add(row["number"])
    for index, row in enumerate(rows):
        await link(demo, f"c{index}", row["number"])
    clock = Clock(day)
    await scheduler(demo, clock).run_due(clock())
    async with demo.unit_of_work() as store:
        result = await store.connection.execute(  # type: ignore[attr-defined]
            select(outbox.c.account).where(outbox.c.kind == "debt_restriction")
        )
        warned = {r.account for r in result}
    assert possible, "the demo data has a debtor the supplier may restrict"
    assert warned == possible


async def test_a_failed_public_post_is_tried_again_and_made_once(demo: Database) -> None:
    await add_outage(demo, "Ленина", "", "2026-12-20T23:10", "2026-12-21T04:00", "emergency")
    answers: list[str | None] = ["timeout", None]
    posted: list[str] = []

    async def poster(job: Job) -> str | None:
        posted.append(job.key)
        return answers.pop(0)

    clock = Clock(local("2026-12-20T23:15"))
    # A process that only queues (`notices run --no-send`) leaves the post to the others.
    await scheduler(demo, clock, "queuer").run_due(clock())
    assert posted == []
    for minute in ("23:16", "23:17", "23:18"):
        clock.at = local(f"2026-12-20T{minute}")
        posting = Scheduler(
            demo.unit_of_work, SchedulerConfig(rules=RULES), "poster", clock=clock, poster=poster
        )
        await posting.run_due(clock())
    assert len(posted) == 2  # failed once, then made, then never again
    async with demo.unit_of_work() as store:
        campaign = await store.campaigns.by_key(posted[0])
    assert campaign is not None and campaign.posted_at is not None
    assert campaign.post_error is None
