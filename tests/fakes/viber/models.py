"""What the fake keeps: users, calls, delivered messages, injected failures, the webhook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TOKEN = "4a5b6c7d8e9f0a1b-2c3d4e5f6a7b8c9d-0e1f2a3b4c5d6e7f"
ACCOUNT_ID = "pa:5781234567890123456"
ACCOUNT_NAME = "Энергосбыт"
# Viber's message tokens are 64-bit: start far above 2^53 so a client that loses precision
# (a float) is caught.
FIRST_TOKEN = 5_491_234_567_890_123_457


@dataclass
class User:
    id: str
    name: str = "Иван Петров"
    language: str = "ru"
    country: str = "RU"
    api_version: int = 10
    subscribed: bool = True
    # Messages since the user's last reply (Viber's 100-per-hour rule, status 12).
    unanswered: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "avatar": "https://media-direct.cdn.viber.com/download_photo?dlid=test&fltp=jpg",
            "language": self.language,
            "country": self.country,
            "api_version": self.api_version,
        }


@dataclass
class Call:
    """One request as it arrived, whatever became of it."""

    endpoint: str
    body: dict[str, Any]  # {} when it was not JSON
    headers: dict[str, str]
    size: int  # bytes of the body
    at: float  # fake.clock()
    status: int = -1  # Viber's JSON status answered (-1 for an HTTP-level error)
    http_status: int = 200
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sent:
    """A message Viber accepted for a user."""

    receiver: str
    body: dict[str, Any]
    message_token: int

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    @property
    def keyboard(self) -> dict[str, Any] | None:
        return self.body.get("keyboard")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return list((self.keyboard or {}).get("Buttons", []))

    @property
    def tracking_data(self) -> str | None:
        return self.body.get("tracking_data")


@dataclass
class Failure:
    status: int  # Viber's status; 0 with http_status set: an HTTP-level error
    message: str
    times: int | None
    http_status: int = 200
    retry_after: int | None = None  # with http_status 429: the Retry-After header


@dataclass
class Webhook:
    url: str = ""
    event_types: list[str] = field(default_factory=list)
    send_name: bool = False
    send_photo: bool = False
