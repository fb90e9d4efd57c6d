"""Sending to Viber: a reply rendered as send_message bodies (keyboard on the 6-column grid,
tracking data, split texts) and Viber's status codes turned into what the outbox sender needs.

Viber fetches a file from a URL: a reply's file goes by its signed link (GET /media, under
server.public_url) as a `picture` (JPEG or PNG up to 1 MB, its text up to 768 characters; the
URL ends in the file's extension, as Viber asks) or a `file` (up to 50 MB, with its size and
name). Anything else, or without a public URL, goes as the link in the text."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from viberbot.api.messages import TextMessage

from bots.attachments import MediaLinks, Way, caption, way
from bots.channel import ChannelLimits, Rates, Refusal, SendContext, SendError, utf16_length
from bots.render import ELLIPSIS, Plan, plan, split_text
from bots.viber.api import ViberApi, ViberApiError, encode
from bots.viber.callbacks import CHANNEL
from bots.viber.tracking import Tracking
from dialogs.messages import Attachment, Reply

log = logging.getLogger(__name__)

TEXT_MAX = 7000
REQUEST_MAX_BYTES = 30 * 1024  # a whole send_message body
GRID_COLUMNS = 6
BUTTON_TEXT_MAX = 250  # characters of a button's Text as sent (HTML-escaped)
SENDER_NAME_MAX = 28
SHARE_PHONE_API = 3  # clients below this API level cannot show a share-phone button
SHARE_PHONE_BODY = "share-phone"  # ActionBody must not be empty; Viber sends a contact instead
# Viber bills messages outside the 24-hour session a customer's message opens.
SESSION = timedelta(hours=24)
LIMITS = ChannelLimits(
    text_max=TEXT_MAX,
    buttons_max=12,  # more would crowd a phone screen: numbered text then
    button_label_max=100,  # Viber takes 250; a longer label does not fit a phone's row anyway
    payload_max_bytes=64,  # keeps the keyboard and tracking data far below the 30 KB request
    request_phone=True,
    documents=True,  # by its signed URL (GET /media), which Viber downloads
    measure=utf16_length,  # at most 7000 characters however Viber counts them
    document_max_bytes=50 * 1024 * 1024,
    image_max_bytes=1024 * 1024,  # 1 MB on iOS (3 MB on Android): the smaller one holds
    caption_max=768,  # a picture's text
)
PICTURE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpeg"}  # the URL's last segment
FILE_NAME_MAX = 256
WIDE_LABEL = 18  # characters; a longer label gets a row of its own
# Viber's status codes (REST Bot API "Errors"); the rest are general errors.
NOT_REGISTERED = 5
NOT_SUBSCRIBED = 6
NO_SUITABLE_DEVICE = 11
TOO_MANY_REQUESTS = 12
# The message as it is was refused: sending it again cannot help.
_REFUSED = {1, 3, 4, 13, 14, 16}
# The bot account cannot send at all (token, account state, webhook): kept and retried with
# backoff until an administrator fixes it, like Telegram's refused token.
_ACCOUNT = {2, 7, 8, 9, 10, 15}


@dataclass(frozen=True, slots=True)
class Sender:
    """Who the messages come from (`sender` of every send_message)."""

    name: str
    avatar: str = ""

    def as_dict(self) -> dict[str, str]:
        body = {"name": sender_name(self.name)}
        if self.avatar:
            body["avatar"] = self.avatar
        return body


def sender_name(name: str) -> str:
    """Within Viber's 28 characters, cut between words where that keeps most of it."""
    name = " ".join(name.split()) or "Bot"
    if len(name) <= SENDER_NAME_MAX:
        return name
    cut = name[: SENDER_NAME_MAX + 1].rsplit(" ", 1)[0].rstrip(" -—–,.:;")
    return cut if len(cut) >= SENDER_NAME_MAX // 2 else name[:SENDER_NAME_MAX]


class ViberChannel:
    name = CHANNEL
    limits = LIMITS

    def __init__(
        self,
        api: ViberApi,
        rates: Rates,
        sender: Sender,
        *,
        allow_bot_initiated: bool = False,
        links: MediaLinks | None = None,
    ) -> None:
        self.api = api
        self.rates = rates
        self.sender = sender
        self.allow_bot_initiated = allow_bot_initiated
        self.links = links or MediaLinks()

    def refusal(self, reply: Reply, context: SendContext) -> Refusal | None:
        """Outside the customer's 24-hour session a message is a paid bot-initiated one."""
        if self.allow_bot_initiated or context.within(SESSION):
            return None
        return Refusal.BOT_INITIATED

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        media: Media | None = None
        if reply.attachment is not None:
            media = self._media(reply.attachment, context)
            if media is None:
                reply = self.links.linked(reply, context)
        last: str | None = None
        for message in render(reply, self.sender, media):
            try:
                last = await self._send(user_id, message)
            except SendError as exc:
                refused = exc.permanent and not exc.blocks and exc.retry_after is None
                if message.get("type") not in ("picture", "file") or not refused:
                    raise
                # Viber refused the file's message: its words and the link in a text instead.
                log.info("viber refused %s: %s", message.get("type"), exc.reason)
                words = str(message.get("text", ""))
                linked = self.links.linked(replace(reply, text=words), context)
                for fallback in render(linked, self.sender):
                    last = await self._send(user_id, fallback)
        return last

    async def _send(self, user_id: str, message: dict[str, Any]) -> str | None:
        try:
            answer = await self.api.call("send_message", {"receiver": user_id, **message})
        except ViberApiError as exc:
            raise send_error(exc) from None
        token = answer.get("message_token")
        return str(token) if isinstance(token, int | str) else None

    def _media(self, attachment: Attachment, context: SendContext | None) -> Media | None:
        """The file by its signed URL, if Viber can take it; None: the link goes as text."""
        how = way(attachment, LIMITS)
        if how is Way.LINK:
            return None
        name = attachment.filename[:FILE_NAME_MAX] or "file"
        if how is Way.IMAGE:
            suffix = PICTURE_SUFFIXES[attachment.media_type]
            path = PurePosixPath(name)
            if path.suffix.lower() != suffix:
                name = f"{path.stem or 'image'}{suffix}"
        url = self.links.url(replace(attachment, filename=name), context)
        if url is None:
            return None
        return Media(how.value, url, attachment.size, name)

    def welcome(self, reply: Reply) -> dict[str, Any]:
        """The body answering conversation_started: a send_message body without `receiver`
        (the one message a customer who has not subscribed can get)."""
        return render(reply, self.sender)[0]

    async def close(self) -> None:
        await self.api.close()


def send_error(exc: ViberApiError) -> SendError:
    reason = f"viber {exc.message} ({exc.status})" if exc.status >= 0 else f"viber {exc.message}"
    if exc.retry_after is not None:  # an HTTP 429 on the way: wait as told, not a failure
        return SendError(reason, retry_after=exc.retry_after)
    if exc.status in (NOT_REGISTERED, NOT_SUBSCRIBED):
        # Nothing reaches them until they subscribe again (or write, which subscribes).
        return SendError(reason, blocks=True)
    if exc.status == TOO_MANY_REQUESTS:
        # 100 messages without a reply: nothing more goes until the customer answers, which
        # is no time the sender can wait for. This message is given up.
        return SendError(reason, permanent=True)
    if exc.status in _REFUSED or exc.status == NO_SUITABLE_DEVICE:
        return SendError(reason, permanent=True)
    if exc.status in _ACCOUNT:
        log.error("viber refuses the bot account: %s", reason)
        return SendError(reason)
    return SendError(reason)  # HTTP errors, general errors: tried again after backoff


# -- rendering ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Media:
    """A reply's file as Viber fetches it: picture or file, by its signed URL."""

    kind: str  # "image" or "document"
    url: str
    size: int
    name: str


def render(reply: Reply, sender: Sender, media: Media | None = None) -> list[dict[str, Any]]:
    """send_message bodies without `receiver`: one per text chunk, each with the keyboard (the
    client shows the keyboard of the last message received); a file last, by its URL — a
    picture with the text when it fits its 768 characters.

    A reply without buttons carries no keyboard: the client then shows its plain input field,
    which also takes away the buttons of the previous prompt (their state version is over).
    """
    layout = plan(reply, LIMITS)
    keyboard = _keyboard(layout, reply)
    tracking = Tracking.of(tuple(b.payload for b in layout.buttons), layout.request_phone)
    min_api = SHARE_PHONE_API if layout.request_phone else None
    chunks = layout.chunks
    words = ""
    if media is not None and media.kind == Way.IMAGE:
        text = "" if chunks == (ELLIPSIS,) else "\n\n".join(chunks)
        parts = caption(text, LIMITS)
        chunks, words = parts.before, parts.caption
    elif media is not None and chunks == (ELLIPSIS,):
        chunks = ()  # the file alone
    bodies: list[dict[str, Any]] = []
    for chunk in chunks:
        for text in _fitting(chunk, keyboard, tracking, sender):
            bodies.append(_body(text, keyboard, tracking, min_api, sender))
    if media is not None:
        bodies.append(_file_body(media, words, keyboard, tracking, min_api, sender))
    return bodies


def _file_body(
    media: Media,
    words: str,
    keyboard: dict[str, Any] | None,
    tracking: Tracking,
    min_api: int | None,
    sender: Sender,
) -> dict[str, Any]:
    body: dict[str, Any] = {"sender": sender.as_dict(), "tracking_data": tracking.encode()}
    if keyboard is not None:
        body["keyboard"] = keyboard
    if min_api is not None:
        body["min_api_version"] = min_api
    if media.kind == Way.IMAGE:
        body.update(type="picture", text=words, media=media.url)
    else:
        body.update(type="file", media=media.url, size=media.size, file_name=media.name)
    return body


def _body(
    text: str,
    keyboard: dict[str, Any] | None,
    tracking: Tracking,
    min_api: int | None,
    sender: Sender,
) -> dict[str, Any]:
    message = TextMessage(
        tracking_data=tracking.encode(), keyboard=keyboard, text=text, min_api_version=min_api
    )
    return {"sender": sender.as_dict(), **message.to_dict()}


def _fitting(
    chunk: str, keyboard: dict[str, Any] | None, tracking: Tracking, sender: Sender
) -> list[str]:
    """The chunk, cut smaller while a body with it would pass 30 KB (a long text of
    multi-byte characters with a full keyboard)."""
    body = _body(chunk, keyboard, tracking, SHARE_PHONE_API, sender)
    size = len(encode({"receiver": "x" * 64, **body}))
    if size <= REQUEST_MAX_BYTES or len(chunk) < 2:
        return [chunk]
    pieces = split_text(chunk, max(1, utf16_length(chunk) // 2), utf16_length)
    return [part for piece in pieces for part in _fitting(piece, keyboard, tracking, sender)]


def _keyboard(layout: Plan, reply: Reply) -> dict[str, Any] | None:
    buttons: list[dict[str, Any]] = []
    if layout.request_phone:
        label = reply.phone_label or "📱"
        buttons.append(_button(label, SHARE_PHONE_BODY, GRID_COLUMNS, "share-phone"))
    for row in _rows(layout):
        columns = GRID_COLUMNS // len(row)
        buttons += [_button(b.label, b.payload, columns, "reply") for b in row]
    if not buttons:
        return None
    return {"Type": "keyboard", "DefaultHeight": False, "Buttons": buttons}


def _rows(layout: Plan) -> list[list[Any]]:
    """Short labels two to a row, long ones alone."""
    rows: list[list[Any]] = []
    row: list[Any] = []
    for button in layout.buttons:
        wide = len(button.label) > WIDE_LABEL
        if row and (wide or len(row) == 2):
            rows.append(row)
            row = []
        row.append(button)
        if wide:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows


def _button(label: str, body: str, columns: int, action: str) -> dict[str, Any]:
    return {
        "Columns": columns,
        "Rows": 1,
        "ActionType": action,
        "ActionBody": body,
        "Text": _button_text(label),
        # The ActionBody is a payload, not words: the press is not shown as the customer's
        # message (Telegram's inline buttons show nothing either).
        "Silent": action == "reply",
    }


def _button_text(label: str) -> str:
    """Button Text takes some HTML: a label's own < & > are escaped, within 250 characters."""
    text = html.escape(label, quote=False)
    while len(text) > BUTTON_TEXT_MAX:
        label = label[:-1]
        text = html.escape(label.rstrip(), quote=False) + "…"
    return text
