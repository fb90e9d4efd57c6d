"""Facebook Messenger as a plug-in: the Graph webhook in, the Send API out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bots.channel import Channel, Rates
from bots.messenger.settings import MessengerSettings
from bots.plugin import Host, Mounted, Pipeline, Plugin, SetupError, SetupReport

if TYPE_CHECKING:
    from aiohttp import web

    from bots.meta.client import GraphClient


class MessengerPlugin(Plugin[MessengerSettings]):
    name = "messenger"
    settings_model = MessengerSettings
    secrets = ("page_token", "app_secret", "verify_token")
    webhook_path = "/webhooks/messenger"
    verified_phone = True  # the user_phone_number quick reply carries the profile's own number

    def build(self, settings: MessengerSettings, host: Host) -> Channel:
        from bots.attachments import MediaLinks
        from bots.messenger.channel import MessengerChannel
        from bots.messenger.tags import notice_tags

        rates = Rates(settings.rate_per_second, settings.chat_rate_per_second, settings.chat_burst)
        links = MediaLinks(host.media_url, host.media_link_days)
        client = _client(settings, host)
        return MessengerChannel(client, rates, notice_tags(settings.tags), links)

    def mount(
        self,
        app: web.Application,
        settings: MessengerSettings,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        from bots.messenger.receiver import MessengerReceiver
        from bots.meta.webhook import MetaWebhook

        assert self.webhook_path is not None
        MetaWebhook(
            self.name,
            settings.verify_token.get_secret_value(),
            settings.app_secret.get_secret_value(),
            MessengerReceiver(pipeline),
        ).mount(app, self.webhook_path)
        return Mounted()

    def webhooks(self, settings: MessengerSettings, host: Host) -> MessengerWebhooks:
        if not settings.page_token.get_secret_value():
            raise SetupError("set ENERGOBOT_MESSENGER__PAGE_TOKEN first")
        return MessengerWebhooks(_client(settings, host), host)


class MessengerWebhooks:
    """What a page token may do: subscribe the page to the app's webhook fields and install Get
    Started, the greeting and the persistent menu; the callback URL is the app's, as steps."""

    def __init__(self, client: GraphClient, host: Host) -> None:
        self._client = client
        self._host = host

    async def set(self, url: str, drop_pending: bool) -> SetupReport:
        from bots.messenger import profile
        from bots.meta.setup import dashboard_steps

        report = await self._call(
            lambda: profile.install(self._client, self._host.company, self._host.default_language)
        )
        return SetupReport(
            report, dashboard_steps(MessengerPlugin.name, url, profile.SUBSCRIBED_FIELDS)
        )

    async def info(self) -> SetupReport:
        from bots.messenger import profile

        return SetupReport(await self._call(lambda: profile.describe(self._client)))

    async def delete(self) -> SetupReport:
        from bots.messenger import profile

        await self._call(lambda: profile.remove(self._client))
        return SetupReport(await self._call(lambda: profile.describe(self._client)))

    async def _call(self, call: Callable[[], Awaitable[Any]]) -> Any:
        from bots.channel import SendError

        try:
            return await call()
        except SendError as exc:
            raise SetupError(f"the Graph API refused: {exc.reason}") from None

    async def close(self) -> None:
        await self._client.close()


def _client(settings: MessengerSettings, host: Host) -> GraphClient:
    from bots.meta.client import GraphClient

    token = settings.page_token.get_secret_value()
    return GraphClient(settings.api_base, token, host.send_timeout_seconds)


PLUGIN = MessengerPlugin()
