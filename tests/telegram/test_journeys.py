"""Customer journeys end to end: webhook in, the fake Bot API out, judged by what the fake
received (texts and keyboards) and by the readings export billing gets."""

from __future__ import annotations

import csv
import io

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from core.payment_qr import parse_payload
from energobot.exchange import export_readings
from storage.tables import account_links, escalations, visits
from tests.telegram.harness import Harness, labels


async def link(
    tg: Harness, chat: int, number: str = "5901000003", surname: str = "Кузнецова"
) -> None:
    """Consent, then account number and surname, from the main menu."""
    await tg.start(chat)
    await tg.press(chat, "Мои лицевые счета")
    await tg.press(chat, "Привязать")
    sent = await tg.press(chat, "Даю согласие")
    assert "номер лицевого счёта" in tg.text(sent)
    await tg.say(chat, number)
    sent = await tg.say(chat, surname)
    assert "лицевой счёт привязан" in tg.text(sent), tg.text(sent)


async def exported(tg: Harness) -> list[dict[str, str]]:
    out = io.StringIO()
    async with tg.database.unit_of_work() as store:
        await export_readings(store, None, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


async def test_start_consent_link_reading_by_buttons_then_export(tg: Harness) -> None:
    chat = 7001
    sent = await tg.start(chat)
    assert "Здравствуйте" in tg.text(sent)
    assert "Передать показания" in labels(sent[-1])
    sent = await tg.press(chat, "Передать показания")
    assert "согласие" in tg.text(sent)
    sent = await tg.press(chat, "Даю согласие")
    assert "номер лицевого счёта" in tg.text(sent)
    await tg.say(chat, "5901000003")
    sent = await tg.say(chat, "Кузнецова")
    text = tg.text(sent)
    assert "привязан" in text and "41562093" in text  # straight on to the meter
    sent = await tg.say(chat, "18300")
    assert "приняты" in tg.text(sent), tg.text(sent)
    rows = await exported(tg)
    assert [(r["account"], r["serial"], r["register"], r["value"], r["channel"]) for r in rows] == [
        ("5901000003", "41562093", "T1", "18300", "telegram")
    ]
    assert rows[0]["status"] == "accepted" and rows[0]["consumption_kwh"] == "59.3"
    # «Передать ещё показания»: a correction replaces the reading (for the same period).
    await tg.press(chat, "Передать ещё показания")
    sent = await tg.say(chat, "18310")
    assert "заменены" in tg.text(sent), tg.text(sent)
    assert [(r["value"], r["status"]) for r in await exported(tg)] == [
        ("18300", "replaced"),
        ("18310", "accepted"),
    ]


async def test_balance_and_receipt(tg: Harness) -> None:
    chat = 7002
    await link(tg, chat)
    sent = await tg.press(chat, "Баланс и оплата")
    text = tg.text(sent)
    assert "Переплата 3 716,32 ₽" in text and "ноябрь 2026" in text
    sent = await tg.press(chat, "Квитанция")
    text = tg.text(sent)
    assert "Квитанция за ноябрь 2026" in text and "Лицевой счёт: 5901000003" in text
    assert "Начислено: 1 266,08 ₽" in text


async def test_tariffs_and_an_estimate(tg: Harness) -> None:
    chat = 7003
    await tg.start(chat)
    sent = await tg.press(chat, "Тарифы и расчёт")
    assert "тариф" in tg.text(sent).casefold()
    sent = await tg.press(chat, "Рассчитать стоимость")
    assert "расход" in tg.text(sent).casefold()
    sent = await tg.say(chat, "день 180 ночь 70")
    text = tg.text(sent)
    assert "Итого" in text and "₽" in text
    await tg.say(chat, "250")
    assert "Итого" in tg.text(tg.fake.sent(chat)[-1:])


async def test_a_technician_visit_is_booked(tg: Harness) -> None:
    chat = 7004
    await link(tg, chat)
    sent = await tg.press(chat, "Вызвать мастера")
    assert "Что нужно сделать?" in tg.text(sent)
    sent = await tg.press(chat, "Контрольное снятие")
    first_day = labels(sent[-1])[0]
    sent = await tg.press(chat, first_day)
    assert "время" in tg.text(sent)
    sent = await tg.press(chat, "08:00")
    keyboard = (sent[-1].reply_markup or {}).get("keyboard")
    assert keyboard and keyboard[0][0].get("request_contact") is True  # share my phone
    await tg.press(chat, "Телефон из лицевого счёта")  # a reply-keyboard button: its label
    sent = await tg.press(chat, "Без комментария")
    assert "Контрольное снятие показаний" in tg.text(sent)
    sent = await tg.press(chat, "Да")
    assert "Заявка №" in tg.text(sent) and "принята" in tg.text(sent)
    (visit,) = await tg.rows(select(visits))
    assert visit["account_number"] == "5901000003" and visit["phone"] == "+79195550103"


async def test_operator_request_opens_an_escalation(tg: Harness) -> None:
    chat = 7005
    await tg.start(chat)
    sent = await tg.say(chat, "оператор")
    assert "оператор" in tg.text(sent).casefold()
    (escalation,) = await tg.rows(select(escalations))
    conversation = await tg.conversation(chat)
    assert escalation["conversation_id"] == conversation["id"]
    assert conversation["status"] == "waiting_operator"


async def test_settings_switch_the_language_to_english(tg: Harness) -> None:
    chat = 7006
    await tg.start(chat)
    sent = await tg.press(chat, "Настройки")
    assert "Язык" in tg.text(sent)
    await tg.press(chat, "Language")
    sent = await tg.press(chat, "English")
    assert "I will write in English" in tg.text(sent)
    assert "Submit readings" in labels(sent[-1])
    sent = await tg.press(chat, "Tariffs")
    assert "What would you like to know about tariffs?" in tg.text(sent)
    sent = await tg.start(chat)
    assert "Hello, Иван!" in tg.text(sent) and "virtual assistant" in tg.text(sent)


async def test_sharing_the_own_contact_links_by_phone(tg: Harness) -> None:
    chat = 7007
    await tg.start(chat)
    await tg.press(chat, "Мои лицевые счета")
    await tg.press(chat, "Привязать")
    sent = await tg.press(chat, "Даю согласие")
    button = sent[-1].buttons[0][0]
    assert button.get("request_contact") is True
    sent = await tg.share_contact(chat, "79025550101")  # Иванова, phone without "+"
    assert "привязан" in tg.text(sent), tg.text(sent)
    (linked,) = await tg.rows(select(account_links))
    assert linked["account_number"] == "5901000001"
    sent = await tg.press(chat, "Баланс и оплата")
    assert "1 514,86 ₽" in tg.text(sent)


async def test_receipt_pdf_qr_and_chart_arrive_as_files(tg: Harness) -> None:
    """«квитанция за ноябрь» → sendDocument with a PDF whose totals are billing's; «сколько
    платить» → sendPhoto with a payment QR of the amount due; «история потребления» → a chart."""
    chat = 7010
    await link(tg, chat, "5901000001", "Иванова")
    sent = await tg.say(chat, "квитанцию за ноябрь пришлите")
    (document,) = [s for s in sent if s.method == "sendDocument"]
    assert document.filenames["document"] == "kvitanciya-0001-2026-11.pdf"
    text = pdf_text(document.files["document"])
    assert "5901000001" in text and "ноябрь 2026" in text
    assert "1 514,86" in text  # charged in November, and the total due (nothing paid)
    paid = parse_payload(qr_text(pdf_images(document.files["document"])[0]))
    assert (paid["PersAcc"], paid["Sum"], paid["PaymPeriod"]) == ("5901000001", "151486", "112026")
    assert paid["TechCode"] == "02" and paid["BIC"] == "045773603"

    sent = await tg.say(chat, "скока платить")
    (photo,) = [s for s in sent if s.method == "sendPhoto"]
    assert "|Sum=151486|" in qr_text(photo.files["photo"])
    assert "1 514,86 ₽" in tg.text(sent)

    sent = await tg.say(chat, "история потребления")
    (chart,) = [s for s in sent if s.method == "sendPhoto"]
    assert Image.open(io.BytesIO(chart.files["photo"])).size == (1080, 720)
    assert "243" in tg.text(sent)  # November's kWh, also in text


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_images(data: bytes) -> list[bytes]:
    return [image.data for page in PdfReader(io.BytesIO(data)).pages for image in page.images]


def qr_text(png: bytes) -> str:
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return str(found.text)
