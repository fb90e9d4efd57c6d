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
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage, SendPhoto
from aiogram.methods.base import Response
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bots.attachments import MediaLinks, Way, caption, way
from bots.channel import AlwaysOpen, ChannelLimits, Rates, SendContext, SendError, utf16_length
from bots.render import ELLIPSIS, Plan, plan
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
    # Bot API: a photo at most 10 MB (its width and height at most 10 000 together), any other
    # file at most 50 MB; a caption at most 1 024 characters once parsed.
    document_max_bytes=50 * 1024 * 1024,
    document_types=frozenset({"application/pdf", "image/png", "image/jpeg"}),
    image_max_bytes=10 * 1024 * 1024,
    caption_max=1024,
)
WIDE_LABEL = 18  # characters; a longer label gets a row of its own
# Errors that mean this chat cannot get anything from the bot (not worth another try).
_UNREACHABLE = ("chat not found", "user is deactivated", "bot was blocked", "bot was kicked")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
Method = SendMessage | SendDocument | SendPhoto  # what render() asks the API for

# aiogram reads every answer as Response[<the method's result>], and pydantic keeps a
# parametrised model only while something refers to it: without these references the model was
# built anew — its whole schema — for every message sent, a sixth of a busy process's CPU.
# (Response[...] spelled as the call it is: type checkers read a subscript as a type.)
_RESPONSE_MODELS = tuple(
    Response.__class_getitem__(method.__returning__)
    for method in (SendMessage, SendDocument, SendPhoto, AnswerCallbackQuery)
)


def make_bot(token: str, api_base: str, timeout: float) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base.rstrip("/")))
    session.timeout = timeout
    return Bot(token, session=session)


class TelegramChannel(AlwaysOpen):
    name = CHANNEL
    limits = LIMITS

    def __init__(self, bot: Bot, rates: Rates, links: MediaLinks | None = None) -> None:
        self.bot = bot
        self.rates = rates
        self.links = links or MediaLinks()

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        if reply.attachment is not None and way(reply.attachment, LIMITS) is Way.LINK:
            reply = self.links.linked(reply, context)
        last: str | None = None
        for method in render(int(user_id), reply):
            try:
                last = await self._call(method)
            except SendError as exc:
                if not isinstance(method, SendPhoto | SendDocument) or not _refused(exc):
                    raise
                # Telegram refused the file itself: its caption and buttons with the link.
                log.info("telegram refused %s: %s", method.__class__.__name__, exc.reason)
                rest = Reply(
                    html.unescape(method.caption or ""),
                    reply.buttons,
                    reply.request_phone,
                    reply.phone_label,
                    attachment=reply.attachment,
                    language=reply.language,
                )
                for fallback in render(int(user_id), self.links.linked(rest, context)):
                    last = await self._call(fallback)
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


def _refused(exc: SendError) -> bool:
    """The file was refused as it is (not a wait, not an unreachable chat, not a server fault)."""
    return exc.permanent and not exc.blocks and exc.retry_after is None


def render(chat_id: int, reply: Reply) -> list[Method]:
    """The API calls for one reply: text chunks, buttons on the last; with a file, the text as
    its caption when it fits (else the text first), the file last with the buttons."""
    layout = plan(reply, LIMITS)
    markup = _markup(layout, reply)
    if reply.attachment is not None:
        return _with_file(chat_id, reply, layout, markup)
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
    return methods


def _with_file(chat_id: int, reply: Reply, layout: Plan, markup: Markup) -> list[Method]:
    attachment = reply.attachment
    assert attachment is not None
    text = "" if layout.chunks == (ELLIPSIS,) else "\n\n".join(layout.chunks)
    parts = caption(text, LIMITS)
    methods: list[Method] = [
        SendMessage(
            chat_id=chat_id, text=html.escape(chunk, quote=False), parse_mode=ParseMode.HTML
        )
        for chunk in parts.before
    ]
    file = BufferedInputFile(base64.b64decode(attachment.data_b64), filename=attachment.filename)
    text_caption = html.escape(parts.caption, quote=False) or None
    mode = ParseMode.HTML if parts.caption else None
    if way(attachment, LIMITS) is Way.IMAGE:
        methods.append(
            SendPhoto(
                chat_id=chat_id,
                photo=file,
                caption=text_caption,
                parse_mode=mode,
                reply_markup=markup,
            )
        )
    else:
        methods.append(
            SendDocument(
                chat_id=chat_id,
                document=file,
                caption=text_caption,
                parse_mode=mode,
                reply_markup=markup,
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
