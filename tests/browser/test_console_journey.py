"""The issue's journey in a real Chromium: a customer in the web chat asks for an operator,
an operator created with the CLI answers from the console, live on both sides."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.support import PASSWORD, Chat, Server, new_context

REASON = "соедините с оператором, не пришла квитанция за октябрь"
HOSTILE = '<b>срочно</b> <script>alert("console")</script> <img src=x onerror=alert(1)>'
REPLY = "Здравствуйте! Это Анна, сейчас проверю вашу квитанцию."

AUDIT_SCRIPT = """
import asyncio, json, sys
from sqlalchemy import select
from storage.database import Database
from storage.tables import audit

async def main():
    database = Database(sys.argv[1])
    async with database.engine.connect() as connection:
        rows = (await connection.execute(select(audit.c.actor, audit.c.action))).all()
    await database.dispose()
    print(json.dumps([list(row) for row in rows]))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def operators(server: Server) -> None:
    """anna, sveta and boris, created with `energobot operators add` (conftest.OPERATORS)."""
    server.operators_added()


def log_in(page: Page, login: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    form = page.locator("form#login")
    form.locator("input[name=login]").fill(login)
    form.locator("input[name=password]").fill(password)
    form.locator("[data-test=login-submit]").click()


def audit(server: Server) -> list[tuple[str, str]]:
    url = server.env["ENERGOBOT_DATABASE__URL"]
    result = subprocess.run(
        [sys.executable, "-c", AUDIT_SCRIPT, url],
        capture_output=True,
        text=True,
        env=server.env,
        cwd=server.workdir,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [(actor, action) for actor, action in json.loads(result.stdout)]


def test_an_escalation_from_the_web_chat_is_answered_live_from_the_console(
    browser: Browser, server: Server, operators: None, screenshots: Path
) -> None:
    operator_context = new_context(browser, server)
    customer_context = new_context(browser, server)
    dialogs: list[str] = []
    try:
        console = operator_context.new_page()
        console.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        log_in(console, "anna")
        expect(console.locator("[data-test=whoami]")).to_contain_text("Анна")
        console.goto("/console/queue")
        queue = console.locator("[data-test=queue]")
        expect(queue).to_be_visible()

        chat = Chat(customer_context.new_page()).open()
        chat.say(REASON)
        expect(chat.last_bot()).to_contain_text("оператор")
        chat.say(HOSTILE)  # the customer explains further while waiting
        expect(chat.bot).to_have_count(3)

        # Live, without reloading the console.
        row = console.locator("[data-test=queue-row]", has_text="не пришла квитанция")
        expect(row).to_be_visible()
        expect(row.locator("[data-test=channel]")).to_contain_text("Чат на сайте")
        console.screenshot(path=str(screenshots / "console-queue.png"))

        row.locator("[data-test=claim]").click()
        expect(console).to_have_url(re.compile(r"/console/conversations/\d+"))
        conversation_id = console.url.rstrip("/").rsplit("/", 1)[-1]
        expect(console.locator("[data-test=status]")).to_have_attribute("data-status", "operator")
        transcript = console.locator("[data-test=transcript]")
        customer_lines = transcript.locator("[data-test=message][data-author=customer]")
        expect(customer_lines.filter(has_text="<script>")).to_have_count(1)
        texts = customer_lines.locator("[data-test=message-text]").all_text_contents()
        assert HOSTILE in [t.strip() for t in texts]
        expect(transcript.locator("script, img, b")).to_have_count(0)

        console.locator("form#reply textarea[name=text]").fill(REPLY)
        console.locator("form#reply [data-test=send]").click()
        expect(transcript.locator("[data-test=message][data-author=operator]")).to_contain_text(
            REPLY
        )
        console.evaluate("window.scrollTo(0, 0)")
        console.screenshot(path=str(screenshots / "console-conversation.png"))

        # The customer sees it live, with the operator's name.
        answer = chat.operator.last
        expect(answer.locator("[data-test=message-text]")).to_have_text(REPLY)
        expect(answer.locator("[data-test=message-author]")).to_contain_text("Анна")
        chat.page.screenshot(path=str(screenshots / "webchat-operator.png"))

        # A form post without the CSRF token is refused.
        refused = operator_context.request.post(
            f"{server.url}/console/conversations/{conversation_id}/reply",
            form={"text": "без токена"},
            headers={"Origin": server.url},
        )
        assert refused.status == 403

        bot_before = chat.bot.count()
        console.locator("[data-test=close]").click()
        expect(console.locator("[data-test=notice]")).to_be_visible()  # back to the queue
        expect(chat.bot).to_have_count(bot_before + 1)  # told the conversation is closed
        chat.say("меню")
        expect(chat.bot).to_have_count(bot_before + 2)
        expect(chat.last_bot().locator("[data-test=button]").first).to_be_enabled()
        assert chat.operator.count() == 1  # «без токена» never reached the customer
        assert dialogs == []
    finally:
        operator_context.close()
        customer_context.close()

    done = audit(server)
    for action in ("console.login", "console.claim", "console.reply", "console.close"):
        assert ("operator:anna", action) in done


def test_a_disabled_operator_cannot_log_in(
    browser: Browser, server: Server, operators: None
) -> None:
    context = new_context(browser, server)
    try:
        page = context.new_page()
        log_in(page, "sveta")
        page.locator("[data-test=nav-supervisor]").click()
        boris = page.locator("[data-test=operator-row][data-login=boris]")
        boris.locator("[data-test=disable]").click()
        expect(boris).to_have_attribute("data-enabled", "false")
        page.locator("[data-test=logout]").click()

        log_in(page, "boris")
        expect(page.locator("[data-test=error]")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/console/login"))
        page.goto("/console/queue")
        expect(page.locator("form#login")).to_be_visible()  # still not in
    finally:
        context.close()
    assert ("operator:sveta", "console.operator_disable") in audit(server)
