"""The whatsapp and messenger settings: secrets only from the environment, checked when enabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.notices import Kind
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
        "  templates:\n"
        "    reading_reminder: {name: reading_reminder_v2, language: ru}\n"
        "    debt_due: {name: debt_due_v1, language: ru, parameters: [amount, due]}\n"
        "messenger:\n  enabled: true\n"
        "  tags: {reading_reminder: null, receipt_ready: POST_PURCHASE_UPDATE}\n",
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
    assert settings.whatsapp.templates[Kind.READING_REMINDER].name == "reading_reminder_v2"
    assert settings.whatsapp.templates[Kind.DEBT_DUE].parameters == ["amount", "due"]
    assert settings.messenger.tags == {
        Kind.READING_REMINDER: None,
        Kind.RECEIPT_READY: "POST_PURCHASE_UPDATE",
    }
    assert settings.messenger.api_base == "https://graph.facebook.com/v23.0"


@pytest.mark.parametrize(
    ("yaml", "says"),
    [
        # A key that is no notice kind would never match: a typo is refused, not ignored.
        ("whatsapp:\n  templates: {reminder: {name: r, language: ru}}\n", "reading_reminder"),
        (
            "whatsapp:\n  templates: {debt_due: {name: d, language: ru, parameters: [due date]}}\n",
            "not a notice value's name",
        ),
        ("messenger:\n  tags: {debt: ACCOUNT_UPDATE}\n", "debt_due"),
        ("messenger:\n  tags: {debt_due: REMINDER}\n", "ACCOUNT_UPDATE"),
        ("messenger:\n  tags: {debt_due: HUMAN_AGENT}\n", "operator's own reply"),
    ],
)
def test_templates_and_tags_say_what_is_wrong(tmp_path: Path, yaml: str, says: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml, "utf-8")
    with pytest.raises(SettingsError, match=says):
        load_settings(config)
