"""Receipts and online payments in an account's card, and a receipt's PDF for the operator: the
same need to know as the transcript, only the customer's own accounts and billing's last twelve
months, every file handed out audited."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from aiohttp.test_utils import TestServer
from pypdf import PdfReader

from console.app import build_console
from console.context import CONSOLE
from core.balance import HistoryEntry
from core.payments import OnlinePayment, PaymentStatus
from dialogs.i18n import translator
from energobot.app import Services
from storage.database import Database
from tests.console.conftest import Browser, Customer, add_operator, audit_actions

ACCOUNT = "5901000001"  # the demo's Иванова: twelve months billed
OTHER = "5901000002"  # a demo account nobody in the conversation linked
RU = translator("ru")


def pdf_path(conversation_id: int, account: str, period: str) -> str:
    return f"/console/conversations/{conversation_id}/receipts/{account}/{period}.pdf"


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def spaced(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def escalated(customer: Customer, database: Database) -> int:
    """The customer asks for an operator and has ACCOUNT linked; their conversation's id."""
    await customer.send("позовите оператора")
    assert "оператор" in customer.text().casefold(), customer.text()
    async with database.unit_of_work() as store:
        opened = await store.conversations.open(customer.channel, customer.user_id)
        assert opened is not None
        person, conversation = opened
        await store.accounts.link(person.id, ACCOUNT, "surname", datetime.now(UTC))
        await store.commit()
    return conversation.id


async def history(database: Database, account: str = ACCOUNT) -> list[HistoryEntry]:
    async with database.unit_of_work() as store:
        return await store.history.for_account(account, 12)


def payment(number: int, status: PaymentStatus, created_at: datetime, **kw: Any) -> OnlinePayment:
    return OnlinePayment(
        public_id=f"pay-{number}",
        idempotence_key=f"key-{number}",
        account=kw.pop("account", ACCOUNT),
        amount=kw.pop("amount", Decimal("100.00") + number),
        status=status,
        created_at=created_at,
        expires_at=created_at + timedelta(hours=24),
        customer_id=None,
        **kw,
    )


async def add_payments(database: Database, payments: list[OnlinePayment]) -> None:
    async with database.unit_of_work() as store:
        for item in payments:
            await store.online_payments.add(item)
        await store.commit()


def receipt_rows(page: str) -> list[str]:
    return re.findall(r'data-test="receipt" data-period="([\d-]+)"', page)


def payment_rows(page: str) -> list[tuple[str, str, str, str]]:
    """(status, amount, label, when) of every payment shown, top down."""
    return re.findall(
        r'data-test="payment" data-status="(\w+)"><span data-test="payment-amount">([^<]*)</span>'
        r' · <span data-test="payment-status">([^<]*)</span> · <span data-test="payment-when">'
        r"([^<]*)</span>",
        page,
    )


def receipts(actions: list[tuple[str, str, dict[str, Any] | None]]) -> list[dict[str, Any]]:
    return [details or {} for _, action, details in actions if action == "console.receipt"]


async def test_the_card_shows_receipts_with_their_pdf_links_and_the_payments(
    anna: Browser, customer: Customer, demo: Database
) -> None:
    conversation_id = await escalated(customer, demo)
    billed = await history(demo)
    assert len(billed) == 12
    now = datetime.now(UTC)
    paid_at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # 14:30 in Perm (UTC+5)
    await add_payments(
        demo,
        [
            payment(0, PaymentStatus.IN_BILLING, now - timedelta(days=40), paid_at=paid_at),
            payment(1, PaymentStatus.CANCELED, now - timedelta(days=3)),
            payment(2, PaymentStatus.CREATED, now - timedelta(hours=1)),
            payment(3, PaymentStatus.SUCCEEDED, now - timedelta(days=60), account=OTHER),
        ],
    )
    response = await anna.get(f"/console/conversations/{conversation_id}")
    assert response.status == 200
    card = anna.page.split(f'data-account="{ACCOUNT}"')[1]
    assert receipt_rows(card) == [entry.period for entry in billed]  # newest first
    for entry in billed:
        row = card.split(f'data-period="{entry.period}"')[1].split("</tr>")[0]
        assert RU.period(entry.period) in row
        assert f'data-test="receipt-kwh">{RU.number(entry.kwh)}<' in row
        assert f'data-test="receipt-charged">{RU.money(entry.charged)}<' in row
        assert f'data-test="receipt-paid">{RU.money(entry.paid)}<' in row
        assert f'href="{pdf_path(conversation_id, ACCOUNT, entry.period)}"' in row
    shown = payment_rows(card)
    assert [status for status, *_ in shown] == ["created", "canceled", "in_billing"]
    assert shown[0][1] == f"{RU.money(Decimal('102.00'))} ₽"
    assert shown[0][2] == "ссылка не открыта" and shown[0][3].startswith("ссылка выдана ")
    assert shown[1][2] == "отменено"
    # Paid: when the money was taken, in the company's time zone, with the year.
    assert shown[2][2] == "учтено в биллинге"
    assert shown[2][3] == "оплачено 20 ноября 2026, 14:30"


async def test_at_most_ten_payments_newest_first(
    anna: Browser, customer: Customer, demo: Database
) -> None:
    conversation_id = await escalated(customer, demo)
    start = datetime.now(UTC) - timedelta(days=30)
    await add_payments(
        demo, [payment(n, PaymentStatus.CANCELED, start + timedelta(days=n)) for n in range(12)]
    )
    await anna.get(f"/console/conversations/{conversation_id}")
    amounts = [amount for _, amount, _, _ in payment_rows(anna.page)]
    assert amounts == [f"{RU.money(Decimal('100.00') + n)} ₽" for n in range(11, 1, -1)]


async def test_an_account_without_billing_or_payments_says_so(
    anna: Browser, customer: Customer, database: Database
) -> None:
    from tests.console.conftest import seed_account

    await seed_account(database, "5901234567")  # no history, no payments
    await customer.send("позовите оператора")
    async with database.unit_of_work() as store:
        opened = await store.conversations.open(customer.channel, customer.user_id)
        assert opened is not None
        await store.accounts.link(opened[0].id, "5901234567", "surname", datetime.now(UTC))
        await store.commit()
        conversation_id = opened[1].id
    await anna.get(f"/console/conversations/{conversation_id}")
    assert "Биллинг пока не передал начислений по этому счёту." in anna.page
    assert "Клиент не оплачивал этот счёт через бота." in anna.page
    assert receipt_rows(anna.page) == [] and payment_rows(anna.page) == []


async def test_the_pdf_link_gives_the_months_receipt_and_is_audited(
    anna: Browser, customer: Customer, demo: Database
) -> None:
    conversation_id = await escalated(customer, demo)
    entry = (await history(demo))[4]  # an older month, not the latest
    await anna.get(f"/console/conversations/{conversation_id}")
    response = await anna.get(pdf_path(conversation_id, ACCOUNT, entry.period))
    assert response.status == 200
    assert response.content_type == "application/pdf"
    filename = f"kvitanciya-{ACCOUNT[-4:]}-{entry.period}.pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "private, no-store"
    body = await response.read()
    assert body.startswith(b"%PDF-")
    text = pdf_text(body)
    assert ACCOUNT in text
    assert spaced(RU.period(entry.period)) in text.casefold()
    assert spaced(RU.money(entry.charged)) in text
    assert receipts(await audit_actions(demo)) == [
        {"conversation_id": conversation_id, "account": ACCOUNT, "period": entry.period}
    ]


async def test_the_receipt_is_in_the_customers_language(
    anna: Browser, customer: Customer, demo: Database
) -> None:
    conversation_id = await escalated(customer, demo)
    async with demo.unit_of_work() as store:
        opened = await store.conversations.open(customer.channel, customer.user_id)
        assert opened is not None
        person = opened[0]
        person.language = "en"
        await store.customers.update(person)
        await store.commit()
    entry = (await history(demo))[0]
    response = await anna.get(pdf_path(conversation_id, ACCOUNT, entry.period))
    assert response.status == 200
    text = pdf_text(await response.read())
    english = translator("en")
    assert english.period(entry.period) in text
    assert RU.period(entry.period) not in text.casefold()


async def test_another_accounts_receipt_or_a_month_outside_is_not_found(
    anna: Browser, customer: Customer, demo: Database
) -> None:
    conversation_id = await escalated(customer, demo)
    other = (await history(demo, OTHER))[0]
    response = await anna.get(pdf_path(conversation_id, OTHER, other.period))
    assert response.status == 404
    assert "не привязан к клиенту этого разговора" in anna.page
    oldest = (await history(demo))[-1].period
    year, month = (int(part) for part in oldest.split("-"))
    before = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    for period in (before, "2026-13", "latest", "2026-1"):
        response = await anna.get(pdf_path(conversation_id, ACCOUNT, period))
        assert response.status == 404, period
    assert "последние 12 месяцев" in anna.page
    response = await anna.get(pdf_path(conversation_id + 100, ACCOUNT, oldest))
    assert response.status == 404
    assert receipts(await audit_actions(demo)) == []


async def test_an_operator_who_may_not_see_the_conversation_is_refused_and_audited(
    anna: Browser, customer: Customer, demo: Database, browser_factory: Any
) -> None:
    conversation_id = await escalated(customer, demo)
    await anna.get("/console/queue")
    claimed = await anna.post("/console/escalations/1/claim")
    assert claimed.status == 200
    await add_operator(demo, "boris")
    boris: Browser = browser_factory()
    await boris.login("boris")
    period = (await history(demo))[0].period
    response = await boris.get(pdf_path(conversation_id, ACCOUNT, period))
    assert response.status == 403
    assert response.content_type == "text/html" and "Этот разговор вам не открыт" in boris.page
    actions = await audit_actions(demo)
    assert ("operator:boris", "console.denied") in [(who, what) for who, what, _ in actions]
    denied = [d for who, what, d in actions if what == "console.denied" and who == "operator:boris"]
    assert denied == [{"conversation_id": conversation_id, "what": "receipt"}]
    assert receipts(actions) == []
    # A supervisor sees every conversation, and so its receipts.
    await add_operator(demo, "vera", role="supervisor")
    vera: Browser = browser_factory()
    await vera.login("vera")
    response = await vera.get(pdf_path(conversation_id, ACCOUNT, period))
    assert response.status == 200 and response.content_type == "application/pdf"


async def test_a_console_without_the_dialogs_shows_no_links(
    anna: Browser, customer: Customer, demo: Database, server: TestServer
) -> None:
    conversation_id = await escalated(customer, demo)
    server.app[CONSOLE].receipts = None
    await anna.get(f"/console/conversations/{conversation_id}")
    assert len(receipt_rows(anna.page)) == 12
    assert 'data-test="receipt-pdf"' not in anna.page
    period = (await history(demo))[0].period
    response = await anna.get(pdf_path(conversation_id, ACCOUNT, period))
    assert response.status == 404


def test_build_console_takes_the_pipeline_when_the_services_have_one(services: Services) -> None:
    assert build_console(services).receipts is services.pipeline

    @dataclass
    class Bare:  # the console's own protocol, nothing more
        settings: Any
        database: Any
        sender: Any

    assert (
        build_console(Bare(services.settings, services.database, services.sender)).receipts is None
    )
