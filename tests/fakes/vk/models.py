"""What the fake keeps: the community, its users, calls, sent messages, presses, failures."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

TOKEN = "vk1.a.FaKe-CoMmUnItY_tOkEn.0123456789abcdefghijklmnopqrstuvwxyz"
GROUP_ID = 218730916
SECRET = "Xq7pL2mN9rT4vB8c"  # the Callback API server's secret key
CONFIRMATION = "693d0ba9"  # the string the server must return
API_VERSION = "5.199"
GROUP_NAME = "Энергосбыт"
FIRST_MESSAGE_ID = 7000  # message ids in the community's dialogs


@dataclass
class User:
    id: int
    first_name: str = "Иван"
    last_name: str = "Петров"
    lang_id: int = 0  # ru
    allowed: bool = True  # may get messages from the community (message_allow / _deny)


@dataclass
class Call:
    """One request as it arrived, whatever became of it."""

    method: str
    params: dict[str, str]  # the form (or query) fields, access_token included if sent so
    headers: dict[str, str]
    at: float  # fake.clock()
    error_code: int = 0  # VK's error_code answered; 0: a response
    http_status: int = 200
    response: Any = None
    repeated: bool = False  # messages.send with a random_id already used: nothing delivered


@dataclass
class Sent:
    """A message VK accepted for a user."""

    peer_id: int
    message: str
    keyboard: dict[str, Any] | None
    random_id: int
    message_id: int
    params: dict[str, str]

    @property
    def text(self) -> str:
        return self.message

    @property
    def inline(self) -> bool:
        return bool((self.keyboard or {}).get("inline"))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The keyboard's buttons row by row, flattened."""
        return [button for row in (self.keyboard or {}).get("buttons", []) for button in row]

    @property
    def labels(self) -> list[str]:
        return [str(button["action"].get("label", "")) for button in self.buttons]

    def payload_of(self, label: str) -> dict[str, Any]:
        """The decoded payload of the button whose label contains `label`."""
        for button in self.buttons:
            if label.casefold() in str(button["action"].get("label", "")).casefold():
                return dict(json.loads(button["action"]["payload"]))
        raise AssertionError(f"no button {label!r} in {self.labels}")


@dataclass
class Press:
    """A callback button's press the fake sent as message_event, and its answer."""

    event_id: str
    user_id: int
    peer_id: int
    answers: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Failure:
    code: int  # VK's error_code; 0 with http_status set: an HTTP-level error
    detail: str
    times: int | None
    http_status: int = 200
    retry_after: int | None = None
    after: int = 0  # calls that still go through before this failure starts
