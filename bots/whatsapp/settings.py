"""The `whatsapp:` settings section."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from bots.meta.settings import require_meta_secrets
from bots.plugin import ChannelSettings
from core.notices import Kind

# A notice's value names (amount, due, account ...): letters, digits and underscores.
_VALUE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class WhatsAppTemplate(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=512)  # as approved in WhatsApp Manager
    language: str = Field(min_length=2, max_length=15)  # its language code, e.g. ru or en_US
    # The notice's values that fill the body's {{1}}, {{2}} ... in order, by name.
    parameters: list[str] = Field(default_factory=list)

    @field_validator("parameters")
    @classmethod
    def _value_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not _VALUE_NAME.fullmatch(name):
                raise ValueError(
                    f"{name!r} is not a notice value's name (letters, digits, _; e.g. amount, due)"
                )
        return names


class WhatsAppSettings(ChannelSettings):
    api_base: str = "https://graph.facebook.com/v23.0"
    phone_number_id: str = ""  # the business number's id (WhatsApp Manager → API setup)
    # Secrets: only from ENERGOBOT_WHATSAPP__TOKEN, __APP_SECRET and __VERIFY_TOKEN.
    token: SecretStr = SecretStr("")
    app_secret: SecretStr = SecretStr("")
    verify_token: SecretStr = SecretStr("")
    # Approved templates a notice goes as outside the 24-hour window, by its kind (Reply.template);
    # a kind without one is not sent there (refused: no_template).
    templates: dict[Kind, WhatsAppTemplate] = Field(default_factory=dict)
    rate_per_second: float = Field(80, ge=0)  # per number (the sender keeps a margin under it)
    chat_rate_per_second: float = Field(0.16, ge=0)  # the pair rate: about one per 6 s ...
    chat_burst: int = Field(10, ge=1)  # ... after a burst

    @model_validator(mode="after")
    def _secrets_when_enabled(self) -> WhatsAppSettings:
        if not self.enabled:
            return self
        if not self.phone_number_id:
            raise ValueError("whatsapp is enabled: set whatsapp.phone_number_id")
        if not re.fullmatch(r"\d{5,32}", self.phone_number_id):
            raise ValueError(
                "whatsapp.phone_number_id must be the number's id (5-32 digits, WhatsApp "
                "Manager → API setup), not the phone number itself"
            )
        require_meta_secrets("whatsapp", self.token, self.app_secret, self.verify_token)
        return self
