"""Channels are plug-ins: a package under bots/ with a plugin.py is a channel with settings,
secrets, routes, webhook commands, phone rules and words — nothing else is edited."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner

import bots
from bots.registry import names, plugins
from console.context import CONSOLE
from energobot.settings import SettingsError, load_settings, secret_fields
from energobot.wiring import dialog_config

EXISTING = {"messenger", "telegram", "viber", "webchat", "whatsapp"}

PIGEON = '''
"""A channel that exists only in this test."""

from __future__ import annotations

from pydantic import SecretStr, model_validator

from bots.channel import AlwaysOpen, ChannelLimits, Rates
from bots.plugin import ChannelSettings, Mounted, Plugin, SetupReport


class PigeonSettings(ChannelSettings):
    token: SecretStr = SecretStr("")
    loft: str = "roof"

    @model_validator(mode="after")
    def _token(self) -> "PigeonSettings":
        if self.enabled and not self.token.get_secret_value():
            raise ValueError("pigeon is enabled: set ENERGOBOT_PIGEON__TOKEN")
        return self


class PigeonChannel(AlwaysOpen):
    name = "pigeon"
    limits = ChannelLimits(text_max=100, buttons_max=0, button_label_max=0, payload_max_bytes=0)
    rates = Rates(1, 1)
    sent: list[str] = []

    async def send(self, user_id, reply, context=None):
        self.sent.append(reply.text)
        return None

    async def close(self):
        pass


class Admin:
    async def set(self, url, drop_pending):
        return SetupReport({"url": url}, ("the pigeon knows the way",))

    async def info(self):
        return SetupReport({"loft": "roof"})

    async def delete(self):
        return SetupReport(None, ("forgotten",))

    async def close(self):
        pass


class PigeonPlugin(Plugin[PigeonSettings]):
    name = "pigeon"
    settings_model = PigeonSettings
    secrets = ("token",)
    webhook_path = "/webhooks/pigeon"
    verified_phone = True

    def build(self, settings, host):
        return PigeonChannel()

    def mount(self, app, settings, host, channel, pipeline):
        from aiohttp import web

        async def coo(request):
            return web.Response(text=settings.loft)

        app.router.add_post(self.webhook_path, coo)
        return Mounted()

    def webhooks(self, settings, host):
        return Admin()


PLUGIN = PigeonPlugin()
'''


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("ENERGOBOT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def pigeon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A package bots/pigeon/ (plugin.py and locales/) on the bots package's path."""
    package = tmp_path / "bots" / "pigeon"
    (package / "locales").mkdir(parents=True)
    (package / "__init__.py").write_text("", "utf-8")
    (package / "plugin.py").write_text(textwrap.dedent(PIGEON), "utf-8")
    ru = "phone_hint: «Поделиться голубем»\ntitle: Голубиная почта\n"
    (package / "locales" / "ru.yaml").write_text(ru, "utf-8")
    (package / "locales" / "en.yaml").write_text("phone_hint: send a pigeon\n", "utf-8")
    monkeypatch.setattr(bots, "__path__", [*bots.__path__, str(tmp_path / "bots")])
    plugins.cache_clear()
    yield
    plugins.cache_clear()
    for module in [m for m in sys.modules if m.startswith("bots.pigeon")]:
        del sys.modules[module]


def test_every_channel_is_a_plugin_named_after_its_package() -> None:
    assert set(names()) >= EXISTING
    for plugin in plugins():
        assert (Path(bots.__path__[0]) / plugin.name / "plugin.py").exists()
        section = load_settings().channel(plugin.name)
        assert isinstance(section, plugin.settings_model)
        for secret in plugin.secrets:
            assert (plugin.name, secret) in secret_fields()


def test_the_dialogs_learn_verified_phones_from_the_plugins() -> None:
    config = dialog_config(load_settings())
    assert {"telegram", "viber", "whatsapp", "messenger"} <= config.verified_phone_channels
    assert "webchat" not in config.verified_phone_channels


def test_a_new_package_is_a_whole_channel(
    pigeon: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "pigeon" in names()
    monkeypatch.setenv("ENERGOBOT_PIGEON__ENABLED", "true")
    with pytest.raises(SettingsError, match="ENERGOBOT_PIGEON__TOKEN"):
        load_settings()
    monkeypatch.setenv("ENERGOBOT_PIGEON__TOKEN", "secret")
    loaded = load_settings()
    assert loaded.channel("pigeon").enabled

    config = tmp_path / "c.yaml"
    config.write_text("pigeon:\n  token: 'x'\n", "utf-8")
    with pytest.raises(SettingsError, match=r"pigeon\.token is a secret"):
        load_settings(config)

    dialog = dialog_config(loaded)
    assert "pigeon" in dialog.verified_phone_channels
    assert dialog.phone_hints["pigeon"] == {"ru": "«Поделиться голубем»", "en": "send a pigeon"}


async def test_a_new_channel_is_mounted_and_its_words_reach_the_dialog(
    pigeon: None, monkeypatch: pytest.MonkeyPatch, database: object
) -> None:
    from energobot.app import create_app

    monkeypatch.setenv("ENERGOBOT_PIGEON__ENABLED", "true")
    monkeypatch.setenv("ENERGOBOT_PIGEON__TOKEN", "secret")
    loaded = load_settings()
    app = create_app(loaded, database)  # type: ignore[arg-type]
    async with TestClient(TestServer(app)) as client, client.post("/webhooks/pigeon") as answer:
        assert answer.status == 200 and await answer.text() == "roof"
    assert app[CONSOLE].formats.label("channels", "pigeon") == "Голубиная почта"
    assert app[CONSOLE].formats.label("channels", "telegram") == "Telegram"


async def test_the_webhook_command_knows_the_new_channel(
    pigeon: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from energobot.cli import main

    monkeypatch.setenv("ENERGOBOT_SERVER__PUBLIC_URL", "https://bot.example.ru")
    result = await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", "set", "pigeon"])
    assert result.exit_code == 0, result.output
    assert "https://bot.example.ru/webhooks/pigeon" in result.output
    assert "the pigeon knows the way" in result.output
    wrong = await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", "set", "owl"])
    assert wrong.exit_code != 0 and "pigeon" in wrong.output
