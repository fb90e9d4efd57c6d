"""Plays one story (story.py) through the way of `energobot chat --json` and checks it."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bots.terminal import CHANNEL
from bots.terminal.channel import TerminalChannel
from dialogs.messages import Reply
from energobot.chat_session import ChatSession
from energobot.exchange.demo import DEMO_FILES, demo_file
from energobot.exchange.exporter import export_readings
from energobot.exchange.importer import import_bytes
from energobot.settings import Settings, load_settings
from energobot.wiring import build_pipeline, sender_config
from outbox.sender import OutboxSender
from storage.database import Database
from storage.tables import customers, subscriptions
from tests.conversations.story import BILLING, Story, Turn

REPO = Path(__file__).resolve().parents[2]
TURN_SECONDS = 20
USER = "story"
COUNTING = ("accepted", "flagged")


class StoryFailed(AssertionError):
    """What went wrong, with the conversation so far."""


@dataclass
class Transcript:
    lines: list[str] = field(default_factory=list)

    def add(self, turn: Turn, replies: tuple[Reply, ...]) -> None:
        self.lines.append(f">> {turn.shown}")
        for reply in replies:
            text = reply.text.replace("\n", "\n   ")
            buttons = " | ".join(b.label for b in reply.buttons)
            self.lines.append(f"   {text}" + (f"\n   [{buttons}]" if buttons else ""))

    def __str__(self) -> str:
        return "\n".join(self.lines)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> None:
        self.now += timedelta(seconds=TURN_SECONDS)


def story_settings(database_url: str) -> Settings:
    """The repository's config.yaml, on the test's database."""
    settings = load_settings(REPO / "config.yaml")
    return settings.model_copy(
        update={"database": settings.database.model_copy(update={"url": database_url})}
    )


def billing_files(name: str) -> list[tuple[Any, bytes]]:
    """The fixture's files in import order; a file it lacks comes from the demo data."""
    files = []
    for kind, filename in DEMO_FILES:
        own = BILLING / name / filename
        if name != "demo" and own.exists():
            files.append((kind, own.read_bytes()))
        else:
            files.append((kind, demo_file(filename).read_bytes()))
    return files


def _accounts_of(files: list[tuple[Any, bytes]]) -> list[str]:
    data = files[0][1].decode("utf-8")
    return [row["account"] for row in csv.DictReader(io.StringIO(data))]


async def play(story: Story, database: Database) -> None:
    """Run the story on a migrated, empty database; raises StoryFailed."""
    settings = story_settings(str(database.url.render_as_string(hide_password=False)))
    files = billing_files(story.billing)
    async with database.unit_of_work() as store:
        for kind, data in files:
            report = await import_bytes(store, kind, data, "csv")
            assert not report.errors, report.errors
        await store.commit()
    clock = Clock(story.start)
    pipeline = build_pipeline(settings, database, clock=clock)
    customer_id = await _given(story, database, pipeline.config.consent_version, clock())
    terminal = TerminalChannel()
    sender = OutboxSender(database.unit_of_work, {CHANNEL: terminal}, sender_config(settings))
    session = ChatSession(pipeline, sender, terminal, USER, clock=clock)
    transcript = Transcript()
    last: tuple[Reply, ...] = ()
    for number, turn in enumerate(story.turns, 1):
        line = _line(turn, last, transcript, number)
        exchange = await session.exchange(line)
        if exchange.error:
            raise StoryFailed(f"turn {number}: {exchange.error}\n{transcript}")
        transcript.add(turn, exchange.replies)
        last = exchange.replies
        problems = check_turn(turn, exchange.replies)
        if problems:
            raise StoryFailed(f"turn {number} ({turn.shown}): {'; '.join(problems)}\n{transcript}")
        clock.tick()
    problems = await check_effects(story, database, customer_id, _accounts_of(files))
    if problems:
        raise StoryFailed("effects: " + "; ".join(problems) + f"\n{transcript}")


async def _given(story: Story, database: Database, version: str, now: datetime) -> int:
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create(CHANNEL, USER, "", story.language, now)
        if story.given.consent or story.given.linked:
            await store.consents.record(customer.id, version, CHANNEL, now)
        for number in story.given.linked:
            assert await store.accounts.get(number) is not None, f"no account {number}"
            await store.accounts.link(customer.id, number, "surname", now)
        await store.commit()
        return customer.id


def _line(turn: Turn, last: tuple[Reply, ...], transcript: Transcript, number: int) -> str:
    import json

    if turn.say is not None:
        return turn.say
    if turn.contact is not None:
        return json.dumps({"contact": turn.contact})
    if turn.payload is not None:
        return json.dumps({"payload": turn.payload})
    assert turn.press is not None
    wanted = turn.press.casefold()
    for reply in reversed(last):
        for button in reply.buttons:
            if wanted in button.label.casefold():
                return json.dumps({"payload": button.payload}, ensure_ascii=False)
    shown = [b.label for reply in last for b in reply.buttons]
    raise StoryFailed(f"turn {number}: no button {turn.press!r} among {shown}\n{transcript}")


def _search(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


def check_turn(turn: Turn, replies: tuple[Reply, ...]) -> list[str]:
    text = "\n".join(reply.text for reply in replies).replace("\xa0", " ").replace("\u202f", " ")
    labels = [b.label for reply in replies for b in reply.buttons]
    problems = [f"expected /{p}/" for p in turn.expect if not _search(p, text)]
    problems += [f"rejected /{p}/ found" for p in turn.reject if _search(p, text)]
    problems += [
        f"no button /{p}/ in {labels}"
        for p in turn.buttons
        if not any(_search(p, label) for label in labels)
    ]
    problems += [
        f"button /{p}/ shown" for p in turn.no_buttons if any(_search(p, lb) for lb in labels)
    ]
    return problems


async def check_effects(
    story: Story, database: Database, customer_id: int, accounts: list[str]
) -> list[str]:
    effects = story.effects
    problems: list[str] = []
    async with database.unit_of_work() as store:
        out = io.StringIO()
        await export_readings(store, None, "csv", out)
        exported = list(csv.DictReader(io.StringIO(out.getvalue())))
        if effects.readings is not None:
            problems += _readings(effects.readings, exported)
        if effects.replaced is not None:
            replaced = sum(row["status"] == "replaced" for row in exported)
            if replaced != effects.replaced:
                problems.append(f"replaced {replaced}, expected {effects.replaced}")
        if effects.visits is not None:
            visits = await store.visits.for_accounts(accounts)
            got = sorted((v.account, v.type.value, v.status.value) for v in visits)
            if len(got) != len(effects.visits) or not all(
                any(
                    e.account in (None, account)
                    and e.type in (None, kind)
                    and e.status in (None, status)
                    for account, kind, status in got
                )
                for e in effects.visits
            ):
                problems.append(f"visits {got}, expected {effects.visits}")
        if effects.escalations is not None:
            queue = list(await store.console.queue())
            reasons = [entry.reason for entry in queue]
            wanted = effects.escalations
            if isinstance(wanted, int):
                if len(queue) != wanted:
                    problems.append(f"{len(queue)} escalations {reasons}, expected {wanted}")
            elif len(queue) != len(wanted) or not all(
                e.reason is None or any(_search(e.reason, r) for r in reasons) for e in wanted
            ):
                problems.append(f"escalations {reasons}, expected {wanted}")
        if effects.linked is not None:
            linked = sorted(a.number for a in await store.accounts.linked(customer_id))
            if linked != sorted(effects.linked):
                problems.append(f"linked {linked}, expected {sorted(effects.linked)}")
        customer = await store.customers.get(customer_id)
        assert customer is not None
        if effects.language is not None and customer.language != effects.language:
            problems.append(f"language {customer.language}, expected {effects.language}")
        if effects.consent is not None:
            version = story_settings("sqlite://").dialogs.consent_version
            has = await store.consents.has(customer_id, version)
            if has != effects.consent:
                problems.append(f"consent {has}, expected {effects.consent}")
        if effects.erased is not None:
            row = await store.connection.execute(  # type: ignore[attr-defined]
                select(customers.c.erased_at).where(customers.c.id == customer_id)
            )
            erased = row.scalar() is not None
            if erased != effects.erased:
                problems.append(f"erased {erased}, expected {effects.erased}")
        if effects.subscriptions is not None:
            problems += await _subscriptions(story, store, customer_id)
    return problems


async def _subscriptions(story: Story, store: Any, customer_id: int) -> list[str]:
    """Exactly the topics chosen, each recorded with the customer's channel at a turn's time."""
    wanted = dict(story.effects.subscriptions or {})
    rows = (
        await store.connection.execute(
            select(
                subscriptions.c.topic,
                subscriptions.c.enabled,
                subscriptions.c.channel,
                subscriptions.c.changed_at,
            ).where(subscriptions.c.customer_id == customer_id)
        )
    ).all()
    got = {row.topic: bool(row.enabled) for row in rows}
    problems = [] if got == wanted else [f"subscriptions {got}, expected {wanted}"]
    start = story.start.astimezone(UTC)
    end = start + timedelta(seconds=TURN_SECONDS * len(story.turns))
    for row in rows:
        if row.channel != CHANNEL or not start <= row.changed_at <= end:
            problems.append(f"subscription {row.topic} chosen in {row.channel} at {row.changed_at}")
    return problems


def _readings(wanted: list[Any], exported: list[dict[str, str]]) -> list[str]:
    counting = [row for row in exported if row["status"] in COUNTING]
    got = [
        (row["account"], row["register"], Decimal(row["value"]), row["serial"], row["status"])
        for row in counting
    ]
    shown = [f"{a} {s} {r}={v} ({st})" for a, r, v, s, st in got]
    if len(got) != len(wanted):
        return [f"readings {shown}, expected {len(wanted)}: {wanted}"]
    left = list(got)
    for effect in wanted:
        match = next(
            (
                item
                for item in left
                if item[0] == effect.account
                and item[2] == Decimal(effect.value)
                and effect.zone_register in (None, item[1])
                and effect.serial in (None, item[3])
                and effect.status in (None, item[4])
            ),
            None,
        )
        if match is None:
            return [f"readings {shown}, expected {wanted}"]
        left.remove(match)
    return []
