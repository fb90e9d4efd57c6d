"""`energobot webhooks set|info|delete viber` against the fake, which checks the address with
a signed `webhook` callback to the running app, as Viber does."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner, Result

from bots.viber import EVENT_TYPES
from energobot.cli import main
from tests.fakes.viber import FakeViber
from tests.viber.harness import Harness

VIBER_WEBHOOK = "/webhooks/viber"


async def run(monkeypatch: pytest.MonkeyPatch, fake: FakeViber, *args: str) -> Result:
    monkeypatch.setenv("ENERGOBOT_VIBER__TOKEN", fake.token)
    monkeypatch.setenv("ENERGOBOT_VIBER__API_BASE", fake.base_url)
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", *args])


def app_url(vb: Harness) -> str:
    return str(vb.client.make_url(VIBER_WEBHOOK))


async def test_set_info_and_delete(monkeypatch: pytest.MonkeyPatch, vb: Harness) -> None:
    fake = vb.fake
    fake.require_https = False  # the app under test listens on plain http://127.0.0.1
    url = app_url(vb)
    result = await run(monkeypatch, fake, "set", "viber", "--url", url)
    assert result.exit_code == 0, result.output
    assert f"viber webhook set to {url}" in result.output
    assert fake.webhook.url == url and fake.webhook.event_types == list(EVENT_TYPES)
    assert fake.webhook.send_name is True
    assert fake.webhook_checks == [(url, 200)]  # our webhook took Viber's signed check
    assert await vb.inbox() == []  # ... and stored nothing for it
    (call,) = fake.calls_to("set_webhook")
    assert call.headers["X-Viber-Auth-Token"] == fake.token
    info = await run(monkeypatch, fake, "info", "viber")
    assert info.exit_code == 0, info.output
    assert f'"webhook": "{url}"' in info.output and '"name": "Энергосбыт"' in info.output
    assert fake.token not in info.output
    gone = await run(monkeypatch, fake, "delete", "viber")
    assert gone.exit_code == 0 and "removed" in gone.output and fake.webhook.url == ""


async def test_a_webhook_that_refuses_viber_s_signature_is_not_set(
    monkeypatch: pytest.MonkeyPatch, vb: Harness
) -> None:
    # Another bot's token: its signed check fails at our webhook (403), so Viber refuses.
    async with FakeViber("another-bot-token-0123456789", require_https=False) as other:
        result = await run(monkeypatch, other, "set", "viber", "--url", app_url(vb))
        assert result.exit_code != 0 and "Viber refused" in result.output
        assert other.webhook_checks == [(app_url(vb), 403)] and other.webhook.url == ""


async def test_refusals_are_explained(
    monkeypatch: pytest.MonkeyPatch, fake_viber: FakeViber
) -> None:
    plain = await run(monkeypatch, fake_viber, "set", "viber", "--url", "http://x.example/hook")
    assert plain.exit_code != 0 and "invalidUrl" in plain.output
    monkeypatch.setenv("ENERGOBOT_SERVER__PUBLIC_URL", "")
    no_url = await run(monkeypatch, fake_viber, "set", "viber")
    assert no_url.exit_code != 0 and "--url" in no_url.output
    monkeypatch.setenv("ENERGOBOT_VIBER__TOKEN", "")
    no_token = await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", "info", "viber"])
    assert no_token.exit_code != 0 and "ENERGOBOT_VIBER__TOKEN" in no_token.output
    monkeypatch.setenv("ENERGOBOT_VIBER__TOKEN", fake_viber.token)
    monkeypatch.setenv("ENERGOBOT_VIBER__API_BASE", "http://127.0.0.1:9/pa")
    monkeypatch.setenv("ENERGOBOT_OUTBOX__SEND_TIMEOUT_SECONDS", "2")
    down = await asyncio.to_thread(CliRunner().invoke, main, ["webhooks", "info", "viber"])
    assert down.exit_code != 0 and "could not be reached" in down.output
