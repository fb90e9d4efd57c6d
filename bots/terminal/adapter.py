"""Parsing terminal input into neutral events and rendering replies for a terminal."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from dialogs.messages import Inbound, InboundKind, Reply

CHANNEL = "terminal"
_PHONE_COMMAND = re.compile(r"^/phone\s+(.+)$")
_START_COMMAND = re.compile(r"^/start(?:\s+(\S+))?\s*$")


class InputError(ValueError):
    """A line that is not a message (e.g. a JSON object of an unknown shape)."""


def parse_line(line: str, user_id: str, now: datetime, *, json_mode: bool) -> Inbound:
    """One input line → one inbound event.

    Plain text; `/phone +7…` shares the sender's own contact; `/start [param]`. In JSON mode a
    line may also be an object: {"payload": …} presses a button, {"contact": …} shares a
    phone, {"text": …} is text.
    """
    text = line.rstrip("\r\n")
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": user_id,
        "event_id": uuid.uuid4().hex,
        "time": now,
    }
    if json_mode and text.lstrip().startswith("{"):
        return _parse_object(text, base)
    if match := _PHONE_COMMAND.match(text.strip()):
        return Inbound(kind=InboundKind.CONTACT, phone=match[1].strip(), own_contact=True, **base)
    if match := _START_COMMAND.match(text.strip()):
        return Inbound(kind=InboundKind.START, text="/start", payload=match[1] or "", **base)
    return Inbound(kind=InboundKind.TEXT, text=text, **base)


def _parse_object(text: str, base: dict[str, Any]) -> Inbound:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise InputError("a JSON line must be an object")
    if isinstance(obj.get("payload"), str):
        return Inbound(kind=InboundKind.BUTTON, payload=obj["payload"], **base)
    if isinstance(obj.get("contact"), str):
        return Inbound(kind=InboundKind.CONTACT, phone=obj["contact"], own_contact=True, **base)
    if isinstance(obj.get("text"), str):
        return parse_line(obj["text"], base["user_id"], base["time"], json_mode=False)
    raise InputError('expected {"payload": "..."}, {"contact": "..."} or {"text": "..."}')


def render_text(reply: Reply, phone_hint: str, file_line: str = "") -> str:
    """A reply as a terminal shows it: the text, the line saying where its file was saved,
    then numbered buttons."""
    lines = [reply.text]
    if file_line:
        lines.append(file_line)
    lines += [f"  {n} — {button.label}" for n, button in enumerate(reply.buttons, 1)]
    if reply.request_phone:
        lines.append(f"  ({phone_hint})")
    return "\n".join(lines)


def render_json(reply: Reply, saved: Path | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "text": reply.text,
        "buttons": [{"label": b.label, "payload": b.payload} for b in reply.buttons],
    }
    if reply.attachment is not None:
        record["attachment"] = {
            "type": reply.attachment.kind,
            "filename": reply.attachment.filename,
            "path": None if saved is None else str(saved),
        }
    return record
