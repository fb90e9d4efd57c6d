"""The channels `energobot serve` runs, built from the settings: their outbound side for the
sender, their inbound side mounted on the app (routes, pollers)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from bots.channel import Channel, Rates, SendContext
from bots.messenger import CHANNEL as MESSENGER
from bots.messenger import MessengerChannel, MessengerReceiver
from bots.meta import GraphClient, MetaWebhook
from bots.telegram import Poller, Receiver, TelegramChannel, TelegramWebhook, make_bot
from bots.viber import Sender, ViberApi, ViberChannel, ViberReceiver, ViberWebhook, WelcomeConfig
from bots.webchat import CHANNEL as WEBCHAT
from bots.webchat import Hub, WebchatApp, WebchatChannel, WebchatConfig, origin_of
from bots.whatsapp import CHANNEL as WHATSAPP
from bots.whatsapp import Template, WhatsAppChannel, WhatsAppReceiver
from dialogs.messages import Reply
from dialogs.pipeline import Pipeline
from energobot.routes import MESSENGER_WEBHOOK, TELEGRAM_WEBHOOK, VIBER_WEBHOOK, WHATSAPP_WEBHOOK
from energobot.settings import Settings
from storage.repos.chatlog import chat_log_reader

TELEGRAM_PATH = TELEGRAM_WEBHOOK


@dataclass
class Channels:
    """What the app runs: outbound channels by name and the inbound side's background tasks."""

    outbound: dict[str, Channel] = field(default_factory=dict)
    telegram: TelegramChannel | None = None
    _receivers: list[Receiver] = field(default_factory=list)
    _pollers: list[Poller] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def mount(self, app: web.Application, settings: Settings, pipeline: Pipeline) -> None:
        if self.telegram is not None:
            receiver = Receiver(pipeline.handle, self.telegram)
            self._receivers.append(receiver)
            if settings.telegram.mode == "webhook":
                secret = settings.telegram.webhook_secret.get_secret_value()
                app.router.add_post(TELEGRAM_PATH, TelegramWebhook(secret, receiver).handle)
            else:
                timeout = settings.telegram.polling_timeout_seconds
                self._pollers.append(Poller(self.telegram.bot, receiver, timeout))
        viber = self.outbound.get("viber")
        if isinstance(viber, ViberChannel):
            welcome = WelcomeConfig(settings.company.name, settings.dialogs.default_language)
            token = settings.viber.token.get_secret_value()
            webhook = ViberWebhook(token, ViberReceiver(pipeline, viber, welcome))
            app.router.add_post(VIBER_WEBHOOK, webhook.handle)
        webchat = self.outbound.get(WEBCHAT)
        if isinstance(webchat, WebchatChannel):
            chat = settings.webchat
            ancestors = (origin_of(settings.company.website), *chat.embed_origins)
            config = WebchatConfig(
                company=settings.company.name,
                default_language=settings.dialogs.default_language,
                title=chat.title,
                public_url=settings.server.public_url,
                session_days=chat.session_days,
                frame_ancestors=tuple(dict.fromkeys(o for o in ancestors if o)),
                history_messages=chat.history_messages,
                max_text_chars=chat.max_text_chars,
                messages_per_minute=chat.messages_per_minute,
            )
            reader = chat_log_reader(pipeline.unit_of_work)
            WebchatApp(config, webchat.hub, pipeline.handle, reader).mount(app)
        if isinstance(self.outbound.get(WHATSAPP), WhatsAppChannel):
            wa = settings.whatsapp
            MetaWebhook(
                WHATSAPP,
                wa.verify_token.get_secret_value(),
                wa.app_secret.get_secret_value(),
                WhatsAppReceiver(pipeline, wa.phone_number_id),
            ).mount(app, WHATSAPP_WEBHOOK)
        if isinstance(self.outbound.get(MESSENGER), MessengerChannel):
            fb = settings.messenger
            MetaWebhook(
                MESSENGER,
                fb.verify_token.get_secret_value(),
                fb.app_secret.get_secret_value(),
                MessengerReceiver(pipeline),
            ).mount(app, MESSENGER_WEBHOOK)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(p.run(), name="poller") for p in self._pollers]

    async def stop_receiving(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for receiver in self._receivers:
            await receiver.close()

    def reply_check(
        self,
        channel: str,
        text: str,
        operator: str,
        last_inbound_at: datetime | None,
        now: datetime,
    ) -> str | None:
        """For the console: why the channel would refuse an operator's reply now, else None."""
        outbound = self.outbound.get(channel)
        if outbound is None:
            return None
        reply = Reply(text, operator=operator)
        refusal = outbound.refusal(reply, SendContext(now, last_inbound_at))
        return None if refusal is None else refusal.value

    async def close(self) -> None:
        for channel in self.outbound.values():
            await channel.close()


def build_channels(settings: Settings) -> Channels:
    channels = Channels()
    tg = settings.telegram
    if tg.enabled:
        bot = make_bot(
            tg.token.get_secret_value(), tg.api_base, settings.outbox.send_timeout_seconds
        )
        rates = Rates(tg.rate_per_second, tg.chat_rate_per_second, tg.chat_burst)
        channels.telegram = TelegramChannel(bot, rates)
        channels.outbound[channels.telegram.name] = channels.telegram
    if settings.viber.enabled:
        channels.outbound["viber"] = build_viber(settings)
    timeout = settings.outbox.send_timeout_seconds
    wa = settings.whatsapp
    if wa.enabled:
        client = GraphClient(wa.api_base, wa.token.get_secret_value(), timeout)
        templates = {key: Template(t.name, t.language) for key, t in wa.templates.items()}
        rates = Rates(wa.rate_per_second, wa.chat_rate_per_second, wa.chat_burst)
        channels.outbound[WHATSAPP] = WhatsAppChannel(client, wa.phone_number_id, rates, templates)
    fb = settings.messenger
    if fb.enabled:
        client = GraphClient(fb.api_base, fb.page_token.get_secret_value(), timeout)
        rates = Rates(fb.rate_per_second, fb.chat_rate_per_second, fb.chat_burst)
        channels.outbound[MESSENGER] = MessengerChannel(client, rates)
    if settings.webchat.enabled:
        channels.outbound[WEBCHAT] = WebchatChannel(Hub(settings.webchat.poll_seconds))
    return channels


def build_viber(settings: Settings) -> ViberChannel:
    viber = settings.viber
    api = ViberApi(
        viber.token.get_secret_value(), viber.api_base, settings.outbox.send_timeout_seconds
    )
    rates = Rates(viber.rate_per_second, viber.chat_rate_per_second, viber.chat_burst)
    sender = Sender(viber.sender_name, viber.avatar_url)
    return ViberChannel(api, rates, sender, allow_bot_initiated=viber.allow_bot_initiated)
