"""Telegram as a plug-in: webhook or long polling in, aiogram's Bot API client out."""

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
from bots.telegram.settings import TelegramSettings

if TYPE_CHECKING:  # aiogram is slow to import: only when the channel is built
    from aiogram import Bot
    from aiohttp import web


class TelegramPlugin(Plugin[TelegramSettings]):
    name = "telegram"
    settings_model = TelegramSettings
    secrets = ("token", "webhook_secret")
    webhook_path = "/webhooks/telegram"
    verified_phone = True  # a request_contact button sends the user's own number

    def build(self, settings: TelegramSettings, host: Host) -> Channel:
        from bots.attachments import MediaLinks
        from bots.telegram.channel import TelegramChannel, make_bot

        bot = make_bot(
            settings.token.get_secret_value(), settings.api_base, host.send_timeout_seconds
        )
        rates = Rates(settings.rate_per_second, settings.chat_rate_per_second, settings.chat_burst)
        return TelegramChannel(bot, rates, MediaLinks(host.media_url, host.media_link_days))

    def mount(
        self,
        app: web.Application,
        settings: TelegramSettings,
        host: Host,
        channel: Channel,
        pipeline: Pipeline,
    ) -> Mounted:
        from bots.telegram.channel import TelegramChannel
        from bots.telegram.polling import Poller
        from bots.telegram.receiver import Receiver
        from bots.telegram.webhook import TelegramWebhook

        assert isinstance(channel, TelegramChannel)
        receiver = Receiver(pipeline, channel)
        mounted = Mounted(closers=[receiver.close])
        if settings.mode == "webhook":
            secret = settings.webhook_secret.get_secret_value()
            assert self.webhook_path is not None
            app.router.add_post(self.webhook_path, TelegramWebhook(secret, receiver).handle)
        else:
            poller = Poller(channel.bot, receiver, settings.polling_timeout_seconds)
            mounted.background.append(poller.run)
        return mounted

    def webhooks(self, settings: TelegramSettings, host: Host) -> TelegramWebhooks:
        token = settings.token.get_secret_value()
        if not token:
            raise SetupError("set ENERGOBOT_TELEGRAM__TOKEN first")
        try:
            return TelegramWebhooks(settings, host)
        except Exception as exc:  # aiogram refuses a malformed token when the bot is made
            raise SetupError(f"Telegram could not be reached: {exc}") from None


class TelegramWebhooks:
    """setWebhook with the secret and the update kinds we handle; getWebhookInfo; deleteWebhook."""

    def __init__(self, settings: TelegramSettings, host: Host) -> None:
        from bots.telegram.channel import make_bot

        self._settings = settings
        self._bot = make_bot(
            settings.token.get_secret_value(), settings.api_base, host.send_timeout_seconds
        )

    async def set(self, url: str, drop_pending: bool) -> SetupReport:
        from bots.telegram.updates import ALLOWED_UPDATES

        url = require_url(url)
        secret = self._settings.webhook_secret.get_secret_value()
        if not secret:
            raise SetupError("set ENERGOBOT_TELEGRAM__WEBHOOK_SECRET first")

        async def call(bot: Bot) -> Any:
            await bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop_pending,
            )
            return await bot.get_webhook_info()

        info = await self._call(call)
        return SetupReport(_json(info), said=(f"telegram webhook set to {url}",))

    async def info(self) -> SetupReport:
        return SetupReport(_json(await self._call(lambda bot: bot.get_webhook_info())))

    async def delete(self) -> SetupReport:
        await self._call(lambda bot: bot.delete_webhook())
        return SetupReport(None, ("telegram webhook removed",))

    async def _call(self, call: Any) -> Any:
        from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

        try:
            return await call(self._bot)
        except TelegramNetworkError as exc:
            raise SetupError(f"Telegram could not be reached: {exc.message}") from None
        except TelegramAPIError as exc:
            raise SetupError(f"Telegram refused: {exc.message}") from None
        except Exception as exc:
            raise SetupError(f"Telegram could not be reached: {exc}") from None

    async def close(self) -> None:
        await self._bot.session.close()


def _json(info: Any) -> Any:
    return info.model_dump(exclude_none=True, mode="json")


PLUGIN = TelegramPlugin()
