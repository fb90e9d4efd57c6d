"""`energobot webhooks set|info|delete vk` as an operator runs it: settings from the environment,
the address from server.public_url, against the fake VK API."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner, Result

from energobot.cli import main
from tests.fakes.vk import FakeVk


async def run(monkeypatch: pytest.MonkeyPatch, fake: FakeVk, *args: str) -> Result:
    monkeypatch.setenv("ENERGOBOT_VK__TOKEN", fake.token)
    monkeypatch.setenv("ENERGOBOT_VK__SECRET", fake.secret)
    monkeypatch.setenv("ENERGOBOT_VK__CONFIRMATION", fake.confirmation)
    monkeypatch.setenv("ENERGOBOT_VK__GROUP_ID", str(fake.group_id))
    monkeypatch.setenv("ENERGOBOT_VK__API_BASE", fake.base_url)
    monkeypatch.setenv("ENERGOBOT_SERVER__PUBLIC_URL", "https://bot.energosbyt.example")
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", *args])


async def test_set_prints_the_community_settings_to_make(
    monkeypatch: pytest.MonkeyPatch, fake_vk: FakeVk
) -> None:
    result = await run(monkeypatch, fake_vk, "set", "vk")
    assert result.exit_code == 0, result.output
    assert "https://bot.energosbyt.example/webhooks/vk" in result.output
    assert "message_new" in result.output and "ENERGOBOT_VK__SECRET" in result.output
    for secret in (fake_vk.token, fake_vk.secret):
        assert secret not in result.output

    info = await run(monkeypatch, fake_vk, "info", "vk")
    assert info.exit_code == 0, info.output
    gone = await run(monkeypatch, fake_vk, "delete", "vk")
    assert gone.exit_code == 0 and "/webhooks/vk" in gone.output


async def test_without_a_group_id_the_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, fake_vk: FakeVk
) -> None:
    monkeypatch.setenv("ENERGOBOT_VK__ENABLED", "true")
    result = await run(monkeypatch, fake_vk, "set", "vk")
    assert result.exit_code == 0, result.output  # group_id given: enabled settings are valid
    monkeypatch.setenv("ENERGOBOT_VK__GROUP_ID", "-218730916")
    wrong = await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", "set", "vk"])
    assert wrong.exit_code != 0 and "group_id" in wrong.output
