"""`energobot webhooks set|info|delete <channel>`: register the bot's webhook with the platform.

What each platform needs is its plug-in's (`Plugin.webhooks`); this is only the command line.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click

from bots.plugin import Plugin, SetupError, SetupReport, WebhookAdmin
from bots.registry import names, plugin
from energobot.channels import host
from energobot.runtime import CliContext, pass_cli
from energobot.settings import Settings


class _Channels(click.ParamType[str, object]):
    """The plug-ins that have a webhook, looked up when the command runs."""

    name = "channel"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        choices = webhook_channels()
        if value not in choices:
            self.fail(f"{value!r} is not one of {', '.join(choices)}", param, ctx)
        return str(value)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(webhook_channels()) + "]"


def webhook_channels() -> tuple[str, ...]:
    return tuple(name for name in names() if plugin(name).webhook_path)


CHANNEL = _Channels()


@click.group()
def webhooks() -> None:
    """Register, show or remove a messenger's webhook."""


@webhooks.command("set")
@click.argument("channel", type=CHANNEL)
@click.option(
    "--url",
    default=None,
    help="The public HTTPS address (default: server.public_url + /webhooks/<channel>).",
)
@click.option("--drop-pending", is_flag=True, help="Forget updates the platform still holds.")
@pass_cli
def set_(cli: CliContext, channel: str, url: str | None, drop_pending: bool) -> None:
    """Point the platform at this service, with the secret and the update kinds it needs."""
    target = url or _default_url(cli.settings, plugin(channel))
    _report(_run(cli.settings, channel, lambda admin: admin.set(target, drop_pending)))


@webhooks.command("info")
@click.argument("channel", type=CHANNEL)
@pass_cli
def info(cli: CliContext, channel: str) -> None:
    """What the platform has registered (address, pending updates, last error)."""
    _report(_run(cli.settings, channel, lambda admin: admin.info()))


@webhooks.command("delete")
@click.argument("channel", type=CHANNEL)
@pass_cli
def delete(cli: CliContext, channel: str) -> None:
    """Remove the webhook (e.g. before switching a channel to polling)."""
    _report(_run(cli.settings, channel, lambda admin: admin.delete()))


def _default_url(settings: Settings, chosen: Plugin[Any]) -> str:
    """server.public_url + the channel's path; empty when public_url is not HTTPS (the plug-in
    says whether it can do without)."""
    base = settings.server.public_url.rstrip("/")
    return base + (chosen.webhook_path or "") if base.startswith("https://") else ""


def _run(settings: Settings, channel: str, call: Any) -> SetupReport:
    chosen = plugin(channel)

    async def main() -> SetupReport:
        admin: WebhookAdmin = chosen.webhooks(settings.channel(channel), host(settings))
        try:
            report: SetupReport = await call(admin)
            return report
        finally:
            await admin.close()

    try:
        return asyncio.run(main())
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None


def _report(report: SetupReport) -> None:
    for line in report.said:
        click.echo(line)
    if report.answer is not None:
        click.echo(json.dumps(report.answer, ensure_ascii=False, indent=2))
    for line in report.steps:
        click.echo(line)
