"""WhatsApp Cloud as a plug-in: the Graph webhook in, the Cloud API's /messages out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.channel import Channel, Rates
from bots.plugin import Host, Mounted, Pipeline, Plugin, SetupError, SetupReport
from bots.whatsapp.settings import WhatsAppSettings

if TYPE_CHECKING:
    from aiohttp import web

    from bots.meta.client import GraphClient

NUMBER_FIELDS = "id,display_phone_number,verified_name,quality_rating,code_verification_status"


class WhatsAppPlugin(Plugin[WhatsAppSettings]):
    name = "whatsapp"
    settings_model = WhatsAppSettings
    secrets = ("token", "app_secret", "verify_token")
    webhook_path = "/webhooks/whatsapp"
    verified_phone = True  # the customer's own number is their WhatsApp id

    def build(self, settings: WhatsAppSettings, host: Host) -> Channel:
        from bots.attachments import MediaLinks
        from bots.whatsapp.channel import WhatsAppChannel
        from bots.whatsapp.templates import Template

        templates = {
            kind.value: Template(t.name, t.language, tuple(t.parameters))
            for kind, t in settings.templates.items()
        }
        rates = Rates(settings.rate_per_second, settings.chat_rate_per_second, settings.chat_burst)
        links = MediaLinks(host.media_url, host.media_link_days)
        client = _client(settings, host)
        return WhatsAppChannel(client, settings.phone_number_id, rates, templates, links)

    def mount(
        self,
        app: web.Application,
        settings: WhatsAppSettings,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        from bots.meta.webhook import MetaWebhook
        from bots.whatsapp.receiver import WhatsAppReceiver

        assert self.webhook_path is not None
        MetaWebhook(
            self.name,
            settings.verify_token.get_secret_value(),
            settings.app_secret.get_secret_value(),
            WhatsAppReceiver(pipeline, settings.phone_number_id),
        ).mount(app, self.webhook_path)
        return Mounted()

    def webhooks(self, settings: WhatsAppSettings, host: Host) -> WhatsAppWebhooks:
        if not settings.token.get_secret_value() or not settings.phone_number_id:
            raise SetupError("set ENERGOBOT_WHATSAPP__TOKEN and whatsapp.phone_number_id")
        return WhatsAppWebhooks(_client(settings, host), settings.phone_number_id)


class WhatsAppWebhooks:
    """What a business token may do: check the number and the token; the callback URL itself
    is the Meta app's setting, printed as steps."""

    def __init__(self, client: GraphClient, phone_number_id: str) -> None:
        self._client = client
        self._number = phone_number_id

    async def set(self, url: str, drop_pending: bool) -> SetupReport:
        from bots.meta.setup import dashboard_steps

        return SetupReport(await self._check(), dashboard_steps("whatsapp", url, ("messages",)))

    async def info(self) -> SetupReport:
        return SetupReport(await self._check())

    async def delete(self) -> SetupReport:
        steps = ("Remove the callback URL in the App Dashboard (WhatsApp → Configuration).",)
        return SetupReport(await self._check(), steps)

    async def _check(self) -> object:
        from bots.channel import SendError

        try:
            return await self._client.get(self._number, {"fields": NUMBER_FIELDS})
        except SendError as exc:
            raise SetupError(f"the Graph API refused: {exc.reason}") from None

    async def close(self) -> None:
        await self._client.close()


def _client(settings: WhatsAppSettings, host: Host) -> GraphClient:
    from bots.meta.client import GraphClient

    token = settings.token.get_secret_value()
    return GraphClient(settings.api_base, token, host.send_timeout_seconds)


PLUGIN = WhatsAppPlugin()
