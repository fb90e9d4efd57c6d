"""Need to know: an operator reads only the conversations waiting in the queue and the ones they
hold; supervisors and admins read all. Every transcript shown is audited, every refusal too;
notes and the live stream follow the same rule (issue 18, part 3)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import ClientResponse

from storage.database import Database
from tests.console.conftest import Browser, Customer, add_operator, audit_actions

NOT_YOURS = "Этот разговор вам не открыт"


async def logged_in(browser_factory: Any, database: Database, login: str, role: str) -> Browser:
    await add_operator(database, login, role=role)
    browser: Browser = browser_factory()
    response = await browser.login(login)
    assert response.status == 200 and response.url.path == "/console/queue", browser.page
    return browser


async def escalate(customer: Customer) -> None:
    await customer.send("позовите оператора")
    assert "оператор" in customer.text().casefold(), customer.text()


async def claim(browser: Browser, escalation_id: int = 1) -> str:
    await browser.get("/console/queue")
    response = await browser.post(f"/console/escalations/{escalation_id}/claim")
    assert response.status == 200 and "/console/conversations/" in response.url.path
    return response.url.path


async def stream(browser: Browser, conversation_id: int) -> ClientResponse:
    return await browser.session.get(
        browser.url("/console/events"), params={"conversation": str(conversation_id)}
    )


async def denied(database: Database) -> list[tuple[str, str | None]]:
    """(actor, what) of every refusal audited."""
    return [
        (who, (details or {}).get("what"))
        for who, action, details in await audit_actions(database)
        if action == "console.denied"
    ]


async def views(database: Database) -> list[tuple[str, int]]:
    return [
        (who, (details or {})["conversation_id"])
        for who, action, details in await audit_actions(database)
        if action == "console.view"
    ]


async def next_event(response: ClientResponse, wanted: str) -> dict[str, Any]:
    event = ""
    async with asyncio.timeout(20):
        while True:
            raw = await response.content.readline()
            assert raw, "the stream ended"
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == wanted:
                return json.loads(line.removeprefix("data: "))


async def test_an_operator_cannot_read_note_or_follow_a_colleagues_conversation(
    anna: Browser, customer: Customer, database: Database, browser_factory: Any
) -> None:
    boris = await logged_in(browser_factory, database, "boris", "operator")
    await escalate(customer)
    await customer.send("мой номер телефона +79123456789, перезвоните")
    path = await claim(anna)

    response = await boris.get(path)
    assert response.status == 403
    assert NOT_YOURS in boris.page and "+79123456789" not in boris.page
    assert 'data-test="transcript"' not in boris.page
    response = await boris.post(f"{path}/note", {"note": "подсмотрел"})
    assert response.status == 403 and NOT_YOURS in boris.page
    response = await boris.post(f"{path}/reply", {"text": "чужое"})
    assert response.status == 403
    response = await boris.post(
        f"{path}/reply", {"text": "чужое"}, headers={"Accept": "application/json"}
    )
    assert response.status == 403
    assert (await response.json())["error"].startswith(NOT_YOURS)
    response = await boris.post(f"{path}/close")
    assert response.status == 403
    live = await stream(boris, 1)
    try:
        assert live.status == 403
        assert (await live.json())["error"].startswith(NOT_YOURS)
    finally:
        live.close()

    assert await denied(database) == [
        ("operator:boris", what) for what in ("view", "note", "reply", "reply", "close", "events")
    ]
    async with database.unit_of_work() as store:
        lines, _ = await store.console.transcript(1)
    assert not any(line.text == "подсмотрел" for line in lines), "the note was not added"
    assert ("operator:boris", 1) not in await views(database)
    # The holder still reads it, audited.
    response = await anna.get(path)
    assert response.status == 200 and "+79123456789" in anna.page
    assert (await views(database))[-1] == ("operator:anna", 1)


async def test_a_conversation_never_escalated_is_for_supervisors_only(
    anna: Browser, customer: Customer, database: Database, browser_factory: Any
) -> None:
    await customer.send("здравствуйте, мой телефон +79123456789")
    assert customer.last, "the bot answered"
    response = await anna.get("/console/conversations/1")
    assert response.status == 403 and "+79123456789" not in anna.page
    response = await anna.post("/console/conversations/1/note", {"note": "x"})
    assert response.status == 403
    live = await stream(anna, 1)
    assert live.status == 403
    live.close()
    assert [what for _, what in await denied(database)] == ["view", "note", "events"]

    sveta = await logged_in(browser_factory, database, "sveta", "supervisor")
    response = await sveta.get("/console/conversations/1")
    assert response.status == 200 and "+79123456789" in sveta.page
    assert 'name="text"' not in sveta.page  # read only: nobody holds it
    live = await stream(sveta, 1)
    try:
        assert live.status == 200
        await next_event(live, "queue")
    finally:
        live.close()
    admin = await logged_in(browser_factory, database, "root", "admin")
    response = await admin.get("/console/conversations/1")
    assert response.status == 200
    assert await views(database) == [("operator:sveta", 1), ("operator:root", 1)]
    actions = [(who, action) for who, action, _ in await audit_actions(database)]
    assert ("operator:sveta", "console.follow") in actions


async def test_a_waiting_escalation_is_open_to_every_operator_until_someone_takes_it(
    anna: Browser, customer: Customer, database: Database, browser_factory: Any
) -> None:
    boris = await logged_in(browser_factory, database, "boris", "operator")
    await escalate(customer)
    response = await boris.get("/console/conversations/1")
    assert response.status == 200 and 'data-test="claim"' in boris.page
    response = await boris.post("/console/conversations/1/note", {"note": "клиент звонил"})
    assert response.status == 200  # a note on what one may see
    live = await stream(boris, 1)
    try:
        assert live.status == 200
        await next_event(live, "queue")
        await claim(anna)
        # Taken by a colleague: boris's page is told (it reloads) and his stream ends.
        status = await next_event(live, "status")
        assert status["status"] == "operator" and status["operator"] == "anna"
        async with asyncio.timeout(10):
            while await live.content.readline():
                pass
    finally:
        live.close()
    response = await boris.get("/console/conversations/1")
    assert response.status == 403
    assert [what for _, what in await denied(database)] == ["view"]


async def test_closed_is_closed_for_operators_and_open_for_supervisors(
    anna: Browser, customer: Customer, database: Database, browser_factory: Any
) -> None:
    sveta = await logged_in(browser_factory, database, "sveta", "supervisor")
    await escalate(customer)
    path = await claim(anna)
    # A supervisor may step in on a colleague's conversation: read, note, follow.
    response = await sveta.get(path)
    assert response.status == 200 and 'name="text"' in sveta.page
    response = await sveta.post(f"{path}/note", {"note": "проверьте тариф"})
    assert response.status == 200
    response = await anna.post(f"{path}/close")
    assert response.status == 200 and response.url.path == "/console/queue"
    response = await anna.get(path)
    assert response.status == 403
    response = await sveta.get(path)
    assert response.status == 200 and "проверьте тариф" in sveta.page


async def test_a_missing_conversation_is_404(anna: Browser) -> None:
    response = await anna.get("/console/conversations/999")
    assert response.status == 404
    live = await stream(anna, 999)
    assert live.status == 404
    live.close()
