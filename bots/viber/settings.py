"""The `viber:` settings section."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, model_validator

from bots.plugin import ChannelSettings
from bots.setting_errors import SettingError, env_name, secret_shape


class ViberSettings(ChannelSettings):
    api_base: str = "https://chatapi.viber.com/pa"
    # Secret: only from ENERGOBOT_VIBER__TOKEN (it also signs the callbacks).
    token: SecretStr = SecretStr("")
    sender_name: str = Field("Энергосбыт", min_length=1)  # cut to Viber's 28 characters
    avatar_url: str = ""  # the sender's picture (a public URL, <= 100 KB); empty: none
    # Messages outside the 24-hour session a customer's message opens are paid by the bot.
    allow_bot_initiated: bool = False
    rate_per_second: float = Field(30, ge=0)
    chat_rate_per_second: float = Field(1, ge=0)
    chat_burst: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _token_when_enabled(self) -> ViberSettings:
        token = self.token.get_secret_value()
        shape = (
            "an auth token is 8-256 characters of A-Z a-z 0-9 _ = -, as the Viber admin panel "
            "shows it"
        )
        if self.enabled and not token:
            raise SettingError(env_name("viber", "token"), f"viber is enabled: {shape}")
        if self.enabled and not re.fullmatch(r"[A-Za-z0-9_=-]{8,256}", token):
            given = secret_shape(token, "A-Za-z0-9_=-")
            raise SettingError(env_name("viber", "token"), f"{shape}; {given}")
        return self
