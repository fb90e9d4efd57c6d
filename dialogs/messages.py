"""The neutral message model every channel adapter speaks."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any


class InboundKind(StrEnum):
    TEXT = "text"
    BUTTON = "button"  # a pressed button; `payload` holds what the button carried
    CONTACT = "contact"  # a phone shared through the messenger's own contact button
    START = "start"  # the messenger's start event (/start, Get Started, conversation opened)
    FILE = "file"  # a photo or a document, kept for operators
    UNSUPPORTED = "unsupported"  # stickers, locations, voice ...
    # Delivery notices, not messages: the dialog does not see them.
    STOPPED = "stopped"  # the customer blocked the bot or unsubscribed: stop sending
    RESUMED = "resumed"  # they let the bot write again


NOTICES = frozenset({InboundKind.STOPPED, InboundKind.RESUMED})


@dataclass(frozen=True, slots=True)
class Inbound:
    channel: str
    user_id: str
    event_id: str
    kind: InboundKind
    time: datetime  # aware
    text: str = ""
    payload: str = ""
    phone: str = ""  # with kind CONTACT
    own_contact: bool = False  # the contact is the sender's own, not a forwarded one
    display_name: str = ""
    language: str = ""  # the messenger's language hint (e.g. "ru", "en")
    file_id: str = ""  # with kind FILE: the platform's reference, for operators
    redacted: bool = False  # card data was masked out of `text` before anything was stored

    def to_dict(self) -> dict[str, Any]:
        # Field by field, not asdict(): that deep-copies every value and costs more than a
        # tenth of a simple turn's CPU.
        body = {name: getattr(self, name) for name in _INBOUND_FIELDS}
        body["kind"] = self.kind.value
        body["time"] = self.time.isoformat()
        return body


_INBOUND_FIELDS = tuple(f.name for f in fields(Inbound))


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str


PDF = "application/pdf"
PNG = "image/png"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    media_type: str  # application/pdf, image/png
    data_b64: str

    @classmethod
    def of(cls, filename: str, media_type: str, data: bytes) -> Attachment:
        return cls(filename, media_type, base64.b64encode(data).decode("ascii"))

    @property
    def kind(self) -> str:
        """image (shown as a picture where the platform has one) or document."""
        return "image" if self.media_type.startswith("image/") else "document"

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.data_b64)

    @property
    def size(self) -> int:
        """Bytes of the file, without decoding it (base64: 3 bytes per 4 characters)."""
        data = self.data_b64.rstrip("=\n")
        return len(data) * 3 // 4


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    request_phone: bool = False  # show the messenger's own "share my phone" control
    phone_label: str = ""  # ... labelled this, in the customer's language
    attachment: Attachment | None = None
    operator: str | None = None  # set when an operator wrote it (transcripts show who)
    # A notice's kind (core.notices.Kind): the key of an approved platform template
    # (whatsapp.templates) to send instead outside the customer-service window, and of the
    # message tag (Messenger) it may carry there; empty: not a notice.
    template: str = ""
    # A notice's values as the customer reads them (amount, date, address...): a template's
    # parameters are taken from here by name.
    values: tuple[tuple[str, str], ...] = ()
    # The customer's language ("ru", "en"), for the few words a channel adds itself (a list's
    # button); empty in rows written before it was kept: the channel guesses then.
    language: str = ""

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "text": self.text,
            "buttons": [{"label": b.label, "payload": b.payload} for b in self.buttons],
        }
        if self.request_phone:
            body["request_phone"] = True
            body["phone_label"] = self.phone_label
        if self.attachment is not None:
            body["attachment"] = asdict(self.attachment)
        if self.operator:
            body["operator"] = self.operator
        if self.template:
            body["template"] = self.template
        if self.values:
            body["values"] = dict(self.values)
        if self.language:
            body["language"] = self.language
        return body

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> Reply:
        attachment = body.get("attachment")
        return cls(
            text=body["text"],
            buttons=tuple(Button(b["label"], b["payload"]) for b in body.get("buttons", ())),
            request_phone=bool(body.get("request_phone")),
            phone_label=body.get("phone_label", ""),
            attachment=Attachment(**attachment) if attachment else None,
            operator=body.get("operator"),
            template=body.get("template", ""),
            values=tuple((str(k), str(v)) for k, v in body.get("values", {}).items()),
            language=body.get("language", ""),
        )
