"""VK keyboards for a reply's buttons, within VK's limits, and the payload each button carries.

Text buttons, not callback ones: a press of a text button arrives as the customer's message
(`message_new` with the label as its text and our payload), so the press shows in the dialog —
also to the supplier's staff reading the community's messages in VK — works in every VK client
(callback buttons need `client_info.button_actions` to include "callback"), and needs no
`messages.sendMessageEventAnswer` within a minute to stop a spinner. Callback presses
(`message_event`) are still understood, for keyboards sent by other tools of the community.

Inline (under the message it belongs to) when the buttons fit its 10 buttons in 6 rows, as the
main menu's nine do; a longer choice (or long labels that need a row each) gets a one-time
regular keyboard under the input field (40 buttons in 10 rows of 5), which VK hides once
pressed; a reply without buttons sends an empty one (HIDE) to take a leftover away. A stale
button of an older prompt is answered with the current one by the dialogs (payloads carry the
state version).
"""

from __future__ import annotations

import json
import math
from typing import Any

from bots.render import NUMBERED
from dialogs.messages import Button

INLINE_BUTTONS_MAX = 10
INLINE_ROWS_MAX = 6
BUTTONS_MAX = 40
ROWS_MAX = 10
ROW_BUTTONS_MAX = 5
LABEL_MAX = 40
PAYLOAD_MAX_BYTES = 255  # the payload as sent: a JSON text
WIDE_LABEL = 18  # characters; a longer label gets a row of its own (phones show ~20 per half)
PAYLOAD_KEY = "b"  # {"b": "<our payload>"}: other keys (VK's {"command": "start"}) are not ours
COLOR = "secondary"

# Sent with a reply without buttons: takes a regular keyboard of an earlier prompt away.
HIDE: dict[str, Any] = {"one_time": True, "buttons": []}


def encode_payload(payload: str) -> str:
    return json.dumps({PAYLOAD_KEY: payload}, ensure_ascii=False, separators=(",", ":"))


def payload_fits(encoded: str) -> bool:
    return len(encoded.encode()) <= PAYLOAD_MAX_BYTES


def keyboard(buttons: tuple[Button, ...]) -> dict[str, Any] | None:
    """The keyboard for buttons already within the channel's limits (bots.render.plan)."""
    if not buttons or len(buttons) > BUTTONS_MAX:
        return None
    rows = _rows(buttons)
    if len(buttons) <= INLINE_BUTTONS_MAX and len(rows) <= INLINE_ROWS_MAX:
        return {"inline": True, "buttons": _laid(rows)}
    if len(rows) > ROWS_MAX:
        rows = _packed(buttons, ROWS_MAX)
    return {"one_time": True, "inline": False, "buttons": _laid(rows)}


Row = list[tuple[int, Button]]


def _rows(buttons: tuple[Button, ...]) -> list[Row]:
    """Short labels two to a row, long ones alone (a phone shows about 20 characters in half
    a row)."""
    rows: list[Row] = []
    row: Row = []
    for item in enumerate(buttons, 1):
        wide = len(item[1].label) > WIDE_LABEL
        if row and (wide or len(row) == 2):
            rows.append(row)
            row = []
        row.append(item)
        if wide:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows


def _packed(buttons: tuple[Button, ...], rows_max: int) -> list[Row]:
    numbered = list(enumerate(buttons, 1))
    per_row = min(ROW_BUTTONS_MAX, max(2, math.ceil(len(numbered) / rows_max)))
    return [numbered[i : i + per_row] for i in range(0, len(numbered), per_row)]


def _laid(rows: list[Row]) -> list[list[dict[str, Any]]]:
    return [[_button(button, number) for number, button in row] for row in rows]


def _button(button: Button, number: int) -> dict[str, Any]:
    payload = encode_payload(button.payload)
    if not payload_fits(payload):
        # Too long as JSON (escapes): the number comes back and presses the same option.
        payload = encode_payload(f"{NUMBERED}{number}")
    label = button.label.strip() or "…"
    if len(label) > LABEL_MAX:
        label = label[: LABEL_MAX - 1].rstrip() + "…"
    return {"action": {"type": "text", "label": label, "payload": payload}, "color": COLOR}
