"""send_message as Viber validates it: required fields, lengths, the keyboard's grid.

Status codes for each case follow the documented list (3 badData, 4 missingData); the exact
status_message texts are Viber's where seen in bug reports ("keyboard is not valid. [...]"),
otherwise marked unverified.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.fakes.viber.errors import BAD_DATA, MISSING_DATA, ViberError

REQUEST_MAX_BYTES = 30 * 1024
TEXT_MAX = 7000
TRACKING_MAX = 4000
SENDER_NAME_MAX = 28
BUTTON_TEXT_MAX = 250
PICTURE_TEXT_MAX = 768
PICTURE_SUFFIXES = (".jpeg", ".png", ".gif")
FILE_NAME_MAX = 256
GRID_COLUMNS = 6
MESSAGE_TYPES = frozenset(
    {"text", "picture", "video", "file", "location", "contact", "sticker", "url", "rich_media"}
)
ACTION_TYPES = frozenset({"reply", "open-url", "location-picker", "share-phone", "none"})
NEEDS_API_3 = frozenset({"location-picker", "share-phone"})


def check_size(size: int) -> None:
    if size > REQUEST_MAX_BYTES:
        raise ViberError(BAD_DATA, f"request is larger than 30 KB ({size} bytes)")  # unverified


def check_message(body: dict[str, Any]) -> None:
    receiver = body.get("receiver")
    if not isinstance(receiver, str) or not receiver:
        raise ViberError(MISSING_DATA, "receiver is missing")  # unverified text
    _sender(body.get("sender"))
    kind = body.get("type")
    if kind not in MESSAGE_TYPES:
        raise ViberError(BAD_DATA, f"unknown message type {kind!r}")  # unverified text
    if kind == "text":
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise ViberError(MISSING_DATA, "text is missing")  # unverified text
        if len(text) > TEXT_MAX:
            raise ViberError(BAD_DATA, f"text is longer than {TEXT_MAX} characters")
    elif kind == "picture":
        _picture(body)
    elif kind == "file":
        _file(body)
    tracking = body.get("tracking_data")
    if tracking is not None and (not isinstance(tracking, str) or len(tracking) > TRACKING_MAX):
        raise ViberError(BAD_DATA, "tracking_data must be a string of at most 4000 characters")
    api = body.get("min_api_version", 1)
    if not isinstance(api, int) or isinstance(api, bool) or api < 1:
        raise ViberError(BAD_DATA, "min_api_version must be a positive integer")
    if "keyboard" in body:
        check_keyboard(body["keyboard"], api)


def _picture(body: dict[str, Any]) -> None:
    """text (may be empty, at most 768), media: a URL whose last path segment ends in .jpeg,
    .png or .gif."""
    text = body.get("text")
    if not isinstance(text, str):
        raise ViberError(MISSING_DATA, "text is missing")  # unverified text
    if len(text) > PICTURE_TEXT_MAX:
        raise ViberError(BAD_DATA, f"text is longer than {PICTURE_TEXT_MAX} characters")
    media = body.get("media")
    if not isinstance(media, str) or not media.startswith(("http://", "https://")):
        raise ViberError(MISSING_DATA, "media is missing")  # unverified text
    last = urlsplit(media).path.rsplit("/", 1)[-1].lower()
    if not last.endswith(PICTURE_SUFFIXES):
        raise ViberError(BAD_DATA, "media must end in .jpeg, .png or .gif")  # unverified text


def _file(body: dict[str, Any]) -> None:
    """media (a URL), size (bytes), file_name (at most 256 characters, with its extension)."""
    media = body.get("media")
    if not isinstance(media, str) or not media.startswith(("http://", "https://")):
        raise ViberError(MISSING_DATA, "media is missing")  # unverified text
    size = body.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ViberError(MISSING_DATA, "size is missing")  # unverified text
    name = body.get("file_name")
    if not isinstance(name, str) or not name or len(name) > FILE_NAME_MAX or "." not in name:
        raise ViberError(BAD_DATA, "file_name must be 1-256 characters with an extension")


def _sender(sender: Any) -> None:
    if not isinstance(sender, dict) or "name" not in sender:
        raise ViberError(MISSING_DATA, "sender name is missing")  # unverified text
    name = sender["name"]
    if not isinstance(name, str) or not name or len(name) > SENDER_NAME_MAX:
        raise ViberError(BAD_DATA, f"sender name must be 1-{SENDER_NAME_MAX} characters")
    avatar = sender.get("avatar")
    if avatar is not None and not isinstance(avatar, str):
        raise ViberError(BAD_DATA, "sender avatar must be a URL")


def keyboard_error(reason: str) -> ViberError:
    return ViberError(BAD_DATA, f"keyboard is not valid. [{reason}]")


def check_keyboard(keyboard: Any, api: int) -> None:
    if not isinstance(keyboard, dict):
        raise keyboard_error("instance type is not allowed (expected object)")
    if "Type" not in keyboard:
        raise keyboard_error('object has missing required properties (["Type"])')
    if keyboard["Type"] != "keyboard":
        raise keyboard_error(f'instance value ("{keyboard["Type"]}") not found in enum')
    buttons = keyboard.get("Buttons")
    if not isinstance(buttons, list) or not buttons:
        raise keyboard_error('object has missing required properties (["Buttons"])')
    used = 0  # columns taken in the current row
    for index, button in enumerate(buttons):
        used = _button(button, index, api, used)


def _button(button: Any, index: int, api: int, used: int) -> int:
    where = f"/Buttons/{index}"
    if not isinstance(button, dict):
        raise keyboard_error(f"{where}: instance type is not allowed (expected object)")
    columns = button.get("Columns", GRID_COLUMNS)
    rows = button.get("Rows", 1)
    if not isinstance(columns, int) or isinstance(columns, bool) or not 1 <= columns <= 6:
        raise keyboard_error(f"{where}/Columns: must be 1-6 (the grid is 6 columns wide)")
    if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= 2:
        raise keyboard_error(f"{where}/Rows: must be 1-2")
    action = button.get("ActionType", "reply")
    if action not in ACTION_TYPES:
        raise keyboard_error(f'{where}/ActionType: instance value ("{action}") not found in enum')
    if action in NEEDS_API_3 and api < 3:
        # Stricter than documented: without min_api_version 3 old clients cannot show it.
        raise keyboard_error(f"{where}: {action} needs min_api_version 3")
    body = button.get("ActionBody")
    if not isinstance(body, str) or not body:
        raise keyboard_error(f'{where}: object has missing required properties (["ActionBody"])')
    text = button.get("Text", "")
    if not isinstance(text, str) or len(text) > BUTTON_TEXT_MAX:
        raise keyboard_error(f"{where}/Text: longer than {BUTTON_TEXT_MAX} characters")
    silent = button.get("Silent", False)
    if not isinstance(silent, bool):
        raise keyboard_error(f"{where}/Silent: must be a boolean")
    # Buttons fill rows of six columns left to right; one that does not fit starts a new row.
    return columns if used + columns > GRID_COLUMNS else used + columns


def rows_of(keyboard: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The keyboard's buttons as the client lays them out on the 6-column grid."""
    rows: list[list[dict[str, Any]]] = []
    used = GRID_COLUMNS
    for button in keyboard.get("Buttons", []):
        columns = button.get("Columns", GRID_COLUMNS)
        if used + columns > GRID_COLUMNS:
            rows.append([])
            used = 0
        rows[-1].append(button)
        used += columns
    return rows
