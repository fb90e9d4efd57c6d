"""GraphClient against FakeGraph: the Bearer header, answers and refusals, unreachable hosts."""

from __future__ import annotations

from bots.channel import SendError
from bots.meta import GraphClient
from tests.fakes.graph import PHONE_NUMBER_ID, WHATSAPP_TOKEN, FakeGraph


async def test_bearer_token_and_a_json_answer(fake_graph: FakeGraph) -> None:
    client = GraphClient(fake_graph.base_url, WHATSAPP_TOKEN, 5)
    try:
        answer = await client.get(PHONE_NUMBER_ID, {"fields": "id"})
    finally:
        await client.close()
    assert answer["id"] == PHONE_NUMBER_ID
    (call,) = fake_graph.calls
    assert call.authorization == f"Bearer {WHATSAPP_TOKEN}" and call.method == "GET"


async def test_a_wrong_token_is_a_transient_error(fake_graph: FakeGraph) -> None:
    client = GraphClient(fake_graph.base_url, "EAAwrong", 5)
    try:
        await client.get(PHONE_NUMBER_ID)
    except SendError as exc:
        assert "190" in exc.reason and not exc.permanent
    else:
        raise AssertionError("a wrong token was accepted")
    finally:
        await client.close()


async def test_failures_on_demand_come_back_classified(fake_graph: FakeGraph) -> None:
    fake_graph.fail("whatsapp", 131056, details="pair rate")
    client = GraphClient(fake_graph.base_url, WHATSAPP_TOKEN, 5)
    body = {"messaging_product": "whatsapp", "to": "79195550177", "text": {"body": "x"}}
    try:
        try:
            await client.post(f"{PHONE_NUMBER_ID}/messages", body)
        except SendError as exc:
            assert exc.retry_after == 6.0 and not exc.permanent
        else:
            raise AssertionError("the failure was not answered")
    finally:
        await client.close()


async def test_an_unreachable_api_is_transient() -> None:
    client = GraphClient("http://127.0.0.1:9/v23.0", WHATSAPP_TOKEN, 2)
    try:
        await client.get("me")
    except SendError as exc:
        assert not exc.permanent and "could not be reached" in exc.reason
    else:
        raise AssertionError("no error from a closed port")
    finally:
        await client.close()
