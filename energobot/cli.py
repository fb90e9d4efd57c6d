"""The `energobot` command line: one group, one module per command in energobot/commands/."""

from __future__ import annotations

import click

from energobot import __version__
from energobot.commands import chat, exchange, migrate, nlu, operators, serve, webhooks
from energobot.runtime import CliContext


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="ENERGOBOT_CONFIG",
    help="Settings file (default ./config.yaml). Environment: ENERGOBOT_CONFIG.",
)
@click.version_option(__version__, prog_name="energobot")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """energobot — the customer-service chatbot of an electricity supplier."""
    ctx.obj = CliContext(config_path)


for command in (
    serve.serve,
    chat.chat,
    migrate.migrate,
    exchange.import_,
    exchange.export,
    exchange.demo,
    webhooks.webhooks,
    nlu.nlu,
    operators.operators,
):
    main.add_command(command)
