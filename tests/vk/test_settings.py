"""The `vk:` section: defaults, secrets from the environment only, and messages that say what
is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bots.registry import plugin
from bots.vk.plugin import PLUGIN, VkSettings
from energobot.settings import SECRETS, SettingsError, load_settings

TOKEN = "vk1.a.abcdefghijklmnopqrstuvwxyz0123456789_-"
SECRET = "Xq7pL2mN9rT4vB8c"
CONFIRMATION = "693d0ba9"
GOOD: dict[str, object] = {
    "enabled": True,
    "group_id": 218730916,
    "token": TOKEN,
    "secret": SECRET,
    "confirmation": CONFIRMATION,
}


def problem(**changes: object) -> str:
    with pytest.raises(ValidationError) as refused:
        VkSettings.model_validate({**GOOD, **changes})
    return str(refused.value)


def test_the_plug_in_is_found_and_declares_itself() -> None:
    assert plugin("vk") is PLUGIN
    assert (PLUGIN.name, PLUGIN.webhook_path, PLUGIN.verified_phone) == (
        "vk",
        "/webhooks/vk",
        False,
    )
    assert PLUGIN.secrets == ("token", "secret", "confirmation")
    assert {("vk", "token"), ("vk", "secret"), ("vk", "confirmation")} <= set(SECRETS)
    # No share-phone button: the only other way than typing is a number offered as a button.
    hints = PLUGIN.phone_hints()
    assert (
        set(hints) == {"ru", "en"} and "кнопкой" in hints["ru"] and "Поделиться" not in hints["ru"]
    )


def test_defaults_and_a_complete_section() -> None:
    off = VkSettings()
    assert (off.enabled, off.api_base, off.api_version, off.rate_per_second) == (
        False,
        "https://api.vk.com/method",
        "5.199",
        20,
    )
    assert VkSettings.model_validate(GOOD).group_id == 218730916


def test_enabled_without_anything_names_everything_missing() -> None:
    with pytest.raises(ValidationError) as refused:
        VkSettings(enabled=True)
    text = str(refused.value)
    for name in (
        "vk.group_id",
        "ENERGOBOT_VK__TOKEN",
        "ENERGOBOT_VK__SECRET",
        "ENERGOBOT_VK__CONFIRMATION",
    ):
        assert f"{name} is not set" in text, name


def test_malformed_values_are_said_precisely() -> None:
    assert "without the minus (218730916)" in problem(group_id=-218730916)
    assert "5.103 or later" in problem(api_version="5.80")
    assert "5.103 or later" in problem(api_version="latest")
    assert "not an http(s) URL" in problem(api_base="api.vk.com/method")
    assert "ENERGOBOT_VK__TOKEN has spaces" in problem(token="vk1.a.abc def")
    assert "ENERGOBOT_VK__SECRET is 51 characters long; VK's is at most 50" in problem(
        secret="a" * 51
    )
    assert "ENERGOBOT_VK__CONFIRMATION has spaces" in problem(confirmation="«код»")
    VkSettings.model_validate({**GOOD, "api_version": "5.103"})


def test_secrets_come_from_the_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("vk:\n  enabled: true\n  group_id: 218730916\n", "utf-8")
    monkeypatch.setenv("ENERGOBOT_VK__TOKEN", TOKEN)
    monkeypatch.setenv("ENERGOBOT_VK__SECRET", SECRET)
    monkeypatch.setenv("ENERGOBOT_VK__CONFIRMATION", CONFIRMATION)
    section = load_settings(config).channel("vk")
    assert isinstance(section, VkSettings)
    assert section.secret.get_secret_value() == SECRET
    assert TOKEN not in repr(section)
    config.write_text("vk:\n  enabled: true\n  secret: in-the-file\n", "utf-8")
    with pytest.raises(SettingsError, match=r"vk\.secret is a secret"):
        load_settings(config)


def test_a_missing_secret_is_named_with_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("vk:\n  enabled: true\n  group_id: 218730916\n", "utf-8")
    monkeypatch.setenv("ENERGOBOT_VK__TOKEN", TOKEN)
    monkeypatch.setenv("ENERGOBOT_VK__CONFIRMATION", CONFIRMATION)
    with pytest.raises(SettingsError, match="ENERGOBOT_VK__SECRET is not set"):
        load_settings(config)
