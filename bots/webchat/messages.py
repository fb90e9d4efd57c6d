"""What the web page shows: replies and inbound events as JSON for the browser, and the
customer's posts turned into neutral inbound events."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from bots.channel import ChannelLimits
from bots.render import plan, typed_option
from dialogs.messages import Inbound, InboundKind, Reply

CHANNEL = "webchat"

# A browser shows long texts and many buttons well; the limits only keep the renderer honest.
LIMITS = ChannelLimits(
    text_max=8000,
    buttons_max=12,
    button_label_max=64,
    payload_max_bytes=256,
    request_phone=True,  # shown as a phone field under the message
    documents=True,  # a download link
)
# Row id and filename → the path of the file's signed link (Host.media_path): the page shows an
# image inline and a PDF as a download link by it, never the bytes themselves.
MediaPath = Callable[[int, str], str]

_EVENT_ID = re.compile(r"^[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}$")
PHONE_MAX = 32


class PostError(ValueError):
    """A post the chat refuses; `status` is the HTTP status, `reason` a catalog key suffix."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def parse_post(body: Any, session: str, now: datetime, max_text: int) -> Inbound:
    """A JSON post of the page → an Inbound of the session's identity.

    The page makes up a UUID per message and sends it again when it retries, so a retry is
    a duplicate. The id is kept per session: nobody can spoil another session's ids.
    """
    if not isinstance(body, dict):
        raise PostError("bad_request")
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not _EVENT_ID.fullmatch(event_id):
        raise PostError("bad_request")
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": session,
        "event_id": f"{session}:{event_id.lower()}",
        "time": now,
    }
    kind = body.get("kind")
    if kind == "start":
        return Inbound(kind=InboundKind.START, text="/start", **base)
    if kind == "text":
        text = _string(body, "text").strip()
        if not text:
            raise PostError("bad_request")
        if len(text) > max_text:
            raise PostError("too_long", 413)
        return Inbound(kind=InboundKind.TEXT, text=text, **base)
    if kind == "button":
        payload = _string(body, "payload")
        if not payload or len(payload.encode()) > LIMITS.payload_max_bytes:
            raise PostError("bad_request")
        if (number := typed_option(payload)) is not None:
            return Inbound(kind=InboundKind.TEXT, text=number, **base)
        return Inbound(kind=InboundKind.BUTTON, payload=payload, **base)
    if kind == "contact":
        phone = _string(body, "phone").strip()
        if not phone or len(phone) > PHONE_MAX or not any(ch.isdigit() for ch in phone):
            raise PostError("bad_phone")
        # A web page cannot prove the number is the customer's own (a messenger's contact
        # button can): the phone field is the customer typing their number, and is taken as
        # such — a contact number for a visit, never a proof that links an account.
        return Inbound(kind=InboundKind.TEXT, text=phone, **base)
    raise PostError("bad_request")


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise PostError("bad_request")
    return value


@dataclass(frozen=True, slots=True)
class ShownMessage:
    """One bubble of the page, as JSON."""

    side: str  # "customer", "bot" or "operator"
    text: str
    key: str  # stable across the live stream and the history: the page shows a key once
    id: int | None = None  # the outbox row, when known
    at: str = ""
    buttons: tuple[dict[str, str], ...] = ()
    phone: str | None = None  # the label of the phone field's button (Reply.request_phone)
    operator: str | None = None
    attachment: dict[str, str] | None = None  # kind (image|document), filename, url

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["buttons"] = list(self.buttons)
        return body


def shown_reply(
    reply: Reply,
    key: str,
    *,
    row_id: int | None = None,
    at: datetime | None = None,
    media: MediaPath | None = None,
) -> ShownMessage:
    fitted = plan(reply, LIMITS)
    attachment = None
    # A file shows only by its row's link (a greeting previewed has no row: no file).
    if reply.attachment is not None and row_id and media is not None:
        attachment = {
            "kind": reply.attachment.kind,
            "filename": reply.attachment.filename,
            "media_type": reply.attachment.media_type,
            "url": media(row_id, reply.attachment.filename),
        }
    return ShownMessage(
        side="operator" if reply.operator else "bot",
        text="\n\n".join(fitted.chunks),
        key=key,
        id=row_id,
        at=at.isoformat() if at else "",
        buttons=tuple({"label": b.label, "payload": b.payload} for b in fitted.buttons),
        phone=(reply.phone_label or None) if fitted.request_phone else None,
        operator=reply.operator,
        attachment=attachment,
    )


class Event(Protocol):
    """An inbound event of the log (storage's LoggedEvent)."""

    @property
    def id(self) -> int: ...

    @property
    def body(self) -> dict[str, Any]: ...

    @property
    def at(self) -> datetime: ...


class Delivered(Protocol):
    """A delivered reply of the log (storage's DeliveredReply)."""

    @property
    def id(self) -> int: ...

    @property
    def user_id(self) -> str: ...

    @property
    def body(self) -> dict[str, Any]: ...

    @property
    def at(self) -> datetime: ...

    @property
    def platform_id(self) -> str | None: ...


def reply_key(row: Delivered) -> str:
    return row.platform_id or f"row-{row.id}"


def shown_delivered(row: Delivered, media: MediaPath | None = None) -> ShownMessage | None:
    if "text" not in row.body:  # erased at the customer's request
        return None
    reply = Reply.from_dict(row.body)
    return shown_reply(reply, reply_key(row), row_id=row.id, at=row.at, media=media)


def history(
    events: Sequence[Event],
    replies: Sequence[Delivered],
    limit: int,
    opening: Sequence[ShownMessage] = (),
    media: MediaPath | None = None,
) -> list[ShownMessage]:
    """The conversation as the page shows it: the `opening` (the greeting, never stored)
    first, then customer and bot bubbles merged by time (at equal times the customer's message
    first: the reply answers it).

    A pressed button is shown by its label, found among the buttons shown before it; the
    start event and erased messages are not shown. A customer's message keeps the key the
    page gave it when it was sent, so the page never shows it twice.
    """
    merged: list[tuple[datetime, int, int, ShownMessage | dict[str, Any]]] = []
    for event in events:
        merged.append((event.at, 0, event.id, event.body))
    for row in replies:
        if (message := shown_delivered(row, media)) is not None:
            merged.append((row.at, 1, row.id, message))
    merged.sort(key=lambda item: item[:3])
    labels = {b["payload"]: b["label"] for message in opening for b in message.buttons}
    shown: list[ShownMessage] = list(opening)
    for at, _, event_id, item in merged:
        if isinstance(item, ShownMessage):
            labels.update({b["payload"]: b["label"] for b in item.buttons})
            shown.append(item)
        elif text := _customer_text(item, labels):
            key = sent_key(str(item.get("event_id") or f"in-{event_id}"))
            shown.append(ShownMessage("customer", text, key, at=at.isoformat()))
    return shown[-limit:]


def sent_key(event_id: str) -> str:
    """The page's key of a customer's message: from the id it made up for it."""
    return "sent-" + event_id.rsplit(":", 1)[-1]


def _customer_text(body: dict[str, Any], labels: dict[str, str]) -> str:
    if body.get("erased"):
        return ""
    kind = body.get("kind")
    if kind == InboundKind.TEXT:
        return str(body.get("text") or "")
    if kind == InboundKind.BUTTON:
        return labels.get(str(body.get("payload") or ""), "")
    if kind == InboundKind.CONTACT:
        return str(body.get("phone") or "")
    return ""
