"""The fake itself answers like Viber: auth, limits, the keyboard grid, statuses, failures."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.fakes.viber import FakeViber
from tests.fakes.viber import errors as status
from tests.fakes.viber.models import Webhook

USER = "fAkE+uSeR/01=="


def text_body(**extra: Any) -> dict[str, Any]:
    return {
        "receiver": USER,
        "type": "text",
        "text": "Здравствуйте",
        "sender": {"name": "Бот"},
        **extra,
    }


async def call(
    fake: FakeViber, endpoint: str, body: Any, *, token: str | None = "header"
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token == "header":
        headers["X-Viber-Auth-Token"] = fake.token
    elif token is not None:
        headers["X-Viber-Auth-Token"] = token
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}/{endpoint}", data=data, headers=headers) as response,
    ):
        assert response.status == 200  # Viber answers errors in the JSON status
        return json.loads(await response.read())


@pytest.fixture
def fake(fake_viber: FakeViber) -> FakeViber:
    fake_viber.webhook = Webhook("https://bot.example/webhooks/viber")
    fake_viber.add_user(USER)
    return fake_viber


async def test_the_token_in_the_header_or_the_body(fake: FakeViber) -> None:
    assert (await call(fake, "send_message", text_body()))["status"] == 0
    body = {**text_body(), "auth_token": fake.token}
    assert (await call(fake, "send_message", body, token=None))["status"] == 0
    missing = await call(fake, "send_message", text_body(), token=None)
    assert missing == {"status": 2, "status_message": "missing_auth_token"}
    wrong = await call(fake, "send_message", text_body(), token="nope")
    assert wrong["status"] == status.INVALID_AUTH_TOKEN
    assert len(fake.delivered) == 2


async def test_tokens_are_64_bit_and_exact(fake: FakeViber) -> None:
    answers = [await call(fake, "send_message", text_body()) for _ in range(2)]
    tokens = [a["message_token"] for a in answers]
    assert tokens[0] > 2**53 and tokens[1] == tokens[0] + 1
    assert [s.message_token for s in fake.sent(USER)] == tokens


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (text_body(text="я" * 7001), status.BAD_DATA, "7000"),
        (text_body(text=""), status.MISSING_DATA, "text"),
        (text_body(sender={"name": "Б" * 29}), status.BAD_DATA, "sender name"),
        ({"receiver": USER, "type": "text", "text": "x"}, status.MISSING_DATA, "sender"),
        (text_body(type="voice"), status.BAD_DATA, "type"),
        (text_body(tracking_data="t" * 4001), status.BAD_DATA, "tracking_data"),
        (text_body(keyboard={"Buttons": []}), status.BAD_DATA, '["Type"]'),
        (
            text_body(
                keyboard={"Type": "keyboard", "Buttons": [{"Columns": 7, "ActionBody": "a"}]}
            ),
            status.BAD_DATA,
            "Columns",
        ),
        (
            text_body(
                keyboard={"Type": "keyboard", "Buttons": [{"Text": "x" * 251, "ActionBody": "a"}]}
            ),
            status.BAD_DATA,
            "250",
        ),
        (
            text_body(keyboard={"Type": "keyboard", "Buttons": [{"Text": "x"}]}),
            status.BAD_DATA,
            "ActionBody",
        ),
        (
            text_body(
                keyboard={
                    "Type": "keyboard",
                    "Buttons": [{"ActionType": "share-phone", "ActionBody": "p"}],
                }
            ),
            status.BAD_DATA,
            "min_api_version 3",
        ),
        (
            text_body(receiver="someone-else"),
            status.RECEIVER_NOT_REGISTERED,
            "receiverNotRegistered",
        ),
    ],
)
async def test_what_viber_refuses(fake: FakeViber, body: dict, code: int, words: str) -> None:
    answer = await call(fake, "send_message", body)
    assert answer["status"] == code and words in answer["status_message"], answer
    assert fake.delivered == []


async def test_the_30_kb_limit(fake: FakeViber) -> None:
    # 6000 Cyrillic letters are 12 KB of UTF-8 but 36 KB as \\u escapes.
    escaped = json.dumps(text_body(text="ж" * 6000)).encode()
    answer = await call(fake, "send_message", escaped)
    assert answer["status"] == status.BAD_DATA and "30 KB" in answer["status_message"]
    assert (await call(fake, "send_message", text_body(text="ж" * 6000)))["status"] == 0


async def test_unsubscribed_and_the_100_messages_rule(fake: FakeViber) -> None:
    fake.unanswered_limit = 3
    for _ in range(3):
        assert (await call(fake, "send_message", text_body()))["status"] == 0
    assert (await call(fake, "send_message", text_body()))["status"] == status.TOO_MANY_REQUESTS
    fake.replied(USER)
    assert (await call(fake, "send_message", text_body()))["status"] == 0
    fake.unsubscribe(USER)
    answer = await call(fake, "send_message", text_body())
    assert answer == {"status": 6, "status_message": "receiverNotSubscribed"}


async def test_failures_on_demand_and_recorded_calls(fake: FakeViber) -> None:
    fake.fail_next("send_message", status.PUBLIC_ACCOUNT_SUSPENDED, times=2)
    fake.fail_user(USER, status.RECEIVER_NO_SUITABLE_DEVICE, times=1)
    codes = [(await call(fake, "send_message", text_body()))["status"] for _ in range(4)]
    assert codes == [9, 9, 11, 0]
    assert [c.status for c in fake.calls_to("send_message")] == codes
    assert fake.calls[0].body["text"] == "Здравствуйте"
    fake.fail_next(None, http_status=503)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.base_url}/get_account_info",
            json={},
            headers={"X-Viber-Auth-Token": fake.token},
        ) as response,
    ):
        assert response.status == 503
    assert fake.calls[-1].http_status == 503


async def test_no_webhook_no_sending(fake_viber: FakeViber) -> None:
    fake_viber.add_user(USER)
    answer = await call(fake_viber, "send_message", text_body())
    assert answer["status"] == status.WEBHOOK_NOT_SET


async def test_set_webhook_needs_https_and_a_200_from_the_address(fake_viber: FakeViber) -> None:
    answer = await call(fake_viber, "set_webhook", {"url": "http://bot.example/hook"})
    assert answer["status"] == status.INVALID_URL
    # An address where nobody listens: Viber's check gets no 200.
    fake_viber.require_https = False
    answer = await call(fake_viber, "set_webhook", {"url": "http://127.0.0.1:9/hook"})
    assert answer["status"] == status.INVALID_URL and fake_viber.webhook.url == ""
    wrong = await call(fake_viber, "set_webhook", {"url": "https://x", "event_types": ["typing"]})
    assert wrong["status"] == status.BAD_DATA
    info = await call(fake_viber, "get_account_info", {})
    assert info["status"] == 0 and info["webhook"] == "" and info["name"] == "Энергосбыт"
