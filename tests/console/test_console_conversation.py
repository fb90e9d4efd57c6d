"""The queue, claiming, the transcript, replies through the outbox, notes, closing."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from core.conversations import ConversationStatus
from energobot.app import Services
from outbox.sender import OutboxSender
from storage.database import Database
from storage.tables import conversations
from tests.console.conftest import (
    Browser,
    Customer,
    Recorder,
    add_operator,
    audit_actions,
    seed_account,
)

HOSTILE = 'Помогите <script>alert("x")</script> <b>жирный</b> & <img src=x onerror=alert(1)>'


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-test="queue-row" data-escalation-id="(\d+)"', page)


def transcript(page: str) -> list[tuple[str, str]]:
    """(author, text) of every message shown (the row template for live updates left out)."""
    shown = page.split('<template id="message-template">')[0]
    return re.findall(
        r'data-author="(\w+)".*?data-test="message-text">([^<]*)<', shown, flags=re.DOTALL
    )


async def escalate(customer: Customer, text: str = "позовите оператора") -> None:
    await customer.send(text)
    assert "оператор" in customer.text().casefold(), customer.text()


async def claim_first(browser: Browser) -> str:
    await browser.get("/console/queue")
    (escalation_id,) = rows(browser.page)
    response = await browser.post(f"/console/escalations/{escalation_id}/claim")
    assert response.status == 200 and "/console/conversations/" in response.url.path
    return response.url.path


async def conversation_status(database: Database, conversation_id: int) -> ConversationStatus:
    async with database.unit_of_work() as store:
        view = await store.console.conversation(conversation_id)
        assert view is not None
        return view.status


async def test_queue_lists_waiting_escalations_oldest_first(
    anna: Browser, services: Services, database: Database
) -> None:
    await seed_account(database)
    first = Customer(services.pipeline, user_id="1")
    second = Customer(services.pipeline, user_id="2")
    await escalate(first)
    await escalate(second, "соедините с живым оператором пожалуйста, вопрос сложный")
    await anna.get("/console/queue")
    assert rows(anna.page) == ["1", "2"]
    assert 'data-test="channel">test<' in anna.page
    assert "Клиент просит связаться с оператором" in anna.page
    assert "вопрос сложный" in anna.page
    assert "Мария Иванова" not in anna.page and "М*****ия И*****ва" in anna.page


async def test_claim_race_has_one_winner(
    anna: Browser, customer: Customer, database: Database, browser_factory: Any
) -> None:
    await add_operator(database, "boris", name="Борис")
    boris: Browser = browser_factory()
    await boris.login("boris")
    await escalate(customer)
    await anna.get("/console/queue")
    await boris.get("/console/queue")
    (escalation_id,) = rows(anna.page)
    path = f"/console/escalations/{escalation_id}/claim"
    first, second = await asyncio.gather(anna.post(path), boris.post(path))
    statuses = sorted([first.status, second.status])
    assert statuses == [200, 409]
    loser = boris if second.status == 409 else anna
    winner = "anna" if loser is boris else "boris"
    assert f"уже взял другой оператор ({winner})" in loser.page
    assert 'data-test="error"' in loser.page
    assert await conversation_status(database, 1) is ConversationStatus.OPERATOR
    claims = [row for row in await audit_actions(database) if row[1] == "console.claim"]
    assert claims == [
        (f"operator:{winner}", "console.claim", {"escalation_id": 1, "conversation_id": 1})
    ]


async def test_reply_goes_through_the_outbox_with_the_operator_name(
    anna: Browser, customer: Customer, services: Services, database: Database
) -> None:
    await escalate(customer)
    path = await claim_first(anna)
    response = await anna.post(f"{path}/reply", {"text": "Здравствуйте! Сейчас проверю."})
    assert response.status == 200 and 'data-test="notice"' in anna.page
    # Delivered by the outbox sender to the customer's own channel.
    recorder = Recorder()
    sender = OutboxSender(database.unit_of_work, {"test": recorder})
    await sender.flush("test", 1)
    operator_replies = [reply for _, reply in recorder.sent if reply.operator]
    assert [(r.text, r.operator) for r in operator_replies] == [
        ("Здравствуйте! Сейчас проверю.", "Анна")
    ]
    # On claiming, the bot told the customer who has the conversation.
    notices = [reply.text for _, reply in recorder.sent if not reply.operator]
    assert "Ваше обращение принято: оператор Анна уже читает переписку и ответит здесь." in notices
    assert all(user == customer.user_id for user, _ in recorder.sent)
    # The customer's free text now goes to the operator, not to the bot.
    assert await customer.send("Спасибо, жду") == []
    await anna.get(path)
    lines = transcript(anna.page)
    assert lines[0] == ("customer", "позовите оператора")
    assert lines[1][0] == "bot"
    assert lines[-2:] == [
        ("operator", "Здравствуйте! Сейчас проверю."),
        ("customer", "Спасибо, жду"),
    ]
    assert 'data-author="operator"' in anna.page and ">Анна<" in anna.page
    details = [d for _, a, d in await audit_actions(database) if a == "console.reply"]
    assert details == [{"conversation_id": 1, "length": 29}]


async def test_the_transcript_shows_the_platforms_receipts(
    anna: Browser, customer: Customer, services: Services, database: Database
) -> None:
    await escalate(customer)
    path = await claim_first(anna)
    await anna.post(f"{path}/reply", {"text": "Проверяю"})
    recorder = Recorder()
    await OutboxSender(database.unit_of_work, {"test": recorder}).flush("test", 1)
    ids = [str(n) for n in range(1, len(recorder.sent) + 1)]  # the recorder's platform ids
    await anna.get(path)
    states = re.findall(r'data-test="message-delivery">([^<]*)<', anna.page.split("<template")[0])
    assert "отправлено" in states and "прочитано" not in states
    now = datetime.now(UTC)
    await services.pipeline.record_delivery("test", ids, "delivered", now)
    await services.pipeline.record_delivery("test", ids[-1:], "read", now)
    await anna.get(path)
    states = re.findall(r'data-test="message-delivery">([^<]*)<', anna.page.split("<template")[0])
    assert states[-1] == "прочитано" and "доставлено" in states and "отправлено" not in states


async def set_last_inbound(database: Database, conversation_id: int, at: datetime) -> None:
    async with database.unit_of_work() as store:
        await store.connection.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(last_inbound_at=at)
        )
        await store.commit()


async def test_reply_outside_the_messengers_window_is_refused_with_the_reason(
    anna: Browser, customer: Customer, services: Services, database: Database
) -> None:
    await escalate(customer)
    path = await claim_first(anna)
    services.channels.outbound["test"] = Recorder(window=timedelta(hours=24))
    await set_last_inbound(database, 1, datetime.now(UTC) - timedelta(hours=25))
    response = await anna.post(f"{path}/reply", {"text": "Добрый день, отвечаю поздно"})
    assert response.status == 409
    assert "больше 24 часов назад" in anna.page
    assert "Добрый день, отвечаю поздно" in anna.page  # the draft is kept in the reply box
    async with database.unit_of_work() as store:
        queued = await store.outbox.pending("test")
    assert not [row for row in queued if row.body.get("operator")]
    # Inside the window the same reply goes.
    await set_last_inbound(database, 1, datetime.now(UTC) - timedelta(hours=23))
    response = await anna.post(f"{path}/reply", {"text": "Добрый день, отвечаю"})
    assert response.status == 200 and 'data-test="notice"' in anna.page


async def test_reply_by_fetch_answers_json(anna: Browser, customer: Customer) -> None:
    await escalate(customer)
    path = await claim_first(anna)
    response = await anna.session.post(
        anna.url(f"{path}/reply"),
        data={"text": "Ответ"},
        headers={"X-CSRF-Token": anna.csrf, "Accept": "application/json"},
    )
    assert response.status == 200 and await response.json() == {"ok": True}
    response = await anna.session.post(
        anna.url(f"{path}/reply"),
        data={"text": "  "},
        headers={"X-CSRF-Token": anna.csrf, "Accept": "application/json"},
    )
    assert response.status == 400 and (await response.json())["ok"] is False


async def test_only_the_holder_replies(
    anna: Browser, customer: Customer, database: Database, browser_factory: Any
) -> None:
    await add_operator(database, "boris")
    boris: Browser = browser_factory()
    await boris.login("boris")
    await escalate(customer)
    response = await boris.post("/console/conversations/1/reply", {"text": "раньше времени"})
    assert response.status == 409 and "Сначала возьмите" in boris.page
    path = await claim_first(anna)
    # A colleague's conversation is not even shown (test_console_need_to_know.py).
    response = await boris.post(f"{path}/reply", {"text": "чужое"})
    assert response.status == 403
    response = await boris.post(f"{path}/close")
    assert response.status == 403
    response = await boris.get(path)
    assert response.status == 403 and 'name="text"' not in boris.page


async def test_notes_are_never_sent(anna: Browser, customer: Customer, database: Database) -> None:
    await escalate(customer)
    path = await claim_first(anna)
    async with database.unit_of_work() as store:
        before = await store.outbox.pending("test")
    response = await anna.post(f"{path}/note", {"note": "Клиент звонил вчера, уже объясняли"})
    assert response.status == 200
    async with database.unit_of_work() as store:
        after = await store.outbox.pending("test")
    assert [row.id for row in after] == [row.id for row in before]
    await anna.get(path)
    assert 'data-author="note"' in anna.page and "Клиент звонил вчера" in anna.page
    # The note, then the page shown twice (after the redirect, then again), each view audited.
    actions = [a for _, a, _ in await audit_actions(database)]
    assert actions[-3:] == ["console.note", "console.view", "console.view"]


async def test_close_tells_the_customer_and_the_bot_answers_again(
    anna: Browser, customer: Customer, database: Database
) -> None:
    await escalate(customer)
    path = await claim_first(anna)
    response = await anna.post(f"{path}/close")
    assert response.status == 200 and response.url.path == "/console/queue"
    assert await conversation_status(database, 1) is ConversationStatus.BOT
    async with database.unit_of_work() as store:
        pending = await store.outbox.pending("test")
    closing = pending[-1].body
    assert closing["text"].startswith("Оператор завершил разговор")
    assert closing["buttons"] == [{"label": "Главное меню", "payload": "go:menu"}]
    replies = await customer.send("сколько я должен?")
    assert replies, "the bot answers again"
    assert await conversation_status(database, 1) is ConversationStatus.BOT
    assert [a for _, a, _ in await audit_actions(database)][-1] == "console.close"


async def test_close_speaks_the_customers_language(
    anna: Browser, customer: Customer, database: Database
) -> None:
    await escalate(customer)
    async with database.unit_of_work() as store:
        record = await store.customers.get(1)
        assert record is not None
        record.language = "en"
        await store.customers.update(record)
        await store.commit()
    path = await claim_first(anna)
    await anna.post(f"{path}/close")
    async with database.unit_of_work() as store:
        pending = await store.outbox.pending("test")
    assert pending[-1].body["text"].startswith("The operator has closed the conversation")


async def test_customer_text_is_escaped_in_the_transcript_and_the_queue(
    anna: Browser, customer: Customer
) -> None:
    await customer.send("позовите оператора")
    await customer.send(HOSTILE)
    await anna.get("/console/queue")
    await anna.get("/console/conversations/1")
    assert "<script>" not in anna.page and "<img" not in anna.page and "<b>" not in anna.page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in anna.page
    assert "&lt;b&gt;жирный&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in anna.page
    await escalate(Customer(customer.pipeline, user_id="evil"), HOSTILE + " оператор")
    await anna.get("/console/queue")
    assert "<script>" not in anna.page and "&lt;script&gt;" in anna.page


async def test_accounts_summary_beside_the_conversation(
    anna: Browser, customer: Customer, database: Database
) -> None:
    await seed_account(database)
    await escalate(customer)
    async with database.unit_of_work() as store:
        await store.accounts.link(1, "5901234567", "surname", datetime.now(UTC))
        await store.commit()
    await anna.get("/console/conversations/1")
    assert 'data-test="accounts"' in anna.page
    assert "Счёт 5901234567" in anna.page
    assert "И*****ва" in anna.page and "кв. 5" not in anna.page
    assert "Долг 1\xa0250,40 ₽" in anna.page


async def test_canned_responses_are_offered_in_the_reply_box(
    anna: Browser, customer: Customer, database: Database
) -> None:
    async with database.unit_of_work() as store:
        await store.canned.add(
            "Приветствие", "Здравствуйте! <Меня зовут Анна>.", "boss", datetime.now(UTC)
        )
        await store.commit()
    await escalate(customer)
    path = await claim_first(anna)
    await anna.get(path)
    assert 'data-test="canned" data-text="Здравствуйте! &lt;Меня зовут Анна&gt;."' in anna.page
