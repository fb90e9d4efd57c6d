"""Sending to WhatsApp through the Cloud API: rendering within WhatsApp's limits, the 24-hour
customer-service window, a notice's approved template outside it (templates.py).

The ladder: up to 3 reply buttons (titles of at most 20 characters, unique), else a list (at
most 10 rows, titles 24, descriptions 72, its button 20), else numbered text (bots.render). A
text goes in pieces of at most 4 096 characters; an interactive message's body holds at most
1 024, so a longer text goes as text first and its last part carries the buttons.

A file is uploaded first (POST /<phone number id>/media) and sent by its id: an image (JPEG or
PNG up to 5 MB) as `image`, a PDF (up to 100 MB) as `document`, with the text as its caption
when it fits (1 024); with reply buttons it is the header of the interactive message, so the
buttons stay last. Anything else — or a file WhatsApp refuses — goes as the signed link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import aiohttp

from bots.attachments import MediaLinks, Way, way
from bots.channel import ChannelLimits, Rates, Refusal, SendContext, SendError
from bots.meta.client import GraphClient
from bots.meta.texts import text as own_text
from bots.render import ELLIPSIS, NUMBERED, numbered, split_text
from bots.whatsapp.templates import Template, Templates, template_message
from bots.whatsapp.updates import CHANNEL
from dialogs.messages import Attachment, Button, Reply

TEXT_MAX = 4096
BODY_MAX = 1024  # an interactive message's body
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
WINDOW = timedelta(hours=24)

LIMITS = ChannelLimits(
    text_max=TEXT_MAX,
    buttons_max=ROWS_MAX,
    button_label_max=ROW_TITLE_MAX,
    payload_max_bytes=ROW_ID_MAX,
    request_phone=False,  # no share-phone control: the dialog asks for the contact card itself
    documents=True,
    # Cloud API media: images JPEG/PNG up to 5 MB (the upload applies the image limit to an
    # image's type even when it would go as a document), documents up to 100 MB.
    document_max_bytes=100 * 1024 * 1024,
    image_max_bytes=5 * 1024 * 1024,
    caption_max=BODY_MAX,
)
# A business-scoped user id ("US.13491208655302741918"): two letters, a dot, letters and digits.
_BSUID = re.compile(r"[A-Z]{2}\.[A-Za-z0-9.]+")


class WhatsAppChannel:
    name = CHANNEL
    limits = LIMITS

    def __init__(
        self,
        client: GraphClient,
        phone_number_id: str,
        rates: Rates,
        templates: dict[str, Template] | None = None,
        links: MediaLinks | None = None,
    ) -> None:
        self.client = client
        self.phone_number_id = phone_number_id
        self.rates = rates
        self.templates = Templates(templates)
        self.links = links or MediaLinks()

    def refusal(self, reply: Reply, context: SendContext) -> Refusal | None:
        """Outside the 24-hour window only an approved template may go: a notice without one
        configured for its kind, or without a value its template needs, is NO_TEMPLATE (the
        configuration can fix it); any other reply is WINDOW_CLOSED (only the customer can)."""
        if context.within(WINDOW):
            return None
        if not reply.template:
            return Refusal.WINDOW_CLOSED
        return None if self.templates.usable(reply) is not None else Refusal.NO_TEMPLATE

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        if context is not None and not context.within(WINDOW) and reply.template:
            # A notice outside the window: its template alone (the text, buttons and any file
            # would be refused with 131047). Without a usable one, nothing is even tried.
            template = self.templates.usable(reply)
            if template is None:
                reason = f"whatsapp: no usable template for {reply.template}"
                raise SendError(reason, permanent=True)
            return await self._post(user_id, template_message(template, reply))
        # Inside the window a notice is an ordinary message, with its buttons.
        media: Media | None = None
        if reply.attachment is not None:
            media = await self._media(reply.attachment)
            if media is None:
                reply = self.links.linked(reply, context)
        last: str | None = None
        for message in render(reply, media):
            try:
                last = await self._post(user_id, message)
            except SendError as exc:
                if media is None or not _carries(message, media) or not _refused(exc):
                    raise
                # WhatsApp refused the message with the file: its words and the link instead.
                words = _words(message)
                linked = self.links.linked(replace(reply, text=words), context)
                if not words:
                    linked = replace(linked, buttons=())  # they went with the text before
                for fallback in render(linked):
                    last = await self._post(user_id, fallback)
        return last

    async def close(self) -> None:
        await self.client.close()

    async def _post(self, user_id: str, message: dict[str, Any]) -> str | None:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            **recipient(user_id),
            **message,
        }
        answer = await self.client.post(f"{self.phone_number_id}/messages", body)
        messages = answer.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            wamid = messages[0].get("id")
            return str(wamid) if wamid else None
        return None

    async def _media(self, attachment: Attachment) -> Media | None:
        """The file uploaded within WhatsApp's limits; None: it goes as a link (over the
        limits, or refused by the upload — a transient failure is raised for a retry)."""
        how = way(attachment, LIMITS)
        if how is Way.LINK:
            return None
        try:
            media_id = await self._upload(attachment)
        except SendError as exc:
            if not _refused(exc):
                raise
            return None
        return Media(how.value, media_id, attachment.filename)

    async def _upload(self, attachment: Attachment) -> str:
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", attachment.media_type)
        form.add_field(
            "file",
            attachment.content,
            filename=attachment.filename,
            content_type=attachment.media_type,
        )
        answer = await self.client.post(f"{self.phone_number_id}/media", form=form)
        media_id = answer.get("id")
        if not media_id:
            raise SendError("the media upload answered without an id")
        return str(media_id)


@dataclass(frozen=True, slots=True)
class Media:
    """An uploaded file: its message type (image or document), id and name."""

    kind: str
    id: str
    filename: str

    def object(self, caption: str = "") -> dict[str, str]:
        found = {"id": self.id}
        if self.kind == "document":
            found["filename"] = self.filename
        if caption:
            found["caption"] = caption
        return found


def _refused(exc: SendError) -> bool:
    """Refused as it is (not a wait, not an unreachable customer, not an outage)."""
    return exc.permanent and not exc.blocks and exc.retry_after is None


def _carries(message: dict[str, Any], media: Media) -> bool:
    header = message.get("interactive", {}).get("header", {})
    return message.get("type") == media.kind or header.get("type") == media.kind


def _words(message: dict[str, Any]) -> str:
    """The text a message with the file carried (its caption or its interactive body)."""
    if message.get("type") == "interactive":
        return str(message["interactive"]["body"]["text"])
    return str(message.get(message.get("type", ""), {}).get("caption", ""))


def recipient(user_id: str) -> dict[str, str]:
    """Whom a message goes to: a phone-number id (wa_id) as `to`, a business-scoped user id as
    `recipient` (the way the Cloud API takes BSUIDs of users without a visible number)."""
    if _BSUID.fullmatch(user_id):
        return {"recipient": user_id}
    return {"to": user_id}


def render(reply: Reply, media: Media | None = None) -> list[dict[str, Any]]:
    """The messages (without the recipient) for one reply's text, buttons and uploaded file,
    in order."""
    messages = _texts(reply)
    if media is None:
        return messages
    last = messages[-1]
    interactive = last.get("interactive", {})
    if interactive.get("type") == "button":  # reply buttons take a media header
        interactive["header"] = {"type": media.kind, media.kind: media.object()}
        return messages
    if interactive:  # a list's header is text only: the file goes just before it
        return [*messages[:-1], {"type": media.kind, media.kind: media.object()}, last]
    words = reply.text.strip() and "\n\n".join(m["text"]["body"] for m in messages)
    if len(messages) == 1 and len(words) <= BODY_MAX:
        return [{"type": media.kind, media.kind: media.object(words)}]
    return [*messages, {"type": media.kind, media.kind: media.object()}]


def _texts(reply: Reply) -> list[dict[str, Any]]:
    """The messages (without the recipient) for one reply's text and buttons, in order."""
    # A phone request adds nothing here: WhatsApp has no share-phone control, and the dialog's
    # own text already tells the customer to send their contact card (phone_hint.whatsapp).
    text = reply.text.strip() or ELLIPSIS
    action, kind = _action(reply)
    if action is None and reply.buttons:
        text = f"{text}\n\n{numbered(reply.buttons)}"
    chunks = split_text(text, TEXT_MAX)
    body = ""
    if action is not None:
        last = chunks.pop()
        pieces = split_text(last, BODY_MAX)
        body = pieces[-1]
        head = last[: last.rfind(body)].strip() if len(pieces) > 1 else ""
        if head:
            chunks.append(head)
    messages: list[dict[str, Any]] = [
        {"type": "text", "text": {"body": chunk, "preview_url": False}} for chunk in chunks
    ]
    if action is not None:
        interactive = {"type": kind, "body": {"text": body}, "action": action}
        messages.append({"type": "interactive", "interactive": interactive})
    return messages


def _action(reply: Reply) -> tuple[dict[str, Any] | None, str]:
    """Reply buttons, else a list, else None (numbered text)."""
    buttons = reply.buttons
    if not buttons or len(buttons) > ROWS_MAX:
        return None, ""
    ids = _ids(buttons)
    titles = [b.label.strip() for b in buttons]
    fits = all(0 < len(t) <= BUTTON_TITLE_MAX for t in titles) and len(set(titles)) == len(titles)
    if len(buttons) <= BUTTONS_MAX and fits and all(len(i.encode()) <= BUTTON_ID_MAX for i in ids):
        replies = [
            {"type": "reply", "reply": {"id": id_, "title": title}}
            for id_, title in zip(ids, titles, strict=True)
        ]
        return {"buttons": replies}, "button"
    rows: list[dict[str, Any]] = []
    for id_, title in zip(ids, titles, strict=True):
        row: dict[str, Any] = {"id": id_, "title": _cut(title or ELLIPSIS, ROW_TITLE_MAX)}
        if len(title) > ROW_TITLE_MAX:  # the whole label, as far as the description goes
            row["description"] = _cut(title, ROW_DESCRIPTION_MAX)
        rows.append(row)
    label = _cut(own_text("whatsapp.list_button", reply), LIST_BUTTON_MAX)
    return {"button": label, "sections": [{"rows": rows}]}, "list"


def _ids(buttons: tuple[Button, ...]) -> list[str]:
    """Payloads as ids; one that is too long or repeats another carries its number instead
    (a typed number presses the same option of the last prompt)."""
    ids: list[str] = []
    for number, button in enumerate(buttons, 1):
        payload = button.payload
        if not payload or len(payload.encode()) > ROW_ID_MAX or payload in ids:
            payload = f"{NUMBERED}{number}"
        ids.append(payload)
    return ids


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS
