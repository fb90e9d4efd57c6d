"""`energobot webhooks set|info|delete telegram` against the fake Bot API."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner, Result

from energobot.cli import main
from tests.fakes.telegram import FakeTelegram

SECRET = "s3cret_Value-1"


async def run(monkeypatch: pytest.MonkeyPatch, fake: FakeTelegram, *args: str) -> Result:
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__TOKEN", fake.token)
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__API_BASE", fake.base_url)
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", *args])


async def test_set_registers_the_secret_and_update_kinds_then_info_and_delete(
    monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram
) -> None:
    url = "https://bot.example.ru/webhooks/telegram"
    result = await run(monkeypatch, fake_telegram, "set", "telegram", "--url", url)
    assert result.exit_code == 0, result.output
    hook = fake_telegram.webhook
    assert hook.url == url and hook.secret_token == SECRET
    assert set(hook.allowed_updates or []) == {
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    }
    info = await run(monkeypatch, fake_telegram, "info", "telegram")
    assert info.exit_code == 0 and url in info.output
    assert SECRET not in info.output  # Telegram never shows it, neither do we
    gone = await run(monkeypatch, fake_telegram, "delete", "telegram")
    assert gone.exit_code == 0 and not fake_telegram.webhook.url


async def test_refusals_are_explained(
    monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram
) -> None:
    plain = await run(monkeypatch, fake_telegram, "set", "telegram", "--url", "http://x.ru/hook")
    assert plain.exit_code != 0 and "Telegram refused" in plain.output and "HTTPS" in plain.output
    no_url = await run(monkeypatch, fake_telegram, "set", "telegram")
    assert no_url.exit_code != 0 and "--url" in no_url.output
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("ENERGOBOT_OUTBOX__SEND_TIMEOUT_SECONDS", "2")
    result = await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", "info", "telegram"])
    assert result.exit_code != 0 and "could not be reached" in result.output
