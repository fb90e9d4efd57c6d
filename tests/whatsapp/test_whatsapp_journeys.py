"""Customer journeys over WhatsApp end to end: signed webhooks in, FakeGraph out (which refuses
anything beyond WhatsApp's limits), judged by what it received and what billing gets."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from dialogs.messages import Reply
from energobot.exchange import export_readings
from storage.tables import account_links, escalations
from tests.fakes.graph import Sent
from tests.fakes.graph import webhooks as build
from tests.meta.harness import REMINDER, Harness

IVANOVA = "79025550101"  # the phone billing has for account 5901000001


def within_limits(sent: list[Sent]) -> None:
    for message in sent:
        if message.kind == "interactive:button":
            assert len(message.options) <= 3
            assert all(len(title) <= 20 for title, _ in message.options)
        if message.kind == "interactive:list":
            assert len(message.options) <= 10
            assert all(len(title) <= 24 for title, _ in message.options)


async def exported(meta: Harness) -> list[dict[str, str]]:
    out = io.StringIO()
    async with meta.database.unit_of_work() as store:
        await export_readings(store, None, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


async def link_by_number(meta: Harness, user: str) -> None:
    await meta.wa_say(user, "Здравствуйте")
    await meta.wa_press(user, "Мои лицевые счета")
    await meta.wa_press(user, "Привязать")
    sent = await meta.wa_press(user, "Даю согласие")
    assert "номер лицевого счёта" in meta.text(sent)
    await meta.wa_say(user, "5901000003")
    sent = await meta.wa_say(user, "Кузнецова")
    assert "лицевой счёт привязан" in meta.text(sent), meta.text(sent)


async def test_linking_by_sharing_the_own_contact_card(meta: Harness) -> None:
    user = IVANOVA
    sent = await meta.wa_say(user, "Здравствуйте")
    assert "Здравствуйте" in meta.text(sent)
    await meta.wa_press(user, "Мои лицевые счета")
    await meta.wa_press(user, "Привязать")
    sent = await meta.wa_press(user, "Даю согласие")
    # No share-phone button on WhatsApp: the customer is told how to send their contact card.
    assert "контактную карточку" in meta.text(sent)
    foreign = await meta.wa_share_contact(user, "+7 902 555-01-01", own=False)
    assert "только по своему номеру" in meta.text(foreign)
    assert await meta.rows(select(account_links)) == []
    sent = await meta.wa_share_contact(user, "+7 902 555-01-01")
    assert "привязан" in meta.text(sent), meta.text(sent)
    (linked,) = await meta.rows(select(account_links))
    assert linked["account_number"] == "5901000001"
    sent = await meta.wa_press(user, "Баланс и оплата")
    assert "1 514,86 ₽" in meta.text(sent)
    within_limits(meta.fake.delivered)
    assert meta.fake.refused == []


async def test_a_reading_delivered_twice_is_stored_once(meta: Harness) -> None:
    user = "79195550301"
    await link_by_number(meta, user)
    body = build.wa_text(user, "18300")
    sent = await meta.deliver("whatsapp", body)
    assert "приняты" in meta.text(sent), meta.text(sent)
    again = await meta.deliver("whatsapp", body)
    assert again == []
    rows = await exported(meta)
    assert [(r["account"], r["value"], r["status"], r["channel"]) for r in rows] == [
        ("5901000003", "18300", "accepted", "whatsapp")
    ]
    within_limits(meta.fake.delivered)
    assert meta.fake.refused == []


async def test_tariffs_and_an_estimate(meta: Harness) -> None:
    user = "79195550302"
    await meta.wa_say(user, "Здравствуйте")
    sent = await meta.wa_press(user, "Тарифы и расчёт")
    assert "тариф" in meta.text(sent).casefold()
    sent = await meta.wa_press(user, "Рассчитать стоимость")
    assert "расход" in meta.text(sent).casefold()
    sent = await meta.wa_say(user, "день 180 ночь 70")
    assert "Итого" in meta.text(sent) and "₽" in meta.text(sent)
    within_limits(meta.fake.delivered)
    assert meta.fake.refused == []


async def test_an_escalation_and_the_operators_reply(meta: Harness) -> None:
    user = "79195550303"
    await meta.wa_say(user, "Здравствуйте")
    sent = await meta.wa_say(user, "соедините с оператором")
    assert "оператор" in meta.text(sent).casefold()
    (escalation,) = await meta.rows(select(escalations))
    conversation = await meta.conversation("whatsapp", user)
    assert escalation["conversation_id"] == conversation["id"]
    row = await meta.enqueue("whatsapp", user, Reply("Здравствуйте! Это Анна.", operator="Анна"))
    assert row["status"] == "sent" and row["platform_message_id"].startswith("wamid.")
    assert meta.fake.sent(user)[-1].text == "Здравствуйте! Это Анна."


async def test_outside_the_window_only_a_configured_template_goes(meta: Harness) -> None:
    user = "79195550304"
    await meta.wa_say(user, "Здравствуйте")
    await meta.age("whatsapp", user, hours=25)
    before = len(meta.fake.delivered)
    row = await meta.enqueue("whatsapp", user, Reply("Вы здесь?", operator="Анна"))
    assert row["status"] == "failed" and row["last_error"] == "refused: window_closed"
    assert len(meta.fake.delivered) == before
    meta.fake.approve("reading_reminder_v2", "ru")
    row = await meta.enqueue("whatsapp", user, Reply("Пора передать показания", template=REMINDER))
    assert row["status"] == "sent"
    last = meta.fake.sent(user)[-1]
    assert last.kind == "template" and last.body["template"]["name"] == "reading_reminder_v2"
    unknown = await meta.enqueue("whatsapp", user, Reply("Напоминание", template="unknown_key"))
    assert unknown["last_error"] == "refused: no_template"
    # Inside the window the same reminder goes as a plain message.
    await meta.wa_say(user, "меню")
    row = await meta.enqueue("whatsapp", user, Reply("Пора передать показания", template=REMINDER))
    assert row["status"] == "sent" and meta.fake.sent(user)[-1].kind == "text"


async def test_131047_from_whatsapp_fails_the_row_for_good(meta: Harness) -> None:
    user = "79195550305"
    await meta.wa_say(user, "Здравствуйте")
    meta.fake.fail("whatsapp", 131047, message="(#131047) Re-engagement message")
    row = await meta.enqueue("whatsapp", user, Reply("Ответ оператора", operator="Анна"))
    assert row["status"] == "failed" and "131047" in row["last_error"]
    assert row["attempts"] <= 1


async def test_a_rate_limit_is_waited_out(meta: Harness) -> None:
    user = "79195550306"
    await meta.wa_say(user, "Здравствуйте")
    meta.fake.fail("whatsapp", 130429, message="(#130429) Rate limit hit")
    row = await meta.enqueue("whatsapp", user, Reply("После паузы"))
    assert row["status"] == "sent" and meta.fake.sent(user)[-1].text == "После паузы"
    assert [c.status for c in meta.fake.calls[-2:]] == [400, 200]
