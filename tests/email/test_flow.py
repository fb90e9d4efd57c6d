"""A receipt by e-mail, end to end: the customer's messages through the pipeline, the mails
queued in the outbox and delivered by the real sender to a real SMTP server."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bots.email.channel import EmailChannel
from bots.email.settings import EmailSettings
from core.notices import QuietHours
from dialogs.config import DialogConfig, EmailRules
from dialogs.engine import Engine
from dialogs.flows import FLOWS
from dialogs.pipeline import Pipeline
from outbox.notices.gate import Gate, GateRules
from outbox.sender import OutboxSender, SenderConfig
from storage.database import Database
from storage.tables import conversations, email_addresses, outbox
from tests.dialogs.conftest import PERM, Clock, Customer, account, linked, seed
from tests.email.smtp import Server

NUMBER = "5901234567"
RULES = EmailRules(code_key=b"k" * 32, codes_per_day=4)


@pytest.fixture
async def pipeline(database: Database, clock: Clock, config: DialogConfig) -> Pipeline:
    await seed(database)
    return Pipeline(database.unit_of_work, Engine(FLOWS), replace(config, email=RULES), clock=clock)


@pytest.fixture
def customer(pipeline: Pipeline) -> Customer:
    return Customer(pipeline)


@pytest.fixture
def sender(database: Database, smtp: Server, clock: Clock, config: DialogConfig) -> OutboxSender:
    settings = EmailSettings(
        enabled=True,
        host="127.0.0.1",
        port=smtp.port,
        starttls=False,
        from_address="receipts@energosbyt.example",
        timeout_seconds=5,
    )
    gate = Gate(
        GateRules(
            company=config.company,
            zone=PERM,
            quiet=QuietHours.parse("00:00-00:00"),
            hold_limit=timedelta(hours=12),
        )
    )
    channels = {"email": EmailChannel(settings, config.company.name)}
    return OutboxSender(
        database.unit_of_work, channels, SenderConfig(max_attempts=3), clock=clock, gate=gate
    )


async def deliver(database: Database, sender: OutboxSender) -> int:
    """What `serve`'s sender does on its next rounds: every conversation's due mails."""
    async with database.unit_of_work() as store:
        ids = (await store.connection.execute(select(conversations.c.id))).scalars().all()
    return sum([await sender.flush("email", i) for i in ids])


async def mail_rows(database: Database) -> list[dict[str, object]]:
    async with database.unit_of_work() as store:
        result = await store.connection.execute(
            select(outbox).where(outbox.c.channel == "email").order_by(outbox.c.id)
        )
        return [dict(row) for row in result.mappings()]


def pdf_text(message: EmailMessage) -> str:
    (attached,) = list(message.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    reader = PdfReader(io.BytesIO(attached.get_content()))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def code_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"\b(\d{6})\b", body.get_content())
    assert found, body.get_content()
    return found[1]


async def with_billing_email(database: Database, email: str) -> None:
    async with database.unit_of_work() as store:
        await store.accounts.upsert([account(NUMBER, "Иванова", phone="+79120000001", email=email)])
        await store.commit()


async def test_billings_address_after_a_yes_to_the_masked_one(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server
) -> None:
    await with_billing_email(database, "ivanova.m@mail.ru")
    await linked(customer)
    await customer.send("пришлите пожалуйста квитанцию на почту")
    assert "Отправить квитанцию за октябрь 2026 на i***m@mail.ru?" in customer.text()
    assert "ivanova.m" not in customer.text()
    await customer.press("Да, отправить")
    assert "Отправляю квитанцию за октябрь 2026 на i***m@mail.ru" in customer.text()
    assert smtp.mailbox.received == []  # queued in the turn, sent by the sender

    assert await deliver(database, sender) == 1
    (mail,) = smtp.mailbox.to("ivanova.m@mail.ru")
    assert mail["Subject"] == "Квитанция за октябрь 2026 — Энергосбыт"
    assert "Энергосбыт" in str(mail["From"])
    assert NUMBER in pdf_text(mail)
    (row,) = await mail_rows(database)
    assert (row["status"], row["lane"], row["user_id"]) == ("sent", 1, "ivanova.m@mail.ru")


async def test_a_typed_address_only_after_the_code_then_remembered(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server, clock: Clock
) -> None:
    await linked(customer)
    await customer.send("скиньте квитанцию за сентябрь на мейл Petrov.A@yandex.ru")
    assert "код" in customer.text() and "Petrov.A@yandex.ru" in customer.text()
    await deliver(database, sender)
    (code_mail,) = smtp.mailbox.to("Petrov.A@yandex.ru")
    assert code_mail["Subject"] == "Код подтверждения адреса — Энергосбыт"
    assert list(code_mail.iter_attachments()) == []  # no receipt before the code
    code = code_in(code_mail)

    await customer.send(f"код {code[:3]} {code[3:]}")
    assert "Отправляю квитанцию за сентябрь 2026 на P***A@yandex.ru" in customer.text()
    await deliver(database, sender)
    mails = smtp.mailbox.to("Petrov.A@yandex.ru")
    assert len(mails) == 2 and NUMBER in pdf_text(mails[1])
    assert "2026-09" in str(next(mails[1].iter_attachments()).get_filename())
    rows = await mail_rows(database)
    assert code not in str(rows[0]["body"])  # the code's mail no longer carries it

    # Next time: offered masked, no code.
    clock.now += timedelta(days=3)
    await customer.send("квитанцию на email")
    assert "Отправить квитанцию за октябрь 2026 на P***A@yandex.ru?" in customer.text()
    await customer.send("да")
    assert "Отправляю квитанцию за октябрь 2026" in customer.text()
    await deliver(database, sender)
    assert len(smtp.mailbox.to("Petrov.A@yandex.ru")) == 3


async def test_three_wrong_codes_send_nothing(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server
) -> None:
    await linked(customer)
    await customer.send("квитанцию по электронной почте")
    assert "Напишите адрес электронной почты" in customer.text()
    await customer.send("stranger@gmail.com")
    await deliver(database, sender)
    code = code_in(smtp.mailbox.to("stranger@gmail.com")[0])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    await customer.send(wrong)
    assert "Осталось 2 попытки" in customer.text()
    await customer.send(wrong)
    assert "Осталась 1 попытка" in customer.text()
    await customer.send(wrong)
    assert "больше не действует" in customer.text()
    await customer.send(code)  # too late: the code is void
    assert "больше не действует" in customer.text()
    await deliver(database, sender)
    assert len(smtp.mailbox.received) == 1  # the code's mail only
    async with database.unit_of_work() as store:
        assert await store.email_addresses.confirmed(1) == []


async def test_a_new_code_at_most_every_minute_and_the_old_one_void(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server, clock: Clock
) -> None:
    await linked(customer)
    await customer.send("квитанцию на почту sidorov@mail.ru")
    await deliver(database, sender)
    first = code_in(smtp.mailbox.to("sidorov@mail.ru")[0])
    await customer.press("Прислать новый код")
    assert "Новый код можно будет запросить через 60 секунд" in customer.text()
    clock.now += timedelta(seconds=61)
    await customer.press("Прислать новый код")
    await deliver(database, sender)
    second = code_in(smtp.mailbox.to("sidorov@mail.ru")[1])
    if first != second:
        await customer.send(first)
        assert "Код не подходит" in customer.text()
    await customer.send(second)
    assert "Отправляю квитанцию" in customer.text()


async def test_codes_expire_after_ten_minutes(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server, clock: Clock
) -> None:
    await linked(customer)
    await customer.send("квитанцию на почту sidorov@mail.ru")
    await deliver(database, sender)
    code = code_in(smtp.mailbox.received[0][2])
    clock.now += timedelta(minutes=11)
    await customer.send(code)
    assert "Срок действия кода истёк" in customer.text()


async def test_addresses_that_are_not_get_a_clear_answer(customer: Customer) -> None:
    await linked(customer)
    await customer.send("отправьте квитанцию на почту")
    await customer.send("ivanov@mail")
    assert "не хватает окончания после точки" in customer.text()
    await customer.send("иванов@почта.ру")
    assert "латинскими буквами" in customer.text()
    await customer.send("отмена")
    assert "Отправляю" not in customer.text()
    assert customer.labels()  # the menu


async def test_a_relay_saying_later_is_retried_by_the_outbox(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server, clock: Clock
) -> None:
    await with_billing_email(database, "ivanova.m@mail.ru")
    await linked(customer)
    await customer.send("квитанцию на почту")
    smtp.mailbox.rcpt_answers.append("451 4.7.1 Greylisted, please try again later")
    await customer.press("Да, отправить")
    assert await deliver(database, sender) == 0
    (row,) = await mail_rows(database)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "451" in str(row["last_error"])
    assert await deliver(database, sender) == 0  # backing off: not yet due
    clock.now += timedelta(minutes=5)
    assert await deliver(database, sender) == 1
    (row,) = await mail_rows(database)
    assert row["status"] == "sent"
    assert len(smtp.mailbox.to("ivanova.m@mail.ru")) == 1


async def test_a_refused_recipient_fails_the_row_and_holds_nothing_back(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server
) -> None:
    await with_billing_email(database, "gone@mail.ru")
    await linked(customer)
    await customer.send("квитанцию на почту")
    smtp.mailbox.rcpt_answers.append("550 5.1.1 No such user")
    await customer.press("Да, отправить")
    await deliver(database, sender)
    (row,) = await mail_rows(database)
    assert row["status"] == "failed" and "550" in str(row["last_error"])
    # The chat goes on: the next answer is not held behind the failed mail.
    await customer.send("баланс")
    assert "1 250,40" in customer.text() or "1250" in customer.text().replace(" ", "")


async def test_erasure_forgets_the_addresses(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server
) -> None:
    await linked(customer)
    await customer.send("квитанцию на почту petrov@yandex.ru")
    await deliver(database, sender)
    await customer.send(code_in(smtp.mailbox.received[0][2]))
    await deliver(database, sender)
    async with database.unit_of_work() as store:
        (customer_id,) = (
            await store.connection.execute(select(email_addresses.c.customer_id))
        ).scalars()
        await store.customers.erase(customer_id, customer.pipeline.clock())
        await store.commit()
    async with database.unit_of_work() as store:
        assert await store.email_addresses.confirmed(customer_id) == []
    assert {row["user_id"] for row in await mail_rows(database)} == {""}


async def test_another_address_typed_at_the_choice_needs_a_code(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server
) -> None:
    await with_billing_email(database, "ivanova.m@mail.ru")
    await linked(customer)
    await customer.send("квитанцию на почту")
    await customer.send("нет, лучше на work.ivanova@yandex.ru")
    assert "код" in customer.text() and "work.ivanova@yandex.ru" in customer.text()
    await deliver(database, sender)
    assert [m["Subject"] for m in smtp.mailbox.to("work.ivanova@yandex.ru")] == [
        "Код подтверждения адреса — Энергосбыт"
    ]
    assert smtp.mailbox.to("ivanova.m@mail.ru") == []


async def test_email_off_keeps_the_receipt_in_the_chat(
    database: Database, pipeline: Pipeline, config: DialogConfig
) -> None:
    off = Customer(
        Pipeline(database.unit_of_work, Engine(FLOWS), config, clock=pipeline.clock), "2002"
    )
    await linked(off)
    await off.send("пришлите квитанцию на почту")
    assert "не отправляю" in off.text()
    assert await mail_rows(database) == []


async def test_saved_addresses_can_be_forgotten(
    database: Database, customer: Customer, sender: OutboxSender, smtp: Server, clock: Clock
) -> None:
    await linked(customer)
    await customer.send("квитанцию на почту petrov@yandex.ru")
    await deliver(database, sender)
    await customer.send(code_in(smtp.mailbox.received[0][2]))
    clock.now += timedelta(hours=1)
    await customer.send("квитанцию на почту")
    await customer.press("Забыть сохранённые адреса")
    assert "забыты" in customer.text() and "Напишите адрес электронной почты" in customer.text()
    await customer.send("petrov@yandex.ru")  # now a stranger's again: a code first
    assert "код" in customer.text() and "Отправляю" not in customer.text()
    async with database.unit_of_work() as store:
        assert (await store.connection.execute(select(email_addresses))).all() == []


async def test_the_code_is_kept_nowhere_once_its_mail_has_gone(
    database: Database,
    customer: Customer,
    sender: OutboxSender,
    smtp: Server,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    await linked(customer)
    await customer.send("квитанцию на почту sidorov@mail.ru")
    await deliver(database, sender)
    code = code_in(smtp.mailbox.to("sidorov@mail.ru")[0])
    # The customer leaves the code unused: the row is sent, and keeps the mail without it.
    (row,) = await mail_rows(database)
    assert row["status"] == "sent"
    assert code not in str(row["body"]) and "••••••" in str(row["body"])
    async with database.unit_of_work() as store:
        lines, _ = await store.console.transcript(int(str(row["conversation_id"])))
    assert any("••••••" in line.text for line in lines)
    assert not any(code in line.text for line in lines)
    assert code not in caplog.text
