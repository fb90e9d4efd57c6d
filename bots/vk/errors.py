"""VK API errors and what each means for the outbox sender.

VK answers a refused call with HTTP 200 and `{"error": {"error_code", "error_msg",
"request_params"}}`; decisions are taken on the code (VKCOM/vk-api-schema `errors.json`),
never on the message text.
"""

from __future__ import annotations

import logging
from typing import Any

from bots.channel import SendError

log = logging.getLogger(__name__)

UNREACHED = -1  # no VK answer at all: a timeout, a refused connection, a proxy's page

# Rate limits, with the wait before the row is tried again: 6 is the 20 requests/s of a
# community token (the next second will do), 9 flood control (too many messages, or the same
# text again and again: back off for longer), 29 a method's daily quota.
RATE_LIMITS: dict[int, float] = {6: 1.0, 9: 30.0, 29: 600.0}
# The community token is wrong, revoked or lacks the messages permission (5 user authorization,
# 7 permission, 15 access denied, 27 group authorization, 28 application authorization).
# Nothing is wrong with the message: it waits (with backoff) until an administrator fixes
# ENERGOBOT_VK__TOKEN, and the refusal is logged loudly — as Telegram's, Viber's and MAX's.
AUTH = frozenset({5, 7, 15, 27, 28})
# The customer cannot get messages from the community: 900 blacklisted by the community,
# 901 messages not allowed (they never wrote, or pressed «forbid messages»), 902 their privacy
# settings, 18 the page was deleted or banned. Nothing goes out until they write again.
UNREACHABLE = frozenset({18, 900, 901, 902})
KEYBOARD_INVALID = 911
BOT_FEATURES_OFF = 912  # a keyboard while the community has "bot capabilities" switched off
TOO_LONG = 914
# The message as it is was refused: sending it again changes nothing (100 a bad parameter,
# 113 a bad user id, 910/914 too big, 911 keyboard, 913 forwards, 917/927/932/945/946 a chat
# or peer the community may not write to, 936 contact not found, 950 reply timed out,
# 985 a notifications-only community).
REFUSED = frozenset(
    {100, 113, 910, 911, 912, 913, 914, 917, 921, 925, 927, 932, 936, 945, 946, 950, 985}
)


class VkApiError(Exception):
    """A call VK refused (its error_code) or that got no VK answer (code UNREACHED)."""

    def __init__(
        self,
        code: int,
        message: str,
        method: str = "",
        *,
        http_status: int = 200,
        retry_after: float | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.method = method
        self.http_status = http_status
        self.retry_after = retry_after  # an HTTP 429's Retry-After
        where = f" in {method}" if method else ""
        label = "vk" if code == UNREACHED else f"vk error {code}"
        text = f"{label}{where}: {message}"
        super().__init__(text)

    @classmethod
    def parse(cls, body: Any, method: str = "") -> VkApiError | None:
        """The error of an answer, or None when the answer is no error."""
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return None
        code = error.get("error_code")
        if not isinstance(code, int) or isinstance(code, bool):
            code = UNREACHED
        message = error.get("error_msg")
        return cls(code, message if isinstance(message, str) else "unknown error", method)


def send_error(error: VkApiError) -> SendError:
    """Classify a refused messages.send for the sender."""
    reason = str(error)
    code = error.code
    if code in RATE_LIMITS:
        return SendError(reason, retry_after=error.retry_after or RATE_LIMITS[code])
    if error.http_status == 429:
        return SendError(reason, retry_after=error.retry_after or 1.0)
    if code in UNREACHABLE:
        return SendError(reason, blocks=True)
    if code in AUTH:
        log.error(
            "VK refused the community token (%s): set ENERGOBOT_VK__TOKEN to a community token "
            "with the messages permission",
            reason,
        )
        return SendError(
            f"{reason} — the community token is refused: ENERGOBOT_VK__TOKEN must be a valid "
            "community token with the messages permission"
        )
    if code in REFUSED:
        return SendError(reason, permanent=True)
    # 1 unknown, 10 internal, 36 timeout, HTTP errors, no answer: tried again after backoff.
    return SendError(reason)
