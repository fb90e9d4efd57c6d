"""VK API error codes (VKCOM/vk-api-schema `errors.json`) and the messages VK sends with them."""

from __future__ import annotations

UNKNOWN = 1
UNKNOWN_METHOD = 3
AUTH = 5
TOO_MANY = 6
PERMISSION = 7
INVALID_REQUEST = 8
FLOOD = 9
INTERNAL = 10
ACCESS = 15
PARAM = 100
DENY_SEND = 901
PRIVACY = 902
KEYBOARD_INVALID = 911
BOT_FEATURES_OFF = 912
TOO_LONG = 914
CHAT_NO_ACCESS = 917

MESSAGES = {
    UNKNOWN: "Unknown error occurred",
    UNKNOWN_METHOD: "Unknown method passed",
    AUTH: "User authorization failed: invalid access_token (4).",
    TOO_MANY: "Too many requests per second",
    PERMISSION: "Permission to perform this action is denied",
    INVALID_REQUEST: "Invalid request: v (version) is required",  # unverified text
    FLOOD: "Flood control",
    INTERNAL: "Internal server error",
    ACCESS: "Access denied",
    PARAM: "One of the parameters specified was missing or invalid",
    DENY_SEND: "Can't send messages for users without permission",
    PRIVACY: "Can't send messages to this user due to their privacy settings",
    KEYBOARD_INVALID: "Keyboard format is invalid",
    BOT_FEATURES_OFF: "This is a chat bot feature, change this status in settings",
    TOO_LONG: "Message is too long",
    CHAT_NO_ACCESS: "You don't have access to this chat",
}


class VkError(Exception):
    """An answer {"error": {"error_code", "error_msg", "request_params"}} (HTTP 200)."""

    def __init__(self, code: int, detail: str = "") -> None:
        message = MESSAGES.get(code, "Unknown error occurred")
        self.code = code
        self.message = f"{message}: {detail}" if detail else message
        super().__init__(self.message)
