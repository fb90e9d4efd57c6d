"""Viber as a plug-in: signed callbacks in, the REST Bot API out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bots.channel import Channel, Rates
from bots.plugin import (
    Host,
    Mounted,
    Pipeline,
    Plugin,
    SetupError,
    SetupReport,
    require_url,
)
from bots.viber.settings import ViberSettings

if TYPE_CHECKING:
    from aiohttp import web

    from bots.viber.api import ViberApi

# Callbacks the webhook asks for (`message` always comes).
EVENT_TYPES = ("delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started")


class ViberPlugin(Plugin[ViberSettings]):
    name = "viber"
    settings_model = ViberSettings
    secrets = ("token",)
    webhook_path = "/webhooks/viber"
    verified_phone = True  # the share-phone keyboard button sends the user's own number

    def build(self, settings: ViberSettings, host: Host) -> Channel:
        from bots.attachments import MediaLinks
        from bots.viber.channel import Sender, ViberChannel

        rates = Rates(settings.rate_per_second, settings.chat_rate_per_second, settings.chat_burst)
        sender = Sender(settings.sender_name, settings.avatar_url)
        return ViberChannel(
            _api(settings, host),
            rates,
            sender,
            allow_bot_initiated=settings.allow_bot_initiated,
            links=MediaLinks(host.media_url, host.media_link_days),
        )

    def mount(
        self,
        app: web.Application,
        settings: ViberSettings,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        from bots.viber.channel import ViberChannel
        from bots.viber.webhook import ViberReceiver, ViberWebhook
        from bots.viber.welcome import WelcomeConfig

        assert isinstance(channel, ViberChannel) and self.webhook_path is not None
        welcome = WelcomeConfig(host.company, host.default_language)
        token = settings.token.get_secret_value()
        webhook = ViberWebhook(token, ViberReceiver(pipeline, channel, welcome))
        app.router.add_post(self.webhook_path, webhook.handle)
        return Mounted()

    def webhooks(self, settings: ViberSettings, host: Host) -> ViberWebhooks:
        if not settings.token.get_secret_value():
            raise SetupError("set ENERGOBOT_VIBER__TOKEN first")
        return ViberWebhooks(_api(settings, host))


class ViberWebhooks:
    """set_webhook (Viber POSTs a signed `webhook` callback to the address at once and needs a
    200: the service must already be running there with the same token), get_account_info,
    and set_webhook with an empty address, Viber's way to remove it."""

    def __init__(self, api: ViberApi) -> None:
        self._api = api

    async def set(self, url: str, drop_pending: bool) -> SetupReport:
        url = require_url(url)
        body = {
            "url": url,
            "event_types": list(EVENT_TYPES),
            "send_name": True,
            "send_photo": False,
        }
        answer = await self._call("set_webhook", body)
        return SetupReport(answer, said=(f"viber webhook set to {url}",))

    async def info(self) -> SetupReport:
        return SetupReport(await self._call("get_account_info", {}))

    async def delete(self) -> SetupReport:
        await self._call("set_webhook", {"url": ""})
        return SetupReport(None, ("viber webhook removed",))

    async def _call(self, endpoint: str, body: dict[str, Any]) -> Any:
        from bots.viber.api import ViberApiError

        try:
            return await self._api.call(endpoint, body)
        except ViberApiError as exc:
            raise SetupError(f"Viber refused: {exc}") from None
        except Exception as exc:
            raise SetupError(f"Viber could not be reached: {exc!r}") from None

    async def close(self) -> None:
        await self._api.close()


def _api(settings: ViberSettings, host: Host) -> ViberApi:
    from bots.viber.api import ViberApi

    return ViberApi(settings.token.get_secret_value(), settings.api_base, host.send_timeout_seconds)


PLUGIN = ViberPlugin()
