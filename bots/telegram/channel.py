"""Sending to Telegram through aiogram's Bot API client: rendering within the limits and
turning the API's errors into what the outbox sender needs to know."""

from __future__ import annotations

import base64
import html
import logging

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage
from aiogram.methods.base import Response
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bots.channel import AlwaysOpen, ChannelLimits, Rates, SendContext, SendError, utf16_length
from bots.render import Plan, plan
from bots.telegram.updates import CHANNEL
from dialogs.messages import Reply

log = logging.getLogger(__name__)

LIMITS = ChannelLimits(
    text_max=4096,
    buttons_max=12,  # more would crowd a phone screen: numbered text then
    button_label_max=64,
    payload_max_bytes=64,
    request_phone=True,
    documents=True,
    measure=utf16_length,  # Telegram counts 4096 in UTF-16 code units
)
WIDE_LABEL = 18  # characters; a longer label gets a row of its own
# Errors that mean this chat cannot get anything from the bot (not worth another try).
_UNREACHABLE = ("chat not found", "user is deactivated", "bot was blocked", "bot was kicked")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
Method = SendMessage | SendDocument  # what render() asks the API for

# aiogram reads every answer as Response[<the method's result>], and pydantic keeps a
# parametrised model only while something refers to it: without these references the model was
# built anew — its whole schema — for every message sent, a sixth of a busy process's CPU.
# (Response[...] spelled as the call it is: type checkers read a subscript as a type.)
_RESPONSE_MODELS = tuple(
    Response.__class_getitem__(method.__returning__)
    for method in (SendMessage, SendDocument, AnswerCallbackQuery)
)


def make_bot(token: str, api_base: str, timeout: float) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base.rstrip("/")))
    session.timeout = timeout
    return Bot(token, session=session)


class TelegramChannel(AlwaysOpen):
    name = CHANNEL
    limits = LIMITS

    def __init__(self, bot: Bot, rates: Rates) -> None:
        self.bot = bot
        self.rates = rates

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        last: str | None = None
        for method in render(int(user_id), reply):
            last = await self._call(method)
        return last

    async def post(self, chat_id: str, text: str) -> str | None:
        """A message to a channel or group chat (@name or -100…): an outage's public post."""
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        last: str | None = None
        for chunk in plan(Reply(text), LIMITS).chunks:
            escaped = html.escape(chunk, quote=False)
            last = await self._call(
                SendMessage(chat_id=target, text=escaped, parse_mode=ParseMode.HTML)
            )
        return last

    async def answer_callback(self, callback_id: str) -> None:
        """Stop the button's spinner. Best effort: a late or repeated answer is refused by
        Telegram and changes nothing for the customer."""
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramAPIError as exc:
            log.info("callback %s not answered: %s", callback_id, exc.message)
        except Exception as exc:
            log.warning("callback %s not answered: %s", callback_id, exc)

    async def close(self) -> None:
        await self.bot.session.close()

    async def _call(self, method: Method) -> str | None:
        try:
            result = await self.bot(method)
        except TelegramRetryAfter as exc:
            raise SendError(exc.message, retry_after=float(exc.retry_after)) from None
        except (TelegramForbiddenError, TelegramNotFound) as exc:
            raise SendError(exc.message, blocks=True) from None
        except TelegramBadRequest as exc:
            unreachable = any(text in exc.message.lower() for text in _UNREACHABLE)
            raise SendError(exc.message, permanent=True, blocks=unreachable) from None
        except TelegramUnauthorizedError as exc:
            # A wrong or revoked token: every message waits (with backoff) until it is fixed.
            raise SendError(f"the bot token was refused: {exc.message}") from None
        except TelegramServerError as exc:
            raise SendError(exc.message) from None
        message_id = getattr(result, "message_id", None)
        return None if message_id is None else str(message_id)


def render(chat_id: int, reply: Reply) -> list[Method]:
    """The API calls for one reply: text chunks, buttons on the last, the PDF if any."""
    layout = plan(reply, LIMITS)
    markup = _markup(layout, reply)
    methods: list[Method] = []
    chunks = layout.chunks
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        methods.append(
            SendMessage(
                chat_id=chat_id,
                text=html.escape(chunk, quote=False),
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
            )
        )
    if reply.attachment is not None:
        attachment = reply.attachment
        methods.append(
            SendDocument(
                chat_id=chat_id,
                document=BufferedInputFile(
                    base64.b64decode(attachment.data_b64), filename=attachment.filename
                ),
            )
        )
    return methods


def _markup(layout: Plan, reply: Reply) -> Markup:
    if layout.request_phone:
        # One markup per message: the contact button goes on a reply keyboard, with the other
        # options as keyboard buttons (their labels come back as text and press the option).
        keys = [[KeyboardButton(text=reply.phone_label or "📱", request_contact=True)]]
        keys += [[KeyboardButton(text=button.label)] for button in layout.buttons]
        return ReplyKeyboardMarkup(keyboard=keys, resize_keyboard=True, one_time_keyboard=True)
    if not layout.buttons:
        return None
    # Short labels two to a row, long ones alone.
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for button in layout.buttons:
        wide = len(button.label) > WIDE_LABEL
        if row and (wide or len(row) == 2):
            rows.append(row)
            row = []
        row.append(InlineKeyboardButton(text=button.label, callback_data=button.payload))
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(inline_keyboard=rows)
