"""Customer journeys over MAX end to end: updates in through the webhook, the fake MAX Bot API
out, judged by what the fake received (texts, keyboards, answers) and what the database kept."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select

from energobot.exchange import export_readings
from outbox.produce import notify
from storage.tables import account_links, escalations, visits
from tests.fakes.max import updates as build
from tests.max.harness import Harness, labels


async def exported(mx: Harness) -> list[dict[str, str]]:
    out = io.StringIO()
    async with mx.database.unit_of_work() as store:
        await export_readings(store, None, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


async def link(mx: Harness, user: int) -> None:
    await mx.start(user)
    await mx.press(user, "Мои лицевые счета")
    await mx.press(user, "Привязать")
    sent = await mx.press(user, "Даю согласие")
    assert "номер лицевого счёта" in mx.text(sent)
    await mx.say(user, "5901000003")
    sent = await mx.say(user, "Кузнецова")
    assert "привязан" in mx.text(sent), mx.text(sent)


async def test_start_consent_link_and_a_reading_stored_exactly_once(mx: Harness) -> None:
    user = 9007199254740993  # above 2^53: kept exact all the way to POST /messages?user_id=
    sent = await mx.start(user, payload="qr-receipt")
    assert "Здравствуйте" in mx.text(sent)
    assert "Передать показания" in labels(sent[-1])
    sent = await mx.press(user, "Передать показания")
    assert "согласие" in mx.text(sent)
    sent = await mx.press(user, "Даю согласие")
    assert "номер лицевого счёта" in mx.text(sent)
    await mx.say(user, "5901000003")
    sent = await mx.say(user, "Кузнецова")
    assert "привязан" in mx.text(sent) and "41562093" in mx.text(sent), mx.text(sent)
    reading = build.text(mx.fake, user, "18300")
    sent = await mx.deliver(reading, user)
    assert "приняты" in mx.text(sent), mx.text(sent)
    assert await mx.deliver(reading, user) == []  # MAX's retry: the same mid, no second effect
    rows = await exported(mx)
    assert [(r["account"], r["serial"], r["value"], r["channel"]) for r in rows] == [
        ("5901000003", "41562093", "18300", "max")
    ]
    assert {c.params["user_id"] for c in mx.fake.calls_to("/messages")} == {str(user)}
    event_ids = [row["event_id"] for row in await mx.inbox()]
    assert len(event_ids) == len(set(event_ids))
    assert reading["message"]["body"]["mid"] in event_ids


async def test_balance_receipt_and_tariffs(mx: Harness) -> None:
    user = 7202
    await link(mx, user)
    sent = await mx.press(user, "Баланс и оплата")
    assert "Переплата 3 716,32 ₽" in mx.text(sent), mx.text(sent)
    sent = await mx.press(user, "Квитанция")
    assert "Квитанция за ноябрь 2026" in mx.text(sent)
    sent = await mx.press(user, "Главное меню")
    sent = await mx.press(user, "Тарифы и расчёт")
    assert "тариф" in mx.text(sent).casefold()
    sent = await mx.press(user, "Рассчитать стоимость")
    sent = await mx.say(user, "день 180 ночь 70")
    assert "Итого" in mx.text(sent) and "₽" in mx.text(sent)


async def test_a_visit_booked_with_the_phone_question_as_a_request_contact_button(
    mx: Harness,
) -> None:
    user = 7203
    await link(mx, user)
    await mx.press(user, "Вызвать мастера")
    sent = await mx.press(user, "Контрольное снятие")
    sent = await mx.press(user, labels(sent[-1])[0])  # the first day offered
    sent = await mx.press(user, "08:00")
    first_row = sent[-1].keyboard[0]  # type: ignore[index]
    assert first_row == [{"type": "request_contact", "text": "📱 Поделиться телефоном"}]
    await mx.press(user, "Телефон из лицевого счёта")
    sent = await mx.press(user, "Без комментария")
    sent = await mx.press(user, "Да")
    assert "Заявка №" in mx.text(sent) and "принята" in mx.text(sent), mx.text(sent)
    (visit,) = await mx.rows(select(visits))
    assert visit["account_number"] == "5901000003"


async def test_the_own_contact_links_a_foreign_one_does_not(mx: Harness) -> None:
    user = 7204
    await mx.start(user)
    await mx.press(user, "Мои лицевые счета")
    await mx.press(user, "Привязать")
    sent = await mx.press(user, "Даю согласие")
    assert sent[-1].keyboard and sent[-1].keyboard[0][0]["type"] == "request_contact"
    assert "под этим сообщением" in mx.text(sent)  # MAX's own phone hint
    sent = await mx.share_contact(user, "+79025550101", owner=5550001)  # someone else's card
    assert "другого человека" in mx.text(sent), mx.text(sent)
    assert await mx.rows(select(account_links)) == []
    sent = await mx.share_contact(user, "79025550101")  # Иванова's own, from the button
    assert "привязан" in mx.text(sent), mx.text(sent)
    (linked,) = await mx.rows(select(account_links))
    assert linked["account_number"] == "5901000001"


async def test_operator_escalation_and_the_operator_s_reply(mx: Harness) -> None:
    user = 7205
    await mx.start(user)
    sent = await mx.press(user, "Связаться с оператором")
    assert "оператор" in mx.text(sent).casefold()
    (escalation,) = await mx.rows(select(escalations))
    conversation = await mx.conversation(user)
    assert escalation["conversation_id"] == conversation["id"]
    async with mx.database.unit_of_work() as store:
        await notify(
            store,
            conversation["customer_id"],
            lambda _: "Здравствуйте! Я Анна <оператор>, проверю ваш счёт & отвечу.",
            datetime.now(UTC),
            operator="Анна",
        )
        await store.commit()
    mx.services.sender.wake()
    await mx.settle()
    last = mx.fake.sent(user)[-1]
    assert last.text == "Здравствуйте! Я Анна <оператор>, проверю ваш счёт & отвечу."
    assert "format" not in last.body  # plain text: nothing to escape, shown as typed
    row = (await mx.outbox(user))[-1]
    assert row["status"] == "sent" and row["platform_message_id"] == last.mid


async def test_stopped_stops_sending_and_started_again_resumes(mx: Harness) -> None:
    user = 7206
    await mx.start(user)
    status, _ = await mx.post(build.bot_stopped(mx.fake, user))
    assert status == 200
    mx.fake.block(user)
    assert (await mx.conversation(user))["send_blocked"]
    calls = len(mx.fake.calls_to("/messages"))
    conversation = await mx.conversation(user)
    async with mx.database.unit_of_work() as store:
        await notify(store, conversation["customer_id"], lambda _: "Напоминание", datetime.now(UTC))
        await store.commit()
    mx.services.sender.wake()
    await mx.settle()
    assert len(mx.fake.calls_to("/messages")) == calls  # nothing even tried
    mx.fake.unblock(user)
    sent = await mx.start(user)  # back: bot_started again
    assert "Здравствуйте" in mx.text(sent)
    assert (await mx.conversation(user))["send_blocked"] is None


async def test_a_user_who_blocked_the_bot_is_marked_on_the_first_refusal(mx: Harness) -> None:
    user = 7207
    await mx.start(user)
    mx.fake.block(user)  # blocked without MAX telling us (no bot_stopped came)
    await mx.deliver(build.text(mx.fake, user, "тарифы"), user)
    rows = await mx.outbox(user)
    assert rows[-1]["status"] == "failed" and "chat.denied" in rows[-1]["last_error"]
    assert (await mx.conversation(user))["send_blocked"]


async def test_stickers_and_locations_get_a_polite_answer_photos_are_kept(mx: Harness) -> None:
    user = 7208
    await mx.start(user)
    for update in (build.sticker(mx.fake, user), build.location(mx.fake, user)):
        sent = await mx.deliver(update, user)
        assert "понимаю только текст и кнопки" in mx.text(sent), mx.text(sent)
    sent = await mx.deliver(build.image(mx.fake, user, "Фото счётчика"), user)
    assert "файл получил" in mx.text(sent)
    kept = (await mx.inbox())[-1]["body"]
    assert kept["kind"] == "file" and kept["text"] == "Фото счётчика"
    assert kept["file_id"].startswith("https://i.oneme.ru/")
