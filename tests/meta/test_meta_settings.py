"""The whatsapp and messenger settings: secrets only from the environment, checked when enabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from energobot.settings import SettingsError, load_settings
from tests.fakes.graph import APP_SECRET, PAGE_TOKEN, VERIFY_TOKEN, WHATSAPP_TOKEN


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("whatsapp", "token"),
        ("whatsapp", "app_secret"),
        ("whatsapp", "verify_token"),
        ("messenger", "page_token"),
        ("messenger", "app_secret"),
        ("messenger", "verify_token"),
    ],
)
def test_secrets_are_refused_in_the_file(tmp_path: Path, section: str, key: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"{section}:\n  {key}: abcdefabcdefabcdef\n", "utf-8")
    with pytest.raises(SettingsError, match=f"ENERGOBOT_{section.upper()}__{key.upper()}"):
        load_settings(config)


def test_enabled_channels_need_their_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "whatsapp:\n  enabled: true\n  phone_number_id: '106540352242922'\n"
        "  templates: {reminder: {name: reading_reminder_v2, language: ru}}\n"
        "messenger:\n  enabled: true\n",
        "utf-8",
    )
    with pytest.raises(SettingsError, match="ENERGOBOT_WHATSAPP__TOKEN"):
        load_settings(config)
    for name, value in (
        ("WHATSAPP__TOKEN", WHATSAPP_TOKEN),
        ("WHATSAPP__APP_SECRET", APP_SECRET),
        ("WHATSAPP__VERIFY_TOKEN", VERIFY_TOKEN),
        ("MESSENGER__APP_SECRET", APP_SECRET),
        ("MESSENGER__VERIFY_TOKEN", VERIFY_TOKEN),
    ):
        monkeypatch.setenv(f"ENERGOBOT_{name}", value)
    with pytest.raises(SettingsError, match="ENERGOBOT_MESSENGER__PAGE_TOKEN"):
        load_settings(config)
    monkeypatch.setenv("ENERGOBOT_MESSENGER__PAGE_TOKEN", PAGE_TOKEN)
    settings = load_settings(config)
    assert settings.whatsapp.templates["reminder"].name == "reading_reminder_v2"
    assert settings.messenger.api_base == "https://graph.facebook.com/v23.0"
