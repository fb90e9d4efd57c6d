"""The website chat as a plug-in: the page and its posts in, Server-Sent Events out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.channel import Channel
from bots.plugin import Host, Mounted, Pipeline, Plugin
from bots.webchat.settings import WebchatSettings

if TYPE_CHECKING:
    from aiohttp import web


class WebchatPlugin(Plugin[WebchatSettings]):
    name = "webchat"
    settings_model = WebchatSettings
    verified_phone = False  # a phone is only typed here: it proves nothing

    def build(self, settings: WebchatSettings, host: Host) -> Channel:
        from bots.webchat.channel import WebchatChannel
        from bots.webchat.hub import Hub

        return WebchatChannel(Hub(settings.poll_seconds))

    def mount(
        self,
        app: web.Application,
        settings: WebchatSettings,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        from bots.webchat.channel import WebchatChannel
        from bots.webchat.routes import WebchatApp, WebchatConfig
        from bots.webchat.session import origin_of

        assert isinstance(channel, WebchatChannel)
        if host.chat_log is None:
            raise ValueError("the web chat needs the service's chat log (Host.chat_log)")
        ancestors = (origin_of(host.website), *settings.embed_origins)
        config = WebchatConfig(
            company=host.company,
            default_language=host.default_language,
            title=settings.title,
            public_url=host.public_url,
            session_days=settings.session_days,
            frame_ancestors=tuple(dict.fromkeys(o for o in ancestors if o)),
            history_messages=settings.history_messages,
            max_text_chars=settings.max_text_chars,
            messages_per_minute=settings.messages_per_minute,
        )
        WebchatApp(config, channel.hub, pipeline, host.chat_log).mount(app)
        return Mounted()


PLUGIN = WebchatPlugin()
