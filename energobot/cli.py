"""The `energobot` command line: one group, one module per command in energobot/commands/.

A command's module is imported only when that command runs (or --help lists them all): the
service pulls in every messenger SDK and SQLAlchemy, which `energobot nlu` does not need.
"""

from __future__ import annotations

import importlib

import click

from energobot import __version__
from energobot.runtime import CliContext

# name → "module:attribute", in the order --help lists them
COMMANDS = {
    "serve": "energobot.commands.serve:serve",
    "chat": "energobot.commands.chat:chat",
    "migrate": "energobot.commands.migrate:migrate",
    "import": "energobot.commands.exchange:import_",
    "export": "energobot.commands.exchange:export",
    "demo": "energobot.commands.exchange:demo",
    "webhooks": "energobot.commands.webhooks:webhooks",
    "operators": "energobot.commands.operators:operators",
    "notices": "energobot.commands.notices:notices",
    "outages": "energobot.commands.notices:outages",
    "retention": "energobot.commands.retention:retention",
    "nlu": "energobot.commands.nlu:nlu",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
