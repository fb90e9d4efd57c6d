"""`energobot webhooks set|info|delete max` as an operator runs it: settings from the
environment, the address from server.public_url, against the fake MAX Bot API."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner, Result

from energobot.cli import main
from tests.fakes.max import FakeMax

SECRET = "energosbyt_max-Webhook_2026"


async def run(
    monkeypatch: pytest.MonkeyPatch, fake: FakeMax, *args: str, token: str = ""
) -> Result:
    monkeypatch.setenv("ENERGOBOT_MAX__TOKEN", token or fake.token)
    monkeypatch.setenv("ENERGOBOT_MAX__WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("ENERGOBOT_MAX__API_BASE", fake.base_url)
    monkeypatch.setenv("ENERGOBOT_SERVER__PUBLIC_URL", "https://bot.energosbyt.example")
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", *args])


async def test_set_info_delete_through_the_command(
    monkeypatch: pytest.MonkeyPatch, fake_max: FakeMax
) -> None:
    result = await run(monkeypatch, fake_max, "set", "max")
    assert result.exit_code == 0, result.output
    (subscription,) = fake_max.subscriptions
    assert subscription.url == "https://bot.energosbyt.example/webhooks/max"
    assert subscription.secret == SECRET and SECRET not in result.output
    assert fake_max.token not in result.output

    info = await run(monkeypatch, fake_max, "info", "max")
    assert info.exit_code == 0 and "https://bot.energosbyt.example/webhooks/max" in info.output
    gone = await run(monkeypatch, fake_max, "delete", "max")
    assert gone.exit_code == 0, gone.output
    assert fake_max.subscriptions == []


async def test_a_refused_token_is_explained(
    monkeypatch: pytest.MonkeyPatch, fake_max: FakeMax
) -> None:
    result = await run(monkeypatch, fake_max, "info", "max", token="revoked-token-0123456789")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "token" in result.output.lower()
