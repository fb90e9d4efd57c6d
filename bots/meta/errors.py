"""The Graph API error shape and what each code means for the outbox sender.

`{"error": {"message", "type", "code", "error_subcode"?, "error_data"?: {"details"}, "fbtrace_id",
"is_transient"?}}` — decisions are taken on `code` (+ `error_subcode`), never on message texts,
which Meta rewords.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bots.channel import SendError

log = logging.getLogger(__name__)

# Rate limits, with the wait used when the answer has no Retry-After: the app's call limit (4) and
# the account's (80007) are counted per hour, WhatsApp's throughput (130429) per second, its pair
# rate (131056) allows about one message per 6 s to one user, 131048 is the spam-rate limit.
RATE_LIMITS: dict[int, float] = {
    4: 60.0,
    17: 60.0,
    32: 60.0,
    613: 60.0,
    80007: 60.0,
    130429: 1.0,
    131056: 6.0,
    131048: 60.0,
}
WINDOW_CLOSED = 131047  # WhatsApp: more than 24 h since the customer wrote: templates only
UNDELIVERABLE = 131026  # WhatsApp: the number cannot receive this message
# Messenger: (10, 2018278) sent outside the allowed window.
OUTSIDE_WINDOW = (10, 2018278)
# The person cannot be reached at all until they write again.
UNREACHABLE_CODES = frozenset({551})
UNREACHABLE_SUBCODES = frozenset({1545041, 2018001, 2018108})
# The token is wrong, expired or lacks a permission: nothing will go out until an administrator
# fixes it, and then everything waiting should go — transient, logged loudly.
AUTH_CODES = frozenset({0, 102, 190, 10, 200, 299})
# Meta's side failed: try again.
TRANSIENT_CODES = frozenset({1, 2, 131000, 131016, 133004})


@dataclass(frozen=True, slots=True)
class GraphError:
    status: int  # HTTP status
    code: int | None
    subcode: int | None = None
    message: str = ""
    kind: str = ""  # "type": OAuthException, GraphMethodException ...
    details: str = ""  # error_data.details (WhatsApp)
    fbtrace_id: str = ""
    transient: bool = False  # "is_transient": Meta's own hint

    @classmethod
    def parse(cls, status: int, body: Any) -> GraphError:
        """From an error answer; a body that is not Graph's shape (a proxy's HTML page) keeps
        only the status."""
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return cls(status, None, message=f"HTTP {status}")
        data = error.get("error_data")
        details = data.get("details") if isinstance(data, dict) else data
        return cls(
            status=status,
            code=_int(error.get("code")),
            subcode=_int(error.get("error_subcode")),
            message=str(error.get("message") or error.get("error_user_msg") or ""),
            kind=str(error.get("type") or ""),
            details=str(details or ""),
            fbtrace_id=str(error.get("fbtrace_id") or ""),
            transient=error.get("is_transient") is True,
        )

    def describe(self) -> str:
        code = "?" if self.code is None else str(self.code)
        if self.subcode is not None:
            code = f"{code}/{self.subcode}"
        text = self.message or self.kind or f"HTTP {self.status}"
        if self.details and self.details not in text:
            text = f"{text} — {self.details}"
        trace = f" [fbtrace {self.fbtrace_id}]" if self.fbtrace_id else ""
        return f"graph error {code}: {text}{trace}"


def send_error(error: GraphError, retry_after: float | None = None) -> SendError:
    """Classify a refused send for the sender (retry_after: the answer's Retry-After, if any)."""
    reason = error.describe()
    code, subcode = error.code, error.subcode
    if code in RATE_LIMITS:
        return SendError(reason, retry_after=retry_after or RATE_LIMITS[code])
    if error.status == 429:
        return SendError(reason, retry_after=retry_after or 60.0)
    if code in UNREACHABLE_CODES or subcode in UNREACHABLE_SUBCODES:
        return SendError(reason, blocks=True)
    if code == WINDOW_CLOSED or (code, subcode) == OUTSIDE_WINDOW:
        return SendError(reason, permanent=True)
    if code == UNDELIVERABLE:
        return SendError(reason, permanent=True)
    if code in AUTH_CODES:
        log.error("the Graph API refused our access token or its permissions: %s", reason)
        return SendError(reason)
    if code in TRANSIENT_CODES or error.transient or error.status >= 500 or code is None:
        return SendError(reason)
    # Any other 4xx with a code: the message is refused as it is (a parameter, a type, a
    # recipient outside the test allow-list); sending it again changes nothing.
    return SendError(reason, permanent=error.status < 500)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None
