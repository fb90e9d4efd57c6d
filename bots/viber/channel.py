"""Sending to Viber: a reply rendered as send_message bodies (keyboard on the 6-column grid,
tracking data, split texts) and Viber's status codes turned into what the outbox sender needs."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from viberbot.api.messages import TextMessage

from bots.channel import ChannelLimits, Rates, Refusal, SendContext, SendError, utf16_length
from bots.render import Plan, plan, split_text
from bots.viber.api import ViberApi, ViberApiError, encode
from bots.viber.callbacks import CHANNEL
from bots.viber.tracking import Tracking
from dialogs.messages import Reply

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
    documents=False,  # a file message needs a public URL of the file
    measure=utf16_length,  # at most 7000 characters however Viber counts them
)
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
        self, api: ViberApi, rates: Rates, sender: Sender, *, allow_bot_initiated: bool = False
    ) -> None:
        self.api = api
        self.rates = rates
        self.sender = sender
        self.allow_bot_initiated = allow_bot_initiated

    def refusal(self, reply: Reply, context: SendContext) -> Refusal | None:
        """Outside the customer's 24-hour session a message is a paid bot-initiated one."""
        if self.allow_bot_initiated or context.within(SESSION):
            return None
        return Refusal.BOT_INITIATED

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        last: str | None = None
        for message in render(reply, self.sender):
            try:
                answer = await self.api.call("send_message", {"receiver": user_id, **message})
            except ViberApiError as exc:
                raise send_error(exc) from None
            token = answer.get("message_token")
            last = str(token) if isinstance(token, int | str) else None
        return last

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


def render(reply: Reply, sender: Sender) -> list[dict[str, Any]]:
    """send_message bodies without `receiver`: one per text chunk, each with the keyboard (the
    client shows the keyboard of the last message received).

    A reply without buttons carries no keyboard: the client then shows its plain input field,
    which also takes away the buttons of the previous prompt (their state version is over).
    Attachments are not sent: a Viber file message needs the file at a public URL.
    """
    layout = plan(reply, LIMITS)
    keyboard = _keyboard(layout, reply)
    tracking = Tracking.of(tuple(b.payload for b in layout.buttons), layout.request_phone)
    min_api = SHARE_PHONE_API if layout.request_phone else None
    bodies: list[dict[str, Any]] = []
    for chunk in layout.chunks:
        for text in _fitting(chunk, keyboard, tracking, sender):
            bodies.append(_body(text, keyboard, tracking, min_api, sender))
    return bodies


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
