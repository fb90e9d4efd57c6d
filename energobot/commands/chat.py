"""`energobot chat`: the terminal channel."""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from bots.terminal import CHANNEL, render_text
from bots.terminal.channel import DEFAULT_ATTACHMENTS, TerminalChannel
from dialogs.i18n import Translator, translator
from energobot.channels import side_channels
from energobot.chat_session import ChatSession, Exchange
from energobot.runtime import CliContext, open_database, pass_cli
from energobot.wiring import build_pipeline, notice_gate, sender_config
from outbox.sender import OutboxSender


@click.command()
@click.option("--user", "user_id", default=None, help="Who is talking (default: your login).")
@click.option("--json", "json_mode", is_flag=True, help="One JSON line out per line in.")
@click.option("--no-migrate", is_flag=True, help="Do not bring the database schema up to date.")
@click.option(
    "--attachments",
    "attachments",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_ATTACHMENTS,
    show_default=True,
    help="Where the files of replies (receipts, QR codes) are saved.",
)
@pass_cli
def chat(
    cli: CliContext, user_id: str | None, json_mode: bool, no_migrate: bool, attachments: Path
) -> None:
    """Talk to the bot in the terminal, through the same inbox and outbox as every messenger.

    Interactive: replies are printed with numbered buttons; a number presses a button;
    `/phone +79991234567` shares your phone; `/start` starts over.

    With --json, every input line is one message — plain text, or {"payload": "..."} to press a
    button, or {"contact": "+7..."} to share a phone — and exactly one line is printed for it:
    {"in": <the input>, "replies": [{"text": "...", "buttons": [{"label": "...",
    "payload": "..."}]}]}; a reply with a file adds "attachment": {"type": "document"|"image",
    "filename": "...", "path": "<where it was saved>"}.
    """
    settings = cli.settings
    user = user_id or _login()
    migrate = settings.database.migrate_on_start and not no_migrate
    asyncio.run(_chat(settings, user, json_mode, migrate, sys.stdin, sys.stdout, attachments))


def _login() -> str:
    try:
        return getpass.getuser()
    except OSError:
        return "local"


async def _chat(
    settings: Any,
    user: str,
    json_mode: bool,
    migrate: bool,
    stdin: TextIO,
    stdout: TextIO,
    attachments: Path = DEFAULT_ATTACHMENTS,
) -> None:
    database = await open_database(settings, migrate=migrate)
    terminal = TerminalChannel(attachments)
    session = ChatSession(
        build_pipeline(settings, database),
        # With the gate: notices queued for this customer (`notices run`) come with the next answer.
        OutboxSender(
            database.unit_of_work,
            {CHANNEL: terminal, **side_channels(settings)},
            sender_config(settings),
            gate=notice_gate(settings),
        ),
        terminal,
        user,
        json_mode=json_mode,
    )
    texts = translator(settings.dialogs.default_language)
    try:
        if not json_mode:
            print(texts("common.terminal_banner"), file=stdout, flush=True)
        loop = asyncio.get_running_loop()
        prompt = not json_mode and stdin.isatty()
        while True:
            if prompt:
                stdout.write("> ")
                stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            exchange = await session.exchange(line)
            _print(stdout, exchange, json_mode, texts)
    finally:
        await database.dispose()


def _print(out: TextIO, exchange: Exchange, json_mode: bool, texts: Translator) -> None:
    if json_mode:
        out.write(json.dumps(exchange.record(), ensure_ascii=False) + "\n")
    else:
        if exchange.error:
            out.write(f"! {exchange.error}\n")
        hint = texts("common.terminal_phone_hint")
        for reply, saved in zip(exchange.replies, exchange.files(), strict=True):
            line = "" if saved is None else texts("common.terminal_file", path=saved)
            out.write(render_text(reply, hint, line) + "\n\n")
    out.flush()
