"""A reply as POST /messages bodies (NewMessageBody) within MAX's limits.

Plain text, no `format`: MAX parses Markdown or HTML only when asked to, so a customer's or an
operator's `*`, `_`, `<` and `&` arrive as typed, with nothing to escape. Buttons are an
inline_keyboard attachment on the last chunk; a phone question puts a request_contact button in
a row of its own above them.
"""

from __future__ import annotations

from typing import Any

from bots.channel import ChannelLimits, utf16_length
from bots.render import ELLIPSIS, Plan, plan
from dialogs.messages import Reply

# MAX's documented limits (PLATFORMS.md §5; schema 2026-07-01).
TEXT_MAX = 4000
ROWS_MAX = 30
ROW_MAX = 7
ROW_MAX_WITH_SPECIAL = 3  # in a row with a link, open_app, request_geo_location or request_contact
BUTTONS_MAX = 210
BUTTON_TEXT_MAX = 128
PAYLOAD_MAX_BYTES = 1024
ATTACHMENTS_MAX = 12
# MAX shows about 20 characters of a button alone in its row and 10 of each of two: labels up to
# this share a row, longer ones get a row of their own.
PAIR_LABEL = 10
LIMITS = ChannelLimits(
    text_max=TEXT_MAX,
    buttons_max=24,  # more would not fit a phone screen: numbered text then (25 rows with contact)
    button_label_max=BUTTON_TEXT_MAX,
    payload_max_bytes=PAYLOAD_MAX_BYTES,
    request_phone=True,
    documents=True,
    # MAX's servers count String lengths in UTF-16 units: an emoji counts two.
    measure=utf16_length,
    # A file rides a message with its text (up to 4 000), so there is no caption of its own.
    # MAX publishes no size limits for bots' uploads: kept to what the other messengers take.
    document_max_bytes=50 * 1024 * 1024,
    document_types=frozenset({"application/pdf", "image/png", "image/jpeg"}),
    image_max_bytes=10 * 1024 * 1024,
)


def render(
    reply: Reply, contact_label: str, file_token: str = "", file_kind: str = "file"
) -> list[dict[str, Any]]:
    """The message bodies of one reply, in order; the keyboard (and the uploaded file, by its
    token: `file_kind` "image" or "file") on the last."""
    layout = plan(reply, LIMITS)
    bodies: list[dict[str, Any]] = [{"text": chunk} for chunk in layout.chunks]
    attachments: list[dict[str, Any]] = []
    if file_token:
        attachments.append({"type": file_kind, "payload": {"token": file_token}})
    if (keyboard := keyboard_of(layout, reply.phone_label or contact_label)) is not None:
        attachments.append(keyboard)
    if attachments:
        bodies[-1]["attachments"] = attachments
    return bodies


def keyboard_of(layout: Plan, phone_label: str) -> dict[str, Any] | None:
    rows: list[list[dict[str, Any]]] = []
    if layout.request_phone:
        rows.append([{"type": "request_contact", "text": label(phone_label)}])
    waiting: dict[str, Any] | None = None  # a short label waiting for a second one
    for button in layout.buttons:
        item = {"type": "callback", "text": label(button.label), "payload": button.payload}
        if utf16_length(button.label) <= PAIR_LABEL:
            if waiting is None:
                waiting = item
            else:
                rows.append([waiting, item])
                waiting = None
            continue
        if waiting is not None:
            rows.append([waiting])
            waiting = None
        rows.append([item])
    if waiting is not None:
        rows.append([waiting])
    if not rows:
        return None
    return {"type": "inline_keyboard", "payload": {"buttons": rows}}


def label(text: str) -> str:
    """A button's text: 1-128 UTF-16 units, cut with an ellipsis."""
    text = " ".join(text.split()) or ELLIPSIS
    if utf16_length(text) <= BUTTON_TEXT_MAX:
        return text
    while utf16_length(text) > BUTTON_TEXT_MAX - 1:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS
