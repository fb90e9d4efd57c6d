"""Notices over WhatsApp: inside the 24-hour window a normal message with its buttons, outside it
only the approved template configured for the notice's kind, its body filled from the notice's
values — through WhatsAppChannel into FakeGraph, which knows which templates are approved."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bots.channel import Rates, Refusal, SendContext, SendError
from bots.meta import GraphClient
from bots.whatsapp import Template, WhatsAppChannel, template_message
from core.notices import Kind
from dialogs.messages import Reply
from tests.fakes.graph import PHONE_NUMBER_ID, WHATSAPP_TOKEN, FakeGraph
from tests.meta.harness import Harness
from tests.meta.notices import notice

USER = "79195550178"
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
INSIDE = SendContext(NOW, NOW - timedelta(hours=2))
OUTSIDE = SendContext(NOW, NOW - timedelta(hours=30))
NEVER = SendContext(NOW, None)
DEBT = Template("debt_due_v1", "ru", ("account", "amount", "due"))
OUTAGE = Template("outage_planned_v3", "ru", ("address", "start", "end"))
TEMPLATES = {Kind.DEBT_DUE.value: DEBT, Kind.OUTAGE_PLANNED.value: OUTAGE}


@pytest.fixture
async def channel(fake_graph: FakeGraph) -> AsyncIterator[WhatsAppChannel]:
    client = GraphClient(fake_graph.base_url, WHATSAPP_TOKEN, 5)
    yield WhatsAppChannel(client, PHONE_NUMBER_ID, Rates(0, 0), TEMPLATES)
    await client.close()


def test_outside_the_window_a_notice_needs_its_kind_s_template(channel: WhatsAppChannel) -> None:
    debt, reminder = notice(Kind.DEBT_DUE), notice(Kind.READING_REMINDER)
    assert channel.refusal(debt, INSIDE) is None
    assert channel.refusal(reminder, INSIDE) is None
    assert channel.refusal(Reply("Ответ"), INSIDE) is None
    for context in (OUTSIDE, NEVER):
        assert channel.refusal(debt, context) is None
        assert channel.refusal(reminder, context) is Refusal.NO_TEMPLATE
        assert channel.refusal(Reply("Напоминание"), context) is Refusal.WINDOW_CLOSED
        assert channel.refusal(Reply("Вы здесь?", operator="Анна"), context) is (
            Refusal.WINDOW_CLOSED
        )


def test_a_template_whose_value_is_missing_is_refused_with_one_warning(
    channel: WhatsAppChannel, caplog: pytest.LogCaptureFixture
) -> None:
    without_due = notice(Kind.DEBT_DUE, due="")
    blank_due = notice(Kind.DEBT_DUE, due="  \n ")
    with caplog.at_level(logging.WARNING, logger="bots.whatsapp.templates"):
        assert channel.refusal(without_due, OUTSIDE) is Refusal.NO_TEMPLATE
        assert channel.refusal(blank_due, OUTSIDE) is Refusal.NO_TEMPLATE
        assert channel.refusal(without_due, INSIDE) is None  # as text it needs no values
    (record,) = caplog.records  # a broadcast repeats it: logged once
    assert "'due'" in record.getMessage() and "debt_due_v1" in record.getMessage()
    assert "whatsapp.templates.debt_due.parameters" in record.getMessage()


def test_the_template_message_takes_the_values_in_the_configured_order() -> None:
    message = template_message(DEBT, notice(Kind.DEBT_DUE))
    assert message == {
        "type": "template",
        "template": {
            "name": "debt_due_v1",
            "language": {"code": "ru"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "5901000001"},
                        {"type": "text", "text": "1 514,86 ₽"},
                        {"type": "text", "text": "15 декабря"},
                    ],
                }
            ],
        },
    }
    bare = template_message(Template("reading_reminder_v2", "ru"), notice(Kind.READING_REMINDER))
    assert "components" not in bare["template"]  # a template without placeholders


async def test_outside_the_window_the_template_alone_goes(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    fake_graph.approve("outage_planned_v3", "ru", parameters=3)
    # An operator typed the address over two lines: WhatsApp refuses a line break in a
    # parameter, so the channel joins the lines.
    reply = notice(Kind.OUTAGE_PLANNED, address="ул. Ленина,\n  д. 64")
    wamid = await channel.send(USER, reply, OUTSIDE)
    (sent,) = fake_graph.sent(USER)
    assert sent.id == wamid and sent.kind == "template"
    assert sent.text == (
        "[template outage_planned_v3: ул. Ленина, д. 64 | 24 декабря 10:00 | 24 декабря 16:00]"
    )
    assert fake_graph.refused == []


async def test_inside_the_window_a_notice_is_a_message_with_its_buttons(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    fake_graph.wrote(USER)
    await channel.send(USER, notice(Kind.DEBT_DUE), INSIDE)
    (sent,) = fake_graph.sent(USER)
    assert sent.kind == "interactive:button"
    assert sent.text == "По счёту 5901000001 к оплате 1 514,86 ₽ до 15 декабря."
    assert sent.options == [("Оплатить", "go:payment"), ("Отписаться", "unsub:debt")]


async def test_a_notice_without_a_usable_template_is_not_even_tried(
    channel: WhatsAppChannel, fake_graph: FakeGraph
) -> None:
    for reply in (notice(Kind.READING_REMINDER), notice(Kind.DEBT_DUE, amount="")):
        with pytest.raises(SendError) as caught:
            await channel.send(USER, reply, OUTSIDE)
        assert caught.value.permanent and not caught.value.blocks
    assert fake_graph.calls == []


@pytest.mark.parametrize(
    ("approved", "code"),
    [
        (None, 132001),  # the name is not approved (a typo in whatsapp.templates)
        (("debt_due_v1", "en"), 132001),  # approved in another language only
        (("debt_due_v1", "ru", 2), 132000),  # the approved body has two placeholders, not three
        (("debt_due_v1", "ru", 4), 132000),
    ],
)
async def test_a_template_meta_refuses_fails_the_notice_for_good(
    channel: WhatsAppChannel,
    fake_graph: FakeGraph,
    approved: tuple[str, str] | tuple[str, str, int] | None,
    code: int,
) -> None:
    if approved is not None:
        fake_graph.approve(*approved)  # type: ignore[arg-type]
    with pytest.raises(SendError) as caught:
        await channel.send(USER, notice(Kind.DEBT_DUE), OUTSIDE)
    error = caught.value
    assert str(code) in error.reason
    assert (error.permanent, error.blocks, error.retry_after) == (True, False, None)


# -- through the app: the outbox asks the channel before each row --------------------------------


async def test_the_outbox_sends_the_template_outside_the_window_and_records_refusals(
    meta: Harness,
) -> None:
    user = "79195550307"
    await meta.wa_say(user, "Здравствуйте")
    await meta.age("whatsapp", user, hours=30)
    meta.fake.approve("debt_due_v1", "ru", parameters=3)
    before = len(meta.fake.delivered)

    row = await meta.enqueue("whatsapp", user, notice(Kind.DEBT_DUE))
    assert row["status"] == "sent" and row["platform_message_id"].startswith("wamid.")
    assert meta.fake.sent(user)[-1].text == (
        "[template debt_due_v1: 5901000001 | 1 514,86 ₽ | 15 декабря]"
    )
    for reply, reason in (
        (notice(Kind.OUTAGE_PLANNED), "refused: no_template"),  # no template for the kind
        (notice(Kind.DEBT_DUE, due=""), "refused: no_template"),  # a value it needs is missing
        (Reply("Вы здесь?", operator="Анна"), "refused: window_closed"),
    ):
        row = await meta.enqueue("whatsapp", user, reply)
        assert (row["status"], row["last_error"]) == ("failed", reason)
    assert len(meta.fake.delivered) == before + 1
    assert meta.fake.refused == []

    await meta.wa_say(user, "спасибо")  # the window opens again: the notice as it reads
    row = await meta.enqueue("whatsapp", user, notice(Kind.OUTAGE_PLANNED))
    assert row["status"] == "sent"
    assert (
        meta.fake.sent(user)[-1].text
        == "ул. Ленина, д. 64: отключение с 24 декабря 10:00 до 24 декабря 16:00."
    )


async def test_a_template_meta_does_not_know_fails_the_row_without_retries(meta: Harness) -> None:
    user = "79195550308"
    await meta.wa_say(user, "Здравствуйте")
    await meta.age("whatsapp", user, hours=30)
    # Approved with two placeholders, configured with three: Meta answers 132000.
    meta.fake.approve("debt_due_v1", "ru", parameters=2)
    row = await meta.enqueue("whatsapp", user, notice(Kind.DEBT_DUE))
    assert row["status"] == "failed" and "132000" in row["last_error"]
    assert row["attempts"] <= 1
    assert (await meta.conversation("whatsapp", user))["send_blocked"] is None
