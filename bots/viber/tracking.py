"""tracking_data: what the bot's last message showed, echoed back by Viber with the customer's
next message. It tells a pressed reply button (its ActionBody arrives as plain text) from typed
text, and whether the share-phone button was on screen when a contact arrives."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

TRACKING_MAX = 4000  # characters Viber keeps
_VERSIONED = re.compile(r"^(\d+):")
# An engine payload ("12:yes", "go:readings", "#3"): the fallback when no tracking came back.
PAYLOAD_SHAPE = re.compile(r"^(?:\d+:\S+|go:[a-z_]+|#\d+)$")
_MARK = "eb"  # marks our own tracking data among whatever else a body may carry


@dataclass(frozen=True, slots=True)
class Tracking:
    version: int | None  # the conversation's state version the buttons belong to
    payloads: tuple[str, ...]  # ActionBody of every reply button shown
    phone: bool  # the share-phone button was shown

    @classmethod
    def of(cls, payloads: tuple[str, ...], phone: bool) -> Tracking:
        versions = (m[1] for p in payloads if (m := _VERSIONED.match(p)))
        version = next(versions, None)
        return cls(int(version) if version is not None else None, payloads, phone)

    def encode(self) -> str:
        body: dict[str, Any] = {_MARK: 1, "v": self.version, "b": list(self.payloads)}
        if self.phone:
            body["p"] = 1
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        if len(text) > TRACKING_MAX:  # cannot happen within LIMITS; never refuse a send over it
            body["b"] = []
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return text


def decode(raw: Any) -> Tracking | None:
    """Our tracking data, or None for none or anything else."""
    if not isinstance(raw, str) or not raw.startswith("{"):
        return None
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict) or body.get(_MARK) != 1:
        return None
    version = body.get("v")
    payloads = body.get("b")
    if not isinstance(payloads, list):
        payloads = []
    return Tracking(
        version if isinstance(version, int) and not isinstance(version, bool) else None,
        tuple(p for p in payloads if isinstance(p, str)),
        body.get("p") == 1,
    )
