"""The website chat as a plug-in: the page and its posts in, Server-Sent Events out."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from bots.channel import Channel
from bots.plugin import Host, Mounted, Pipeline, Plugin
from bots.webchat.settings import WebchatSettings

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)


class WebchatPlugin(Plugin[WebchatSettings]):
    name = "webchat"
    settings_model = WebchatSettings
    verified_phone = False  # a phone is only typed here: it proves nothing

    def build(self, settings: WebchatSettings, host: Host) -> Channel:
        from bots.webchat.channel import WebchatChannel
        from bots.webchat.hub import Hub

        hub = Hub(
            settings.poll_seconds,
            host.streams,  # the process's shared poller and stream limits
            settings.max_streams_per_session,
            settings.max_streams_per_address,
        )
        hub.media = host.media_path
        return WebchatChannel(hub)

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
        from bots.webchat.session import SessionKeys, origin_of

        assert isinstance(channel, WebchatChannel)
        needs = ("chat_log", "throttle", "revocations", "preview")
        if missing := [name for name in needs if getattr(host, name) is None]:
            raise ValueError(f"the web chat needs the service's {', '.join(missing)} (Host)")
        assert host.chat_log and host.throttle and host.revocations and host.preview
        if host.derive_key is not None:
            key = host.derive_key("webchat")
        else:
            key = secrets.token_bytes(32)
            log.warning(
                "webchat: ENERGOBOT_CONSOLE__SESSION_KEY is not set; a random key is used and "
                "web chat sessions end when this process restarts (and are refused by others)"
            )
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
            address_messages_per_minute=settings.address_messages_per_minute,
            address_new_chats_per_hour=settings.address_new_chats_per_hour,
        )
        WebchatApp(
            config,
            channel.hub,
            pipeline,
            host.chat_log,
            keys=SessionKeys(key, settings.session_days * 86_400),
            throttle=host.throttle,
            revocations=host.revocations,
            preview=host.preview,
            client_address=host.client_address,
        ).mount(app)
        return Mounted()


PLUGIN = WebchatPlugin()
