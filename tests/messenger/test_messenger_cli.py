"""`energobot webhooks set|info|delete messenger|whatsapp` against FakeGraph."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner, Result

from energobot.cli import main
from tests.fakes.graph import PAGE_TOKEN, PHONE_NUMBER_ID, WHATSAPP_TOKEN, FakeGraph


async def run(monkeypatch: pytest.MonkeyPatch, fake: FakeGraph, *args: str) -> Result:
    monkeypatch.setenv("ENERGOBOT_MESSENGER__PAGE_TOKEN", PAGE_TOKEN)
    monkeypatch.setenv("ENERGOBOT_MESSENGER__API_BASE", fake.base_url)
    monkeypatch.setenv("ENERGOBOT_WHATSAPP__TOKEN", WHATSAPP_TOKEN)
    monkeypatch.setenv("ENERGOBOT_WHATSAPP__API_BASE", fake.base_url)
    monkeypatch.setenv("ENERGOBOT_WHATSAPP__PHONE_NUMBER_ID", PHONE_NUMBER_ID)
    monkeypatch.setenv("ENERGOBOT_SERVER__PUBLIC_URL", "https://bot.example.ru")
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", *args])


async def test_set_installs_get_started_the_menu_and_the_subscription(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraph
) -> None:
    result = await run(monkeypatch, fake_graph, "set", "messenger")
    assert result.exit_code == 0, result.output
    profile = fake_graph.profile
    assert profile.fields["get_started"] == {"payload": "GET_STARTED"}
    menus = {m["locale"]: m["call_to_actions"] for m in profile.fields["persistent_menu"]}
    assert menus["default"][0] == {
        "type": "postback",
        "title": "Передать показания",
        "payload": "go:readings",
    }
    assert menus["en_US"][0]["title"] == "Submit readings"
    assert "messages" in profile.subscribed_fields
    assert "messaging_postbacks" in profile.subscribed_fields
    assert "https://bot.example.ru/webhooks/messenger" in result.output
    assert PAGE_TOKEN not in result.output and fake_graph.refused == []

    info = await run(monkeypatch, fake_graph, "info", "messenger")
    assert info.exit_code == 0 and "GET_STARTED" in info.output
    gone = await run(monkeypatch, fake_graph, "delete", "messenger")
    assert gone.exit_code == 0, gone.output
    assert profile.subscribed_fields == [] and "persistent_menu" not in profile.fields


async def test_whatsapp_set_checks_the_number_and_prints_the_dashboard_steps(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraph
) -> None:
    result = await run(monkeypatch, fake_graph, "set", "whatsapp")
    assert result.exit_code == 0, result.output
    assert (
        PHONE_NUMBER_ID in result.output
        and "https://bot.example.ru/webhooks/whatsapp" in result.output
    )
    assert "ENERGOBOT_WHATSAPP__VERIFY_TOKEN" in result.output


async def test_a_refused_token_is_explained(
    monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraph
) -> None:
    fake_graph.page_token = "EAAGanotherPageToken0123456789abc"
    result = await run(monkeypatch, fake_graph, "info", "messenger")
    assert result.exit_code != 0 and "Graph API refused" in result.output and "190" in result.output
