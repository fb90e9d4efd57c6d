"""The `telegram:` settings section."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from bots.plugin import ChannelSettings

# Telegram's secret_token: what setWebhook accepts and echoes in every update's header.
SECRET_TOKEN = r"[A-Za-z0-9_-]{1,256}"


class TelegramSettings(ChannelSettings):
    mode: Literal["webhook", "polling"] = "webhook"
    api_base: str = "https://api.telegram.org"
    # Secrets: only from ENERGOBOT_TELEGRAM__TOKEN and ENERGOBOT_TELEGRAM__WEBHOOK_SECRET.
    token: SecretStr = SecretStr("")
    webhook_secret: SecretStr = SecretStr("")
    rate_per_second: float = Field(30, ge=0)
    chat_rate_per_second: float = Field(1, ge=0)
    chat_burst: int = Field(3, ge=1)
    polling_timeout_seconds: int = Field(25, ge=0, le=50)

    @model_validator(mode="after")
    def _secrets_when_enabled(self) -> TelegramSettings:
        if not self.enabled:
            return self
        token = self.token.get_secret_value()
        if not token:
            raise ValueError("telegram is enabled: set ENERGOBOT_TELEGRAM__TOKEN (123456:ABC...)")
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            raise ValueError(
                "telegram is enabled, but ENERGOBOT_TELEGRAM__TOKEN is not a bot token: "
                "digits, a colon, then letters, digits, _ or - (123456:ABC...)"
            )
        secret = self.webhook_secret.get_secret_value()
        if self.mode == "webhook" and not re.fullmatch(SECRET_TOKEN, secret):
            missing = "set" if not secret else "fix"
            raise ValueError(
                f"telegram webhook mode: {missing} ENERGOBOT_TELEGRAM__WEBHOOK_SECRET "
                "(1-256 characters of A-Z a-z 0-9 _ -)"
            )
        return self
