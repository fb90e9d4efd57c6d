"""The `max:` settings section."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from bots.plugin import ChannelSettings
from bots.setting_errors import SettingError, env_name, offending, secret_shape

# POST /subscriptions takes a secret of this shape and MAX echoes it in every update's header.
SECRET_PATTERN = r"[a-zA-Z0-9_-]{5,256}"
_BASE = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")


class MaxSettings(ChannelSettings):
    mode: Literal["webhook", "polling"] = "webhook"
    # Paths such as /messages are appended; platform-api.max.ru is the older host.
    api_base: str = "https://platform-api2.max.ru"
    # Secrets: only from ENERGOBOT_MAX__TOKEN and ENERGOBOT_MAX__WEBHOOK_SECRET.
    token: SecretStr = SecretStr("")
    webhook_secret: SecretStr = SecretStr("")
    # MAX: 30 requests/s for the bot, 2 messages/s to one chat, with no burst documented.
    rate_per_second: float = Field(30, ge=0)
    chat_rate_per_second: float = Field(2, ge=0)
    chat_burst: int = Field(1, ge=1)
    # GET /updates waits at most 90 s for an update (MAX's maximum).
    polling_timeout_seconds: int = Field(30, ge=0, le=90)

    @model_validator(mode="after")
    def _usable_when_enabled(self) -> MaxSettings:
        if not _BASE.fullmatch(self.api_base):
            raise ValueError(
                f"max.api_base {self.api_base!r} is not a base URL like "
                "https://platform-api2.max.ru (no query; paths such as /messages are appended)"
            )
        if not self.enabled:
            return self
        token = self.token.get_secret_value()
        if not token:
            raise SettingError(
                env_name("max", "token"),
                "max is enabled: the bot's token (business.max.ru → Чат-боты → Интеграция)",
            )
        if not token.isprintable() or any(c.isspace() for c in token):
            raise SettingError(
                env_name("max", "token"),
                "the token alone, without quotes or the word Bearer; "
                + secret_shape(token, r"\x21-\x7e\u00a0-\U0010ffff"),
            )
        if self.mode == "webhook":
            problem = secret_problem(self.webhook_secret.get_secret_value())
            if problem:
                raise SettingError(
                    env_name("max", "webhook_secret"),
                    "MAX takes 5-256 characters of A-Z a-z 0-9 _ - (or set max.mode: polling); "
                    f"the value given {problem}",
                )
        return self


def secret_problem(secret: str) -> str:
    """What is wrong with a webhook secret, in words ("" when nothing is)."""
    if not secret:
        return "is not set"
    if len(secret) < 5:
        return f"is {len(secret)} characters long, too short"
    if len(secret) > 256:
        return f"is {len(secret)} characters long, too long"
    if not re.fullmatch(SECRET_PATTERN, secret):
        return f"contains {', '.join(offending(secret, 'a-zA-Z0-9_-'))}"
    return ""
