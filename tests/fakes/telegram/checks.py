"""The checks Telegram makes on what a bot sends, raising its own error answers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.telegram import errors
from tests.fakes.telegram.errors import bad_request
from tests.fakes.telegram.html import HtmlError, parse_html, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_CALLBACK_ANSWER = 200
INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
SECRET = re.compile(r"[A-Za-z0-9_-]+")
MAX_SECRET = 256


def formatted(
    text: Any, parse_mode: Any, entities: Any, *, empty: str
) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and its entities; `empty` is the error when there is no text at all."""
    if not isinstance(text, str):
        raise bad_request(empty)
    if parse_mode:
        mode = str(parse_mode).lower()
        if mode == "html":
            try:
                return parse_html(text)
            except HtmlError as error:
                raise bad_request(errors.ENTITIES_PREFIX + str(error)) from None
        if mode in ("markdown", "markdownv2"):
            return text, []  # Markdown is not parsed by the fake: the bot uses HTML
        raise bad_request(errors.UNSUPPORTED_PARSE_MODE)
    if entities is not None and not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")  # unverified text
    return text, list(entities or [])


def message_text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """sendMessage's text: 1-4096 UTF-16 code units once parsed and stripped."""
    text, entities = formatted(
        params.get("text"),
        params.get("parse_mode"),
        params.get("entities"),
        empty=errors.TEXT_EMPTY,
    )
    visible = text.strip()
    if not visible:
        raise bad_request(errors.TEXT_EMPTY)
    if utf16_len(visible) > MAX_TEXT:
        raise bad_request(errors.TEXT_TOO_LONG)
    return text, entities


def caption(params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    """A document's or photo's caption: 0-1024 code units once parsed."""
    if params.get("caption") is None:
        return None, []
    text, entities = formatted(
        params["caption"],
        params.get("parse_mode"),
        params.get("caption_entities"),
        empty=errors.CAPTION_TOO_LONG,
    )
    if utf16_len(text.strip()) > MAX_CAPTION:
        raise bad_request(errors.CAPTION_TOO_LONG)
    return text, entities


def reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request(errors.MARKUP_NOT_OBJECT)
    if "inline_keyboard" in markup:
        for button in _buttons(markup["inline_keyboard"], errors.INLINE_ROWS):
            _inline_button(button)
    elif "keyboard" in markup:
        for button in _buttons(markup["keyboard"], errors.REPLY_ROWS):
            _keyboard_button(button)
    elif "remove_keyboard" not in markup and "force_reply" not in markup:
        raise bad_request(errors.MARKUP_JSON)


def inline_markup(markup: Any) -> None:
    """Edits take only an inline keyboard."""
    reply_markup(markup)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request(errors.MARKUP_JSON)


def _buttons(rows: Any, rows_error: str) -> list[Any]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(rows_error)
    return [button for row in rows for button in row]


def _inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(errors.INLINE_BUTTON_NOT_OBJECT)
    if "text" not in button:
        raise bad_request(errors.INLINE_NO_TEXT)
    if not isinstance(button["text"], str):
        raise bad_request(errors.INLINE_TEXT_TYPE)
    actions = [name for name in INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request(errors.INLINE_TEXT_ONLY)
    if len(actions) > 1:
        raise bad_request(errors.INLINE_MANY_ACTIONS)
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request(errors.BUTTON_DATA_INVALID)
    if "url" in button and not _button_url(button["url"]):
        raise bad_request("BUTTON_URL_INVALID")


def _button_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return (parts.scheme in ("http", "https") and bool(parts.netloc)) or parts.scheme == "tg"


def _keyboard_button(button: Any) -> None:
    if isinstance(button, str):
        return
    if not isinstance(button, dict):
        raise bad_request(errors.KEYBOARD_BUTTON_TYPE)
    if "text" not in button:
        raise bad_request(errors.KEYBOARD_NO_TEXT)
    if not isinstance(button["text"], str):
        raise bad_request(errors.KEYBOARD_TEXT_TYPE)


def callback_answer_text(text: Any) -> None:
    if isinstance(text, str) and utf16_len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")  # unverified text


def webhook_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise bad_request(errors.NOT_HTTPS)
    try:
        port = parts.port or 443
    except ValueError:
        raise bad_request(errors.BAD_PORT) from None
    if port not in WEBHOOK_PORTS:
        raise bad_request(errors.BAD_PORT)


def secret_token(secret: Any) -> None:
    if secret is None:
        return
    if not isinstance(secret, str) or not SECRET.fullmatch(secret):
        raise bad_request(errors.SECRET_CHARS)
    if len(secret) > MAX_SECRET:
        raise bad_request(errors.SECRET_LONG)
