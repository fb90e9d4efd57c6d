"""`energobot webhooks set|info|delete <channel>`: register the bot's webhook with the platform."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import click

from energobot.routes import MESSENGER_WEBHOOK, TELEGRAM_WEBHOOK, VIBER_WEBHOOK, WHATSAPP_WEBHOOK
from energobot.runtime import CliContext, pass_cli
from energobot.settings import Settings

if TYPE_CHECKING:  # aiogram is imported when a command runs: it is slow to import
    from aiogram import Bot

TELEGRAM_PATH = TELEGRAM_WEBHOOK

CHANNELS = click.Choice(["telegram", "viber", "whatsapp", "messenger"])


@click.group()
def webhooks() -> None:
    """Register, show or remove a messenger's webhook."""


@webhooks.command("set")
@click.argument("channel", type=CHANNELS)
@click.option(
    "--url",
    default=None,
    help=f"The public HTTPS address (default: server.public_url + {TELEGRAM_PATH}).",
)
@click.option("--drop-pending", is_flag=True, help="Forget updates the platform still holds.")
@pass_cli
def set_(cli: CliContext, channel: str, url: str | None, drop_pending: bool) -> None:
    """Point the platform at this service, with the secret and the update kinds it needs."""
    settings = cli.settings
    if channel == "viber":
        _viber_set(settings, url)
        return
    if channel in META:
        _meta(settings, channel, "set", url)
        return
    target = url or _default_url(settings)
    secret = settings.telegram.webhook_secret.get_secret_value()
    if not secret:
        raise click.ClickException("set ENERGOBOT_TELEGRAM__WEBHOOK_SECRET first")

    from bots.telegram import ALLOWED_UPDATES

    async def call(bot: Bot) -> Any:
        await bot.set_webhook(
            url=target,
            secret_token=secret,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
        )
        return await bot.get_webhook_info()

    info = _run(settings, call)
    click.echo(f"telegram webhook set to {target}")
    _print(info)


@webhooks.command("info")
@click.argument("channel", type=CHANNELS)
@pass_cli
def info(cli: CliContext, channel: str) -> None:
    """What the platform has registered (address, pending updates, last error)."""
    if channel == "viber":
        _print(_viber_call(cli.settings, "get_account_info", {}))
        return
    if channel in META:
        _meta(cli.settings, channel, "info")
        return
    _print(_run(cli.settings, lambda bot: bot.get_webhook_info()))


@webhooks.command("delete")
@click.argument("channel", type=CHANNELS)
@pass_cli
def delete(cli: CliContext, channel: str) -> None:
    """Remove the webhook (e.g. before switching to telegram.mode: polling)."""
    if channel == "viber":
        _viber_call(cli.settings, "set_webhook", {"url": ""})  # Viber's way to remove it
        click.echo("viber webhook removed")
        return
    if channel in META:
        _meta(cli.settings, channel, "delete")
        return
    _run(cli.settings, lambda bot: bot.delete_webhook())
    click.echo("telegram webhook removed")


def _default_url(settings: Settings) -> str:
    base = settings.server.public_url.rstrip("/")
    if not base.startswith("https://"):
        raise click.ClickException(
            "give --url https://... or set server.public_url to an https URL"
        )
    return base + TELEGRAM_PATH


def _run(settings: Settings, call: Callable[[Bot], Awaitable[Any]]) -> Any:
    from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

    from bots.telegram import make_bot

    token = settings.telegram.token.get_secret_value()
    if not token:
        raise click.ClickException("set ENERGOBOT_TELEGRAM__TOKEN first")

    async def main() -> Any:
        bot = make_bot(token, settings.telegram.api_base, settings.outbox.send_timeout_seconds)
        try:
            return await call(bot)
        finally:
            await bot.session.close()

    try:
        return asyncio.run(main())
    except TelegramNetworkError as exc:
        raise click.ClickException(f"Telegram could not be reached: {exc.message}") from None
    except TelegramAPIError as exc:
        raise click.ClickException(f"Telegram refused: {exc.message}") from None
    except Exception as exc:
        raise click.ClickException(f"Telegram could not be reached: {exc}") from None


def _print(info: Any) -> None:
    body = info.model_dump(exclude_none=True, mode="json") if hasattr(info, "model_dump") else info
    click.echo(json.dumps(body, ensure_ascii=False, indent=2))


def _viber_set(settings: Settings, url: str | None) -> None:
    """Viber POSTs a signed `webhook` callback to the address at once and needs a 200: the
    service must already be running there with the same token."""
    from bots.viber import EVENT_TYPES

    base = settings.server.public_url.rstrip("/")
    target = url or (base + VIBER_WEBHOOK if base.startswith("https://") else "")
    if not target:
        raise click.ClickException("give --url https://... or set server.public_url to https")
    body = {"url": target, "event_types": list(EVENT_TYPES), "send_name": True, "send_photo": False}
    answer = _viber_call(settings, "set_webhook", body)
    click.echo(f"viber webhook set to {target}")
    _print(answer)


def _viber_call(settings: Settings, endpoint: str, body: dict[str, Any]) -> Any:
    from bots.viber import ViberApi, ViberApiError

    token = settings.viber.token.get_secret_value()
    if not token:
        raise click.ClickException("set ENERGOBOT_VIBER__TOKEN first")

    async def main() -> Any:
        api = ViberApi(token, settings.viber.api_base, settings.outbox.send_timeout_seconds)
        try:
            return await api.call(endpoint, body)
        finally:
            await api.close()

    try:
        return asyncio.run(main())
    except ViberApiError as exc:
        raise click.ClickException(f"Viber refused: {exc}") from None
    except Exception as exc:
        raise click.ClickException(f"Viber could not be reached: {exc!r}") from None


META = ("whatsapp", "messenger")


def _meta(settings: Settings, channel: str, action: str, url: str | None = None) -> None:
    """WhatsApp and Messenger (Graph API): what their tokens may do; bots/meta/setup.py."""
    from bots.channel import SendError
    from bots.meta import GraphClient, setup

    base = settings.server.public_url.rstrip("/")
    path = WHATSAPP_WEBHOOK if channel == "whatsapp" else MESSENGER_WEBHOOK
    target = url or (base + path if base.startswith("https://") else "")
    timeout = settings.outbox.send_timeout_seconds
    if channel == "whatsapp":
        wa = settings.whatsapp
        if not wa.token.get_secret_value() or not wa.phone_number_id:
            raise click.ClickException("set ENERGOBOT_WHATSAPP__TOKEN and whatsapp.phone_number_id")
        client = GraphClient(wa.api_base, wa.token.get_secret_value(), timeout)
        call = setup.whatsapp(action, client, wa.phone_number_id, target)
    else:
        token = settings.messenger.page_token.get_secret_value()
        if not token:
            raise click.ClickException("set ENERGOBOT_MESSENGER__PAGE_TOKEN first")
        client = GraphClient(settings.messenger.api_base, token, timeout)
        language = settings.dialogs.default_language
        call = setup.messenger(action, client, settings.company.name, language, target)
    try:
        report, steps = asyncio.run(call)
    except SendError as exc:
        raise click.ClickException(f"the Graph API refused: {exc.reason}") from None
    _print(report)
    for line in steps:
        click.echo(line)
