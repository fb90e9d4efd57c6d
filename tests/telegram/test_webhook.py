"""POST /webhooks/telegram of the real app: the secret, the body, every recorded update."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from storage.tables import account_links, customers
from tests.fakes.telegram import updates as build
from tests.fakes.telegram.payloads import garbage_bodies, load_payload, payload_names
from tests.telegram.harness import SECRET, Harness, labels

RECORDED_USER = 384756129
# Recorded bodies that get an answer (tests/payloads/telegram/README.md); the rest are acked only.
ANSWERED = {
    "text",
    "start",
    "start_deep_link",
    "callback_query",
    "callback_query_inaccessible",
    "callback_query_stale",
    "contact_own",
    "contact_foreign",
    "contact_no_user_id",
    "photo_caption",
    "document_pdf",
    "sticker",
    "voice",
    "location",
    "odd_unknown_fields",
    "odd_is_bot_string",
    "long_text_4096",
    "html_like_text",
    "emoji_only",
}
EITHER = {"odd_no_chat_type"}  # "log and drop, or treat as private"


async def nothing_stored(tg: Harness) -> None:
    assert await tg.inbox() == []
    assert await tg.outbox() == []
    assert await tg.rows(select(customers)) == []


async def test_a_wrong_or_missing_secret_is_401_and_stores_nothing(tg: Harness) -> None:
    update = build.text_update(5001, "передать показания", fake=tg.fake)
    for secret in (None, "", "wrong", SECRET + "x", SECRET[:-1], SECRET.upper()):
        status, _ = await tg.post(update, secret=secret)
        assert status == 401, secret
    await nothing_stored(tg)
    await asyncio.sleep(0.15)  # a few sender polls: nothing may go out
    assert tg.fake.calls == []
    status, _ = await tg.post(update)  # the same update with the right secret is taken
    assert status == 200


MORE_GARBAGE = {
    "deeply-nested-array": b"[" * 100_000 + b"]" * 100_000,
    "deeply-nested-update": (
        b'{"update_id": 5, "message": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001
    ),
    "not-utf8": b"\xff\xfe{\x00}",
    "duplicate-key": b'{"update_id": 5, "update_id": "x"}',
    "bool-update-id": b'{"update_id": true, "message": {}}',
    "null": b"null",
    "nan": b"NaN",
}


async def test_garbage_gets_4xx_and_stores_nothing(tg: Harness) -> None:
    statuses = {}
    for name, body in {**garbage_bodies(), **MORE_GARBAGE}.items():
        statuses[name], _ = await tg.post(body)
    assert {name: status for name, status in statuses.items() if not 400 <= status < 500} == {}
    assert statuses["too_large_2mb"] == 413
    await nothing_stored(tg)


def as_user(body: Any, user_id: int) -> Any:
    """The recorded body as if user_id had sent it (its own chat, its own conversation)."""
    if isinstance(body, dict):
        return {key: as_user(value, user_id) for key, value in body.items()}
    if isinstance(body, list):
        return [as_user(value, user_id) for value in body]
    return user_id if body == RECORDED_USER and not isinstance(body, bool) else body


async def test_every_recorded_update_is_acked_and_answered_only_where_due(tg: Harness) -> None:
    names = payload_names()
    chats = {name: 610_000 + index for index, name in enumerate(names)}
    for name in names:
        body = as_user(load_payload(name), chats[name])
        tg.fake.add_chat(chats[name], "Ирина")
        if "callback_query" in body:
            tg.fake.expect_callback(body["callback_query"]["id"])
        status, response = await tg.post(body)
        assert status == 200, (name, status, response)
    await tg.settle()
    answered = {name for name in names if tg.fake.sent(chats[name])}
    assert answered - EITHER == ANSWERED
    failed = [row for row in await tg.outbox() if row["status"] != "sent"]
    assert failed == []  # nothing Telegram refused (HTML, lengths, keyboards)
    # Every callback query was answered, whether or not its buttons were current.
    expected = {
        load_payload(name)["callback_query"]["id"] for name in names if name.startswith("callback")
    }
    await tg.fake.wait_for(lambda: len(tg.fake.answered_callbacks) >= len(expected))
    assert {a["callback_query_id"] for a in tg.fake.answered_callbacks} == expected


async def test_text_that_looks_like_html_reaches_the_customer_as_written(tg: Harness) -> None:
    chat = 5002
    await tg.start(chat)
    await tg.say(chat, "<script>alert(1)</script> & <b>")  # taken as data, answered
    quoted = "Вы написали: <script>alert(1)</script> & <b> — уточните, пожалуйста."
    await tg.enqueue(chat, quoted)  # an operator quoting the customer
    await tg.settle()
    assert tg.fake.texts(chat)[-1] == quoted  # what the customer sees, after HTML parsing
    assert "&lt;script&gt;" in (tg.fake.sent(chat)[-1].text or "")
    assert {row["status"] for row in await tg.outbox(chat)} == {"sent"}


ODD_CHANGES: dict[str, dict[str, Any]] = {
    "date-past-year-9999": {"date": 10**12},
    "negative-date": {"date": -5},
    "nul-in-text": {"text": "показания\u0000 12480"},
    "lone-surrogate": {"text": "привет \ud83d"},
    "200k-characters": {"text": "я" * 200_000},
    "chat-without-type": {"chat": {"id": 5003}},
    "string-is-bot": {"from": {"id": 5003, "is_bot": "false"}},
    "no-text": {"text": None, "entities": "x"},
}


async def test_odd_values_in_a_real_update_are_never_a_5xx(tg: Harness) -> None:
    statuses = {}
    for name, change in ODD_CHANGES.items():
        update = build.text_update(5003, "привет", fake=tg.fake)
        update["message"].update(change)
        statuses[name], _ = await tg.post(update)
    assert {name: status for name, status in statuses.items() if status >= 500} == {}
    await tg.settle()


async def test_a_duplicate_delivery_has_one_effect_and_one_reply(tg: Harness) -> None:
    chat = 5004
    update = build.start_update(chat, fake=tg.fake)
    first = await tg.deliver(update)
    again = await tg.deliver(update)
    assert len(first) >= 1 and again == []
    before = (await tg.conversation(chat))["version"]
    assert [row["event_id"] for row in await tg.inbox()] == [str(update["update_id"])]
    assert (await tg.conversation(chat))["version"] == before


async def test_concurrent_duplicates_have_one_effect_and_one_reply(tg: Harness) -> None:
    chat = 5005
    await tg.start(chat)
    replies_before = len(tg.fake.sent(chat))
    version = (await tg.conversation(chat))["version"]
    update = build.text_update(chat, "тарифы", fake=tg.fake)
    body = json.dumps(update, ensure_ascii=False).encode()
    statuses = await asyncio.gather(*(tg.post(body) for _ in range(5)))
    assert [status for status, _ in statuses] == [200] * 5
    await tg.settle()
    assert len(tg.fake.sent(chat)) == replies_before + 1
    assert "тариф" in (tg.fake.texts(chat)[-1]).casefold()
    assert (await tg.conversation(chat))["version"] == version + 1
    events = [row["event_id"] for row in await tg.inbox()]
    assert events.count(str(update["update_id"])) == 1


async def test_five_concurrent_messages_of_one_user_are_taken_one_at_a_time(
    tg: Harness,
) -> None:
    chat = 5006
    await tg.start(chat)
    await tg.press(chat, "Тарифы")
    await tg.press(chat, "Рассчитать")
    version = (await tg.conversation(chat))["version"]
    already = len(tg.fake.sent(chat))
    updates = [build.text_update(chat, str(kwh), fake=tg.fake) for kwh in (110, 120, 130, 140, 150)]
    statuses = await asyncio.gather(*(tg.post(update) for update in updates))
    assert [status for status, _ in statuses] == [200] * 5
    await tg.settle()
    replies = tg.fake.sent(chat)[already:]
    assert len(replies) == 5
    # Handled in the order they were taken (the inbox), one turn each, nothing lost:
    inbox = [row for row in await tg.inbox() if row["body"].get("user_id") == str(chat)][-5:]
    taken = [row["body"]["text"] for row in inbox]
    assert sorted(taken) == ["110", "120", "130", "140", "150"]
    answered = [text.replace("\xa0", " ") for text in tg.fake.texts(chat)[already:]]
    assert [f"Расход {kwh} кВт·ч" in text for kwh, text in zip(taken, answered, strict=True)] == [
        True
    ] * 5
    # Every turn saw the state the previous one left: versions strictly one apart.
    versions = [
        int(button["callback_data"].split(":")[0])
        for sent in replies
        for row in sent.buttons
        for button in row
        if button["callback_data"][0].isdigit()
    ]
    in_order = list(dict.fromkeys(versions))  # as delivered
    assert in_order == list(range(version + 1, version + 6))
    assert (await tg.conversation(chat))["version"] == version + 5


async def test_callback_queries_are_answered_and_a_stale_one_gets_the_current_menu(
    tg: Harness,
) -> None:
    chat = 5007
    await tg.start(chat)
    sent = await tg.press(chat, "Тарифы")
    assert "тариф" in tg.text(sent).casefold()
    await tg.fake.wait_for(lambda: len(tg.fake.answered_callbacks) == 1)
    current = tg.fake.sent(chat)[-1]
    stale_data = next(
        b["callback_data"] for row in current.buttons for b in row if "Рассчитать" in b["text"]
    )
    await tg.press(chat, "Главное меню")  # the tariffs prompt is now outdated
    stale = build.callback_update(chat, stale_data, message_id=current.message_id, fake=tg.fake)
    sent = await tg.deliver(stale)
    await tg.fake.wait_for(lambda: len(tg.fake.answered_callbacks) == 3)
    text = tg.text(sent)
    assert "неактуальны" in text
    # The current prompt again (the main menu), with its buttons; nothing of the old one ran.
    assert "Передать показания" in labels(sent[-1])
    assert "Рассчитать стоимость" not in labels(sent[-1])
    assert "расход" not in text.casefold()


async def test_a_foreign_contact_is_refused_politely_and_links_nothing(tg: Harness) -> None:
    chat = 5008
    await tg.start(chat)
    await tg.press(chat, "лицевые счета")
    await tg.press(chat, "Привязать")
    await tg.press(chat, "Даю согласие")
    prompt = tg.fake.sent(chat)[-1]
    assert (prompt.reply_markup or {}).get("keyboard")  # the request_contact keyboard
    # Иванова's phone, but someone else's contact card:
    sent = await tg.share_contact(chat, "+79025550101", user_id=777)
    assert sent and "номер" in tg.text(sent).casefold()
    sent = await tg.share_contact(chat, "79025550101", user_id=None)
    assert sent and "номер" in tg.text(sent).casefold()
    assert await tg.rows(select(account_links)) == []


async def test_an_edited_message_gets_no_reply(tg: Harness) -> None:
    chat = 5009
    await tg.start(chat)
    original = build.text_update(chat, "тарифы", fake=tg.fake)
    await tg.deliver(original)
    calls = len(tg.fake.calls)
    edit = build.edited_update(
        chat, "баланс", message_id=original["message"]["message_id"], fake=tg.fake
    )
    assert await tg.deliver(edit) == []
    assert len(tg.fake.calls) == calls


async def test_group_and_channel_updates_are_ignored(tg: Harness) -> None:
    for update in (
        build.group_update(-1001234567890, "/balance@energosbyt_test_bot", fake=tg.fake),
        build.group_update(-4012345, "бот, покажи баланс", type="group", fake=tg.fake),
        build.channel_post_update(-1009876543210, "Плановое отключение", fake=tg.fake),
    ):
        status, _ = await tg.post(update)
        assert status == 200
    await tg.settle()
    await asyncio.sleep(0.1)
    assert tg.fake.calls == []
    assert await tg.outbox() == []
    assert await tg.rows(select(customers)) == []


async def test_a_kicked_bot_stops_sending_until_the_user_is_back(tg: Harness) -> None:
    chat = 5010
    await tg.start(chat)
    assert await tg.deliver(build.my_chat_member_update(chat, "kicked", fake=tg.fake)) == []
    assert (await tg.conversation(chat))["send_blocked"]
    calls = len(tg.fake.calls)
    row_id = await tg.enqueue(chat, "Ответ оператора: перерасчёт сделан.")
    await tg.settle()
    assert [c for c in tg.fake.calls[calls:] if c.params.get("chat_id") == chat] == []
    (row,) = [row for row in await tg.outbox(chat) if row["id"] == row_id]
    assert row["status"] != "sent"
    # Unblocked: the next reply goes out again.
    assert await tg.deliver(build.my_chat_member_update(chat, "member", fake=tg.fake)) == []
    assert (await tg.conversation(chat))["send_blocked"] is None
    await tg.enqueue(chat, "Ответ оператора: квитанция исправлена.")
    await tg.settle()
    assert tg.fake.texts(chat)[-1] == "Ответ оператора: квитанция исправлена."


async def test_a_new_message_after_a_kick_resumes_sending(tg: Harness) -> None:
    chat = 5011
    await tg.start(chat)
    await tg.deliver(build.my_chat_member_update(chat, "kicked", fake=tg.fake))
    tg.fake.unblock(chat)  # the user unblocked the bot and wrote (no my_chat_member seen)
    sent = await tg.say(chat, "тарифы")
    assert sent and "тариф" in tg.text(sent).casefold()
    assert (await tg.conversation(chat))["send_blocked"] is None


async def test_a_repeated_button_press_is_answered_once(tg: Harness) -> None:
    chat = 5011
    await tg.start(chat)
    current = tg.fake.sent(chat)[-1]
    data = next(b["callback_data"] for row in current.buttons for b in row if "Тарифы" in b["text"])
    press = build.callback_update(chat, data, message_id=current.message_id, fake=tg.fake)
    await tg.deliver(press)
    await tg.fake.wait_for(lambda: len(tg.fake.answered_callbacks) == 1)
    status, _ = await tg.post(press)  # Telegram delivering the same update again
    assert status == 200
    await tg.settle()
    await asyncio.sleep(0.2)  # a second answer would go out in the background by now
    # Not even tried again (Telegram would refuse a second answer as "query is too old").
    assert len([c for c in tg.fake.calls if c.method.lower() == "answercallbackquery"]) == 1
