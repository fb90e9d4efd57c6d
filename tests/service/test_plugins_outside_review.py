"""What an outside review of the channel plug-in refactor found: behaviour that had changed for
the channels that existed before it (each test passed before the refactor, failed after it, and
passes again with the fix)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from energobot.cli import main
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret_Value-1"


def _loaded_by(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after `statement`."""
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENERGOBOT_")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


def test_reading_settings_does_not_import_the_http_stack() -> None:
    # Before the refactor `import energobot.settings` (hence every `energobot` command, through
    # energobot.cli → runtime) loaded no channel code. Now the registry imports every
    # bots/<name>/plugin.py, and the eager __init__ of messenger, whatsapp and webchat pulls in
    # their clients, aiohttp (web included) and jinja2 — about twice the start-up time.
    heavy = {"aiohttp", "aiohttp.web", "jinja2", "bots.webchat.routes", "bots.meta.client"}
    assert _loaded_by("import energobot.settings") & heavy == set()
    assert _loaded_by("import energobot.cli") & heavy == set()


async def _webhooks(monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.delenv("ENERGOBOT_CONFIG", raising=False)
    return await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", *args])


async def test_a_malformed_telegram_token_is_an_error_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # telegram not enabled, so settings do not check the token's shape; aiogram refuses it when
    # the Bot is made. Before: "Error: Telegram could not be reached: Token is invalid!", exit 1.
    # Now make_bot runs in TelegramWebhooks.__init__, outside the SetupError translation, and
    # TokenValidationError escapes the command as a traceback.
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__TOKEN", "not-a-bot-token")
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__WEBHOOK_SECRET", SECRET)
    result = await _webhooks(monkeypatch, "info", "telegram")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Token is invalid" in result.output


async def test_webhooks_set_telegram_says_what_it_did_first(
    monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram
) -> None:
    # Before: "telegram webhook set to <url>" then the getWebhookInfo JSON (viber alike).
    # Now _report prints the JSON first and the line after it: the output changed order.
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__TOKEN", fake_telegram.token)
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__API_BASE", fake_telegram.base_url)
    url = "https://bot.example.ru/webhooks/telegram"
    result = await _webhooks(monkeypatch, "set", "telegram", "--url", url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"telegram webhook set to {url}"
