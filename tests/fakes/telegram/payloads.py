"""Recorded Telegram webhook bodies (tests/payloads/telegram) and bodies that must be refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "telegram"
GARBAGE = PAYLOADS / "garbage"
TOO_LARGE_BYTES = 2 * 1024 * 1024


def payload_names() -> list[str]:
    """Names (file stems) of the recorded updates, sorted."""
    return sorted(path.stem for path in PAYLOADS.glob("*.json"))


def payload_bytes(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


def load_payload(name: str) -> dict[str, Any]:
    return json.loads(payload_bytes(name))


def too_large_body(size: int = TOO_LARGE_BYTES) -> bytes:
    """A well-formed update of `size` bytes: only its size is wrong. Made here, not stored,
    so the repository does not carry 2 MB of padding."""
    head = b'{"update_id": 731204999, "message": {"message_id": 1, "date": 1795000000, '
    head += b'"chat": {"id": 384756129, "type": "private"}, "text": "'
    tail = b'"}}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


def garbage_bodies() -> dict[str, bytes]:
    """Bodies a webhook must answer with 4xx, by name (file stem, plus "too_large_2mb")."""
    bodies = {path.stem: path.read_bytes() for path in sorted(GARBAGE.iterdir()) if path.is_file()}
    bodies.pop("README", None)
    bodies["too_large_2mb"] = too_large_body()
    return bodies
