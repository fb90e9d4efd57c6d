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
    fake_graph.templates.add(("reminder", "ru"))
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
