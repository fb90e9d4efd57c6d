"""The `telegram:` settings section."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from bots.plugin import ChannelSettings
from bots.setting_errors import SettingError, env_name, secret_shape

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
        shape = "a bot token is digits, a colon, then letters, digits, _ or - (123456:ABC...)"
        if not token:
            raise SettingError(env_name("telegram", "token"), f"telegram is enabled: {shape}")
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            given = secret_shape(token, "A-Za-z0-9_:-")
            if ":" not in token:
                given += " and no colon"
            raise SettingError(env_name("telegram", "token"), f"{shape}; {given}")
        secret = self.webhook_secret.get_secret_value()
        if self.mode == "webhook" and not re.fullmatch(SECRET_TOKEN, secret):
            raise SettingError(
                env_name("telegram", "webhook_secret"),
                "in webhook mode it must be 1-256 characters of A-Z a-z 0-9 _ -; "
                + secret_shape(secret, "A-Za-z0-9_-"),
            )
        return self
