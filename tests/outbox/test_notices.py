"""Notices end to end inside the service: the scheduler's jobs, the gate's last check and the
sender's lanes, on a real database with the demo billing data and a scripted channel."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bots.channel import Rates, SendContext
from core.notices import CampaignStatus, Kind, QuietHours
from core.readings import Reading, ReadingStatus
from dialogs.config import CompanyInfo
from dialogs.messages import Reply
from outbox.notices.campaigns import skip_cancelled
from outbox.notices.gate import Gate, GateRules
from outbox.notices.keys import outage_key
from outbox.notices.rules import RuleSettings
from outbox.notices.scheduler import Scheduler, SchedulerConfig
from outbox.produce import tell_visit
from outbox.sender import OutboxSender, SenderConfig
from storage.database import Database
from storage.tables import accounts, outbox
from tests.outbox.test_sender import CHANNEL, ScriptedChannel, enqueue

PERM = ZoneInfo("Asia/Yekaterinburg")
COMPANY = CompanyInfo(
    "Энергосбыт", "8-800", "https://e.example", "", "Россети Урал", "8-800-220-0-220", ""
)
RULES = RuleSettings(zone=PERM, send_at=time(10, 0), reminder_day=23, cutoff_day=25)
GATE = GateRules(COMPANY, PERM, QuietHours.parse("21:00-09:00"), timedelta(hours=36))


class NoticeChannel(ScriptedChannel):
    """Also keeps each delivered reply's kind: `got[user][kind]` lists the texts."""

    def __init__(self, rates: Rates | None = None) -> None:
        super().__init__(rates)
        self.got: dict[str, dict[str, list[str]]] = {}
        self.payloads: dict[str, list[str]] = {}  # every button's payload a user got

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        sent = await super().send(user_id, reply, context)
        self.got.setdefault(user_id, {}).setdefault(reply.template, []).append(reply.text)
        self.payloads.setdefault(user_id, []).extend(b.payload for b in reply.buttons)
        return sent

    def of(self, user: str, kind: Kind) -> list[str]:
        return self.got.get(user, {}).get(kind.value, [])


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PERM)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


async def link(database: Database, user: str, *numbers: str, language: str = "ru") -> int:
    now = datetime.now(UTC)
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create(CHANNEL, user, "", language, now)
        await store.conversations.get_for_update(customer, now)
        for number in numbers:
            await store.accounts.link(customer.id, number, "surname", now)
        await store.commit()
        return customer.id


def scheduler(database: Database, clock: Clock, owner: str = "test") -> Scheduler:
    return Scheduler(database.unit_of_work, SchedulerConfig(rules=RULES), owner, clock=clock)


def sender(database: Database, channel: NoticeChannel, clock: Clock) -> OutboxSender:
    config = SenderConfig(poll_seconds=0.05, heartbeat_seconds=0.2)
    return OutboxSender(
        database.unit_of_work, {CHANNEL: channel}, config, clock=clock, gate=Gate(GATE)
    )


async def drain(database: Database, channel: NoticeChannel, clock: Clock) -> OutboxSender:
    running = sender(database, channel, clock)
    running.start()
    for _ in range(200):
        await asyncio.sleep(0.05)
        async with database.unit_of_work() as store:
            due = await store.outbox.due_notices(clock())
        if due == 0 and running.idle:
            break
    await running.stop()
    return running


async def statuses(database: Database) -> list[tuple[str | None, str, str | None, str | None]]:
    async with database.unit_of_work() as store:
        result = await store.connection.execute(  # type: ignore[attr-defined]
            select(outbox.c.kind, outbox.c.status, outbox.c.last_error, outbox.c.account)
            .where(outbox.c.lane > 0)
            .order_by(outbox.c.id)
        )
        return [tuple(row) for row in result]


async def test_reminders_go_once_in_the_window_to_meters_without_a_reading(
    demo: Database,
) -> None:
    await link(demo, "anna", "5901000001")
    await link(demo, "boris", "5901000002")
    await link(demo, "vera", "5901000004")  # a smart meter: billing reads it itself
    clock = Clock(local("2026-12-23T10:05"))
    first = await scheduler(demo, clock).run_due(clock())
    reminders = [r for r in first if r.kind == Kind.READING_REMINDER]
    assert [r.queued for r in reminders] == [2]
    # Again, or by another process: nothing more is queued.
    again = await scheduler(demo, clock, "other").run_due(clock())
    assert [r for r in again if r.kind == Kind.READING_REMINDER] == []
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    kind = Kind.READING_REMINDER
    texts = channel.of("anna", kind) + channel.of("boris", kind)
    assert len(channel.of("anna", kind)) == 1 and len(channel.of("boris", kind)) == 1
    assert channel.of("vera", kind) == []
    assert all("передать показания" in text for text in texts)
    assert "•••••••0001" in channel.of("anna", kind)[0]  # masked, as every reply shows it


async def test_before_the_hour_nothing_is_due_and_out_of_the_window_no_reminder(
    demo: Database,
) -> None:
    await link(demo, "anna", "5901000001")
    early = await scheduler(demo, Clock(local("2026-12-23T09:00"))).run_due(
        local("2026-12-23T09:00")
    )
    assert early == []
    later = await scheduler(demo, Clock(local("2026-12-10T12:00"))).run_due(
        local("2026-12-10T12:00")
    )
    assert Kind.READING_REMINDER.value not in {r.kind for r in later}


async def test_a_reading_or_an_unsubscribe_between_queueing_and_sending_skips_it(
    demo: Database,
) -> None:
    anna = await link(demo, "anna", "5901000001")
    await link(demo, "boris", "5901000002")
    await link(demo, "vera", "5901000003")
    clock = Clock(local("2026-12-23T10:05"))
    await scheduler(demo, clock).run_due(clock())
    async with demo.unit_of_work() as store:
        await store.subscriptions.choose(anna, {"readings": False}, CHANNEL, clock())
        (meter,) = await store.meters.for_account("5901000002")
        for register in meter.registers:
            reading = Reading(
                "5901000002",
                meter.serial,
                register.name,
                Decimal(99999),
                None,
                "2026-12",
                clock(),
                CHANNEL,
                ReadingStatus.ACCEPTED,
            )
            await store.readings.add(reading)
        await store.commit()
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert channel.of("anna", Kind.READING_REMINDER) == []
    assert channel.of("boris", Kind.READING_REMINDER) == []
    assert len(channel.of("vera", Kind.READING_REMINDER)) == 1
    rows = [r for r in await statuses(demo) if r[0] == Kind.READING_REMINDER]
    assert ("reading_reminder", "skipped", "unsubscribed", "5901000001") in rows
    assert ("reading_reminder", "skipped", "reading_received", "5901000002") in rows


async def test_debt_due_with_todays_amount_and_never_once_paid(demo: Database) -> None:
    await link(demo, "anna", "5901000001")  # 1 514,86 due 2026-12-15
    await link(demo, "boris", "5901000004")  # 1 641,61 due 2026-12-15
    clock = Clock(local("2026-12-12T10:30"))
    results = await scheduler(demo, clock).run_due(clock())
    assert {r.kind: r.queued for r in results}[Kind.DEBT_DUE.value] == 2
    async with demo.unit_of_work() as store:
        await store.connection.execute(  # type: ignore[attr-defined]
            update(accounts).where(accounts.c.number == "5901000004").values(balance=Decimal(0))
        )
        await store.connection.execute(  # type: ignore[attr-defined]
            update(accounts)
            .where(accounts.c.number == "5901000001")
            .values(balance=Decimal("1000.50"))
        )
        await store.commit()
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert channel.of("boris", Kind.DEBT_DUE) == []
    (text,) = channel.of("anna", Kind.DEBT_DUE)
    assert "1\xa0000,50 ₽" in text and "15 декабря" in text
    assert ("debt_due", "skipped", "paid", "5901000004") in await statuses(demo)


async def test_quiet_hours_hold_a_notice_until_morning(demo: Database) -> None:
    await link(demo, "anna", "5901000001")
    clock = Clock(local("2026-12-23T10:05"))
    await scheduler(demo, clock).run_due(clock())
    clock.at = local("2026-12-23T22:00")
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert channel.got == {}
    async with demo.unit_of_work() as store:
        result = await store.connection.execute(  # type: ignore[attr-defined]
            select(outbox.c.next_attempt_at, outbox.c.status).where(
                outbox.c.kind == "reading_reminder"
            )
        )
        (held_until, status), *_ = result.all()
    assert status == "pending" and held_until == local("2026-12-24T09:00")
    clock.at = local("2026-12-24T09:01")
    await drain(demo, channel, clock)
    assert len(channel.of("anna", Kind.READING_REMINDER)) == 1


async def test_a_cancelled_campaign_sends_nothing_more_and_a_paused_one_waits(
    demo: Database,
) -> None:
    await link(demo, "anna", "5901000001")
    clock = Clock(local("2026-12-23T10:05"))
    await scheduler(demo, clock).run_due(clock())
    async with demo.unit_of_work() as store:
        campaign = await store.campaigns.by_key("reading_reminder:2026-12")
        assert campaign is not None
        assert await store.campaigns.set_status(campaign.id, CampaignStatus.PAUSED)
        await store.commit()
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    assert channel.of("anna", Kind.READING_REMINDER) == []
    async with demo.unit_of_work() as store:
        await store.campaigns.set_status(campaign.id, CampaignStatus.CANCELLED)
        await store.commit()
    assert await skip_cancelled(demo.unit_of_work, campaign.id) == 1
    async with demo.unit_of_work() as store:
        progress = await store.campaigns.progress([campaign.id])
    assert progress[campaign.id] == {"skipped:cancelled": 1}


async def test_a_reply_is_not_queued_behind_a_broadcast(demo: Database) -> None:
    users = [f"user{i}" for i in range(40)]
    for user in users:
        await link(demo, user, "5901000001")
    clock = Clock(local("2026-12-23T10:05"))
    await scheduler(demo, clock).run_due(clock())
    channel = NoticeChannel(rates=Rates(20, 0))
    running = sender(demo, channel, clock)
    running.start()
    await asyncio.sleep(0.3)
    await enqueue(demo, "customer", "Ваш баланс: 0 ₽")
    running.wake()
    start = asyncio.get_running_loop().time()
    while not channel.delivered["customer"]:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    waited = asyncio.get_running_loop().time() - start
    notices_sent = sum(len(channel.delivered[u]) for u in users)
    await running.stop()
    assert notices_sent < len(users)  # the broadcast was still draining (20 a second)
    assert waited < 1.0


async def test_a_visit_notice_goes_in_the_personal_lane_in_the_customers_language(
    demo: Database,
) -> None:
    customer = await link(demo, "anna", "5901000001", language="en")
    clock = Clock(local("2026-12-23T11:00"))
    async with demo.unit_of_work() as store:
        assert await tell_visit(store, customer, 7, "В-7", "done", clock())
        await store.commit()
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    (text,) = channel.delivered["anna"]
    assert ("В-7" in text and "completed" in text.lower()) or "done" in text.lower()


async def add_outage(
    database: Database, street: str, houses: str, start: str, end: str, kind: str
) -> int:
    starts, ends = local(start), local(end)
    async with database.unit_of_work() as store:
        outage_id, _ = await store.outages.add(
            outage_key("г. Пермь", street, houses, starts, kind),
            {
                "settlement": "г. Пермь",
                "street": street,
                "houses": houses,
                "starts_at": starts,
                "ends_at": ends,
                "kind": kind,
                "reason": "",
            },
            datetime.now(UTC),
        )
        await store.commit()
    return outage_id


async def test_an_emergency_goes_at_night_at_once_and_a_cancelled_outage_not_at_all(
    demo: Database,
) -> None:
    await link(demo, "anna", "5901000001")  # ул. Ленина, д. 64
    await link(demo, "boris", "5901000002")  # Комсомольский пр-т, д. 32
    await add_outage(demo, "Ленина", "", "2026-12-20T23:10", "2026-12-21T04:00", "emergency")
    planned = await add_outage(
        demo,
        "Комсомольский проспект",
        "30-40 чётные",
        "2026-12-22T10:00",
        "2026-12-22T15:00",
        "planned",
    )
    clock = Clock(local("2026-12-20T23:30"))
    results = await scheduler(demo, clock).run_due(clock())
    outage_runs = [(r.kind, r.queued) for r in results if r.kind.startswith("outage")]
    assert outage_runs == [("outage_emergency", 1)]  # the planned one: not yet
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    (alert,) = channel.of("anna", Kind.OUTAGE_EMERGENCY)
    assert "Аварийное отключение" in alert and "04:00" in alert
    assert channel.of("anna", Kind.DEBT_OVERDUE) == []  # at night only the emergency goes
    assert channel.of("boris", Kind.OUTAGE_EMERGENCY) == []
    # The planned one is told the day before at the hour; cancelled after that, it is not sent.
    clock.at = local("2026-12-21T10:00")
    results = await scheduler(demo, clock).run_due(clock())
    assert ("outage_planned", 1) in [(r.kind, r.queued) for r in results]
    async with demo.unit_of_work() as store:
        assert await store.outages.cancel(planned, clock())
        await store.commit()
    await drain(demo, channel, clock)
    assert channel.of("boris", Kind.OUTAGE_PLANNED) == []
    assert ("outage_planned", "skipped", "outage_cancelled", "5901000002") in await statuses(demo)
    # The emergency's end: «restored» only to whom the alert reached.
    clock.at = local("2026-12-21T04:05")
    await scheduler(demo, clock).run_due(clock())
    clock.at = local("2026-12-21T09:30")  # restored at night: held until the quiet hours end
    await drain(demo, channel, clock)
    assert len(channel.of("anna", Kind.OUTAGE_RESTORED)) == 1
    assert channel.of("boris", Kind.OUTAGE_RESTORED) == []


async def test_receipt_ready_names_the_new_bills_due_date_and_offers_no_payment_when_none_due(
    demo: Database,
) -> None:
    await link(demo, "boris", "5901000002")  # owes since September: the account's due date
    await link(demo, "vera", "5901000003")  # an overpayment
    clock = Clock(local("2026-12-05T10:05"))
    await scheduler(demo, clock).run_due(clock())
    channel = NoticeChannel()
    await drain(demo, channel, clock)
    (owed,) = channel.of("boris", Kind.RECEIPT_READY)
    assert "до 15 декабря" in owed and "сентябр" not in owed
    (nothing,) = channel.of("vera", Kind.RECEIPT_READY)
    assert "ничего нет" in nothing
    assert "go:payment" not in channel.payloads["vera"]
