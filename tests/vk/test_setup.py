"""`energobot webhooks set|info|delete vk`: the steps in the community's settings, and what the
community token may see of them."""

from __future__ import annotations

import pytest

from bots.plugin import Host, SetupError
from bots.vk.plugin import PLUGIN, VkSettings
from bots.vk.setup import EVENT_TYPES
from tests.fakes.vk import FakeVk

URL = "https://bot.energosbyt.example/webhooks/vk"


def settings(fake: FakeVk, **changes: object) -> VkSettings:
    section = {
        "enabled": True,
        "api_base": fake.base_url,
        "group_id": fake.group_id,
        "token": fake.token,
        "secret": fake.secret,
        "confirmation": fake.confirmation,
        **changes,
    }
    return VkSettings.model_validate(section)


def host(public_url: str = "https://bot.energosbyt.example") -> Host:
    return Host("Энергосбыт", "https://energosbyt.example", "ru", public_url, 5)


async def test_set_prints_the_steps_and_checks_what_vk_has(fake_vk: FakeVk) -> None:
    admin = PLUGIN.webhooks(settings(fake_vk), host())
    try:
        report = await admin.set("", drop_pending=False)
    finally:
        await admin.close()
    steps = "\n".join(report.steps)
    assert URL in steps and "ENERGOBOT_VK__SECRET" in steps and "5.199" in steps
    assert all(event in steps for event in EVENT_TYPES)
    assert report.answer["community"]["id"] == fake_vk.group_id
    assert report.answer["confirmation"] == "matches ENERGOBOT_VK__CONFIRMATION"
    assert "no Callback API server" in report.answer["server"]


async def test_info_finds_the_server_and_a_wrong_confirmation(fake_vk: FakeVk) -> None:
    fake_vk.register_server(URL, status="ok")
    admin = PLUGIN.webhooks(settings(fake_vk, confirmation="0000aaaa"), host())
    try:
        report = await admin.info()
    finally:
        await admin.close()
    assert report.answer["server"]["status"] == "ok"
    assert report.answer["confirmation"] == (
        f"VK expects {fake_vk.confirmation!r}: set ENERGOBOT_VK__CONFIRMATION to it"
    )


async def test_a_token_without_manage_still_gets_the_steps(fake_vk: FakeVk) -> None:
    fake_vk.manage = False
    admin = PLUGIN.webhooks(settings(fake_vk), host())
    try:
        report = await admin.set("https://other.example/webhooks/vk", drop_pending=True)
    finally:
        await admin.close()
    assert "not readable with this token" in report.answer["callback_api"]
    assert any("https://other.example/webhooks/vk" in step for step in report.steps)


async def test_a_refused_token_is_a_clear_setup_error(fake_vk: FakeVk) -> None:
    admin = PLUGIN.webhooks(settings(fake_vk, token="vk1.a.someone-else"), host())
    try:
        with pytest.raises(SetupError, match="VK refused the community token"):
            await admin.info()
        report = await admin.set("", drop_pending=False)  # the steps all the same
    finally:
        await admin.close()
    assert "VK refused the community token" in report.answer["check"] and report.steps


async def test_delete_gives_the_steps(fake_vk: FakeVk) -> None:
    admin = PLUGIN.webhooks(settings(fake_vk), host())
    report = await admin.delete()
    await admin.close()
    assert any(URL in step for step in report.steps) and fake_vk.calls == []


async def test_not_configured_or_no_address_says_what_to_set(fake_vk: FakeVk) -> None:
    with pytest.raises(SetupError, match=r"vk\.group_id is not set"):
        PLUGIN.webhooks(VkSettings(token=fake_vk.token), host())
    with pytest.raises(SetupError, match="ENERGOBOT_VK__TOKEN is not set"):
        PLUGIN.webhooks(VkSettings(group_id=fake_vk.group_id), host())
    admin = PLUGIN.webhooks(settings(fake_vk), host(public_url=""))
    try:
        with pytest.raises(SetupError, match=r"server\.public_url"):
            await admin.set("", drop_pending=False)
    finally:
        await admin.close()
    admin = PLUGIN.webhooks(settings(fake_vk, enabled=False, secret=""), host())
    try:
        with pytest.raises(SetupError, match="ENERGOBOT_VK__SECRET"):
            await admin.set("", drop_pending=False)
    finally:
        await admin.close()
