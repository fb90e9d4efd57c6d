"""The web chat in a real Chromium against a real `energobot serve --demo`."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import Chat, Server

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)"><b>жирный</b> & <a href="javascript:alert(3)">ссылка</a>',
]


def link_demo_account(chat: Chat) -> None:
    """Balance → consent → account number and surname of the demo's first household."""
    chat.press("Баланс и оплата")
    expect(chat.last_bot()).to_contain_text("согласие")
    chat.press("Даю согласие")
    expect(chat.last_bot()).to_contain_text("номер лицевого счёта")
    chat.say("5901000001")
    expect(chat.last_bot()).to_contain_text("фамилию")
    chat.say("Иванова")
    expect(chat.bot.filter(has_text="1 514,86 ₽")).to_have_count(1)


def test_the_chat_greets_with_buttons_and_links_a_demo_account(
    page: Page, screenshots: Path
) -> None:
    chat = Chat(page).open()
    greeting = chat.bot.first
    expect(greeting).to_contain_text("Здравствуйте")
    buttons = greeting.locator("[data-test=button]")
    expect(buttons.filter(has_text="Передать показания")).to_be_enabled()
    assert buttons.count() >= 5

    link_demo_account(chat)

    expect(chat.bot.filter(has_text="лицевой счёт привязан")).to_have_count(1)
    # What the customer pressed and typed shows on their side, in order.
    assert chat.customer.locator("[data-test=message-text]").all_text_contents() == [
        "Баланс и оплата",
        "Даю согласие",
        "5901000001",
        "Иванова",
    ]
    # Only the latest prompt's buttons work; pressed ones are greyed.
    expect(greeting.locator("[data-test=button]").first).to_be_disabled()
    page.screenshot(path=str(screenshots / "webchat.png"))


def test_a_reload_keeps_the_conversation(page: Page) -> None:
    chat = Chat(page).open()
    chat.press("Тарифы и расчёт")
    expect(chat.bot).to_have_count(2)
    chat.say("меню")
    expect(chat.bot).to_have_count(3)
    before = chat.texts()
    assert len(before) == 5

    page.reload()
    expect(chat.messages).to_have_count(len(before))
    assert chat.texts() == before
    sides = chat.messages.evaluate_all("els => els.map(e => e.dataset.side)")
    assert sides == ["bot", "customer", "bot", "customer", "bot"]
    # The chat goes on where it was: the latest prompt's buttons work, the older are greyed.
    expect(chat.bot.nth(1).locator("[data-test=button]").first).to_be_disabled()
    chat.press("Тарифы и расчёт")
    expect(chat.bot).to_have_count(4)
    expect(chat.bot.last).to_contain_text("тариф")


def test_hostile_customer_text_is_shown_as_text(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    chat = Chat(page).open()
    for text in HOSTILE:
        chat.say(text)
    expect(chat.customer).to_have_count(len(HOSTILE))
    expect(chat.bot).to_have_count(1 + len(HOSTILE))

    def check() -> None:
        assert chat.customer.locator("[data-test=message-text]").all_text_contents() == HOSTILE
        injected = page.locator(
            "[data-test=messages] script, [data-test=messages] img, "
            "[data-test=messages] b, [data-test=messages] a[href^=javascript]"
        )
        expect(injected).to_have_count(0)

    check()
    page.reload()  # and the same from the history
    expect(chat.customer).to_have_count(len(HOSTILE))
    check()
    assert dialogs == []


def test_posts_need_the_session_token_and_our_origin(
    context: BrowserContext, page: Page, server: Server
) -> None:
    Chat(page).open()
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    url = f"{server.url}/webchat/messages"

    def post(headers: dict[str, str]) -> int:
        body = {"event_id": str(uuid.uuid4()), "kind": "text", "text": "привет"}
        return context.request.post(url, data=body, headers=headers).status

    ours = {"Origin": server.url}
    assert post({**ours}) == 403  # no token
    assert post({**ours, "X-CSRF-Token": "x" * 32}) == 403  # a wrong one
    assert post({"Origin": "https://evil.example", "X-CSRF-Token": token}) == 403
    assert post({**ours, "X-CSRF-Token": token}) == 200

    # A classic cross-site form post: no token, foreign origin, and refused.
    attacker = context.new_page()
    attacker.set_content(f'<form method="post" action="{url}"><input name="text" value="x"></form>')
    with attacker.expect_navigation():
        attacker.evaluate("document.forms[0].submit()")
    assert "forbidden" in attacker.content()


def test_the_embed_snippet_opens_the_chat_in_an_iframe(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/healthz")  # any page of ours hosts the snippet here
    page.set_content(f'<html><body><script src="{server.url}/webchat/embed.js"></script></body>')
    opener = page.get_by_role("button", name=re.compile("Чат"))
    opener.click()
    frame = page.frame_locator("iframe")
    expect(frame.locator("[data-test=message][data-side=bot]").first).to_contain_text(
        "Здравствуйте"
    )
    frame.locator("[data-test=close]").click()
    expect(page.locator("iframe")).to_be_hidden()
