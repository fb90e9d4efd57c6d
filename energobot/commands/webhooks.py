"""`energobot webhooks set|info|delete <channel>`: register the bot's webhook with the platform."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import click

from energobot.routes import TELEGRAM_WEBHOOK
from energobot.runtime import CliContext, pass_cli
from energobot.settings import Settings

if TYPE_CHECKING:  # aiogram is imported when a command runs: it is slow to import
    from aiogram import Bot

TELEGRAM_PATH = TELEGRAM_WEBHOOK

CHANNELS = click.Choice(["telegram"])


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
    _print(_run(cli.settings, lambda bot: bot.get_webhook_info()))


@webhooks.command("delete")
@click.argument("channel", type=CHANNELS)
@pass_cli
def delete(cli: CliContext, channel: str) -> None:
    """Remove the webhook (e.g. before switching to telegram.mode: polling)."""
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
