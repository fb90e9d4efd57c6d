"""What the fake keeps: chats, calls, delivered messages, injected failures, the webhook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TOKEN = "123456:TEST-token"
BOT_ID = 123456
BOT_FIRST_NAME = "Энергосбыт"
BOT_USERNAME = "energosbyt_test_bot"

# Update kinds a webhook or getUpdates gets when allowed_updates is [] or was never given.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
SEND_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})


def bot_user(bot_id: int = BOT_ID, *, full: bool = False) -> dict[str, Any]:
    """The bot as a `User`: short inside messages, with the capability flags from getMe."""
    user: dict[str, Any] = {
        "id": bot_id,
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
    }
    if full:
        user.update(
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
    return user


@dataclass
class Described:
    """A successful result that carries a description too (setWebhook's "Webhook was set")."""

    result: Any
    description: str


@dataclass
class Chat:
    id: int
    type: str = "private"
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    title: str | None = None
    started: bool = True  # a private chat whose user never pressed Start cannot be written to
    blocked: bool = False
    next_message_id: int = 1

    def as_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("title", "username", "first_name", "last_name"):
            if (value := getattr(self, name)) is not None:
                chat[name] = value
        return chat

    @property
    def group(self) -> bool:
        return self.type in ("group", "supergroup")


@dataclass
class Call:
    """One request as it arrived, whatever became of it."""

    method: str  # as the client spelled it
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float  # fake.clock() when it arrived
    filenames: dict[str, str] = field(default_factory=dict)
    encoding: str = "query"  # query | urlencoded | multipart | json
    status: int = 0  # HTTP status answered (0 while in flight)
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Sent:
    """A delivered message (sendMessage, sendDocument, sendPhoto) as Telegram would keep it."""

    method: str  # canonical: sendMessage | sendDocument | sendPhoto
    chat_id: int
    message_id: int
    params: dict[str, Any]
    message: dict[str, Any]  # the Message returned to the client
    files: dict[str, bytes] = field(default_factory=dict)
    filenames: dict[str, str] = field(default_factory=dict)
    at: float = 0.0

    @property
    def text(self) -> str | None:
        """The text as sent (markup included), or the caption of a document or photo."""
        return self.params.get("text", self.params.get("caption"))

    @property
    def plain_text(self) -> str | None:
        """What the user sees: the text after HTML parsing."""
        return self.message.get("text", self.message.get("caption"))

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        markup = self.reply_markup or {}
        return markup.get("inline_keyboard") or markup.get("keyboard") or []


@dataclass
class Throttle:
    """A 429 the fake answered."""

    method: str
    chat_id: int | str
    scope: str  # chat | group | global
    retry_after: int
    at: float


@dataclass
class Failure:
    """An injected error answer, used `times` times (None: until cleared)."""

    status: int
    description: str
    times: int | None = 1
    retry_after: int | None = None


@dataclass
class Delay:
    seconds: float
    times: int = 1


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    ip_address: str | None = None
    drop_pending_updates: bool = False
    last_error_date: int | None = None
    last_error_message: str | None = None

    def info(self, pending: int) -> dict[str, Any]:
        """getWebhookInfo as Telegram gives it: empty optional fields left out."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if not self.url:
            return info
        info["max_connections"] = self.max_connections
        if self.ip_address:
            info["ip_address"] = self.ip_address
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        if self.last_error_date:
            info.update(
                last_error_date=self.last_error_date, last_error_message=self.last_error_message
            )
        return info
