"""Customer journeys over VK end to end: Callback API events in, the fake VK API out, judged by
what the fake received (texts, keyboards) and by what the database kept."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select

from energobot.exchange import export_readings
from outbox.produce import notify
from storage.tables import escalations, visits
from tests.fakes.vk import callbacks as build
from tests.vk.harness import Harness, labels

USER = 206295116


async def exported(vk: Harness) -> list[dict[str, str]]:
    out = io.StringIO()
    async with vk.database.unit_of_work() as store:
        await export_readings(store, None, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


async def link(
    vk: Harness, user: int, number: str = "5901000003", surname: str = "Кузнецова"
) -> None:
    """Consent, then the account number and the surname typed (VK has no share-phone button)."""
    await vk.start(user)
    await vk.press(user, "Мои лицевые счета")
    await vk.press(user, "Привязать")
    sent = await vk.press(user, "Даю согласие")
    assert "номер лицевого счёта" in vk.text(sent), vk.text(sent)
    await vk.say(user, number)
    sent = await vk.say(user, surname)
    assert "лицевой счёт привязан" in vk.text(sent), vk.text(sent)


async def test_start_link_and_a_reading_stored_once(vk: Harness) -> None:
    sent = await vk.start(USER)
    assert "Здравствуйте" in vk.text(sent)
    prompt = vk.prompt(USER)
    assert prompt.inline and "Передать показания" in prompt.labels
    sent = await vk.press(USER, "Передать показания")
    assert "согласие" in vk.text(sent)
    sent = await vk.press(USER, "Даю согласие")
    assert "номер лицевого счёта" in vk.text(sent)
    await vk.say(USER, "5901000003")
    sent = await vk.say(USER, "Кузнецова")
    assert "привязан" in vk.text(sent) and "41562093" in vk.text(sent), vk.text(sent)
    # VK delivers again what it got no «ok» for: the same event_id twice.
    reading = build.text(vk.fake, USER, "18300")
    sent = await vk.deliver(reading)
    assert "приняты" in vk.text(sent), vk.text(sent)
    assert await vk.deliver(reading) == []
    rows = await exported(vk)
    assert [(r["account"], r["serial"], r["value"], r["channel"]) for r in rows] == [
        ("5901000003", "41562093", "18300", "vk")
    ]
    events = [row["event_id"] for row in await vk.inbox()]
    assert len(events) == len(set(events)) and reading["event_id"] in events


async def test_balance_and_receipt(vk: Harness) -> None:
    user = 7002
    await link(vk, user)
    sent = await vk.press(user, "Баланс и оплата")
    text = vk.text(sent)
    assert "Переплата 3 716,32 ₽" in text and "ноябрь 2026" in text
    sent = await vk.press(user, "Квитанция")
    text = vk.text(sent)
    assert "Квитанция за ноябрь 2026" in text and "Лицевой счёт: 5901000003" in text


async def test_tariffs_and_an_estimate_by_a_callback_press(vk: Harness) -> None:
    user = 7003
    await vk.start(user)
    # A callback button (another tool's keyboard, or an older one) works like a text button.
    sent = await vk.deliver(build.callback_press(vk.fake, user, {"b": "go:tariffs"}))
    assert "тариф" in vk.text(sent).casefold()
    sent = await vk.press(user, "Рассчитать стоимость")
    assert "расход" in vk.text(sent).casefold()
    sent = await vk.say(user, "день 180 ночь 70")
    assert "Итого" in vk.text(sent) and "₽" in vk.text(sent)


async def test_a_technician_visit_is_booked(vk: Harness) -> None:
    user = 7004
    await link(vk, user)
    sent = await vk.press(user, "Вызвать мастера")
    assert "Что нужно сделать?" in vk.text(sent)
    sent = await vk.press(user, "Контрольное снятие")
    first_day = labels(vk.prompt(user))[0]
    sent = await vk.press(user, first_day)
    assert "время" in vk.text(sent)
    sent = await vk.press(user, "08:00")
    # No share-phone button in VK: the account's number offered as a button, or typed.
    assert "Поделиться телефоном" not in vk.text(sent)
    assert "выберите его кнопкой под этим сообщением" in vk.text(sent), vk.text(sent)
    assert any("Телефон из лицевого счёта" in label for label in vk.prompt(user).labels)
    await vk.press(user, "Телефон из лицевого счёта")
    sent = await vk.press(user, "Без комментария")
    assert "Контрольное снятие показаний" in vk.text(sent)
    sent = await vk.press(user, "Да")
    assert "Заявка №" in vk.text(sent) and "принята" in vk.text(sent)
    (visit,) = await vk.rows(select(visits))
    assert visit["account_number"] == "5901000003" and visit["phone"] == "+79195550103"


async def test_an_operator_is_asked_for_and_answers_through_vk(vk: Harness) -> None:
    user = 7005
    await vk.start(user)
    sent = await vk.say(user, "оператор")
    assert "оператор" in vk.text(sent).casefold()
    (escalation,) = await vk.rows(select(escalations))
    conversation = await vk.conversation(user)
    assert escalation["conversation_id"] == conversation["id"]
    assert conversation["status"] == "waiting_operator"
    async with vk.database.unit_of_work() as store:
        queued = await notify(
            store,
            conversation["customer_id"],
            lambda _: "Здравствуйте! Я Анна, проверю ваш лицевой счёт.",
            datetime.now(UTC),
            operator="Анна",
        )
        await store.commit()
    assert queued
    vk.services.sender.wake()
    await vk.settle()
    last = vk.fake.sent(user)[-1]
    assert last.text == "Здравствуйте! Я Анна, проверю ваш лицевой счёт."
    assert last.keyboard == {"one_time": True, "buttons": []}  # no buttons: leftovers hidden
    row = (await vk.outbox(user))[-1]
    assert row["status"] == "sent" and row["platform_message_id"] == str(last.message_id)


async def test_forbidding_messages_stops_sending_and_allowing_resumes(vk: Harness) -> None:
    user = 7006
    await vk.start(user)
    assert await vk.post(build.deny(vk.fake, user)) == (200, "ok")
    conversation = await vk.conversation(user)
    assert conversation["send_blocked"]
    calls = len(vk.fake.calls_to("messages.send"))
    async with vk.database.unit_of_work() as store:
        await notify(store, conversation["customer_id"], lambda _: "Напоминание", datetime.now(UTC))
        await store.commit()
    vk.services.sender.wake()
    await vk.settle()
    assert len(vk.fake.calls_to("messages.send")) == calls  # nothing even tried
    assert (await vk.outbox(user))[-1]["status"] == "failed"
    assert await vk.post(build.allow(vk.fake, user)) == (200, "ok")
    assert (await vk.conversation(user))["send_blocked"] is None
    sent = await vk.say(user, "тарифы")
    assert sent and "тариф" in vk.text(sent).casefold()


async def test_a_denial_vk_reports_on_sending_blocks_the_conversation(vk: Harness) -> None:
    user = 7007
    await vk.start(user)
    vk.fake.deny(user)  # the message_deny event was lost: VK's 901 tells the sender
    await vk.say(user, "тарифы")
    conversation = await vk.conversation(user)
    assert conversation["send_blocked"]


async def test_stickers_and_locations_get_a_polite_answer_files_are_kept(vk: Harness) -> None:
    user = 7008
    await vk.start(user)
    for body in (build.sticker(vk.fake, user), build.location(vk.fake, user)):
        sent = await vk.deliver(body)
        assert "понимаю только текст и кнопки" in vk.text(sent), vk.text(sent)
        assert "Передать показания" in labels(vk.prompt(user))
    sent = await vk.deliver(build.photo(vk.fake, user, "Фото счётчика"))
    assert "файл получил" in vk.text(sent)
    kept = (await vk.inbox())[-1]["body"]
    assert kept["kind"] == "file" and kept["text"] == "Фото счётчика"
    assert kept["file_id"] == "https://sun9-1.userapi.com/meter-z.jpg"  # the largest size


async def test_a_stale_button_gets_the_current_question(vk: Harness) -> None:
    user = 7009
    await vk.start(user)
    menu = vk.prompt(user)
    await vk.press(user, "Мои лицевые счета")
    await vk.press(user, "Привязать")  # now at the consent question
    sent = await vk.deliver(build.press(vk.fake, user, menu, "Квитанция"))
    assert sent, "a go: button of the menu always acts"
    consent = [s for s in vk.fake.sent(user) if "согласие" in s.text.casefold()]
    assert consent
    old_yes = consent[-1]
    await vk.press(user, "Не даю согласия")
    sent = await vk.deliver(build.press(vk.fake, user, old_yes, "Даю согласие"))
    assert sent and "номер лицевого счёта" not in vk.text(sent)


async def test_english_speakers_are_answered_in_english(vk: Harness) -> None:
    user = 7010
    vk.fake.add_user(user, lang_id=3)
    sent = await vk.say(user, "Hello, I would like to submit my meter readings")
    assert "consent" in vk.text(sent).casefold() or "English" in vk.text(sent), vk.text(sent)


async def test_the_same_reading_delivered_twice_at_once_is_stored_once(vk: Harness) -> None:
    user = 7011
    await link(vk, user)
    reading = build.text(vk.fake, user, "18300")
    answers = await asyncio.gather(vk.post(reading), vk.post(reading), vk.post(reading))
    assert answers == [(200, "ok")] * 3
    await vk.settle()
    assert [r["value"] for r in await exported(vk)] == ["18300"]
    accepted = [t for t in vk.fake.texts(user) if "приняты" in t]
    assert len(accepted) == 1
