"""Sending to WhatsApp through the Cloud API: rendering within WhatsApp's limits, the 24-hour
customer-service window, a notice's approved template outside it (templates.py).

The ladder: up to 3 reply buttons (titles of at most 20 characters, unique), else a list (at
most 10 rows, titles 24, descriptions 72, its button 20), else numbered text (bots.render). A
text goes in pieces of at most 4 096 characters; an interactive message's body holds at most
1 024, so a longer text goes as text first and its last part carries the buttons.
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import aiohttp

from bots.channel import ChannelLimits, Rates, Refusal, SendContext, SendError
from bots.meta.client import GraphClient
from bots.meta.texts import text as own_text
from bots.render import ELLIPSIS, NUMBERED, numbered, split_text
from bots.whatsapp.templates import Template, Templates, template_message
from bots.whatsapp.updates import CHANNEL
from dialogs.messages import Button, Reply

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
    ) -> None:
        self.client = client
        self.phone_number_id = phone_number_id
        self.rates = rates
        self.templates = Templates(templates)

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
        last: str | None = None
        for message in render(reply):
            last = await self._post(user_id, message)
        if reply.attachment is not None:
            media_id = await self._upload(reply)
            document = {"id": media_id, "filename": reply.attachment.filename}
            last = await self._post(user_id, {"type": "document", "document": document})
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

    async def _upload(self, reply: Reply) -> str:
        attachment = reply.attachment
        assert attachment is not None
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", attachment.media_type)
        form.add_field(
            "file",
            base64.b64decode(attachment.data_b64),
            filename=attachment.filename,
            content_type=attachment.media_type,
        )
        answer = await self.client.post(f"{self.phone_number_id}/media", form=form)
        media_id = answer.get("id")
        if not media_id:
            raise SendError("the media upload answered without an id")
        return str(media_id)


def recipient(user_id: str) -> dict[str, str]:
    """Whom a message goes to: a phone-number id (wa_id) as `to`, a business-scoped user id as
    `recipient` (the way the Cloud API takes BSUIDs of users without a visible number)."""
    if _BSUID.fullmatch(user_id):
        return {"recipient": user_id}
    return {"to": user_id}


def render(reply: Reply) -> list[dict[str, Any]]:
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
