"""Sending to Messenger through the Send API: rendering within its limits and the messaging
windows (24 hours for everything; an operator's reply up to 7 days with the HUMAN_AGENT tag; a
notice after them only with the message tag its kind fits, tags.py).

The ladder: up to 3 options whose labels fit 20 characters go as a button template (a card that
stays in the chat; its text at most 640 characters), more — up to 13 — as quick replies (titles
20), more still as numbered text. A phone request is the `user_phone_number` quick reply, which
Messenger fills from the person's profile. Texts go in pieces of at most 2 000 characters.

A file is uploaded with its message (multipart `filedata`, up to 25 MB): an image (JPEG, PNG)
as `image`, a PDF as `file`. Messenger has no captions: the text goes as its own messages, the
file after them — before the last one when that one carries the options, so they stay last.
Over the limits, or refused, the file goes as the signed link.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import aiohttp

from bots.attachments import MediaLinks, Way, way
from bots.channel import ChannelLimits, Rates, Refusal, SendContext, SendError
from bots.messenger.tags import DEFAULT_TAGS, HUMAN_AGENT
from bots.messenger.updates import CHANNEL
from bots.meta.client import GraphClient
from bots.render import ELLIPSIS, NUMBERED, numbered, split_text
from dialogs.messages import Attachment, Button, Reply

log = logging.getLogger(__name__)

TEXT_MAX = 2000
TEMPLATE_TEXT_MAX = 640
TEMPLATE_BUTTONS_MAX = 3
QUICK_REPLIES_MAX = 13
TITLE_MAX = 20
PAYLOAD_MAX = 1000
WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)

LIMITS = ChannelLimits(
    text_max=TEXT_MAX,
    buttons_max=QUICK_REPLIES_MAX,
    button_label_max=TITLE_MAX,
    payload_max_bytes=PAYLOAD_MAX,
    request_phone=True,
    documents=True,
    document_max_bytes=25 * 1024 * 1024,
    image_max_bytes=25 * 1024 * 1024,
)


class MessengerChannel:
    name = CHANNEL
    limits = LIMITS

    def __init__(
        self,
        client: GraphClient,
        rates: Rates,
        tags: Mapping[str, str] = DEFAULT_TAGS,
        links: MediaLinks | None = None,
    ) -> None:
        self.client = client
        self.rates = rates
        self.tags = dict(tags)  # notice kind -> the message tag it goes with outside the window
        self.links = links or MediaLinks()

    def refusal(self, reply: Reply, context: SendContext) -> Refusal | None:
        if context.within(WINDOW):
            return None
        if reply.operator and context.last_inbound_at is not None:
            return None if context.within(HUMAN_AGENT_WINDOW) else Refusal.TAG_EXPIRED
        if reply.template:
            # A notice: only a tag its kind fits lets it out (NO_TAG names the policy, not the
            # customer's silence, as the reason).
            return None if reply.template in self.tags else Refusal.NO_TAG
        return Refusal.WINDOW_CLOSED

    async def send(
        self, user_id: str, reply: Reply, context: SendContext | None = None
    ) -> str | None:
        envelope = messaging_type(reply, context, self.tags)
        attachment = reply.attachment
        if attachment is not None and way(attachment, LIMITS) is Way.LINK:
            reply, attachment = self.links.linked(reply, context), None
        messages = render(reply)
        # The file after the texts; before the last message when it carries the options.
        at = len(messages) - 1 if _has_options(messages[-1]) else len(messages)
        last: str | None = None
        for index, message in enumerate(messages):
            if index == at and attachment is not None:
                last = await self._file_or_link(user_id, reply, attachment, envelope, context)
            body = {"recipient": {"id": user_id}, **envelope, "message": message}
            last = _mid(await self.client.post("me/messages", body)) or last
        if at == len(messages) and attachment is not None:
            last = await self._file_or_link(user_id, reply, attachment, envelope, context)
        return last

    async def close(self) -> None:
        await self.client.close()

    async def _file_or_link(
        self,
        user_id: str,
        reply: Reply,
        attachment: Attachment,
        envelope: dict[str, str],
        context: SendContext | None,
    ) -> str | None:
        try:
            return await self._send_file(user_id, attachment, envelope)
        except SendError as exc:
            if not (exc.permanent and not exc.blocks and exc.retry_after is None):
                raise
            log.info("messenger refused %s: %s", attachment.filename, exc.reason)
        # Refused as it is: its link in a message of its own, where the file would have been.
        line = self.links.linked(Reply("", attachment=attachment, language=reply.language), context)
        if not line.text:
            return None
        body = {"recipient": {"id": user_id}, **envelope, "message": {"text": line.text}}
        return _mid(await self.client.post("me/messages", body))

    async def _send_file(
        self, user_id: str, attachment: Attachment, envelope: dict[str, str]
    ) -> str | None:
        kind = "image" if way(attachment, LIMITS) is Way.IMAGE else "file"
        form = aiohttp.FormData()
        form.add_field("recipient", json.dumps({"id": user_id}))
        for key, value in envelope.items():
            form.add_field(key, value)
        message = {"attachment": {"type": kind, "payload": {"is_reusable": False}}}
        form.add_field("message", json.dumps(message))
        form.add_field(
            "filedata",
            attachment.content,
            filename=attachment.filename,
            content_type=attachment.media_type,
        )
        return _mid(await self.client.post("me/messages", form=form))


def messaging_type(
    reply: Reply, context: SendContext | None, tags: Mapping[str, str] = DEFAULT_TAGS
) -> dict[str, str]:
    """RESPONSE inside the 24 hours; after them an operator's reply goes with HUMAN_AGENT and a
    notice with its kind's tag. Anything else stays RESPONSE, which Messenger refuses there
    (refusal() has stopped it before)."""
    if context is None or context.within(WINDOW):
        return {"messaging_type": "RESPONSE"}
    if reply.operator:
        return {"messaging_type": "MESSAGE_TAG", "tag": HUMAN_AGENT}
    if reply.template and (tag := tags.get(reply.template)):
        return {"messaging_type": "MESSAGE_TAG", "tag": tag}
    return {"messaging_type": "RESPONSE"}


def render(reply: Reply) -> list[dict[str, Any]]:
    """The `message` objects for one reply's text and options, in order."""
    text = reply.text.strip() or ELLIPSIS
    buttons = reply.buttons
    payloads = _payloads(buttons)
    labels = [b.label.strip() or ELLIPSIS for b in buttons]
    card = (
        not reply.request_phone
        and 0 < len(buttons) <= TEMPLATE_BUTTONS_MAX
        and all(len(label) <= TITLE_MAX for label in labels)
    )
    room = QUICK_REPLIES_MAX - (1 if reply.request_phone else 0)
    if buttons and not card and len(buttons) > room:
        text = f"{text}\n\n{numbered(buttons)}"
        buttons, payloads, labels = (), [], []
    chunks = split_text(text, TEXT_MAX)
    if card:
        last = chunks.pop()
        pieces = split_text(last, TEMPLATE_TEXT_MAX)
        card_text = pieces[-1]
        head = last[: last.rfind(card_text)].strip() if len(pieces) > 1 else ""
        messages: list[dict[str, Any]] = [{"text": c} for c in [*chunks, head] if c]
        postbacks = [
            {"type": "postback", "title": label, "payload": payload}
            for label, payload in zip(labels, payloads, strict=True)
        ]
        template = {"template_type": "button", "text": card_text, "buttons": postbacks}
        messages.append({"attachment": {"type": "template", "payload": template}})
        return messages
    messages = [{"text": c} for c in chunks]
    quick: list[dict[str, Any]] = []
    if reply.request_phone:
        quick.append({"content_type": "user_phone_number"})
    quick += [
        {"content_type": "text", "title": _cut(label, TITLE_MAX), "payload": payload}
        for label, payload in zip(labels, payloads, strict=True)
    ]
    if quick:
        messages[-1]["quick_replies"] = quick
    return messages


def _has_options(message: dict[str, Any]) -> bool:
    return "quick_replies" in message or "attachment" in message


def _payloads(buttons: tuple[Button, ...]) -> list[str]:
    payloads: list[str] = []
    for number, button in enumerate(buttons, 1):
        payload = button.payload
        if not payload or len(payload.encode()) > PAYLOAD_MAX:
            payload = f"{NUMBERED}{number}"
        payloads.append(payload)
    return payloads


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _mid(answer: dict[str, Any]) -> str | None:
    mid = answer.get("message_id")
    return str(mid) if mid else None
