"""Once-only keys of things imported or typed twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.replace("ё", "е").replace("Ё", "Е")).strip().casefold()


def outage_key(settlement: str, street: str, houses: str, starts_at: datetime, kind: str) -> str:
    """The same interruption, whether imported twice or typed again: a re-import adds nothing."""
    start = starts_at.astimezone(UTC).isoformat(timespec="minutes")
    return "|".join((_norm(settlement), _norm(street), _norm(houses), start, kind))[:400]
