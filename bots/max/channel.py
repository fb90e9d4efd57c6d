"""Sending to MAX: POST /messages?user_id= for every chunk of a reply, a receipt PDF uploaded
first, button presses answered, and MAX's errors turned into what the outbox sender needs."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import yaml

from bots.attachments import MediaLinks, Way, way
from bots.channel import AlwaysOpen, Rates, SendContext, SendError
from bots.max.api import MaxApi, MaxApiError
from bots.max.render import LIMITS, render
from bots.max.updates import CHANNEL, user_id_of
from dialogs.messages import Attachment, Reply

log = logging.getLogger(__name__)

# An uploaded file MAX is still processing: the send is tried again after these pauses, all
# within one send's time (outbox.send_timeout_seconds, 15 s by default).
NOT_READY_PAUSES = (0.5, 1.0, 2.0, 4.0)
# The chat cannot get anything from the bot: the user stopped or blocked it (403 chat.denied),
# never started it or deleted the chat (404: reported both as chat.not.found with the message
# "dialog.not.found" and as the code dialog.not.found itself), or the user is gone.
_UNREACHABLE_CODES = ("chat.denied", "chat.not.found", "dialog.not.found", "user.not.found")
TOKEN_REFUSED = "verify.token"
# Arrival times jitter: a chat's requests are spaced a tenth wider than MAX's limit.
PACE_MARGIN = 1.1


@dataclass(frozen=True, slots=True)
class Words:
    """The few words the channel adds itself, per language (locales/<lang>.yaml)."""

    contact_button: dict[str, str]
    callback_answer: dict[str, str]
    default_language: str = "ru"

    @classmethod
    def load(cls, default_language: str = "ru") -> Words:
        contact: dict[str, str] = {}
        answer: dict[str, str] = {}
        folder = resources.files("bots.max") / "locales"
        # Without the locale files (a package built without its data): signs, not words.
        entries = list(folder.iterdir()) if folder.is_dir() else []
        for entry in entries:
            if not entry.name.endswith(".yaml"):
                continue
            language = entry.name.removesuffix(".yaml")
            texts = yaml.safe_load(entry.read_text("utf-8")) or {}
            contact[language] = str(texts.get("contact_button") or "📱")
            answer[language] = str(texts.get("callback_answer") or "✓")
        return cls(contact or {"": "📱"}, answer or {"": "✓"}, default_language)

    def pick(self, texts: dict[str, str], language: str) -> str:
        return texts.get(language) or texts.get(self.default_language) or next(iter(texts.values()))


class ChatPacer:
    """MAX allows 30 requests a second to the bot and 2 to one chat, counting callback answers,
    uploads and every chunk of a split reply: the outbox paces rows, this paces every request
    (a turn for the chat first, then one for the bot)."""

    def __init__(self, per_second: float, bot_per_second: float = 0.0) -> None:
        self._gap = PACE_MARGIN / per_second if per_second > 0 else 0.0
        self._bot_gap = PACE_MARGIN / bot_per_second if bot_per_second > 0 else 0.0
        self._next: dict[str, float] = {}
        self._bot_next = 0.0

    async def wait(self, user_id: str) -> None:
        loop = asyncio.get_running_loop()
        if self._gap:
            now = loop.time()
            start = max(now, self._next.get(user_id, 0.0))
            self._next[user_id] = start + self._gap
            if len(self._next) > 10_000:  # forget chats that are long quiet
                self._next = {k: v for k, v in self._next.items() if v > now}
            if start > now:
                await asyncio.sleep(start - now)
        if self._bot_gap:
            now = loop.time()
            start = max(now, self._bot_next)
            self._bot_next = start + self._bot_gap
            if start > now:
                await asyncio.sleep(start - now)


class MaxChannel(AlwaysOpen):
    """A bot writes only to users who started it or wrote to it; there is no messaging window
    after that, so every reply may go at any time."""

    name = CHANNEL
    limits = LIMITS

    def __init__(
        self, api: MaxApi, rates: Rates, words: Words, links: MediaLinks | None = None
    ) -> None:
        self.api = api
        self.rates = rates
        self.words = words
        self.links = links or MediaLinks()
        self.pacer = ChatPacer(rates.per_chat_per_second, rates.per_second)
        # Chunks of a split reply already delivered, by outbox row: a row retried after a later
        # chunk failed goes on from there instead of repeating the first (MAX has no send key).
        self._delivered: dict[int, int] = {}

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        if user_id_of(user_id) != user_id:
            raise SendError(f"max: {user_id!r} is not a MAX user id", permanent=True)
        token, kind = "", "file"
        if reply.attachment is not None:
            how = way(reply.attachment, LIMITS)
            kind = "image" if how is Way.IMAGE else "file"
            try:
                token = "" if how is Way.LINK else await self._upload(reply.attachment, kind)
            except SendError as exc:
                if not _refused(exc):
                    raise
                log.info("max refused the upload of %s: %s", reply.attachment.filename, exc)
            if not token:
                reply = self.links.linked(reply, context)
        contact_label = self.words.pick(self.words.contact_button, reply.language)
        row = context.row_id if context is not None else 0
        done = self._delivered.pop(row, 0) if row else 0
        last: str | None = None
        bodies = render(reply, contact_label, token, kind)
        for index, body in enumerate(bodies):
            if index < done:
                continue
            try:
                try:
                    last = await self._post(user_id, body)
                except SendError as exc:
                    if not (token and index == len(bodies) - 1 and _refused(exc)):
                        raise
                    # MAX refused the message with the file: its text went with it, so the
                    # text, the link and the keyboard go again without it.
                    log.info("max refused the message with %s: %s", token, exc)
                    linked = self.links.linked(replace(reply, text=body.get("text", "")), context)
                    for fallback in render(linked, contact_label):
                        last = await self._post(user_id, fallback)
            except BaseException:
                if row and index:
                    self._delivered[row] = index
                    if len(self._delivered) > 10_000:  # rows given up on are forgotten
                        self._delivered.pop(next(iter(self._delivered)))
                raise
        return last

    async def post(self, chat_id: str, text: str) -> str | None:
        """A message to a channel or group chat (POST /messages?chat_id=): an outage's public
        post, which suppliers must make in MAX."""
        last: str | None = None
        for body in render(Reply(text), "", ""):
            last = await self._post(chat_id, body, target="chat_id")
        return last

    async def answer_callback(self, callback_id: str, user_id: str, language: str = "") -> None:
        """Stop the button's spinner with a short notice. Best effort: the reply itself goes
        through the outbox, and a late or repeated answer changes nothing for the customer."""
        notice = self.words.pick(self.words.callback_answer, language)
        await self.pacer.wait(user_id)
        try:
            answer = await self.api.call(
                "POST",
                "/answers",
                params={"callback_id": callback_id},
                body={"notification": notice},
            )
        except MaxApiError as exc:
            log.info("max callback %s not answered: %s", callback_id[:16], exc)
        except Exception as exc:
            log.warning("max callback %s not answered: %r", callback_id[:16], exc)
        else:
            if isinstance(answer, dict) and answer.get("success") is False:
                log.info("max callback %s refused: %s", callback_id[:16], answer.get("message"))

    async def close(self) -> None:
        await self.api.close()

    async def _post(
        self, user_id: str, body: dict[str, Any], target: str = "user_id"
    ) -> str | None:
        for pause in (*NOT_READY_PAUSES, None):
            await self.pacer.wait(user_id)
            try:
                answer = await self.api.call(
                    "POST", "/messages", params={target: user_id}, body=body
                )
            except MaxApiError as exc:
                if exc.not_ready and pause is not None:
                    await asyncio.sleep(pause)
                    continue
                raise send_error(exc) from None
            return message_id(answer)
        raise AssertionError("unreachable: the last pause is None")

    async def _upload(self, attachment: Attachment, kind: str) -> str:
        """A file as MAX's `kind` (image or file): POST /uploads?type= gives an address, the
        file goes there (multipart field `data`), the token it answers goes with the message."""
        try:
            target = await self.api.call("POST", "/uploads", params={"type": kind})
            url = target.get("url") if isinstance(target, dict) else None
            if not isinstance(url, str) or not url:
                raise SendError("max: /uploads gave no upload address")
            uploaded = await self.api.upload(
                url, attachment.filename, attachment.content, attachment.media_type
            )
        except MaxApiError as exc:
            raise send_error(exc) from None
        answer = uploaded if isinstance(uploaded, dict) else {}
        token = answer.get("token")
        photos = answer.get("photos")
        if (not isinstance(token, str) or not token) and isinstance(photos, dict):
            # An image's upload answers {"photos": {<size id>: {"token": ...}}}.
            first = next(iter(photos.values()), None)
            token = first.get("token") if isinstance(first, dict) else None
        if not isinstance(token, str) or not token:
            token = target.get("token") if isinstance(target, dict) else None
        if not isinstance(token, str) or not token:
            raise SendError("max: the upload gave no file token")
        return token


def _refused(exc: SendError) -> bool:
    """Refused as it is (not a wait, not an unreachable chat, not an outage)."""
    return exc.permanent and not exc.blocks and exc.retry_after is None


def message_id(answer: Any) -> str | None:
    """The sent message's mid (SendMessageResult.message.body.mid)."""
    if not isinstance(answer, dict):
        return None
    message = answer.get("message")
    body = message.get("body") if isinstance(message, dict) else None
    mid = body.get("mid") if isinstance(body, dict) else None
    return mid if isinstance(mid, str) and mid else None


def send_error(exc: MaxApiError) -> SendError:
    reason = f"max {exc}"
    if exc.retry_after is not None:  # 429: wait as told, not a failure
        return SendError(reason, retry_after=exc.retry_after)
    if exc.status == 401 or exc.code == TOKEN_REFUSED:
        # A wrong or revoked token: every message waits (with backoff) until it is fixed.
        log.error("max refuses the bot token: %s", exc)
        return SendError(reason)
    if exc.code in _UNREACHABLE_CODES:
        # chat.denied ("error.dialog.suspended"): the user stopped or blocked the bot; nothing
        # reaches them until they write again.
        return SendError(reason, blocks=True)
    if exc.not_ready or exc.status >= 500 or exc.status in (408, 409, 425):
        return SendError(reason)  # tried again after backoff
    if not exc.code and exc.status not in (400, 413):
        # Not MAX's answer (a proxy's error page, a wrong api_base): an outage, not a verdict
        # on the message — tried again after backoff.
        return SendError(reason)
    if 400 <= exc.status < 500:
        return SendError(reason, permanent=True)  # the message as it is was refused
    return SendError(reason)
