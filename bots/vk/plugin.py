"""VK community messages as a channel plug-in: the `vk:` settings section and how the channel
is built, mounted (POST /webhooks/vk) and set up. Light on purpose: aiohttp clients and the
parser are imported when a method needs them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr, model_validator

from bots.channel import Channel, Rates
from bots.plugin import ChannelSettings, Host, Mounted, Pipeline, Plugin, SetupError

if TYPE_CHECKING:
    from aiohttp import web

    from bots.plugin import WebhookAdmin

WEBHOOK_PATH = "/webhooks/vk"
MIN_API_VERSION = (5, 103)  # message_new as {message, client_info}; callback buttons
_PRINTABLE = re.compile(r"[\x21-\x7e]+")  # ASCII without spaces: what VK's keys are made of
_URL = re.compile(r"https?://[^\s/]+(/\S*)?")


class VkSettings(ChannelSettings):
    enabled: bool = False
    api_base: str = "https://api.vk.com/method"  # a method is called as <api_base>/<method>
    group_id: int = 0  # the community's number: 218730916 for vk.com/club218730916
    api_version: str = "5.199"  # `v` of every call; the Callback API server's version too
    # Secrets: only from ENERGOBOT_VK__TOKEN, ENERGOBOT_VK__SECRET, ENERGOBOT_VK__CONFIRMATION.
    token: SecretStr = SecretStr("")  # a community token with the messages permission
    secret: SecretStr = SecretStr("")  # the Callback API server's secret key
    confirmation: SecretStr = SecretStr("")  # the string the server must return
    # A community token may make 20 requests per second. VK documents no per-dialog rate;
    # a few messages back to back, then one a second keeps clear of flood control (error 9).
    rate_per_second: float = Field(20, ge=0)
    chat_rate_per_second: float = Field(1, ge=0)
    chat_burst: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> VkSettings:
        if self.enabled and (problems := self.problems()):
            raise ValueError("vk is enabled, but " + "; ".join(problems))
        return self

    def problems(self) -> list[str]:
        """What keeps the channel from working, each said so that it can be fixed."""
        found: list[str] = []
        if self.group_id == 0:
            found.append(
                "vk.group_id is not set: the community's number (218730916 for "
                "vk.com/club218730916; Manage → API usage shows it)"
            )
        elif self.group_id < 0:
            found.append(
                f"vk.group_id is {self.group_id}: write the community's number without the "
                f"minus ({-self.group_id}); the minus belongs to owner ids, not to group_id"
            )
        if not _URL.fullmatch(self.api_base):
            found.append(f"vk.api_base {self.api_base!r} is not an http(s) URL")
        version = re.fullmatch(r"(\d+)\.(\d+)", self.api_version)
        if version is None or (int(version[1]), int(version[2])) < MIN_API_VERSION:
            found.append(
                f"vk.api_version {self.api_version!r}: must be 5.103 or later, written like "
                "5.199 (the Callback API server in VK must be set to the same version)"
            )
        found += _secret_problems(
            "ENERGOBOT_VK__TOKEN",
            self.token,
            "the community's access token with the messages permission (Manage → API usage "
            "→ Access tokens)",
            1024,
        )
        found += _secret_problems(
            "ENERGOBOT_VK__SECRET",
            self.secret,
            "the Callback API server's secret key (Manage → API usage → Callback API → Server "
            "settings); VK sends it with every event",
            50,
        )
        found += _secret_problems(
            "ENERGOBOT_VK__CONFIRMATION",
            self.confirmation,
            "the string the server must return, shown in Callback API → Server settings",
            64,
        )
        return found


def _secret_problems(name: str, value: SecretStr, what: str, longest: int) -> list[str]:
    text = value.get_secret_value()
    if not text:
        return [f"{name} is not set: {what}"]
    if not _PRINTABLE.fullmatch(text):
        return [f"{name} has spaces or characters VK never puts there: copy it again ({what})"]
    if len(text) > longest:
        return [f"{name} is {len(text)} characters long; VK's is at most {longest}"]
    return []


class VkPlugin(Plugin[VkSettings]):
    name = "vk"
    settings_model = VkSettings
    secrets = ("token", "secret", "confirmation")
    webhook_path = WEBHOOK_PATH
    verified_phone = False  # VK has no share-phone button: a phone is typed, it links nothing

    def build(self, settings: VkSettings, host: Host) -> Channel:
        from bots.attachments import MediaLinks
        from bots.vk.api import VkApi
        from bots.vk.channel import VkChannel

        api = VkApi(
            settings.token.get_secret_value(),
            settings.api_base,
            settings.api_version,
            host.send_timeout_seconds,
        )
        rates = Rates(settings.rate_per_second, settings.chat_rate_per_second, settings.chat_burst)
        return VkChannel(api, rates, MediaLinks(host.media_url, host.media_link_days))

    def mount(
        self,
        app: web.Application,
        settings: VkSettings,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        from bots.vk.channel import VkChannel
        from bots.vk.receiver import VkReceiver
        from bots.vk.webhook import VkWebhook

        if not isinstance(channel, VkChannel):
            raise TypeError(f"vk mounts the channel its build() made, not {channel!r}")
        receiver = VkReceiver(pipeline, channel)
        webhook = VkWebhook(
            settings.group_id,
            settings.secret.get_secret_value(),
            settings.confirmation.get_secret_value(),
            receiver,
            host.max_body_bytes,
        )
        app.router.add_post(WEBHOOK_PATH, webhook.handle)
        return Mounted(closers=[receiver.close])

    def webhooks(self, settings: VkSettings, host: Host) -> WebhookAdmin:
        from bots.vk.api import VkApi
        from bots.vk.setup import VkSetup

        missing = [
            problem
            for problem in settings.problems()
            if problem.startswith(("vk.group_id", "ENERGOBOT_VK__TOKEN", "vk.api"))
        ]
        if missing:
            raise SetupError("; ".join(missing))
        base = host.public_url.rstrip("/")
        api = VkApi(
            settings.token.get_secret_value(),
            settings.api_base,
            settings.api_version,
            host.send_timeout_seconds,
        )
        return VkSetup(
            api,
            settings.group_id,
            settings.api_version,
            base + WEBHOOK_PATH if base else "",
            secret=settings.secret.get_secret_value(),
            confirmation=settings.confirmation.get_secret_value(),
        )


PLUGIN = VkPlugin()
