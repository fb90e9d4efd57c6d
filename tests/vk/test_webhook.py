"""POST /webhooks/vk of the real app: the confirmation, the secret and the group, the body,
every recorded event answered «ok» and taken once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.tables import customers
from tests.fakes.vk import callbacks as build
from tests.telegram.harness import until
from tests.vk.harness import Harness
from tests.vk.test_parse import EXPECTED

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "vk"
USER = 206295116


def recorded(vk: Harness, name: str) -> dict[str, Any]:
    """A recorded body as this community's server gets it: our secret, our group (a body
    without group_id keeps going without one)."""
    body = json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))
    body["secret"] = vk.fake.secret
    if "group_id" in body:
        body["group_id"] = vk.fake.group_id
    return dict(body)


async def nothing_stored(vk: Harness) -> None:
    assert await vk.inbox() == []
    assert await vk.outbox() == []
    assert await vk.rows(select(customers)) == []


async def test_the_confirmation_is_answered_with_the_code_as_plain_text(vk: Harness) -> None:
    async with vk.client.post("/webhooks/vk", json=build.confirmation(vk.fake)) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        assert await response.text() == vk.fake.confirmation
    # Without its secret (VK's older servers, or no key set in VK yet), by group_id alone.
    body = {"type": "confirmation", "group_id": vk.fake.group_id}
    assert await vk.post(body) == (200, vk.fake.confirmation)
    assert await vk.post({**body, "secret": ""}) == (200, vk.fake.confirmation)
    # Without group_id, by the secret alone.
    assert await vk.post({"type": "confirmation", "secret": vk.fake.secret}) == (
        200,
        vk.fake.confirmation,
    )
    for refused in (
        {"type": "confirmation", "group_id": 1},  # another community
        {"type": "confirmation", "group_id": str(vk.fake.group_id + 1)},
        {"type": "confirmation", "group_id": vk.fake.group_id, "secret": "wrong"},
        {"type": "confirmation"},  # neither
        {"type": "confirmation", "secret": ""},
    ):
        status, answer = await vk.post(refused)
        assert status == 403 and answer != vk.fake.confirmation, refused
    await nothing_stored(vk)


async def test_a_wrong_or_missing_secret_or_group_is_refused_and_nothing_stored(
    vk: Harness,
) -> None:
    good = build.text(vk.fake, USER, "показания 18300")
    for body, status in (
        ({**good, "secret": "wrong"}, 403),
        ({**good, "secret": vk.fake.secret + "x"}, 403),
        ({**good, "secret": vk.fake.secret[:-1]}, 403),
        ({**good, "secret": vk.fake.secret.upper()}, 403),
        ({**good, "secret": ""}, 401),
        ({**good, "secret": None}, 401),
        ({**good, "secret": 12345}, 401),
        ({k: v for k, v in good.items() if k != "secret"}, 401),
        ({**good, "group_id": 1}, 403),
        ({**good, "group_id": -vk.fake.group_id}, 403),
        ({**good, "group_id": "club218730916"}, 403),
        ({**good, "group_id": True}, 403),
    ):
        assert (await vk.post(body))[0] == status, body
    await nothing_stored(vk)
    await asyncio.sleep(0.15)  # a few sender polls: nothing may go out
    assert vk.fake.calls == []
    # The same event, right: taken (a group_id as digits is VK's too).
    assert await vk.post({**good, "group_id": str(vk.fake.group_id)}) == (200, "ok")
    assert len(await vk.inbox()) == 1


async def test_bodies_that_are_not_events(vk: Harness) -> None:
    assert (await vk.post(b"not json"))[0] == 400
    assert (await vk.post(b"\xff\xfe"))[0] == 400
    assert (await vk.post(b"[1, 2]"))[0] == 400
    assert (await vk.post(b"[" * 100_000))[0] == 400
    big = build.text(vk.fake, USER, "ы" * 700_000)  # over server.max_body_bytes (1 MiB)
    assert (await vk.post(big))[0] == 413
    # No type, but VK's secret: nothing to do, and nothing VK should deliver again.
    assert await vk.post({"secret": vk.fake.secret, "group_id": vk.fake.group_id}) == (200, "ok")
    await nothing_stored(vk)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_every_recorded_body_is_answered_without_5xx_and_taken_once(
    vk: Harness, name: str
) -> None:
    body = recorded(vk, name)
    for user in (USER, 578716413, 123456, 1, 366305213):
        vk.fake.add_user(user)
    status, answer = await vk.post(body)
    assert status == 200
    assert answer == (vk.fake.confirmation if name.startswith("confirmation") else "ok")
    await vk.settle()
    stored = len(await vk.inbox())
    sent = len(vk.fake.sent())
    assert stored == (0 if EXPECTED[name][0] == "ignored" else 1), name
    # VK delivers it again (no «ok» reached it): answered, nothing more happens. (A notice
    # without event_id is taken again: it cannot be told from the next one, and changes
    # nothing the second time.)
    assert (await vk.post(body))[0] == 200
    await vk.settle()
    notice = name in ("message_allow_without_event_id", "message_deny_without_event_id")
    assert len(await vk.inbox()) == stored + notice and len(vk.fake.sent()) == sent


async def test_a_callback_press_is_answered_after_its_turn_and_once(vk: Harness) -> None:
    await vk.start(USER)
    body = build.callback_press(vk.fake, USER, {"b": "go:tariffs"})
    sent = await vk.deliver(body)
    assert "тариф" in vk.text(sent).casefold()
    (press,) = vk.fake.presses.values()
    await until(lambda: len(press.answers), lambda n: n == 1)
    assert press.answers[0]["user_id"] == str(USER) and press.answers[0]["peer_id"] == str(USER)
    assert await vk.deliver(body) == []  # delivered again: a duplicate, not answered again
    await asyncio.sleep(0.1)
    assert len(press.answers) == 1


async def test_echoes_of_our_own_messages_change_nothing(vk: Harness) -> None:
    sent = await vk.start(USER)
    rows = len(await vk.inbox())
    for message in sent:
        assert await vk.post(build.reply_echo(vk.fake, message)) == (200, "ok")
    await vk.settle()
    assert len(await vk.inbox()) == rows and len(vk.fake.sent(USER)) == len(sent)
