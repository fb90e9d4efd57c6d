"""FakeGraph refuses what the real Send APIs refuse, in Graph's error shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakes.graph import PAGE_TOKEN, PHONE_NUMBER_ID, WHATSAPP_TOKEN, FakeGraph

USER = "79195550177"
PSID = "6251938475610293"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def wa(
    http: aiohttp.ClientSession,
    fake: FakeGraph,
    message: dict[str, Any],
    token: str = WHATSAPP_TOKEN,
) -> tuple[int, dict[str, Any]]:
    body = {"messaging_product": "whatsapp", "to": USER, **message}
    url = f"{fake.base_url}/{PHONE_NUMBER_ID}/messages"
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(url, json=body, headers=headers) as response:
        return response.status, await response.json()


async def fb(
    http: aiohttp.ClientSession, fake: FakeGraph, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    url = f"{fake.base_url}/me/messages"
    headers = {"Authorization": f"Bearer {PAGE_TOKEN}"}
    async with http.post(url, json=body, headers=headers) as response:
        return response.status, await response.json()


def reply_buttons(*titles: str) -> dict[str, Any]:
    buttons = [
        {"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)
    ]
    return {
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "?"}, "action": {"buttons": buttons}},
    }


def rows(count: int, title: str = "Row") -> dict[str, Any]:
    items = [{"id": f"r{i}", "title": title} for i in range(count)]
    action = {"button": "Выбрать", "sections": [{"rows": items}]}
    return {
        "type": "interactive",
        "interactive": {"type": "list", "body": {"text": "?"}, "action": action},
    }


@pytest.mark.parametrize(
    "message",
    [
        reply_buttons("1", "2", "3", "4"),
        reply_buttons("x" * 21),
        reply_buttons("Да", "Да"),
        rows(11),
        rows(1, "x" * 25),
        {"type": "text", "text": {"body": "x" * 4097}},
        {"type": "text", "text": {"body": ""}},
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "x" * 1025},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "a"}}]},
            },
        },
    ],
)
async def test_whatsapp_limits(
    fake_graph: FakeGraph, http: aiohttp.ClientSession, message: dict[str, Any]
) -> None:
    fake_graph.wrote(USER)
    status, body = await wa(http, fake_graph, message)
    assert status == 400 and body["error"]["code"] in (100, 131009)
    assert body["error"]["fbtrace_id"] and fake_graph.delivered == []


async def test_whatsapp_accepts_what_fits_and_answers_a_wamid(
    fake_graph: FakeGraph, http: aiohttp.ClientSession
) -> None:
    fake_graph.wrote(USER)
    status, body = await wa(http, fake_graph, reply_buttons("Да", "Нет", "x" * 20))
    assert status == 200 and body["messages"][0]["id"].startswith("wamid.")
    status, _ = await wa(http, fake_graph, rows(10, "y" * 24))
    assert status == 200 and len(fake_graph.delivered) == 2


async def test_whatsapp_window_templates_token_and_pair_rate(
    fake_graph: FakeGraph, http: aiohttp.ClientSession
) -> None:
    text = {"type": "text", "text": {"body": "hi"}}
    status, body = await wa(http, fake_graph, text)
    assert (status, body["error"]["code"]) == (400, 131047)
    template = {"type": "template", "template": {"name": "reminder", "language": {"code": "ru"}}}
    assert (await wa(http, fake_graph, template))[1]["error"]["code"] == 132001
    fake_graph.approve("reminder", "ru")
    assert (await wa(http, fake_graph, template))[0] == 200
    assert (await wa(http, fake_graph, text, token="EAAwrong"))[0] == 401
    fake_graph.wrote(USER)
    fake_graph.pair_rate = (0.001, 2)
    assert [(await wa(http, fake_graph, text))[0] for _ in range(3)] == [200, 200, 400]
    assert fake_graph.refused[-1][0].startswith("(#131056)")


@pytest.mark.parametrize(
    "message",
    [
        {"text": "x" * 2001},
        {
            "text": "x",
            "quick_replies": [{"content_type": "text", "title": "a", "payload": "p"}] * 14,
        },
        {
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "button",
                    "text": "?",
                    "buttons": [{"type": "postback", "title": "a", "payload": "p"}] * 4,
                },
            }
        },
        {
            "attachment": {
                "type": "template",
                "payload": {"template_type": "button", "text": "x" * 641, "buttons": []},
            }
        },
    ],
)
async def test_messenger_limits(
    fake_graph: FakeGraph, http: aiohttp.ClientSession, message: dict[str, Any]
) -> None:
    fake_graph.wrote(PSID)
    status, body = await fb(http, fake_graph, {"recipient": {"id": PSID}, "message": message})
    assert status == 400 and body["error"]["code"] == 100


async def test_messenger_window_and_human_agent_tag(
    fake_graph: FakeGraph, http: aiohttp.ClientSession
) -> None:
    body = {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": "hi"}}
    status, answer = await fb(http, fake_graph, body)
    assert (status, answer["error"]["code"], answer["error"]["error_subcode"]) == (400, 10, 2018278)
    fake_graph.wrote(PSID, fake_graph.clock() - 3 * 86400)
    assert (await fb(http, fake_graph, body))[0] == 400
    tagged = {**body, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    assert (await fb(http, fake_graph, tagged))[0] == 200
    fake_graph.wrote(PSID, fake_graph.clock() - 8 * 86400)
    assert (await fb(http, fake_graph, tagged))[0] == 400


def debt_template(*texts: str, name: str = "debt_due_v1", language: str = "ru") -> dict[str, Any]:
    parameters = [{"type": "text", "text": text} for text in texts]
    return {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [{"type": "body", "parameters": parameters}],
        },
    }


async def test_a_template_must_be_approved_and_filled_exactly(
    fake_graph: FakeGraph, http: aiohttp.ClientSession
) -> None:
    fake_graph.approve("debt_due_v1", "ru", parameters=2)
    status, answer = await wa(http, fake_graph, debt_template("1 514,86 ₽"))
    assert (status, answer["error"]["code"]) == (400, 132000)
    assert "expected number of params (2)" in answer["error"]["error_data"]["details"]
    assert (await wa(http, fake_graph, debt_template("1", "2", "3")))[1]["error"]["code"] == 132000
    wrong_name = debt_template("1 514,86 ₽", "15 декабря", name="debt_due_v2")
    assert (await wa(http, fake_graph, wrong_name))[1]["error"]["code"] == 132001
    wrong_language = debt_template("1 514,86 ₽", "15 декабря", language="en")
    assert (await wa(http, fake_graph, wrong_language))[1]["error"]["code"] == 132001
    for text in ("ул. Ленина,\nд. 64", "a\tb", "a     b"):
        status, answer = await wa(http, fake_graph, debt_template("1 514,86 ₽", text))
        assert (status, answer["error"]["code"]) == (400, 132018), text
    assert (await wa(http, fake_graph, debt_template("1 514,86 ₽", "")))[1]["error"]["code"] == 100
    status, _ = await wa(http, fake_graph, debt_template("1 514,86 ₽", "15 декабря"))
    assert status == 200  # outside any window: an approved template goes
    assert fake_graph.delivered[-1].text == "[template debt_due_v1: 1 514,86 ₽ | 15 декабря]"


async def test_messenger_outside_the_window_only_a_valid_tag_goes(
    fake_graph: FakeGraph, http: aiohttp.ClientSession
) -> None:
    fake_graph.wrote(PSID, fake_graph.clock() - 2 * 86400)
    body: dict[str, Any] = {"recipient": {"id": PSID}, "message": {"text": "Долг"}}
    for envelope in ({"messaging_type": "UPDATE"}, {"messaging_type": "RESPONSE"}, {}):
        status, answer = await fb(http, fake_graph, {**body, **envelope})
        error = answer["error"]
        assert (status, error["code"], error["error_subcode"]) == (400, 10, 2018278), envelope
    for tag in (None, "", "REMINDER", "account_update"):
        tagged = {**body, "messaging_type": "MESSAGE_TAG", "tag": tag}
        status, answer = await fb(http, fake_graph, tagged)
        assert (status, answer["error"]["code"]) == (400, 100), tag
    for tag in ("ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"):
        tagged = {**body, "messaging_type": "MESSAGE_TAG", "tag": tag}
        assert (await fb(http, fake_graph, tagged))[0] == 200, tag
