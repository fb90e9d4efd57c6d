"""The fake Bot API through aiogram's real client: what it accepts, refuses and records."""

from __future__ import annotations

import asyncio
import struct
import zlib

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram.fixtures import bot_for
from tests.fakes.telegram.models import TOKEN
from tests.fakes.telegram.updates import callback_update, text_update

CHAT = 555_000_111


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def chat(fake_telegram: FakeTelegram) -> int:
    fake_telegram.add_chat(CHAT, first_name="Мария", username="maria")
    return CHAT


@pytest.fixture
def clock(fake_telegram: FakeTelegram) -> ManualClock:
    manual = ManualClock()
    fake_telegram.clock = manual
    return manual


async def test_send_message_with_inline_keyboard_is_recorded_decoded(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    markup = keyboard(InlineKeyboardButton(text="Показания", callback_data="7:readings"))
    first = await bot.send_message(chat, "Что сделать?", reply_markup=markup)
    second = await bot.send_message(chat, "Ещё раз")

    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.first_name == "Мария" and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.is_bot
    assert first.reply_markup is not None
    assert first.reply_markup.model_dump(exclude_none=True) == markup.model_dump(exclude_none=True)
    [call, _] = fake_telegram.calls_to("sendMessage")
    assert call.encoding == "urlencoded"
    assert call.params["chat_id"] == chat
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Показания", "callback_data": "7:readings"}]]
    }
    assert fake_telegram.texts(chat) == ["Что сделать?", "Ещё раз"]
    assert [s.message_id for s in fake_telegram.sent(chat)] == [1, 2]
    assert fake_telegram.sent(chat)[0].buttons[0][0]["callback_data"] == "7:readings"


async def test_reply_keyboard_is_accepted_but_not_echoed(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Поделиться номером", request_contact=True)]],
        resize_keyboard=True,
    )
    message = await bot.send_message(chat, "Нажмите кнопку", reply_markup=markup)

    assert message.reply_markup is None  # a Message carries inline keyboards only
    assert fake_telegram.sent(chat)[0].reply_markup == {
        "keyboard": [[{"text": "Поделиться номером", "request_contact": True}]],
        "resize_keyboard": True,
    }


async def test_text_limit_counts_utf16_after_parsing(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    fake_telegram.rate_limits = False
    await bot.send_message(chat, "я" * 4096)
    await bot.send_message(chat, "😀" * 2048)  # two UTF-16 code units each
    await bot.send_message(chat, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(chat, "  " + "a" * 4096 + "\n")  # counted after stripping

    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(chat, "я" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(chat, "😀" * 2049)


async def test_empty_text_is_refused(bot: Bot, chat: int) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(chat, " \n ")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(chat, "<b></b>", parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_refused(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    await bot.send_message(
        chat, "ok", reply_markup=keyboard(InlineKeyboardButton(text="a", callback_data="ж" * 32))
    )
    for data in ("x" * 65, "ж" * 33):
        with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
            await bot.send_message(
                chat,
                "no",
                reply_markup=keyboard(InlineKeyboardButton(text="a", callback_data=data)),
            )
    assert fake_telegram.texts(chat) == ["ok"]


async def test_inline_button_needs_exactly_one_action(bot: Bot, chat: int) -> None:
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(chat, "x", reply_markup=keyboard(InlineKeyboardButton(text="a")))
    both = InlineKeyboardButton(text="a", callback_data="1", url="https://example.org")
    with pytest.raises(TelegramBadRequest, match="exactly one"):
        await bot.send_message(chat, "x", reply_markup=keyboard(both))


async def test_unknown_chat_is_not_found(bot: Bot, fake_telegram: FakeTelegram) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "hello")
    assert fake_telegram.calls[-1].status == 400
    assert fake_telegram.sent() == []


async def test_blocked_chat_is_forbidden_until_unblocked(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    fake_telegram.block(chat)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(chat, "hello")
    fake_telegram.unblock(chat)
    await bot.send_message(chat, "hello again")
    assert fake_telegram.texts(chat) == ["hello again"]


async def test_per_chat_flood_limit_answers_429_and_does_not_deliver(
    bot: Bot, fake_telegram: FakeTelegram, chat: int, clock: ManualClock
) -> None:
    for n in range(3):  # the burst
        await bot.send_message(chat, f"m{n}")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(chat, "m3")

    assert refused.value.retry_after == 1
    assert fake_telegram.texts(chat) == ["m0", "m1", "m2"]
    [throttle] = fake_telegram.throttled
    assert (throttle.chat_id, throttle.scope, throttle.retry_after) == (chat, "chat", 1)
    assert fake_telegram.calls[-1].response["parameters"] == {"retry_after": 1}

    clock.now += 1.0
    await bot.send_message(chat, "m3")
    assert fake_telegram.texts(chat)[-1] == "m3"


async def test_global_flood_limit(
    bot: Bot, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    fake_telegram.global_rate = 5
    for chat_id in range(1, 7):
        fake_telegram.add_chat(chat_id)
    for chat_id in range(1, 6):
        await bot.send_message(chat_id, "news")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(6, "news")
    assert fake_telegram.throttled[-1].scope == "global"

    fake_telegram.rate_limits = False
    await bot.send_message(6, "news")
    assert len(fake_telegram.sent()) == 6


async def test_injected_failures(bot: Bot, fake_telegram: FakeTelegram, chat: int) -> None:
    fake_telegram.fail_next("sendMessage", status=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(chat, "a")
    fake_telegram.fail_next("sendmessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(chat, "b")
    assert retry.value.retry_after == 7
    fake_telegram.fail_chat(chat, times=1)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(chat, "c")

    await bot.send_message(chat, "d")
    assert fake_telegram.texts(chat) == ["d"]
    assert [c.status for c in fake_telegram.calls] == [502, 429, 403, 200]


async def test_a_delayed_call_times_out_at_the_client_but_is_delivered(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    fake_telegram.delay_next("sendMessage", 0.3)
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(chat, "late", request_timeout=0.1)  # type: ignore[arg-type]
    await fake_telegram.wait_for(1, timeout=2)
    assert fake_telegram.texts(chat) == ["late"]


async def test_send_document_arrives_as_multipart(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    message = await bot.send_document(
        chat, BufferedInputFile(pdf, "receipt.pdf"), caption="Квитанция за март"
    )

    assert message.document is not None
    assert (message.document.file_name, message.document.mime_type) == (
        "receipt.pdf",
        "application/pdf",
    )
    assert message.document.file_size == len(pdf)
    [call] = fake_telegram.calls_to("sendDocument")
    assert call.encoding == "multipart"
    assert call.files == {"document": pdf}
    assert call.filenames == {"document": "receipt.pdf"}
    sent = fake_telegram.sent(chat)[0]
    assert (sent.method, sent.text, sent.files["document"]) == (
        "sendDocument",
        "Квитанция за март",
        pdf,
    )


async def test_send_photo_and_caption_limit(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    message = await bot.send_photo(chat, BufferedInputFile(png(3, 2), "chart.png"))
    assert message.photo is not None
    assert (message.photo[-1].width, message.photo[-1].height) == (3, 2)

    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(chat, BufferedInputFile(png(1, 1), "a.png"), caption="x" * 1025)
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(chat, BufferedInputFile(b"not an image", "a.png"))


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\0" + b"\0\0\0" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def test_bad_html_is_refused_like_telegram(
    bot: Bot, fake_telegram: FakeTelegram, chat: int
) -> None:
    with pytest.raises(TelegramBadRequest) as unsupported:
        await bot.send_message(chat, "<script>alert(1)</script>", parse_mode="HTML")
    assert unsupported.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "script" at byte offset 0'
    )
    with pytest.raises(TelegramBadRequest, match='corresponding to start tag "b"'):
        await bot.send_message(chat, "Баланс: <b>100 ₽", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="unsupported parse_mode"):
        await bot.send_message(chat, "x", parse_mode="BBCode")

    await bot.send_message(chat, "1 < 2 & <b>", parse_mode=None)  # plain text: nothing parsed
    await bot.send_message(chat, "1 &lt; 2 <a href='https://t.me/x'>тут</a>", parse_mode="HTML")
    assert fake_telegram.texts(chat) == ["1 < 2 & <b>", "1 < 2 тут"]
    assert fake_telegram.sent(chat)[1].message["entities"] == [
        {"offset": 6, "length": 3, "type": "text_link", "url": "https://t.me/x"}
    ]


async def test_answer_callback_query_once(bot: Bot, fake_telegram: FakeTelegram) -> None:
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("4242")

    update = callback_update(CHAT, "3:go:menu", fake=fake_telegram)
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="Готово")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    assert fake_telegram.answered_callbacks == [{"callback_query_id": query_id, "text": "Готово"}]


async def test_callback_queries_expire_when_a_ttl_is_set(
    bot: Bot, fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    fake_telegram.callback_ttl = 15
    fake_telegram.expect_callback("77")
    clock.now += 16
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("77")


async def test_edit_reply_markup(bot: Bot, fake_telegram: FakeTelegram, chat: int) -> None:
    markup = keyboard(InlineKeyboardButton(text="Да", callback_data="1:yes"))
    message = await bot.send_message(chat, "Точно?", reply_markup=markup)

    edited = await bot.edit_message_reply_markup(chat_id=chat, message_id=message.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=chat, message_id=message.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=chat, message_id=999, reply_markup=markup)
    assert fake_telegram.edits == [
        {"chat_id": chat, "message_id": message.message_id, "reply_markup": None}
    ]


async def test_a_pressed_button_s_message_can_be_edited(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    update = callback_update(CHAT, "5:pay", message_id=321, fake=fake_telegram)
    assert update["callback_query"]["message"]["message_id"] == 321
    await bot.edit_message_reply_markup(chat_id=CHAT, message_id=321)
    assert fake_telegram.edits[-1]["message_id"] == 321
    assert fake_telegram.sent() == []  # known to the fake, not delivered in this test


async def test_long_polling_returns_a_pushed_update(bot: Bot, fake_telegram: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()  # a real long poll: waiting
    pushed = fake_telegram.push_update(text_update(CHAT, "привет"))

    [update] = await asyncio.wait_for(poll, 2)
    assert update.update_id == pushed["update_id"]
    assert update.message is not None and update.message.text == "привет"

    # Not confirmed yet: it comes again; an offset past it confirms it.
    assert [u.update_id for u in await bot.get_updates()] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1) == []
    assert fake_telegram.updates == []


async def test_a_second_poller_terminates_the_first(bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)
    assert await second == []


async def test_polling_filters_update_kinds(bot: Bot, fake_telegram: FakeTelegram) -> None:
    fake_telegram.push_update({"chat_member": {"chat": {"id": -1, "type": "group"}}})
    fake_telegram.push_update(text_update(CHAT, "a"))
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["a"]
    assert len(updates) == 1  # chat_member is not sent unless asked for


async def test_webhook_round_trip_and_conflict_with_polling(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.push_update(text_update(CHAT, "pending"))
    assert await bot.set_webhook(
        "https://bot.example.ru/webhooks/telegram",
        secret_token="s3cr3t_-TOKEN",
        allowed_updates=["message", "callback_query", "my_chat_member"],
        max_connections=20,
    )
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.ru/webhooks/telegram"
    assert (info.pending_update_count, info.max_connections) == (1, 20)
    assert info.allowed_updates == ["message", "callback_query", "my_chat_member"]
    assert fake_telegram.webhook.secret_token == "s3cr3t_-TOKEN"
    assert "secret_token" not in fake_telegram.calls[-1].response["result"]

    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()

    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == ("", 0, None)
    assert fake_telegram.calls[-1].response["result"] == {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": 0,
    }


async def test_webhook_needs_https_and_a_clean_secret(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="An HTTPS URL must be provided"):
        await bot.set_webhook("http://127.0.0.1:8080/tg")
    with pytest.raises(TelegramBadRequest, match="ports 80, 88, 443 or 8443"):
        await bot.set_webhook("https://bot.example.ru:8080/tg")
    with pytest.raises(TelegramBadRequest, match="unallowed characters"):
        await bot.set_webhook("https://bot.example.ru/tg", secret_token="a+b/c=")
    with pytest.raises(TelegramBadRequest, match="too long"):
        await bot.set_webhook("https://bot.example.ru/tg", secret_token="a" * 257)


async def test_commands_are_stored_per_language(bot: Bot, fake_telegram: FakeTelegram) -> None:
    commands = [
        BotCommand(command="start", description="Начать"),
        BotCommand(command="menu", description="Меню"),
    ]
    assert await bot.set_my_commands(commands, language_code="ru")
    stored = await bot.get_my_commands(language_code="ru")
    assert [(c.command, c.description) for c in stored] == [("start", "Начать"), ("menu", "Меню")]
    assert await bot.get_my_commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Меню", description="x")])


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    other = bot_for(fake_telegram, "654321:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await other.get_me()
    finally:
        await other.session.close()


async def test_raw_http_json_body_query_string_and_errors(
    fake_telegram: FakeTelegram, chat: int
) -> None:
    base = f"{fake_telegram.base_url}/bot{TOKEN}"
    markup = {"inline_keyboard": [[{"text": "Меню", "callback_data": "go:menu"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base}/SENDMESSAGE", json={"chat_id": chat, "text": "json", "reply_markup": markup}
        ) as response:
            body = await response.json()
        assert response.status == 200 and body["ok"] and body["result"]["text"] == "json"
        assert fake_telegram.calls[-1].encoding == "json"
        assert fake_telegram.calls[-1].params["reply_markup"] == markup

        async with http.get(f"{base}/sendMessage", params={"chat_id": str(chat), "text": "q"}) as r:
            assert r.status == 200 and (await r.json())["result"]["chat"]["id"] == chat

        bad_keyboard = {"keyboard": {"text": "a"}}
        async with http.post(
            f"{base}/sendMessage", json={"chat_id": chat, "text": "x", "reply_markup": bad_keyboard}
        ) as r:
            assert r.status == 400
            assert (
                "ReplyKeyboardMarkup should be an Array of Arrays"
                in (await r.json())["description"]
            )
        async with http.post(
            f"{base}/sendMessage", data={"chat_id": str(chat), "text": "x", "reply_markup": "{"}
        ) as r:
            assert (await r.json())["description"] == (
                "Bad Request: can't parse reply keyboard markup JSON object"
            )

        async with http.post(f"{base}/sendTelepathy", json={}) as r:
            assert r.status == 404
            assert await r.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(f"{fake_telegram.base_url}/bot1:nope/getMe") as r:
            assert r.status == 401
            assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert fake_telegram.texts(chat) == ["json", "q"]


async def test_wait_for_names_what_it_waited_for(fake_telegram: FakeTelegram) -> None:
    with pytest.raises(AssertionError, match=r"waited 0\.05s for 1 delivered message"):
        await fake_telegram.wait_for(1, timeout=0.05)

    def callbacks_answered() -> bool:
        return bool(fake_telegram.answered_callbacks)

    with pytest.raises(AssertionError, match="callbacks_answered"):
        await fake_telegram.wait_for(callbacks_answered, timeout=0.05)


async def test_aiogram_dispatcher_polls_and_answers(bot: Bot, fake_telegram: FakeTelegram) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(f"Вы написали: {message.text}")

    fake_telegram.push_update(text_update(CHAT, "привет", fake=fake_telegram))
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=5)
    )
    try:
        await fake_telegram.wait_for(1, chat_id=CHAT)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert fake_telegram.texts(CHAT) == ["Вы написали: привет"]
