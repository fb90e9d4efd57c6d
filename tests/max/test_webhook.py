"""POST /webhooks/max of the real app: the secret, the body, every recorded update."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from storage.tables import customers
from tests.fakes.max import updates as build
from tests.max.harness import SECRET, WEBHOOK, Harness
from tests.max.test_parse import CALLBACKS, EXPECTED, IGNORED, load

RECORDED_USERS = (10001, 174756854, 9007199254740993, 555001, 123456789, 1234567890)


async def nothing_stored(mx: Harness) -> None:
    assert await mx.inbox() == []
    assert await mx.outbox() == []
    assert await mx.rows(select(customers)) == []


async def test_a_wrong_or_missing_secret_is_401_before_the_body_and_nothing_is_stored(
    mx: Harness,
) -> None:
    body = build.encode(build.text(mx.fake, 7101, "передать показания"))
    for secret in (
        None,
        "",
        SECRET[:-1],
        SECRET + "x",
        SECRET.upper(),
        "ё" * 20,
        f"Bearer {SECRET}",
    ):
        status, answer = await mx.post(body, secret=secret)
        assert status == 401, (secret, answer)
    # Refused on the header alone: a body over the limit is not even looked at.
    status, _ = await mx.post(b"x" * 2_000_000, secret="wrong-secret")
    assert status == 401
    await asyncio.sleep(0.2)  # a few sender polls: nothing may go out
    await nothing_stored(mx)
    assert mx.fake.calls == []
    status, _ = await mx.post(body)
    assert status == 200


async def test_a_body_over_the_limit_is_413_with_or_without_its_length(mx: Harness) -> None:
    big = b'{"update_type": "message_created", "x": "' + b"a" * 1_100_000 + b'"}'
    status, _ = await mx.post(big)
    assert status == 413

    async def chunks() -> AsyncIterator[bytes]:  # chunked: no Content-Length to go by
        for _ in range(20):
            yield b" " * 100_000
        yield b'{"update_type": "bot_started"}'

    headers = {"X-Max-Bot-Api-Secret": SECRET, "Content-Type": "application/json"}
    async with mx.client.post(WEBHOOK, data=chunks(), headers=headers) as response:
        assert response.status == 413
    await nothing_stored(mx)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe{\x00}",
        b"null",
        b"[]",
        b'"message_created"',
        b"{}",
        b'{"update_type": 7}',
        b'{"timestamp": 1786079712219, "message": {"body": {"text": "hi"}}}',
        b'{"update_type": "message_created", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
async def test_what_is_not_an_update_is_400_and_nothing_is_stored(mx: Harness, body: bytes) -> None:
    status, _ = await mx.post(body)
    assert status == 400
    await nothing_stored(mx)


async def test_unknown_and_silent_update_types_are_acknowledged(mx: Harness) -> None:
    for body in (
        {"update_type": "message_reaction_added", "timestamp": 1786079712219, "x": {"y": 1}},
        {"update_type": "message_edited", "timestamp": 1, "message": {"body": {"mid": "m"}}},
        {"update_type": "message_removed", "message_id": "mid.1", "chat_id": -5, "user_id": 1},
        {"update_type": "message_created"},  # a type we know, without its message
    ):
        status, answer = await mx.post(body)
        assert status == 200, (body, answer)
    await asyncio.sleep(0.1)
    await nothing_stored(mx)
    assert mx.fake.calls == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_every_recorded_body_is_taken_without_5xx_and_once(mx: Harness, name: str) -> None:
    for user in RECORDED_USERS:
        mx.fake.add_user(user)
    update: dict[str, Any] = load(name)
    callback_id = (update.get("callback") or {}).get("callback_id", "")
    if name in CALLBACKS:
        user = update["callback"].get("user") or update["message"]["recipient"]
        mx.fake.callbacks[callback_id] = str(user["user_id"])
    status, answer = await mx.post(update)
    assert status == 200, answer
    await mx.settle()
    inbox = await mx.inbox()
    assert len(inbox) == (0 if EXPECTED[name][0] == IGNORED else 1)
    sends = len(mx.fake.calls_to("/messages"))
    status, _ = await mx.post(update)  # MAX's retry of the same update
    assert status == 200
    await mx.settle()
    await asyncio.sleep(0.05)
    assert await mx.inbox() == inbox
    assert len(mx.fake.calls_to("/messages")) == sends
    assert all(call.status == 200 for call in mx.fake.calls), [
        (c.path, c.status, c.response) for c in mx.fake.calls if c.status != 200
    ]
    if name in CALLBACKS:
        assert len(mx.fake.answered(callback_id)) == 1  # answered once, the retry not again


async def test_the_same_update_posted_twice_at_once_is_one_effect(mx: Harness) -> None:
    user = 7102
    mx.fake.add_user(user)
    update = build.bot_started(mx.fake, user)
    results = await asyncio.gather(mx.post(update), mx.post(update), mx.post(update))
    assert [status for status, _ in results] == [200, 200, 200]
    await mx.settle()
    assert len(await mx.inbox()) == 1
    assert len(mx.fake.sent(user)) == 1


async def test_group_chats_are_ignored(mx: Harness) -> None:
    body = build.message(mx.fake, 7103, "оператор", chat_type="chat")
    status, _ = await mx.post(body)
    assert status == 200
    await asyncio.sleep(0.1)
    await nothing_stored(mx)
