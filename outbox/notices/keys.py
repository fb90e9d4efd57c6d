"""Once-only keys of things imported or typed twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.outages import settlement_key, street_key

_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.replace("ё", "е").replace("Ё", "Е")).strip().casefold()


def outage_key(settlement: str, street: str, houses: str, starts_at: datetime, kind: str) -> str:
    """The same interruption, whether imported twice or typed again: a re-import adds nothing."""
    start = starts_at.astimezone(UTC).isoformat(timespec="minutes")
    # As the addresses are matched: «г. Пермь» is «Пермь», «улица Ленина» is «ул. Ленина».
    name, street_type = street_key(street)
    place = (settlement_key(settlement), name, street_type, _norm(houses))
    return "|".join((*place, start, kind))[:400]
