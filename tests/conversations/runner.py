"""Plays one story (story.py) through the way of `energobot chat --json` and checks it."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from bots.terminal import CHANNEL
from bots.terminal.channel import TerminalChannel
from core.payment_qr import parse_payload
from dialogs.messages import Attachment, Reply
from energobot.channels import side_channels
from energobot.chat_session import ChatSession
from energobot.exchange.demo import DEMO_FILES, demo_file
from energobot.exchange.exporter import export_readings
from energobot.exchange.importer import import_bytes
from energobot.settings import Settings, load_settings
from energobot.wiring import build_pipeline, notice_gate, sender_config
from outbox.sender import OutboxSender
from storage.database import Database
from storage.tables import customers, subscriptions
from tests.conversations.story import BILLING, AttachmentCheck, MailEffect, Story, Turn
from tests.dialogs.papers_read import pdf_images, pdf_text, png_qr_texts, qr_texts
from tests.email.smtp import Mailbox, running
from tests.email.smtp import Server as MailServer

REPO = Path(__file__).resolve().parents[2]
TURN_SECONDS = 20
USER = "story"
COUNTING = ("accepted", "flagged")
PDF = "application/pdf"


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


def with_yookassa(settings: Settings) -> Settings:
    """payments.provider yookassa, with the shop and the service secret that signs links."""
    payments = settings.payments.model_copy(
        update={
            "provider": "yookassa",
            "yookassa": settings.payments.yookassa.model_copy(
                update={"shop_id": "506751", "secret_key": SecretStr("story_key")}
            ),
        }
    )
    console = settings.console.model_copy(update={"session_key": SecretStr("story-secret")})
    return settings.model_copy(update={"payments": payments, "console": console})


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
    if story.payments == "yookassa":
        settings = with_yookassa(settings)
    with mail_server(story.mail) as mailbox:
        if mailbox is not None:
            settings = with_mail(settings, mailbox)
        await _play(story, database, settings, files, mailbox)


async def _play(
    story: Story,
    database: Database,
    settings: Settings,
    files: list[tuple[Any, bytes]],
    mailbox: MailServer | None,
) -> None:
    clock = Clock(story.start)
    pipeline = build_pipeline(settings, database, clock=clock)
    customer_id = await _given(story, database, pipeline.config.consent_version, clock())
    terminal = TerminalChannel()
    # As `energobot chat`: the enabled e-mail channel beside the terminal, mails in lane 1.
    sender = OutboxSender(
        database.unit_of_work,
        {CHANNEL: terminal, **side_channels(settings)},
        sender_config(settings),
        gate=notice_gate(settings) if mailbox is not None else None,
    )
    session = ChatSession(pipeline, sender, terminal, USER, clock=clock)
    transcript = Transcript()
    last: tuple[Reply, ...] = ()
    for number, turn in enumerate(story.turns, 1):
        line = _line(turn, last, transcript, number)
        if mailbox is not None and "{code}" in line:
            line = line.replace("{code}", last_code(mailbox.mailbox))
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
    if story.effects.mails is not None:
        problems += check_mails(story.effects.mails, mailbox)
    if problems:
        raise StoryFailed("effects: " + "; ".join(problems) + f"\n{transcript}")


@contextmanager
def mail_server(wanted: bool) -> Iterator[MailServer | None]:
    if not wanted:
        yield None
        return
    yield from running(Mailbox())


def with_mail(settings: Settings, server: MailServer) -> Settings:
    """The e-mail channel on, sending to the story's SMTP server."""
    mail = settings.channel("email").model_copy(
        update={
            "enabled": True,
            "host": "127.0.0.1",
            "port": server.port,
            "starttls": False,
            "from_address": "receipts@energosbyt.example",
        }
    )
    return settings.model_copy(update={"email": mail})


def last_code(mailbox: Mailbox) -> str:
    """The six digits of the last mail received."""
    if not mailbox.received:
        raise StoryFailed("{code}: no mail was received")
    body = mailbox.received[-1][2].get_body(("plain",))
    found = re.search(r"(?<!\d)\d{6}(?!\d)", body.get_content() if body else "")
    if found is None:
        raise StoryFailed("{code}: the last mail has no six-digit code")
    return found[0]


def check_mails(wanted: list[MailEffect], server: MailServer | None) -> list[str]:
    got = server.mailbox.received if server is not None else []
    shown = [(rcpt, str(m["Subject"])) for _, rcpt, m in got]
    if len(got) != len(wanted):
        return [f"mails {shown}, expected {len(wanted)}"]
    problems = []
    for effect, (_, rcpt, message) in zip(wanted, got, strict=True):
        if not any(_search(effect.to, r) for r in rcpt):
            problems.append(f"mail to {rcpt}, expected /{effect.to}/")
        if effect.subject and not _search(effect.subject, str(message["Subject"])):
            problems.append(f"mail subject {message['Subject']!r}, expected /{effect.subject}/")
        if effect.pdf is not None:
            pdfs = [
                a for a in message.iter_attachments() if a.get_content_type() == "application/pdf"
            ]
            if not effect.pdf and pdfs:
                problems.append(f"mail to {rcpt} carries a PDF")
            elif effect.pdf and len(pdfs) != 1:
                problems.append(f"mail to {rcpt} carries {len(pdfs)} PDFs")
            elif effect.pdf:
                data = base64.b64encode(pdfs[0].get_content()).decode()
                text = pdf_text(Attachment(pdfs[0].get_filename() or "", PDF, data))
                problems += [f"mailed PDF lacks /{p}/" for p in effect.pdf if not _search(p, text)]
    return problems


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
    files = [reply.attachment for reply in replies if reply.attachment is not None]
    if turn.no_attachment and files:
        problems.append(f"attachments {[f.filename for f in files]} sent")
    if turn.attachment is not None:
        problems += check_attachment(turn.attachment, files)
    return problems


def check_attachment(wanted: AttachmentCheck, files: list[Attachment]) -> list[str]:
    """One of the files is of the type wanted, named so, with that text and that payment QR."""
    if not files:
        return [f"no attachment ({wanted.media_type})"]
    file = files[0]
    if len(files) > 1:
        return [f"{len(files)} attachments: {[f.filename for f in files]}"]
    if file.media_type != wanted.media_type:
        return [f"attachment {file.media_type}, expected {wanted.media_type}"]
    problems = []
    if wanted.filename and not re.fullmatch(wanted.filename, file.filename):
        problems.append(f"attachment named {file.filename!r}, expected /{wanted.filename}/")
    pdf = file.media_type == "application/pdf"
    text = pdf_text(file) if pdf else ""
    problems += [f"PDF lacks /{p}/" for p in wanted.text if not _search(p, text)]
    if wanted.qr is not None:
        codes = qr_texts(pdf_images(file)) if pdf else png_qr_texts(file)
        if not wanted.qr:
            problems += [f"a QR code {code!r} found" for code in codes]
        elif len(codes) != 1:
            problems.append(f"{len(codes)} QR codes found, expected one")
        else:
            fields = parse_payload(codes[0])
            problems += [
                f"QR {key}={fields.get(key)!r}, expected {value!r}"
                for key, value in wanted.qr.items()
                if fields.get(key) != value
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
            row = await store.connection.execute(
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
