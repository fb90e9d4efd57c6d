"""Bodies as MAX validates them: NewMessageBody (text, format, attachments, the inline keyboard's
limits), CallbackAnswer, SubscriptionRequestBody. Limits from the schema of 2026-07-01 and
dev.max.ru's keyboard page (PLATFORMS.md §5); lengths counted in UTF-16 units, as MAX's servers
count strings, which is the stricter reading for emoji."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.max.errors import MaxError, bad

TEXT_MAX = 4000
ATTACHMENTS_MAX = 12
ROWS_MAX = 30
ROW_MAX = 7
ROW_MAX_WITH_SPECIAL = 3
BUTTONS_MAX = 210
BUTTON_TEXT_MAX = 128
CALLBACK_PAYLOAD_MAX = 1024  # bytes of UTF-8 (the stricter reading)
URL_MAX = 2048
START_PAYLOAD_MAX = 512
BUTTON_TYPES = frozenset(
    {
        "callback",
        "link",
        "request_contact",
        "request_geo_location",
        "open_app",
        "message",
        "chat",
        "clipboard",
    }
)
SPECIAL = frozenset({"link", "open_app", "request_geo_location", "request_contact"})
ATTACHMENT_TYPES = frozenset(
    {
        "image",
        "video",
        "audio",
        "file",
        "sticker",
        "contact",
        "inline_keyboard",
        "location",
        "share",
    }
)
FORMATS = (None, "markdown", "html")
SECRET = re.compile(r"[a-zA-Z0-9_-]{5,256}")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_message(body: Any) -> None:
    if not isinstance(body, dict):
        raise bad("the body must be a NewMessageBody object")
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise bad("text must be a string")
    if text is not None and utf16(text) > TEXT_MAX:
        raise bad(f"text: size must be between 0 and {TEXT_MAX}")
    if body.get("format") not in FORMATS:
        raise bad(f"format must be markdown or html, not {body.get('format')!r}")
    notify = body.get("notify", True)
    if not isinstance(notify, bool):
        raise bad("notify must be a boolean")
    attachments = body.get("attachments")
    if attachments is not None and not isinstance(attachments, list):
        raise bad("attachments must be an array")
    attachments = attachments or []
    if len(attachments) > ATTACHMENTS_MAX:
        raise bad(f"attachments: at most {ATTACHMENTS_MAX}")
    if not (text or "").strip() and not attachments:
        raise bad("text: a message needs text or attachments")
    keyboards = 0
    for index, attachment in enumerate(attachments):
        if not isinstance(attachment, dict) or attachment.get("type") not in ATTACHMENT_TYPES:
            raise bad(f"attachments[{index}]: unknown attachment type")
        if attachment["type"] == "inline_keyboard":
            keyboards += 1
            check_keyboard(attachment.get("payload"))
        elif not isinstance(attachment.get("payload"), dict):
            raise bad(f"attachments[{index}].payload must be an object")
    if keyboards > 1:
        raise bad("only one inline_keyboard per message")


def check_keyboard(payload: Any) -> None:
    if not isinstance(payload, dict) or not isinstance(payload.get("buttons"), list):
        raise bad("inline_keyboard.payload.buttons must be an array of rows")
    rows = payload["buttons"]
    if not rows:
        raise bad("inline_keyboard: buttons must not be empty")
    if len(rows) > ROWS_MAX:
        raise bad(f"inline_keyboard: at most {ROWS_MAX} rows, got {len(rows)}")
    total = 0
    for r, row in enumerate(rows):
        if not isinstance(row, list) or not row:
            raise bad(f"inline_keyboard: row {r} must be a non-empty array")
        special = any(isinstance(b, dict) and b.get("type") in SPECIAL for b in row)
        most = ROW_MAX_WITH_SPECIAL if special else ROW_MAX
        if len(row) > most:
            raise bad(f"inline_keyboard: row {r} has {len(row)} buttons, at most {most}")
        for b, button in enumerate(row):
            check_button(button, f"row {r} button {b}")
        total += len(row)
    if total > BUTTONS_MAX:
        raise bad(f"inline_keyboard: at most {BUTTONS_MAX} buttons, got {total}")


def check_button(button: Any, where: str) -> None:
    if not isinstance(button, dict) or button.get("type") not in BUTTON_TYPES:
        raise bad(f"inline_keyboard {where}: unknown button type")
    text = button.get("text")
    if not isinstance(text, str) or not 1 <= utf16(text) <= BUTTON_TEXT_MAX:
        raise bad(f"inline_keyboard {where}: text must be 1-{BUTTON_TEXT_MAX} characters")
    kind = button["type"]
    if kind == "callback":
        payload = button.get("payload")
        if not isinstance(payload, str):
            raise bad(f"inline_keyboard {where}: a callback button needs a payload")
        if len(payload.encode()) > CALLBACK_PAYLOAD_MAX:
            raise bad(f"inline_keyboard {where}: payload longer than {CALLBACK_PAYLOAD_MAX}")
    if kind == "link":
        url = button.get("url")
        if not isinstance(url, str) or not url or len(url) > URL_MAX:
            raise bad(f"inline_keyboard {where}: url must be 1-{URL_MAX} characters")


def check_answer(body: Any) -> None:
    if not isinstance(body, dict):
        raise bad("the body must be a CallbackAnswer object")
    message, notification = body.get("message"), body.get("notification")
    if message is None and not notification:
        raise bad("an answer needs a message or a notification")
    if notification is not None and not isinstance(notification, str):
        raise bad("notification must be a string")
    if message is not None:
        check_message(message)


def check_subscription(body: Any, require_https: bool) -> None:
    if not isinstance(body, dict):
        raise bad("the body must be a SubscriptionRequestBody object")
    url = body.get("url")
    if not isinstance(url, str) or not url:
        raise bad("url is required")
    if require_https and not url.startswith("https://"):
        # Since 25 May 2026: HTTPS with a trusted certificate only.
        raise MaxError(400, "subscription.url", "only HTTPS webhooks are supported")
    types = body.get("update_types")
    if types is not None and (
        not isinstance(types, list) or not all(isinstance(t, str) and t for t in types)
    ):
        raise bad("update_types must be an array of strings")
    secret = body.get("secret")
    if secret is not None and (not isinstance(secret, str) or not SECRET.fullmatch(secret)):
        raise bad("secret must match ^[a-zA-Z0-9_-]{5,256}$")
