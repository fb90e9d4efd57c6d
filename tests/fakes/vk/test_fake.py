"""The fake itself answers like VK: auth, version, messages.send's checks and keyboard limits,
random_id, permissions, the rate limit, failures on demand."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.fakes.vk import FakeVk
from tests.fakes.vk import errors as codes

USER = 206295116


async def call(
    fake: FakeVk, method: str, params: dict[str, Any], *, token: str | None = "bearer"
) -> dict[str, Any]:
    form = {key: str(value) for key, value in params.items()}
    form.setdefault("v", "5.199")
    headers = {}
    if token == "bearer":
        headers["Authorization"] = f"Bearer {fake.token}"
    elif token is not None:
        form["access_token"] = token
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}/{method}", data=form, headers=headers) as response,
    ):
        assert response.status == 200  # VK answers errors in the JSON
        answer = json.loads(await response.read())
        assert isinstance(answer, dict)
        return answer


def code(answer: dict[str, Any]) -> int:
    return int(answer["error"]["error_code"]) if "error" in answer else 0


def send(**extra: Any) -> dict[str, Any]:
    return {"peer_id": USER, "random_id": 11, "message": "Здравствуйте", **extra}


def board(rows: list[list[dict[str, Any]]], inline: bool = True, **extra: Any) -> str:
    return json.dumps({"inline": inline, "buttons": rows, **extra}, ensure_ascii=False)


def text_button(label: str = "Да", payload: str = '{"b":"1:yes"}', **extra: Any) -> dict[str, Any]:
    return {"action": {"type": "text", "label": label, "payload": payload}, **extra}


@pytest.fixture
def fake(fake_vk: FakeVk) -> FakeVk:
    fake_vk.add_user(USER)
    return fake_vk


async def test_the_token_in_the_header_or_the_form_and_the_version(fake: FakeVk) -> None:
    assert code(await call(fake, "messages.send", send())) == 0
    assert code(await call(fake, "messages.send", send(random_id=12), token=fake.token)) == 0
    missing = await call(fake, "messages.send", send(), token=None)
    assert code(missing) == codes.AUTH and "no access_token" in missing["error"]["error_msg"]
    assert code(await call(fake, "messages.send", send(), token="vk1.a.nope")) == codes.AUTH
    assert code(await call(fake, "messages.send", send(v=""))) == codes.INVALID_REQUEST
    assert code(await call(fake, "messages.nothing", {})) == codes.UNKNOWN_METHOD
    assert len(fake.delivered) == 2


async def test_messages_send_is_checked(fake: FakeVk) -> None:
    assert code(await call(fake, "messages.send", {"random_id": 1, "message": "x"})) == codes.PARAM
    assert code(await call(fake, "messages.send", send(peer_id=2000000001))) == 917
    assert code(await call(fake, "messages.send", send(peer_id=-5))) == codes.PARAM
    no_random = {"peer_id": USER, "message": "x"}
    assert code(await call(fake, "messages.send", no_random)) == codes.PARAM
    assert code(await call(fake, "messages.send", send(message="  "))) == codes.PARAM
    assert code(await call(fake, "messages.send", send(message="я" * 9001))) == codes.TOO_LONG
    assert code(await call(fake, "messages.send", send(message="я" * 9000))) == 0
    assert code(await call(fake, "messages.send", send(random_id=2, message="⚡" * 4500))) == 0
    too_long = send(random_id=3, message="🔌" * 4501)  # 9002 UTF-16 units
    assert code(await call(fake, "messages.send", too_long)) == codes.TOO_LONG


@pytest.mark.parametrize(
    "keyboard",
    [
        "not json",
        board([[text_button()]] * 7),  # inline: 6 rows
        board([[text_button()] * 5, [text_button()] * 5, [text_button()]]),  # inline: 10 buttons
        board([[text_button()] * 6], inline=False),  # 5 a row
        board([[text_button()]] * 11, inline=False),  # 10 rows
        board([[text_button()] * 5] * 9, inline=False),  # 40 buttons (45)
        board([[text_button("я" * 41)]]),  # label 40
        board([[text_button(payload=json.dumps({"b": "я" * 130}, ensure_ascii=False))]]),
        board([[text_button(payload="not json")]]),
        board([[text_button(label="")]]),
        board([[text_button(color="red")]]),
        board([[{"action": {"type": "share_phone", "label": "Телефон"}}]]),
        board([[{"action": {"type": "location"}}, text_button()]]),  # location alone
        board([[text_button()]], one_time=True),  # one_time is not for inline
        board([]),  # an inline keyboard without buttons
        board([[]], inline=False),
    ],
)
async def test_keyboards_beyond_vk_s_limits_are_error_911(fake: FakeVk, keyboard: str) -> None:
    answer = await call(fake, "messages.send", send(keyboard=keyboard))
    assert code(answer) == codes.KEYBOARD_INVALID, answer
    assert fake.delivered == []


@pytest.mark.parametrize(
    "keyboard",
    [
        board([[text_button()] * 5, [text_button()] * 5]),  # inline: 10 buttons
        board([[text_button()]] * 6),  # inline: 6 rows
        board([[text_button()] * 4] * 10, inline=False, one_time=True),  # 40 buttons
        board([], inline=False, one_time=True),  # hides the keyboard
        board([[text_button("я" * 40, payload=json.dumps({"b": "x" * 240}))]]),
        board([[{"action": {"type": "callback", "label": "Да", "payload": "{}"}}]]),
    ],
)
async def test_keyboards_within_the_limits_are_taken(fake: FakeVk, keyboard: str) -> None:
    assert code(await call(fake, "messages.send", send(keyboard=keyboard))) == 0
    (sent,) = fake.delivered
    assert sent.keyboard == json.loads(keyboard)


async def test_a_repeated_random_id_is_not_a_second_message(fake: FakeVk) -> None:
    first = await call(fake, "messages.send", send(random_id=77))
    again = await call(fake, "messages.send", send(random_id=77, message="Другой текст"))
    assert first["response"] == again["response"] and len(fake.delivered) == 1
    assert fake.calls_to("messages.send")[-1].repeated
    await call(fake, "messages.send", send(random_id=0))
    await call(fake, "messages.send", send(random_id=0))  # 0: no check at all
    assert len(fake.delivered) == 3


async def test_users_who_did_not_allow_messages_get_nothing(fake: FakeVk) -> None:
    assert code(await call(fake, "messages.send", send(peer_id=555))) == codes.DENY_SEND
    fake.deny(USER)
    assert code(await call(fake, "messages.send", send())) == codes.DENY_SEND
    fake.allow(USER)
    assert code(await call(fake, "messages.send", send())) == 0


async def test_twenty_requests_a_second(fake: FakeVk) -> None:
    answers = [await call(fake, "messages.send", send(random_id=i)) for i in range(1, 22)]
    assert [code(a) for a in answers] == [0] * 20 + [codes.TOO_MANY]


async def test_failures_on_demand(fake: FakeVk) -> None:
    fake.fail_next("messages.send", codes.FLOOD, times=2, after=1)
    results = [code(await call(fake, "messages.send", send(random_id=i))) for i in (1, 2, 3, 4)]
    assert results == [0, codes.FLOOD, codes.FLOOD, 0]
    fake.fail_next(None, http_status=503)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.base_url}/messages.send",
            data={"v": "5.199", "access_token": fake.token},
        ) as response,
    ):
        assert response.status == 503
    fake.bot_features = False
    keyboard = board([[text_button()]])
    assert code(await call(fake, "messages.send", send(random_id=9, keyboard=keyboard))) == 912


async def test_callback_presses_are_answered(fake: FakeVk) -> None:
    press = fake.press(USER)
    params = {"event_id": press.event_id, "user_id": USER, "peer_id": USER}
    assert (await call(fake, "messages.sendMessageEventAnswer", params))["response"] == 1
    assert len(press.answers) == 1
    wrong = {**params, "event_id": "nope"}
    assert code(await call(fake, "messages.sendMessageEventAnswer", wrong)) == codes.PARAM


async def test_the_community_and_its_callback_servers(fake: FakeVk) -> None:
    group = {"group_id": fake.group_id}
    answer = await call(fake, "groups.getById", group)
    assert answer["response"]["groups"][0]["id"] == fake.group_id
    code_answer = await call(fake, "groups.getCallbackConfirmationCode", group)
    assert code_answer["response"] == {"code": fake.confirmation}
    fake.register_server("https://bot.example/webhooks/vk")
    servers = (await call(fake, "groups.getCallbackServers", group))["response"]
    assert servers["count"] == 1 and servers["items"][0]["status"] == "ok"
    fake.manage = False
    assert code(await call(fake, "groups.getCallbackServers", group)) == codes.ACCESS
