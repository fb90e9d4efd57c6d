"""The `messenger:` settings section."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from bots.meta.settings import require_meta_secrets
from bots.plugin import ChannelSettings


class MessengerSettings(ChannelSettings):
    api_base: str = "https://graph.facebook.com/v23.0"
    # Secrets: only from ENERGOBOT_MESSENGER__PAGE_TOKEN, __APP_SECRET and __VERIFY_TOKEN.
    page_token: SecretStr = SecretStr("")
    app_secret: SecretStr = SecretStr("")
    verify_token: SecretStr = SecretStr("")
    rate_per_second: float = Field(300, ge=0)  # calls/s per page (the sender keeps a margin)
    chat_rate_per_second: float = Field(1, ge=0)
    chat_burst: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _secrets_when_enabled(self) -> MessengerSettings:
        if self.enabled:
            require_meta_secrets("messenger", self.page_token, self.app_secret, self.verify_token)
        return self
