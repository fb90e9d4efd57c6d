"""Supervisors and admins: today's figures, operators, canned responses."""

from __future__ import annotations

import re
from typing import Any

from storage.database import Database
from tests.console.conftest import Browser, Customer, add_operator, audit_actions


async def login_as(database: Database, browser_factory: Any, login: str, role: str) -> Browser:
    await add_operator(database, login, role=role)
    browser: Browser = browser_factory()
    response = await browser.login(login)
    assert response.url.path == "/console/queue"
    return browser


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-test="figure-{name}">([^<]*)<', page)
    assert found, name
    return found.group(1)


async def test_todays_figures(
    anna: Browser, database: Database, browser_factory: Any, services: Any
) -> None:
    boss = await login_as(database, browser_factory, "boss", "supervisor")
    first = Customer(services.pipeline, user_id="1")
    second = Customer(services.pipeline, user_id="2")
    await first.send("позовите оператора")
    await second.send("позовите оператора")
    await boss.get("/console/supervisor")
    assert figure(boss.page, "waiting") == "2"
    assert figure(boss.page, "median") == "—" and figure(boss.page, "resolved") == "0"
    await anna.get("/console/queue")
    await anna.post("/console/escalations/1/claim")
    await anna.post("/console/conversations/1/reply", {"text": "Здравствуйте"})
    await anna.post("/console/conversations/1/close")
    await boss.get("/console/supervisor")
    assert figure(boss.page, "waiting") == "1"
    assert figure(boss.page, "median") == "0 мин" and figure(boss.page, "average") == "0 мин"
    assert figure(boss.page, "resolved") == "1"


async def test_supervisor_disables_enables_and_resets_an_operator(
    anna: Browser, database: Database, browser_factory: Any
) -> None:
    boss = await login_as(database, browser_factory, "boss", "supervisor")
    await boss.get("/console/supervisor")
    assert 'data-test="operator-row" data-login="anna" data-enabled="true"' in boss.page
    response = await boss.post("/console/operators/anna/disable")
    assert response.status == 200 and 'data-enabled="false"' in boss.page
    # Anna's session ended at once, and she cannot log in again.
    assert (await anna.get("/console/queue")).url.path == "/console/login"
    assert (await anna.login("anna")).status == 401
    await boss.post("/console/operators/anna/enable")
    response = await boss.post("/console/operators/anna/password", {"password": "short"})
    assert response.status == 400 and "слишком короткий" in boss.page
    await boss.post("/console/operators/anna/password", {"password": "a brand new secret"})
    assert (await anna.login("anna", "a brand new secret")).url.path == "/console/queue"
    actions = [
        (actor, action, details)
        for actor, action, details in await audit_actions(database)
        if action.startswith("console.operator")
    ]
    assert actions == [
        ("operator:boss", "console.operator_disable", {"login": "anna"}),
        ("operator:boss", "console.operator_enable", {"login": "anna"}),
        ("operator:boss", "console.operator_password", {"login": "anna"}),
    ]


async def test_a_supervisor_manages_operators_only_an_admin_everyone(
    database: Database, browser_factory: Any
) -> None:
    boss = await login_as(database, browser_factory, "boss", "supervisor")
    await add_operator(database, "chief", role="supervisor")
    response = await boss.post("/console/operators/chief/disable")
    assert response.status == 403
    response = await boss.post("/console/operators/boss/disable")
    assert response.status == 403  # not oneself either
    root = await login_as(database, browser_factory, "root", "admin")
    response = await root.post("/console/operators/chief/disable")
    assert response.status == 200
    response = await root.get("/console/supervisor")
    assert 'data-login="chief" data-enabled="false"' in root.page


async def test_canned_responses_are_kept_by_supervisors(
    anna: Browser, database: Database, browser_factory: Any
) -> None:
    boss = await login_as(database, browser_factory, "boss", "supervisor")
    response = await boss.post(
        "/console/canned", {"title": "Приветствие", "text": "Здравствуйте! Меня зовут…"}
    )
    assert response.status == 200 and 'data-test="notice"' in boss.page
    (canned_id,) = re.findall(r'data-test="canned-row" data-canned-id="(\d+)"', boss.page)
    await boss.post("/console/canned", {"id": canned_id, "title": "Привет", "text": "Добрый день!"})
    await anna.get("/console/canned")
    assert "Добрый день!" in anna.page and 'data-test="canned-save"' not in anna.page
    await boss.post(f"/console/canned/{canned_id}/delete")
    await anna.get("/console/canned")
    assert "Добрый день!" not in anna.page
    actions = [a for _, a, _ in await audit_actions(database) if a.startswith("console.canned")]
    assert actions == ["console.canned_save", "console.canned_save", "console.canned_delete"]
