"""Settings: defaults, the YAML file, environment overrides, and errors that name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from energobot.settings import SECRETS, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("ENERGOBOT_"):
            monkeypatch.delenv(name)


def test_the_shipped_config_yaml_equals_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = load_settings(ROOT / "config.yaml")
    monkeypatch.chdir(ROOT / "tests")  # no config.yaml here: pure defaults
    assert shipped.model_dump() == load_settings().model_dump()
    assert shipped.database.url == "sqlite+aiosqlite:///var/energobot.db"
    assert shipped.server.port == 8080


def test_every_setting_is_listed_in_config_yaml() -> None:
    import yaml

    listed = yaml.safe_load((ROOT / "config.yaml").read_text("utf-8"))
    defaults = load_settings(ROOT / "config.yaml").model_dump()

    def keys(node: dict, prefix: str = "") -> set[str]:
        out = set()
        for key, value in node.items():
            if isinstance(value, dict):
                out |= keys(value, f"{prefix}{key}.")
            else:
                out.add(f"{prefix}{key}")
        return out

    secrets = {f"{section}.{key}" for section, key in SECRETS}
    assert keys(listed) == keys(defaults) - secrets


def test_a_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("telegram:\n  token: '123:abc'\n", "utf-8")
    with pytest.raises(SettingsError, match="ENERGOBOT_TELEGRAM__TOKEN"):
        load_settings(config)


def test_telegram_enabled_needs_its_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("telegram:\n  enabled: true\n", "utf-8")
    with pytest.raises(SettingsError, match="ENERGOBOT_TELEGRAM__TOKEN"):
        load_settings(config)
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__TOKEN", "123456:TEST-token")
    with pytest.raises(SettingsError, match="ENERGOBOT_TELEGRAM__WEBHOOK_SECRET"):
        load_settings(config)
    monkeypatch.setenv("ENERGOBOT_TELEGRAM__WEBHOOK_SECRET", "s3cret_value")
    settings = load_settings(config)
    assert settings.telegram.token.get_secret_value() == "123456:TEST-token"
    assert "123456" not in repr(settings.telegram)  # never printed by accident


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("server:\n  port: 9000\nreadings:\n  cutoff_day: 24\n", encoding="utf-8")
    assert load_settings(config).server.port == 9000
    monkeypatch.setenv("ENERGOBOT_SERVER__PORT", "9100")
    monkeypatch.setenv("ENERGOBOT_DATABASE__URL", "postgresql+asyncpg://u@db/x")
    settings = load_settings(config)
    assert settings.server.port == 9100
    assert settings.database.url == "postgresql+asyncpg://u@db/x"
    assert settings.readings.cutoff_day == 24


def test_config_comes_from_energobot_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "other.yaml"
    config.write_text("company:\n  timezone: Europe/Moscow\n", encoding="utf-8")
    monkeypatch.setenv("ENERGOBOT_CONFIG", str(config))
    assert load_settings().company.timezone == "Europe/Moscow"


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("ENERGOBOT_READINGS__CUTOFF_DAY", "40", "readings.cutoff_day"),
        ("ENERGOBOT_SERVER__PORT", "http", "server.port"),
        ("ENERGOBOT_DATABASE__URL", "mysql://x", "database.url"),
        ("ENERGOBOT_COMPANY__TIMEZONE", "Mars/Olympus", "company.timezone"),
        ("ENERGOBOT_TARIFFS__ZONE_SPLIT", "random", "tariffs.zone_split"),
    ],
)
def test_invalid_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, named: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError, match=named.replace(".", r"\.")):
        load_settings(ROOT / "config.yaml")


WHATSAPP_ON = {
    "ENERGOBOT_WHATSAPP__ENABLED": "true",
    "ENERGOBOT_WHATSAPP__PHONE_NUMBER_ID": "106540352242922",
    "ENERGOBOT_WHATSAPP__TOKEN": "EAAGm0PX4ZCpsBAKZAZBp1",
    "ENERGOBOT_WHATSAPP__VERIFY_TOKEN": "verify-me-please",
}


@pytest.mark.parametrize(
    ("given", "says"),
    [
        # A secret with a character it cannot have: its length and the character, not its value.
        (
            {**WHATSAPP_ON, "ENERGOBOT_WHATSAPP__APP_SECRET": "abc_def"},
            "ENERGOBOT_WHATSAPP__APP_SECRET: a Meta app secret is 32 hexadecimal characters "
            "(App Dashboard → App settings → Basic); the value given has 7 characters and "
            "contains '_'",
        ),
        (
            {"ENERGOBOT_TELEGRAM__ENABLED": "true", "ENERGOBOT_TELEGRAM__TOKEN": "12345 ABCdef"},
            "ENERGOBOT_TELEGRAM__TOKEN: a bot token is digits, a colon, then letters, digits, _ "
            "or - (123456:ABC...); the value given has 12 characters and contains spaces and "
            "no colon",
        ),
        (
            {"ENERGOBOT_PAYMENTS__YOOKASSA__API_URL": "api.yookassa.ru/v3"},
            "ENERGOBOT_PAYMENTS__YOOKASSA__API_URL (payments.yookassa.api_url): must be an "
            "http(s) URL like https://api.yookassa.ru/v3; 'api.yookassa.ru/v3' has no http:// "
            "or https://",
        ),
        (
            {"ENERGOBOT_SERVER__PORT": "70000"},
            "ENERGOBOT_SERVER__PORT (server.port): must be at most 65535; the value given is "
            "'70000'",
        ),
        (
            {"ENERGOBOT_LOGGING__LEVEL": "VERBOSE"},
            "ENERGOBOT_LOGGING__LEVEL (logging.level): must be one of 'DEBUG', 'INFO', "
            "'WARNING' or 'ERROR'; the value given is 'VERBOSE'",
        ),
        (
            {"ENERGOBOT_OUTBOX__POLL_SECONDS": "5m"},
            "ENERGOBOT_OUTBOX__POLL_SECONDS (outbox.poll_seconds): must be a number of seconds, "
            "without a unit (5 minutes: 300 seconds); the value given is '5m'",
        ),
        (
            {"ENERGOBOT_DATABASE__URL": "postgresql://bot:hunter2@db/energobot"},
            "ENERGOBOT_DATABASE__URL (database.url): must start with sqlite+aiosqlite:// or "
            "postgresql+asyncpg://; it starts with 'postgresql://'",
        ),
    ],
)
def test_an_invalid_value_is_said_with_what_is_expected(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, str], says: str
) -> None:
    for env, value in given.items():
        monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(ROOT / "config.yaml")
    message = str(caught.value)
    assert f"  {says}" in message.splitlines()
    assert "missing" not in message and "set ENERGOBOT" not in message


@pytest.mark.parametrize(
    ("env", "secret"),
    [
        ("ENERGOBOT_WHATSAPP__APP_SECRET", "abc_def"),
        ("ENERGOBOT_WHATSAPP__APP_SECRET", "0f1e2d3c4b5a69788796a5b4c3d2e1fz"),
        ("ENERGOBOT_WHATSAPP__VERIFY_TOKEN", "two words"),
        ("ENERGOBOT_WHATSAPP__APP_SECRT", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),  # misspelt
        ("ENERGOBOT_CONSOLE__SESSION_KEYS", "a-very-secret-key-indeed"),  # misspelt
    ],
)
def test_a_secret_is_never_shown(monkeypatch: pytest.MonkeyPatch, env: str, secret: str) -> None:
    for name, value in {
        **WHATSAPP_ON,
        "ENERGOBOT_WHATSAPP__APP_SECRET": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        env: secret,
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(ROOT / "config.yaml")
    message = str(caught.value)
    assert env in message
    assert f"{len(secret)} characters" in message
    assert secret not in message
    for part in (secret[: len(secret) // 2], secret[len(secret) // 2 :]):
        assert part not in message


def test_unknown_key_in_the_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("server:\n  prot: 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"server\.prot"):
        load_settings(config)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "nope.yaml")


def test_every_bank_detail_has_a_label_in_both_languages() -> None:
    from dialogs.i18n import catalog
    from energobot.settings import BankDetails

    for language in ("ru", "en"):
        for field in BankDetails.model_fields:
            assert f"balance.bank_field.{field}" in catalog(language), (language, field)
