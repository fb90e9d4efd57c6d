"""The plug-in: its settings and what they say when wrong, its place in the registry, its phone
hint, and `energobot webhooks set|info|delete max` against the fake."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bots.max.plugin import PLUGIN, MaxSettings
from bots.plugin import Host, SetupError
from bots.registry import plugin
from energobot.settings import Settings
from tests.fakes.max import FakeMax

HOST = Host("Энергосбыт", "https://energosbyt.example", "ru", "https://bot.example", 5)
SECRET = "energosbyt_max-Webhook_2026"


def settings(**section: object) -> MaxSettings:
    return MaxSettings(**{"enabled": True, "token": "f9LHodD0cOK-token", **section})


def test_defaults_and_the_registry() -> None:
    section = MaxSettings()
    assert (section.enabled, section.mode, section.api_base) == (
        False,
        "webhook",
        "https://platform-api2.max.ru",
    )
    assert (section.rate_per_second, section.chat_rate_per_second, section.chat_burst) == (30, 2, 1)
    assert plugin("max") is PLUGIN
    assert PLUGIN.webhook_path == "/webhooks/max" and PLUGIN.verified_phone
    assert PLUGIN.secrets == ("token", "webhook_secret")
    hints = PLUGIN.phone_hints()
    assert set(hints) >= {"ru", "en"}
    assert "«Поделиться телефоном»" in hints["ru"] and "Share phone" in hints["en"]


def test_the_whole_settings_take_a_max_section() -> None:
    whole = Settings(max={"enabled": True, "token": "tok-12345", "webhook_secret": SECRET})
    assert isinstance(whole.max, MaxSettings) and whole.max.enabled


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ({"token": ""}, "ENERGOBOT_MAX__TOKEN: max is enabled"),
        ({"token": "abc def", "webhook_secret": SECRET}, "7 characters and contains spaces"),
        ({"webhook_secret": ""}, "the value given is not set"),
        ({"webhook_secret": "abcd"}, "4 characters long, too short"),
        ({"webhook_secret": "x" * 257}, "257 characters long, too long"),
        ({"webhook_secret": "секрет_секрет"}, "contains non-ASCII characters"),
        ({"webhook_secret": "has space!"}, "contains spaces, '!'"),
        ({"webhook_secret": SECRET, "api_base": "platform-api2.max.ru"}, "not a base URL"),
        ({"webhook_secret": SECRET, "api_base": "https://x.ru/?a=1"}, "not a base URL"),
        ({"webhook_secret": SECRET, "polling_timeout_seconds": 91}, "less than or equal to 90"),
    ],
)
def test_what_is_wrong_is_said_precisely(section: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(**section)
    assert says in str(caught.value)


def test_polling_needs_no_secret_and_a_disabled_section_nothing() -> None:
    assert settings(mode="polling").mode == "polling"
    assert not MaxSettings(enabled=False, token="").enabled


async def test_webhooks_set_info_delete(fake_max: FakeMax) -> None:
    section = settings(token=fake_max.token, webhook_secret=SECRET, api_base=fake_max.base_url)
    admin = PLUGIN.webhooks(section, HOST)
    try:
        report = await admin.set("https://bot.example/webhooks/max", drop_pending=True)
        (subscription,) = fake_max.subscriptions
        assert subscription.secret == SECRET
        assert subscription.update_types == [
            "message_created",
            "message_callback",
            "bot_started",
            "bot_stopped",
        ]
        assert report.answer["subscriptions"][0]["url"] == "https://bot.example/webhooks/max"
        assert any("no queue to drop" in step for step in report.steps)
        info = await admin.info()
        assert [s["url"] for s in info.answer["subscriptions"]] == [subscription.url]
        assert "secret" not in info.answer["subscriptions"][0]
        removed = await admin.delete()
        assert removed.answer == {"removed": ["https://bot.example/webhooks/max"]}
        assert fake_max.subscriptions == []
        assert (await admin.info()).steps[0].startswith("no webhook")
        with pytest.raises(SetupError, match="https"):
            await admin.set("", drop_pending=False)  # no HTTPS address known
    finally:
        await admin.close()


async def test_webhooks_say_what_is_missing(fake_max: FakeMax) -> None:
    with pytest.raises(SetupError, match="ENERGOBOT_MAX__TOKEN"):
        PLUGIN.webhooks(MaxSettings(), HOST)
    admin = PLUGIN.webhooks(
        settings(token=fake_max.token, mode="polling", api_base=fake_max.base_url), HOST
    )
    try:
        with pytest.raises(SetupError, match="WEBHOOK_SECRET is not set"):
            await admin.set("https://bot.example/webhooks/max", drop_pending=False)
    finally:
        await admin.close()
    wrong = PLUGIN.webhooks(
        settings(token="wrong-token", mode="polling", api_base=fake_max.base_url), HOST
    )
    try:
        with pytest.raises(SetupError, match="refused the token"):
            await wrong.info()
    finally:
        await wrong.close()
    unreachable = PLUGIN.webhooks(settings(mode="polling", api_base="http://127.0.0.1:9"), HOST)
    try:
        with pytest.raises(SetupError, match="could not be reached"):
            await unreachable.info()
    finally:
        await unreachable.close()
