"""Reading a Bot API request in every form Telegram accepts.

aiogram posts `FormData`: urlencoded without files, multipart with them; every non-string value is
JSON-dumped (`chat_id=42`, `show_alert=true`, `reply_markup={"inline_keyboard": ...}`) and an upload
is `document=attach://<name>` plus a file part `<name>`. Other clients use JSON bodies or the
query string. The fake turns all of these into one dict of typed values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from tests.fakes.telegram.errors import MARKUP_JSON, bad_request

# Parameters whose value is a JSON-serialised object or array.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "media",
        "message_ids",
        "reaction",
    }
)
INT_FIELDS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "max_connections",
        "cache_time",
        "message_thread_id",
        "from_chat_id",
        "user_id",
    }
)
BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "allow_paid_broadcast",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
    }
)
ATTACH = "attach://"


@dataclass
class WireRequest:
    params: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # by parameter (document, photo)
    filenames: dict[str, str] = field(default_factory=dict)
    encoding: str = "query"  # query | urlencoded | multipart | json


async def read_request(request: web.Request) -> WireRequest:
    wire = WireRequest()
    raw: dict[str, Any] = dict(request.query)
    parts: dict[str, tuple[bytes, str]] = {}
    if request.method == "POST":
        content_type = request.content_type
        if content_type == "application/json":
            wire.encoding = "json"
            raw.update(await _json_body(request))
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            wire.encoding = "multipart" if content_type == "multipart/form-data" else "urlencoded"
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, FileField):
                    parts[key] = (value.file.read(), value.filename)
                else:
                    raw[key] = value
    wire.params = {key: _typed(key, value) for key, value in raw.items()}
    for key, value in list(wire.params.items()):
        if isinstance(value, str) and value.startswith(ATTACH) and value[len(ATTACH) :] in parts:
            data, filename = parts.pop(value[len(ATTACH) :])
            wire.files[key], wire.filenames[key] = data, filename
    for name, (data, filename) in parts.items():  # a part no parameter refers to
        wire.files[name], wire.filenames[name] = data, filename
    return wire


async def _json_body(request: web.Request) -> dict[str, Any]:
    body = await request.read()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise bad_request("can't parse JSON encoded request") from None  # unverified text
    if not isinstance(data, dict):
        raise bad_request("can't parse JSON encoded request")
    return data


def _typed(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            what = MARKUP_JSON if key == "reply_markup" else f"can't parse {key} JSON object"
            raise bad_request(what) from None
    if key == "chat_id" or key in INT_FIELDS:
        return _integer(value)
    if key in BOOL_FIELDS:
        return {"true": True, "1": True, "false": False, "0": False}.get(value.lower(), value)
    return value


def _integer(value: str) -> int | str:
    """ "42" → 42; "@channel" or garbage stays a string (a chat username, or not found)."""
    stripped = value.strip()
    digits = stripped[1:] if stripped.startswith("-") else stripped
    return int(stripped) if digits.isdigit() else value
