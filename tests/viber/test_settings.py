"""viber.* settings: the env-only token, validation when enabled, the channel they build."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.viber import ViberChannel
from energobot.channels import build_channels
from energobot.settings import SettingsError, load_settings

TOKEN = "4a5b6c7d8e9f0a1b-2c3d4e5f6a7b8c9d-0e1f2a3b4c5d6e7f"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ENERGOBOT_VIBER__TOKEN", "ENERGOBOT_VIBER__ENABLED", "ENERGOBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, "utf-8")
    return path


def test_enabled_without_a_token_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ENERGOBOT_VIBER__TOKEN"):
        load_settings(config(tmp_path, "viber:\n  enabled: true\n"))


def test_the_token_is_refused_in_the_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"viber\.token is a secret"):
        load_settings(config(tmp_path, f"viber:\n  token: {TOKEN}\n"))


async def test_the_environment_token_builds_the_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENERGOBOT_VIBER__TOKEN", TOKEN)
    path = config(
        tmp_path,
        "viber:\n  enabled: true\n  sender_name: Энергосбыт\n  rate_per_second: 20\n",
    )
    settings = load_settings(path)
    assert settings.viber.api_base == "https://chatapi.viber.com/pa"
    assert settings.viber.allow_bot_initiated is False
    channels = build_channels(settings)
    viber = channels.outbound["viber"]
    assert isinstance(viber, ViberChannel)
    assert viber.rates.per_second == 20 and viber.sender.name == "Энергосбыт"
    assert viber.api.token == TOKEN and not viber.allow_bot_initiated
    await channels.close()
    assert "viber" not in build_channels(load_settings(config(tmp_path, "{}\n"))).outbound
