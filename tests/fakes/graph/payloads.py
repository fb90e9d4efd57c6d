"""The recorded webhook bodies of tests/payloads/whatsapp and tests/payloads/messenger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2] / "payloads"


def payload_names(platform: str) -> list[str]:
    return sorted(p.stem for p in (ROOT / platform).glob("*.json"))


def load_payload(platform: str, name: str) -> dict[str, Any]:
    body = json.loads((ROOT / platform / f"{name}.json").read_text("utf-8"))
    assert isinstance(body, dict)
    return body


def payload_bytes(platform: str, name: str) -> bytes:
    """The file's bytes as they are (signed as they are)."""
    return (ROOT / platform / f"{name}.json").read_bytes()
