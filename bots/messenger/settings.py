"""The `messenger:` settings section."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator

from bots.messenger.tags import HUMAN_AGENT, NoticeTag
from bots.meta.settings import require_meta_secrets
from bots.plugin import ChannelSettings
from core.notices import Kind


class MessengerSettings(ChannelSettings):
    api_base: str = "https://graph.facebook.com/v23.0"
    # Secrets: only from ENERGOBOT_MESSENGER__PAGE_TOKEN, __APP_SECRET and __VERIFY_TOKEN.
    page_token: SecretStr = SecretStr("")
    app_secret: SecretStr = SecretStr("")
    verify_token: SecretStr = SecretStr("")
    rate_per_second: float = Field(300, ge=0)  # calls/s per page (the sender keeps a margin)
    chat_rate_per_second: float = Field(1, ge=0)
    chat_burst: int = Field(5, ge=1)
    # The message tag a notice kind goes with outside the 24-hour window, over the defaults of
    # bots/messenger/tags.py (visit_status: CONFIRMED_EVENT_UPDATE; debt_*, receipt_ready:
    # ACCOUNT_UPDATE); null: that kind has no tag and is not sent there.
    tags: dict[Kind, NoticeTag | None] = Field(default_factory=dict)

    @field_validator("tags", mode="before")
    @classmethod
    def _no_human_agent(cls, tags: Any) -> Any:
        if isinstance(tags, dict):
            for kind, tag in tags.items():
                if tag == HUMAN_AGENT:
                    raise ValueError(
                        f"messenger.tags.{kind}: HUMAN_AGENT is for an operator's own reply, "
                        "not an automatic notice (Meta's policy); use ACCOUNT_UPDATE, "
                        "CONFIRMED_EVENT_UPDATE or POST_PURCHASE_UPDATE, or null for none"
                    )
        return tags

    @model_validator(mode="after")
    def _secrets_when_enabled(self) -> MessengerSettings:
        if self.enabled:
            require_meta_secrets("messenger", self.page_token, self.app_secret, self.verify_token)
        return self
