"""Viber's status codes (REST Bot API, "Errors") and the status_message texts Viber sends."""

from __future__ import annotations

OK = 0
INVALID_URL = 1
INVALID_AUTH_TOKEN = 2
BAD_DATA = 3
MISSING_DATA = 4
RECEIVER_NOT_REGISTERED = 5
RECEIVER_NOT_SUBSCRIBED = 6
PUBLIC_ACCOUNT_BLOCKED = 7
PUBLIC_ACCOUNT_NOT_FOUND = 8
PUBLIC_ACCOUNT_SUSPENDED = 9
WEBHOOK_NOT_SET = 10
RECEIVER_NO_SUITABLE_DEVICE = 11
TOO_MANY_REQUESTS = 12
API_VERSION_NOT_SUPPORTED = 13

NAMES = {
    OK: "ok",
    INVALID_URL: "invalidUrl",
    INVALID_AUTH_TOKEN: "invalidAuthToken",
    BAD_DATA: "badData",
    MISSING_DATA: "missingData",
    RECEIVER_NOT_REGISTERED: "receiverNotRegistered",
    RECEIVER_NOT_SUBSCRIBED: "receiverNotSubscribed",
    PUBLIC_ACCOUNT_BLOCKED: "publicAccountBlocked",
    PUBLIC_ACCOUNT_NOT_FOUND: "publicAccountNotFound",
    PUBLIC_ACCOUNT_SUSPENDED: "publicAccountSuspended",
    WEBHOOK_NOT_SET: "webhookNotSet",
    RECEIVER_NO_SUITABLE_DEVICE: "receiverNoSuitableDevice",
    TOO_MANY_REQUESTS: "tooManyRequests",
    API_VERSION_NOT_SUPPORTED: "apiVersionNotSupported",
}
MISSING_AUTH_TOKEN = "missing_auth_token"  # the documented message without a token


class ViberError(Exception):
    """An answer {"status": n, "status_message": ...} (HTTP 200, as Viber answers)."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message or NAMES.get(status, "generalError"))
        self.status = status
        self.message = message or NAMES.get(status, "generalError")
