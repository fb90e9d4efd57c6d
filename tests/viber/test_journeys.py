"""Customer journeys over Viber end to end: signed callbacks in, the fake Viber API out, judged
by what the fake received (texts, keyboards) and by what the database kept."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select

from energobot.exchange import export_readings
from outbox.produce import notify
from storage.tables import account_links, conversations, customers, escalations
from tests.fakes.viber import callbacks as build
from tests.viber.harness import Harness, labels

USER = "kX8rT2mLq9bN4vW1yZ3aHg=="


async def exported(vb: Harness) -> list[dict[str, str]]:
    out = io.StringIO()
    async with vb.database.unit_of_work() as store:
        await export_readings(store, None, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


async def test_welcome_consent_link_and_a_reading_stored_once(vb: Harness) -> None:
    welcome = await vb.welcome(USER)
    assert "Здравствуйте, Иван Петров!" in welcome["text"]
    assert "Передать показания" in labels(welcome["keyboard"])
    assert await vb.inbox() == [] and vb.fake.calls == []  # the welcome is the HTTP answer
    sent = await vb.press(USER, "Передать показания")
    assert "согласие" in vb.text(sent)
    sent = await vb.press(USER, "Даю согласие")
    assert "номер лицевого счёта" in vb.text(sent)
    await vb.say(USER, "5901000003")
    sent = await vb.say(USER, "Кузнецова")
    assert "привязан" in vb.text(sent) and "41562093" in vb.text(sent), vb.text(sent)
    # Viber retries a callback it got no 200 for: the same message token twice.
    reading = build.text(vb.fake, USER, "18300", tracking_data=vb.tracking(USER))
    sent = await vb.deliver(reading)
    assert "приняты" in vb.text(sent), vb.text(sent)
    assert await vb.deliver(reading) == []
    rows = await exported(vb)
    assert [(r["account"], r["serial"], r["value"], r["channel"]) for r in rows] == [
        ("5901000003", "41562093", "18300", "viber")
    ]
    tokens = [row["event_id"] for row in await vb.inbox()]
    assert len(tokens) == len(set(tokens)) and str(reading["message_token"]) in tokens


async def test_sharing_the_phone_links_the_account(vb: Harness) -> None:
    await vb.welcome(USER)
    await vb.press(USER, "Мои лицевые счета")
    await vb.press(USER, "Привязать")
    sent = await vb.press(USER, "Даю согласие")
    prompt = sent[-1].body
    share = prompt["keyboard"]["Buttons"][0]
    assert share["ActionType"] == "share-phone" and share["ActionBody"]
    assert prompt["min_api_version"] == 3
    sent = await vb.share_contact(USER, "79025550101")  # Иванова's phone
    assert "привязан" in vb.text(sent), vb.text(sent)
    (linked,) = await vb.rows(select(account_links))
    assert linked["account_number"] == "5901000001"
    sent = await vb.press(USER, "Баланс и оплата")
    assert "1 514,86 ₽" in vb.text(sent)


async def test_an_operator_reply_reaches_the_customer_and_receipts_are_recorded(
    vb: Harness,
) -> None:
    await vb.welcome(USER)
    sent = await vb.say(USER, "оператор")
    assert "оператор" in vb.text(sent).casefold()
    (escalation,) = await vb.rows(select(escalations))
    conversation = await vb.conversation(USER)
    assert escalation["conversation_id"] == conversation["id"]
    async with vb.database.unit_of_work() as store:
        queued = await notify(
            store,
            conversation["customer_id"],
            lambda _: "Здравствуйте! Я Анна, проверю ваш лицевой счёт.",
            datetime.now(UTC),
            operator="Анна",
        )
        await store.commit()
    assert queued
    vb.services.sender.wake()
    await vb.settle()
    last = vb.fake.sent(USER)[-1]
    assert last.text == "Здравствуйте! Я Анна, проверю ваш лицевой счёт."
    assert last.keyboard is None  # no buttons: the previous prompt's buttons go away
    row = (await vb.outbox(USER))[-1]
    assert row["status"] == "sent" and row["platform_message_id"] == str(last.message_token)
    for event in ("delivered", "seen", "delivered"):  # seen, then a late delivered
        status, _ = await vb.post(build.receipt(event, last.message_token, USER))
        assert status == 200
    rows = await vb.outbox(USER)
    # One «seen» covers what came before too: Viber sends one for everything just read.
    assert [row["delivery"] for row in rows if row["status"] == "sent"] == ["read"] * len(
        [row for row in rows if row["status"] == "sent"]
    )
    assert len(rows) > 1


async def test_unsubscribed_stops_sending_and_subscribed_resumes(vb: Harness) -> None:
    await vb.welcome(USER)
    await vb.press(USER, "Тарифы")
    status, _ = await vb.post(build.unsubscribed(vb.fake, USER))
    assert status == 200
    vb.fake.unsubscribe(USER)
    conversation = await vb.conversation(USER)
    assert conversation["send_blocked"]
    before = len(vb.fake.calls_to("send_message"))
    async with vb.database.unit_of_work() as store:
        customer = (
            await store.connection.execute(
                select(customers.c.id).where(customers.c.user_id == USER)
            )
        ).scalar_one()
        await notify(store, customer, lambda _: "Напоминание", datetime.now(UTC))
        await store.commit()
    vb.services.sender.wake()
    await vb.settle()
    assert len(vb.fake.calls_to("send_message")) == before  # nothing even tried
    row = (await vb.outbox(USER))[-1]
    assert row["status"] == "failed"
    # Subscribing again lets messages through.
    status, _ = await vb.post(build.subscribed(vb.fake, USER))
    vb.fake.add_user(USER).subscribed = True
    assert status == 200
    (conversation,) = await vb.rows(select(conversations))
    assert conversation["send_blocked"] is None
    sent = await vb.say(USER, "тарифы")
    assert sent and "тариф" in vb.text(sent).casefold()


async def test_stickers_and_locations_get_a_polite_answer_files_are_kept(vb: Harness) -> None:
    await vb.welcome(USER)
    for body in (
        build.message(vb.fake, USER, {"type": "sticker", "sticker_id": 40133}),
        build.location(vb.fake, USER),
    ):
        sent = await vb.deliver(body)
        assert "понимаю только текст и кнопки" in vb.text(sent)
        assert "Передать показания" in labels(sent[-1].keyboard)
    sent = await vb.deliver(build.picture(vb.fake, USER, "Фото счётчика"))
    assert "файл получил" in vb.text(sent)
    kept = (await vb.inbox())[-1]["body"]
    assert kept["kind"] == "file" and kept["text"] == "Фото счётчика"
    assert kept["file_id"].startswith("https://dl-media.viber.com/")
