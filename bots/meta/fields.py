"""Reading Graph webhook JSON field by field: real bodies carry numbers as strings and strings as
numbers, and a missing or odd field must skip one event, never fail the batch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_id(value: Any) -> str:
    """An id as Graph sends it: a string, or (older pages, some SDK fixtures) a JSON number."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value) if value > 0 else ""
    if isinstance(value, str):
        return value.strip()
    return ""


def unix_time(value: Any) -> datetime | None:
    """Seconds (WhatsApp, as a string) or milliseconds (Messenger, as a number) since the epoch."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and not isinstance(value, bool) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    # Past 100 000 000 000 it is milliseconds (in seconds that is the year 5138).
    value_s = value / 1000 if value > 100_000_000_000 else float(value)
    try:
        return datetime.fromtimestamp(value_s, UTC)
    except (OverflowError, OSError, ValueError):
        return None
