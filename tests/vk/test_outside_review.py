"""What an outside review of the VK plug-in found: each test failed before its fix."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bots.channel import Rates, SendContext, SendError
from bots.vk.api import VkApi
from bots.vk.channel import VkChannel
from dialogs.messages import Reply
from tests.fakes.vk import FakeVk
from tests.fakes.vk import callbacks as build
from tests.fakes.vk import errors as codes
from tests.vk.harness import Harness

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "vk"
USER = 206295116


@pytest.fixture
async def channel(fake_vk: FakeVk) -> AsyncIterator[VkChannel]:
    fake_vk.add_user(USER)
    api = VkApi(fake_vk.token, fake_vk.base_url, fake_vk.api_version, timeout=2)
    vk = VkChannel(api, Rates(20, 1, 3))
    yield vk
    await vk.close()


# -- 1. a refused token gives every queued message up -------------------------------------------


async def test_a_refused_token_is_not_a_permanent_failure_of_the_message(
    channel: VkChannel, fake_vk: FakeVk
) -> None:
    """Error 5 says nothing about the message: it must wait (with backoff) until the token is
    fixed, as Telegram's and MAX's channels do — not be given up."""
    fake_vk.fail_next("messages.send", codes.AUTH)
    context = SendContext(datetime.now(UTC), datetime.now(UTC), 41)
    with pytest.raises(SendError) as refused:
        await channel.send(str(USER), Reply("Ваши показания приняты."), context)
    assert not refused.value.permanent


async def test_a_reply_queued_while_the_token_was_refused_arrives_once_it_works(
    vk: Harness,
) -> None:
    user = 7101
    vk.fake.add_user(user)
    # The token is refused once (an administrator regenerated it and is updating the env).
    vk.fake.fail_next("messages.send", codes.AUTH)
    sent = await vk.start(user)  # waits until no row is pending (at most 10 s)
    assert sent, [row["status"] for row in await vk.outbox(user)]


# -- 2. unauthenticated bodies that crash the webhook --------------------------------------------


async def test_a_secret_with_a_lone_surrogate_is_refused_not_a_500(vk: Harness) -> None:
    group = vk.fake.group_id
    body = (
        f'{{"type":"message_new","group_id":{group},"event_id":"e1","v":"5.199",'
        f'"object":{{"message":{{"id":1,"from_id":{USER},"peer_id":{USER},"text":"x"}}}},'
        '"secret":"\\ud800"}'
    ).encode()
    status, _ = await vk.post(body)
    assert status in (401, 403)
    assert await vk.inbox() == []


async def test_a_group_id_of_superscript_digits_is_refused_not_a_500(vk: Harness) -> None:
    body = build.text(vk.fake, USER, "привет")
    body["group_id"] = "\u00b2"  # "²".isdigit() is True, int("²") raises
    status, _ = await vk.post(body)
    assert status == 403
    assert await vk.inbox() == []


# -- 3. notices without event_id: a second allow (or deny) is taken for a duplicate -------------


def recorded(vk: Harness, name: str) -> dict[str, Any]:
    body = json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))
    body["secret"] = vk.fake.secret
    body["group_id"] = vk.fake.group_id
    return dict(body)


async def test_allowing_messages_again_after_a_denial_resumes_without_event_ids(
    vk: Harness,
) -> None:
    allow = recorded(vk, "message_allow_without_event_id")
    deny = recorded(vk, "message_deny_without_event_id")
    user = allow["object"]["user_id"]
    assert deny["object"]["user_id"] == user
    for body in (allow, deny, allow):  # allowed, forbidden, allowed again: three events
        assert await vk.post(body) == (200, "ok")
    # The second allow hashes like the first and is dropped as its duplicate: the customer
    # allowed messages, yet the conversation stays blocked.
    assert (await vk.conversation(user))["send_blocked"] is None
