"""The fake itself answers like MAX: the token, the limits, rates, long polling, failures."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from tests.fakes.max import FakeMax


async def call(
    fake: FakeMax,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    params: dict[str, str] | None = None,
) -> tuple[int, Any]:
    headers = {"Authorization": fake.token if token is None else token}
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, fake.base_url + path, data=data, headers=headers, params=params
        ) as response,
    ):
        return response.status, json.loads(await response.read())


async def test_a_wrong_token_or_one_in_the_query_is_401_verify_token(fake_max: FakeMax) -> None:
    fake_max.add_user(1)
    assert await call(fake_max, "GET", "/me", token="nope") == (
        401,
        {"code": "verify.token", "message": "Invalid access_token"},
    )
    status, _ = await call(fake_max, "GET", "/me", params={"access_token": fake_max.token})
    assert status == 401
    assert (await call(fake_max, "GET", "/me"))[0] == 200


async def test_limits_are_refused_with_400(fake_max: FakeMax) -> None:
    fake_max.add_user(1)
    send = {"user_id": "1"}
    for body in (
        {"text": "я" * 4001},
        {"text": ""},
        {"text": "x", "format": "bbcode"},
        {
            "text": "x",
            "attachments": [
                {
                    "type": "inline_keyboard",
                    "payload": {
                        "buttons": [
                            [{"type": "callback", "text": str(i), "payload": "p"} for i in range(8)]
                        ]
                    },
                }
            ],
        },
        {
            "text": "x",
            "attachments": [
                {
                    "type": "inline_keyboard",
                    "payload": {
                        "buttons": [
                            [{"type": "request_contact", "text": "📱"}]
                            + [{"type": "callback", "text": "a", "payload": "p"}] * 3
                        ]
                    },
                }
            ],
        },
        {
            "text": "x",
            "attachments": [
                {
                    "type": "inline_keyboard",
                    "payload": {
                        "buttons": [[{"type": "callback", "text": "a", "payload": "p"}]] * 31
                    },
                }
            ],
        },
        {
            "text": "x",
            "attachments": [
                {
                    "type": "inline_keyboard",
                    "payload": {"buttons": [[{"type": "callback", "text": "", "payload": "p"}]]},
                }
            ],
        },
        {
            "text": "x",
            "attachments": [
                {
                    "type": "inline_keyboard",
                    "payload": {
                        "buttons": [[{"type": "callback", "text": "a", "payload": "я" * 513}]]
                    },
                }
            ],
        },
    ):
        status, answer = await call(fake_max, "POST", "/messages", body, params=send)
        assert status == 400, body
        assert answer["code"] == "proto.payload"
    assert fake_max.delivered == []


async def test_a_chat_gets_two_requests_a_second_then_429(fake_max: FakeMax) -> None:
    fake_max.add_user(1)
    statuses = [
        (await call(fake_max, "POST", "/messages", {"text": "x"}, params={"user_id": "1"}))[0]
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


async def test_blocked_unknown_and_injected(fake_max: FakeMax) -> None:
    fake_max.block(2)
    status, answer = await call(
        fake_max, "POST", "/messages", {"text": "x"}, params={"user_id": "2"}
    )
    assert (status, answer["code"]) == (403, "chat.denied")
    assert "error.dialog.suspended" in answer["message"]
    status, answer = await call(
        fake_max, "POST", "/messages", {"text": "x"}, params={"user_id": "3"}
    )
    assert (status, answer) == (404, {"code": "chat.not.found", "message": "dialog.not.found"})
    fake_max.add_user(4, started=False)  # known, but never pressed Start: a bot cannot write first
    status, answer = await call(
        fake_max, "POST", "/messages", {"text": "x"}, params={"user_id": "4"}
    )
    assert (status, answer["message"]) == (404, "dialog.not.found")
    fake_max.fail_next(None, 503, times=2)
    assert (await call(fake_max, "GET", "/me"))[0] == 503
    assert (await call(fake_max, "GET", "/me"))[0] == 503
    assert (await call(fake_max, "GET", "/me"))[0] == 200


async def test_long_polling_marker(fake_max: FakeMax) -> None:
    for n in range(3):
        fake_max.push_update({"update_type": "bot_started", "n": n})
    status, first = await call(fake_max, "GET", "/updates", params={"timeout": "0"})
    assert status == 200 and [u["n"] for u in first["updates"]] == [2]  # no marker: the latest
    fake_max.push_update({"update_type": "bot_started", "n": 3})
    fake_max.push_update({"update_type": "message_removed", "n": 4})
    params = {"timeout": "0", "marker": str(first["marker"]), "types": "bot_started"}
    status, second = await call(fake_max, "GET", "/updates", params=params)
    assert [u["n"] for u in second["updates"]] == [3]
    params["marker"] = str(second["marker"])
    status, third = await call(fake_max, "GET", "/updates", params=params)
    assert third["updates"] == [] and fake_max.pending == []
