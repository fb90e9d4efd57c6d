"""The receipt PDF, the payment QR and the consumption chart, read back (pypdf, zxing-cpp) and
checked to the kopeck against the demo billing data imported by the ordinary importer."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pypdf import PdfReader

from core.accounts import Account
from core.balance import HistoryEntry
from core.bills import split_volume
from core.meters import Zone
from core.payment_qr import parse_payload
from core.readings import Reading, ReadingStatus
from dialogs.config import DialogConfig
from dialogs.context import Ctx
from dialogs.engine import Engine
from dialogs.flows import FLOWS
from dialogs.flows.receipt_document import receipt_attachment
from dialogs.i18n import Translator
from dialogs.pipeline import Pipeline
from storage.database import Database
from tests.dialogs.conftest import Clock, Customer, linked, local, make_config
from tests.dialogs.papers_read import (
    attachments,
    data,
    pdf_images,
    pdf_text,
    png_qr_texts,
    qr_texts,
)

ROOT = Path(__file__).resolve().parents[2]
BANK = {
    key: str(value)
    for key, value in yaml.safe_load((ROOT / "config.yaml").read_text("utf-8"))["company"][
        "bank"
    ].items()
}
RU = Translator("ru")
AMOUNT = r"(\d[\d ]*,\d\d)"


def rubles(amount: Decimal) -> str:
    return RU.money(amount).replace("\xa0", " ").replace("\u202f", " ")


def to_decimal(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace(",", "."))


def kopecks(amount: Decimal) -> str:
    return str(int(amount * 100))


@pytest.fixture
def config() -> DialogConfig:
    base = make_config()
    return replace(base, company=replace(base.company, bank=dict(BANK)))


@pytest.fixture
def clock() -> Clock:
    return Clock(local(2026, 12, 7, 10, 0))  # a Monday; the demo's November bills are due 15 Dec


@pytest.fixture
async def pipeline(demo: Database, clock: Clock, config: DialogConfig) -> Pipeline:
    return Pipeline(demo.unit_of_work, Engine(FLOWS), config, clock=clock)


async def billing(customer: Customer, number: str) -> tuple[Account, list[HistoryEntry]]:
    async with customer.pipeline.unit_of_work() as store:
        account = await store.accounts.get(number)
        assert account is not None
        return account, await store.history.for_account(number, 36)


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def balance_row(text: str, when: str) -> Decimal:
    """«Долг на начало месяца 15 312,97 ₽» as +15312.97, «Переплата …» as negative."""
    found = re.search(rf"(Долг|Переплата) на {when} месяца {AMOUNT} ₽", text)
    assert found, text
    amount = to_decimal(found[2])
    return amount if found[1] == "Долг" else -amount


@pytest.mark.parametrize(
    ("number", "surname"),
    [
        ("5901000001", "Иванова"),  # the November bill, not yet due
        ("5901000012", "Чудинова"),  # overdue since October: a penalty
        ("5901000002", "Смирнов"),  # overdue since August
        ("5901000003", "Кузнецова"),  # an overpayment
        ("5901000017", "Кочергин"),  # range II
    ],
)
async def test_latest_receipt_agrees_with_billing_and_the_balance_answer(
    customer: Customer, number: str, surname: str
) -> None:
    account, history = await billing(customer, number)
    latest = history[0]
    await linked(customer, number, surname)

    await customer.send("сколько платить")
    balance_text = plain(customer.text())
    # What to pay: the debt and billing's own penalty; the bot's estimate is only said.
    estimate_said = re.search(rf"Пени на сегодня — примерно {AMOUNT} ₽", balance_text)
    estimate = to_decimal(estimate_said[1]) if estimate_said else Decimal(0)
    billed_said = re.search(rf"Пени по данным расчётного центра — {AMOUNT} ₽", balance_text)
    penalty = to_decimal(billed_said[1]) if billed_said else Decimal(0)
    balance_files = attachments(customer.last)

    await customer.send("квитанция")
    files = attachments(customer.last)
    assert [f.filename for f in files] == [f"kvitanciya-{number[-4:]}-{latest.period}.pdf"]
    text = pdf_text(files[0])
    caption = plain(customer.text())

    # The month as billing imported it, and the balance chained to billing's balance today.
    assert f"Начислено за месяц {rubles(latest.charged)} ₽" in text
    assert f"Оплачено в этом месяце {rubles(latest.paid)} ₽" in text
    assert balance_row(text, "конец") == account.balance
    assert balance_row(text, "начало") == account.balance - latest.charged + latest.paid
    codes = qr_texts(pdf_images(files[0]))
    if account.balance <= 0:
        assert "оплачивать не нужно" in text
        assert codes == [] and balance_files == []
        assert "QR" not in caption and "QR" not in balance_text
        return
    due = account.balance + penalty
    assert f"Итого к оплате {rubles(due)} ₽" in text
    if penalty:
        assert f"Итого к оплате с пенями: {rubles(due)} ₽" in caption
    elif estimate:
        assert f"Итого к оплате: {rubles(due)} ₽" in caption
        assert f"Пени на сегодня (примерно, в итог не входят) {rubles(estimate)} ₽" in text
    else:
        assert f"Итого к оплате: {rubles(due)} ₽ до" in caption
    # The receipt's QR and the balance answer's pay the same amount, in kopecks.
    assert len(codes) == 1
    pdf_qr = parse_payload(codes[0])
    assert pdf_qr["Sum"] == kopecks(due)
    assert pdf_qr["PersAcc"] == number
    assert pdf_qr["PaymPeriod"] == latest.period[5:] + latest.period[:4]
    assert pdf_qr["PersonalAcc"] == BANK["account"] and pdf_qr["BIC"] == BANK["bik"]
    assert [f.filename for f in balance_files] == [f"oplata-{number[-4:]}.png"]
    assert png_qr_texts(balance_files[0]) == codes
    assert f"QR-код для оплаты {rubles(due)} ₽" in balance_text


@pytest.mark.parametrize(("number", "surname"), [("5901000012", "Чудинова")])
async def test_every_month_of_the_year_chains_to_the_next_and_each_qr_pays_what_is_due_now(
    customer: Customer, number: str, surname: str
) -> None:
    account, history = await billing(customer, number)
    await linked(customer, number, surname)
    closing_before: Decimal | None = None
    months = sorted(history[:12], key=lambda e: e.period)
    assert len(months) == 12
    for entry in months:
        await customer.send(f"квитанция за {RU.period(entry.period)}")
        files = attachments(customer.last)
        assert [f.filename for f in files] == [f"kvitanciya-{number[-4:]}-{entry.period}.pdf"]
        text = pdf_text(files[0])
        assert f"Квитанция за {RU.period(entry.period)}" in text
        opening, closing = balance_row(text, "начало"), balance_row(text, "конец")
        assert closing == opening + entry.charged - entry.paid
        if closing_before is not None:
            assert opening == closing_before
        closing_before = closing
        codes = qr_texts(pdf_images(files[0]))
        # What is due now: the debt and billing's own penalty (no online payments here).
        due = account.balance + (account.penalty or 0) if account.balance > 0 else None
        if due is None:
            assert codes == []
        else:  # every copy pays what is due now, for the latest month, never its own charge
            (code,) = codes
            assert parse_payload(code)["Sum"] == str(int(due * 100))
            assert (
                parse_payload(code)["PaymPeriod"] == months[-1].period[5:] + months[-1].period[:4]
            )
            if entry is not months[-1]:
                assert "Итого к оплате" not in text and "К оплате сейчас" in text
    assert closing_before == account.balance


async def test_unusable_bank_details_give_answers_without_a_qr(
    demo: Database, clock: Clock, config: DialogConfig, caplog: pytest.LogCaptureFixture
) -> None:
    broken = {key: value for key, value in BANK.items() if key != "account"}
    company = replace(config.company, bank=broken)
    assert company.payee is None and "account: missing" in caplog.text
    pipeline = Pipeline(
        demo.unit_of_work, Engine(FLOWS), replace(config, company=company), clock=clock
    )
    customer = Customer(pipeline)
    await linked(customer, "5901000001", "Иванова")
    await customer.send("сколько платить")
    assert "1 514,86" in plain(customer.text()) and "QR" not in customer.text()
    assert attachments(customer.last) == []
    await customer.send("квитанция")
    files = attachments(customer.last)
    assert len(files) == 1 and qr_texts(pdf_images(files[0])) == []
    assert "QR" not in customer.text() and "PDF" in customer.text()
    assert "Итого к оплате 1 514,86 ₽" in pdf_text(files[0])


async def add_readings(
    customer: Customer, number: str, serial: str, period: str, used: dict[str, str]
) -> None:
    async with customer.pipeline.unit_of_work() as store:
        for register, kwh in used.items():
            await store.readings.add(
                Reading(
                    number,
                    serial,
                    register,
                    Decimal(30000) + Decimal(kwh),
                    Decimal(kwh),
                    period,
                    datetime(int(period[:4]), int(period[5:]), 23, 6, tzinfo=UTC),
                    "test",
                    ReadingStatus.ACCEPTED,
                )
            )
        await store.commit()


async def test_two_zone_receipt_shows_the_readings_and_the_zone_prices(customer: Customer) -> None:
    # Иванова's meter is two-zone; November billed 243 kWh.
    await add_readings(customer, "5901000001", "011076120445", "2026-11", {"T1": "170", "T2": "73"})
    await linked(customer, "5901000001", "Иванова")
    await customer.send("пришлите квитанцию за ноябрь")
    text = pdf_text(attachments(customer.last)[0])
    assert "№ 011076120445, день 30 000 30 170 170" in text
    assert "№ 011076120445, ночь 30 000 30 073 73" in text
    assert re.search(r"день I 170 \d+,\d\d", text) and re.search(r"ночь I 73 \d+,\d\d", text)
    lines = [
        to_decimal(m[1]) for m in re.finditer(rf"(?:день|ночь) I [\d ]+ [\d,]+ {AMOUNT}", text)
    ]
    total = re.search(rf"Итого по тарифу {AMOUNT} ₽", text)
    assert total and sum(lines, Decimal(0)) == to_decimal(total[1])
    # What billing charged beyond the price lines is named, so that the month adds up.
    beyond = re.search(rf"в т\. ч\. (?:перерасчёт|округление[^\d-]*) (-?{AMOUNT[1:-1]}) ₽", text)
    extra = to_decimal(beyond[1]) if beyond else Decimal(0)
    assert to_decimal(total[1]) + extra == Decimal("1514.86")


async def test_consumption_by_zone_where_the_readings_split_the_month(customer: Customer) -> None:
    _, history = await billing(customer, "5901000001")
    await add_readings(customer, "5901000001", "011076120445", "2026-11", {"T1": "170", "T2": "73"})
    await linked(customer, "5901000001", "Иванова")
    await customer.send("сколько я тратил за год")
    text = plain(customer.text())
    shares = split_volume(Decimal(243), {Zone.DAY: Decimal(170), Zone.NIGHT: Decimal(73)})
    assert f"ноябрь 2026: 243 (день {RU.number(shares[Zone.DAY])}" in text
    assert "октябрь 2026: 231\n" in text  # no readings of October: billing's kWh alone
    months = history[:12]
    mean = sum((e.kwh for e in months), Decimal(0)) / len(months)
    assert f"В среднем — {RU.number(mean.quantize(Decimal('0.01')))} кВт·ч" in text
    files = attachments(customer.last)
    assert [f.filename for f in files] == ["potreblenie-0001.png"]
    assert files[0].media_type == "image/png"
    image = Image.open(io.BytesIO(data(files[0])))
    assert image.format == "PNG" and image.width > 400
    assert "График" in text


async def test_consumption_of_a_shorter_history_says_how_many_months(customer: Customer) -> None:
    _, history = await billing(customer, "5901000005")  # Соколова: nine months billed
    assert len(history) == 9
    await linked(customer, "5901000005", "Соколова")
    await customer.send("график потребления")
    text = plain(customer.text())
    assert "за последние 9 месяцев" in text and "за 9 месяцев" in text
    for entry in history:
        assert f"{RU.period(entry.period)}: {RU.number(entry.kwh)}" in text
    assert [f.media_type for f in attachments(customer.last)] == ["image/png"]


async def test_receipt_attachment_for_other_flows(
    demo: Database, clock: Clock, config: DialogConfig
) -> None:
    """What the e-mail flow sends: the month's PDF, or None for a month outside the twelve."""
    async with demo.unit_of_work() as store:
        person = await store.customers.get_or_create("test", "mail-1", "", "ru", clock())
        conversation = await store.conversations.get_for_update(person, clock())
        account = await store.accounts.get("5901000001")
        assert account is not None
        ctx = Ctx(
            engine=Engine(FLOWS),
            store=store,
            config=config,
            customer=person,
            conversation=conversation,
            now=clock(),
        )
        pdf = await receipt_attachment(ctx, account, "2026-11")
        assert pdf is not None and pdf.filename == "kvitanciya-0001-2026-11.pdf"
        assert "Итого к оплате 1 514,86 ₽" in pdf_text(pdf)
        assert parse_payload(qr_texts(pdf_images(pdf))[0])["Sum"] == "151486"
        assert await receipt_attachment(ctx, account, "2025-11") is None


@pytest.mark.parametrize(
    ("number", "surname", "pages"),
    [
        ("5901000001", "Иванова", 1),  # the bank details fit on the first page beside the QR
        ("5901000003", "Кузнецова", 1),  # overpaid: nothing to pay, no bank details at all
    ],
)
async def test_bank_details_only_to_pay_and_on_the_first_page(
    customer: Customer, number: str, surname: str, pages: int
) -> None:
    await linked(customer, number, surname)
    await customer.send("квитанция")
    (pdf,) = attachments(customer.last)
    reader = PdfReader(io.BytesIO(data(pdf)))
    assert len(reader.pages) == pages
    first = plain(reader.pages[0].extract_text())
    if number == "5901000003":
        assert "Реквизиты для оплаты" not in pdf_text(pdf)
    else:
        assert "Реквизиты для оплаты" in first and "Корр. счёт" in first
