"""messages.send as VK validates it: peer, random_id, message length, keyboard limits.

Codes follow VK's documented errors (100 parameter, 911 keyboard, 914 too long). Keyboard limits
are those of dev.vk.com's keyboard page and the vk-io source (PLATFORMS.md §6): 5 buttons a row,
10 rows and 40 buttons, inline 6 rows and 10 buttons, label 40, payload 255. Texts after the
code are the fake's own explanations.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.vk.errors import CHAT_NO_ACCESS, KEYBOARD_INVALID, PARAM, TOO_LONG, VkError

TEXT_MAX = 9000
CHAT_PEER_MIN = 2_000_000_000
INT32 = 2**31
ROW_BUTTONS_MAX = 5
ROWS_MAX = 10
BUTTONS_MAX = 40
INLINE_ROWS_MAX = 6
INLINE_BUTTONS_MAX = 10
LABEL_MAX = 40
PAYLOAD_MAX = 255
ACTIONS = frozenset(
    {"text", "callback", "open_link", "location", "vkpay", "open_app", "intent_subscribe"}
)
LABELLED = frozenset({"text", "callback", "open_link", "open_app"})
WHOLE_ROW = frozenset({"location", "vkpay", "open_app"})  # alone in their row
COLORS = frozenset({"primary", "secondary", "negative", "positive"})


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def integer(params: dict[str, str], name: str, *, required: bool = True) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise VkError(PARAM, f"{name} is a required parameter")
        return None
    try:
        return int(raw)
    except ValueError:
        raise VkError(PARAM, f"{name} not integer") from None


def check_send(params: dict[str, str]) -> tuple[int, int, str, dict[str, Any] | None]:
    """(peer_id, random_id, message, keyboard) of a valid messages.send."""
    peer = integer(params, "peer_id", required=False)
    if peer is None:
        peer = integer(params, "user_id")
    assert peer is not None
    if peer >= CHAT_PEER_MIN:
        raise VkError(CHAT_NO_ACCESS)
    if peer <= 0:
        raise VkError(PARAM, "peer_id is invalid")
    random_id = integer(params, "random_id")  # required since API 5.90
    assert random_id is not None
    if not -INT32 <= random_id < INT32:
        raise VkError(PARAM, "random_id is out of range")
    message = params.get("message", "")
    if not message.strip() and not params.get("attachment"):
        raise VkError(PARAM, "message is empty or invalid")
    if utf16(message) > TEXT_MAX:
        raise VkError(TOO_LONG)
    keyboard = None
    if "keyboard" in params:
        try:
            keyboard = json.loads(params["keyboard"])
        except ValueError:
            raise VkError(KEYBOARD_INVALID, "keyboard is not JSON") from None
        check_keyboard(keyboard)
    return peer, random_id, message, keyboard


def invalid(reason: str) -> VkError:
    return VkError(KEYBOARD_INVALID, reason)


def check_keyboard(keyboard: Any) -> None:
    if not isinstance(keyboard, dict):
        raise invalid("keyboard must be an object")
    inline = keyboard.get("inline", False)
    one_time = keyboard.get("one_time", False)
    if not isinstance(inline, bool) or not isinstance(one_time, bool):
        raise invalid("inline and one_time are booleans")
    if inline and one_time:
        raise invalid("one_time is not for inline keyboards")  # unverified: stricter than VK
    rows = keyboard.get("buttons")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise invalid("buttons must be an array of rows")
    if inline and not rows:
        raise invalid("an inline keyboard needs buttons")  # unverified
    rows_max, total_max = (
        (INLINE_ROWS_MAX, INLINE_BUTTONS_MAX) if inline else (ROWS_MAX, BUTTONS_MAX)
    )
    if len(rows) > rows_max:
        raise invalid(f"{len(rows)} rows; at most {rows_max}")
    total = sum(len(row) for row in rows)
    if total > total_max:
        raise invalid(f"{total} buttons; at most {total_max}")
    for r, row in enumerate(rows):
        if not row:
            raise invalid(f"row {r} is empty")
        if len(row) > ROW_BUTTONS_MAX:
            raise invalid(f"row {r} has {len(row)} buttons; at most {ROW_BUTTONS_MAX}")
        for c, button in enumerate(row):
            _button(button, f"buttons[{r}][{c}]", len(row))


def _button(button: Any, where: str, row_length: int) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("action"), dict):
        raise invalid(f"{where}: a button is an object with an action")
    action = button["action"]
    kind = action.get("type")
    if kind not in ACTIONS:
        raise invalid(f"{where}: unknown action type {kind!r}")
    if kind in WHOLE_ROW and row_length > 1:
        raise invalid(f"{where}: a {kind} button takes its row alone")
    label = action.get("label")
    if kind in LABELLED and (not isinstance(label, str) or not label.strip()):
        raise invalid(f"{where}: label is required")
    if isinstance(label, str) and len(label) > LABEL_MAX:
        raise invalid(f"{where}: label longer than {LABEL_MAX}")
    payload = action.get("payload")
    if payload is not None:
        if not isinstance(payload, str) or len(payload.encode()) > PAYLOAD_MAX:
            raise invalid(f"{where}: payload must be a string of at most {PAYLOAD_MAX} bytes")
        try:
            json.loads(payload)
        except ValueError:
            raise invalid(f"{where}: payload must be JSON") from None
    color = button.get("color")
    if color is not None and (kind not in ("text", "callback") or color not in COLORS):
        raise invalid(f"{where}: color {color!r}")
