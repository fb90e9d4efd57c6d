"""MAX as a plug-in: the webhook (or long polling) in, POST /messages out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.channel import Channel, Rates
from bots.max.settings import MaxSettings
from bots.plugin import Host, Mounted, Pipeline, Plugin

if TYPE_CHECKING:
    from aiohttp import web

    from bots.max.subscriptions import MaxSubscriptions

__all__ = ["PLUGIN", "MaxPlugin", "MaxSettings"]


class MaxPlugin(Plugin[MaxSettings]):
    name = "max"
    settings_model = MaxSettings
    secrets = ("token", "webhook_secret")
    webhook_path = "/webhooks/max"
    # A request_contact button sends the user's own contact; the parser sets own_contact only
    # when the contact names the sender (max_info.user_id), so a forwarded card links nothing.
    verified_phone = True

    def build(self, settings: MaxSettings, host: Host) -> Channel:
        from bots.attachments import MediaLinks
        from bots.max.api import MaxApi
        from bots.max.channel import MaxChannel, Words

        api = MaxApi(
            settings.token.get_secret_value(), settings.api_base, host.send_timeout_seconds
        )
        rates = Rates(settings.rate_per_second, settings.chat_rate_per_second, settings.chat_burst)
        links = MediaLinks(host.media_url, host.media_link_days)
        return MaxChannel(api, rates, Words.load(host.default_language), links)

    def mount(
        self,
        app: web.Application,
        settings: MaxSettings,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        from bots.max.channel import MaxChannel
        from bots.max.polling import Poller
        from bots.max.receiver import Receiver
        from bots.max.webhook import MaxWebhook

        assert isinstance(channel, MaxChannel), "mount() takes build()'s channel"
        receiver = Receiver(pipeline, channel)
        mounted = Mounted(closers=[receiver.close])
        if settings.mode == "webhook":
            secret = settings.webhook_secret.get_secret_value()
            webhook = MaxWebhook(secret, receiver, host.max_body_bytes)
            app.router.add_post(self.webhook_path, webhook.handle)
        else:
            poller = Poller(channel.api, receiver, settings.polling_timeout_seconds)
            mounted.background.append(poller.run)
        return mounted

    def webhooks(self, settings: MaxSettings, host: Host) -> MaxSubscriptions:
        from bots.max.subscriptions import MaxSubscriptions

        return MaxSubscriptions(settings, host.send_timeout_seconds)


PLUGIN = MaxPlugin()
