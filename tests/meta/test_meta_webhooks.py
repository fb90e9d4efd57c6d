"""Both Graph webhooks of the real app: the verification handshake, the signature before anything
is read, bodies that are not notifications."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage.tables import customers
from tests.fakes.graph import VERIFY_TOKEN
from tests.fakes.graph import webhooks as build
from tests.meta.harness import Harness

PLATFORMS = ("whatsapp", "messenger")


def body_for(platform: str) -> dict[str, object]:
    if platform == "whatsapp":
        return build.wa_text("79195550177", "передать показания")
    return build.fb_text("6251938475610293", "передать показания")


async def nothing_stored(meta: Harness) -> None:
    assert await meta.inbox() == []
    assert await meta.outbox() == []
    assert await meta.rows(select(customers)) == []


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_the_handshake_answers_the_raw_challenge(meta: Harness, platform: str) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    status, text, kind = await meta.verify(platform, params)
    assert (status, text, kind) == (200, "1158201444", "text/plain")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN.upper(), "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN + "x", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
)
async def test_the_handshake_refuses_anything_else(
    meta: Harness, platform: str, params: dict[str, str]
) -> None:
    status, text, _ = await meta.verify(platform, params)
    assert status == 403 and "1" not in text


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_missing_signature_401_wrong_403_nothing_stored(meta: Harness, platform: str) -> None:
    body = body_for(platform)
    data = build.encode(body)
    assert (await meta.post(platform, body, signature=None))[0] == 401
    for signature in (
        build.sign(data, "another-secret"),
        build.sign(data + b" "),
        "sha256=",
        "sha1=" + build.sign(data)[7:],
        build.sign(data)[:-1],
        "garbage",
    ):
        status, _ = await meta.post(platform, body, signature=signature)
        assert status == 403, signature
    await nothing_stored(meta)
    await asyncio.sleep(0.15)  # a few sender polls: nothing may go out
    assert meta.fake.calls == []
    assert (await meta.post(platform, body))[0] == 200  # the same body, rightly signed


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[]", b'"text"', b"null", b'{"object": "page"}', b"\xff\xfe{", b"[" * 5000],
)
async def test_signed_bodies_that_are_not_notifications_are_400(
    meta: Harness, platform: str, data: bytes
) -> None:
    status, _ = await meta.post(platform, data)
    assert status == 400
    await nothing_stored(meta)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_another_object_is_acknowledged_and_ignored(meta: Harness, platform: str) -> None:
    body = {"object": "instagram", "entry": [{"id": "1", "messaging": []}]}
    assert (await meta.post(platform, body))[0] == 200
    await nothing_stored(meta)
