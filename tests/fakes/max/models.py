"""What the fake keeps: users, calls, messages it accepted, answers, subscriptions, uploads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TOKEN = "f9LHodD0cOKfAkE_tOkEn-4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"
BOT_ID = 271648516
BOT_NAME = "Энергосбыт"
# Message seq numbers are 64-bit: start far above 2^53 so a client that loses precision (a
# float) is caught.
FIRST_SEQ = 117_052_520_019_991_875


@dataclass
class User:
    id: str
    first_name: str = "Иван"
    last_name: str = "Петров"
    locale: str = "ru"
    started: bool = True  # pressed Start or wrote: the bot may write
    blocked: bool = False  # stopped the bot: 403 chat.denied

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": int(self.id),
            "first_name": self.first_name,
            "last_name": self.last_name,
            "is_bot": False,
            "last_activity_time": 1786079712000,
            "name": f"{self.first_name} {self.last_name}".strip(),
        }


@dataclass
class Call:
    """One request as it arrived, whatever became of it."""

    method: str
    path: str
    params: dict[str, str]
    body: Any  # decoded JSON; None when there was none or it was not JSON
    headers: dict[str, str]
    at: float
    status: int = 0
    response: Any = None


@dataclass
class Sent:
    """A message MAX accepted for a user."""

    user_id: str
    body: dict[str, Any]
    mid: str
    at: float

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    @property
    def attachments(self) -> list[dict[str, Any]]:
        return list(self.body.get("attachments") or [])

    @property
    def keyboard(self) -> list[list[dict[str, Any]]] | None:
        for attachment in self.attachments:
            if attachment.get("type") == "inline_keyboard":
                return list(attachment["payload"]["buttons"])
        return None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [button for row in self.keyboard or [] for button in row]


@dataclass
class Answer:
    """A POST /answers MAX accepted."""

    callback_id: str
    body: dict[str, Any]
    at: float


@dataclass
class Failure:
    status: int
    code: str
    message: str
    times: int | None
    retry_after: int | None = None


@dataclass
class Subscription:
    url: str
    time: int
    update_types: list[str] | None
    secret: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "time": self.time, "update_types": self.update_types}


@dataclass
class Upload:
    token: str
    kind: str
    filename: str = ""
    content: bytes = b""
    uploaded: bool = False
    not_ready: int = 0  # sends refused with attachment.not.ready before it is processed


@dataclass
class Pending:
    """An update waiting for GET /updates."""

    seq: int
    update: dict[str, Any]
    confirmed: bool = False


@dataclass
class Clicks:
    """Callback ids the fake made for presses, by user (an answer must name one)."""

    issued: dict[str, str] = field(default_factory=dict)  # callback_id → user_id
