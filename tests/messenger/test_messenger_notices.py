"""Notices over Messenger: inside the 24-hour window RESPONSE as any reply; outside it only with
the message tag the notice's kind fits (visits CONFIRMED_EVENT_UPDATE, the restriction warning
ACCOUNT_UPDATE; recurring bills, reminders and outages none: refused as no_tag) — through
MessengerChannel into FakeGraph, which refuses anything outside the window without a valid tag."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bots.channel import Rates, Refusal, SendContext, SendError
from bots.messenger import DEFAULT_TAGS, MessengerChannel, notice_tags
from bots.messenger.channel import messaging_type
from bots.meta import GraphClient
from core.notices import Kind
from dialogs.messages import Reply
from energobot.app import create_app
from storage.database import Database
from tests.fakes.graph import PAGE_TOKEN, FakeGraph
from tests.fakes.graph import webhooks as build
from tests.meta.harness import Harness, make_settings
from tests.meta.notices import notice

PSID = "6251938475610294"
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
INSIDE = SendContext(NOW, NOW - timedelta(hours=2))
OUTSIDE = SendContext(NOW, NOW - timedelta(hours=48))
NEVER = SendContext(NOW, None)
TAGGED = {
    Kind.VISIT_STATUS: "CONFIRMED_EVENT_UPDATE",
    Kind.DEBT_RESTRICTION: "ACCOUNT_UPDATE",
}
UNTAGGED = (
    Kind.DEBT_DUE,  # Meta: «recurring content (statement is ready, bill is due)» is disallowed
    Kind.DEBT_OVERDUE,
    Kind.RECEIPT_READY,
    Kind.READING_REMINDER,
    Kind.READING_LAST_DAY,
    Kind.OUTAGE_PLANNED,
    Kind.OUTAGE_EMERGENCY,
    Kind.OUTAGE_RESTORED,
)


@pytest.fixture
async def channel(fake_graph: FakeGraph) -> AsyncIterator[MessengerChannel]:
    client = GraphClient(fake_graph.base_url, PAGE_TOKEN, 5)
    yield MessengerChannel(client, Rates(0, 0))
    await client.close()


def test_every_kind_has_its_tag_or_none() -> None:
    assert set(TAGGED) | set(UNTAGGED) == set(Kind)
    assert dict(DEFAULT_TAGS) == TAGGED


@pytest.mark.parametrize("kind", list(Kind))
def test_outside_the_window_a_notice_goes_only_with_its_kind_s_tag(
    channel: MessengerChannel, kind: Kind
) -> None:
    reply = notice(kind)
    assert channel.refusal(reply, INSIDE) is None
    assert messaging_type(reply, INSIDE) == {"messaging_type": "RESPONSE"}
    for context in (OUTSIDE, NEVER):
        if kind in TAGGED:
            assert channel.refusal(reply, context) is None
            envelope = {"messaging_type": "MESSAGE_TAG", "tag": TAGGED[kind]}
            assert messaging_type(reply, context, channel.tags) == envelope
        else:
            assert channel.refusal(reply, context) is Refusal.NO_TAG


def test_plain_and_operator_replies_keep_their_rules(channel: MessengerChannel) -> None:
    assert channel.refusal(Reply("Напоминание"), OUTSIDE) is Refusal.WINDOW_CLOSED
    operator = Reply("Ваш вопрос решён.", operator="Анна")
    assert channel.refusal(operator, OUTSIDE) is None
    assert messaging_type(operator, OUTSIDE) == {
        "messaging_type": "MESSAGE_TAG",
        "tag": "HUMAN_AGENT",
    }
    late = SendContext(NOW, NOW - timedelta(days=8))
    assert channel.refusal(operator, late) is Refusal.TAG_EXPIRED


def test_messenger_tags_override_the_defaults_kind_by_kind() -> None:
    tags = notice_tags({Kind.RECEIPT_READY: "POST_PURCHASE_UPDATE", Kind.DEBT_RESTRICTION: None})
    assert tags[Kind.RECEIPT_READY] == "POST_PURCHASE_UPDATE"
    assert (
        Kind.DEBT_RESTRICTION not in tags and tags[Kind.VISIT_STATUS] == TAGGED[Kind.VISIT_STATUS]
    )
    assert notice_tags() == dict(DEFAULT_TAGS) and notice_tags({}) == dict(DEFAULT_TAGS)
    channel = MessengerChannel(GraphClient("http://127.0.0.1:9", PAGE_TOKEN, 1), Rates(0, 0), tags)
    assert channel.refusal(notice(Kind.DEBT_RESTRICTION), OUTSIDE) is Refusal.NO_TAG
    assert channel.refusal(notice(Kind.RECEIPT_READY), OUTSIDE) is None


async def test_a_tagged_notice_goes_outside_the_window_with_its_buttons(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    fake_graph.wrote(PSID, fake_graph.clock() - 48 * 3600)  # its window closed
    await channel.send(PSID, notice(Kind.VISIT_STATUS), SendContext(datetime.now(UTC), None))
    (sent,) = fake_graph.sent(PSID)
    assert (sent.body["messaging_type"], sent.body["tag"]) == (
        "MESSAGE_TAG",
        "CONFIRMED_EVENT_UPDATE",
    )
    assert sent.kind == "button_template" and sent.options == [
        ("Оплатить", "go:payment"),
        ("Отписаться", "unsub:debt"),
    ]


async def test_messenger_refuses_an_untagged_notice_outside_the_window(
    channel: MessengerChannel, fake_graph: FakeGraph
) -> None:
    """What refusal() spares the sender: sent anyway, Messenger answers (#10) 2018278, and the
    row fails for good without marking the customer unreachable."""
    fake_graph.wrote(PSID, fake_graph.clock() - 48 * 3600)  # its window closed
    with pytest.raises(SendError) as caught:
        await channel.send(PSID, notice(Kind.OUTAGE_PLANNED), SendContext(datetime.now(UTC), None))
    error = caught.value
    assert "10/2018278" in error.reason
    assert (error.permanent, error.blocks, error.retry_after) == (True, False, None)
    assert fake_graph.sent(PSID) == []


# -- through the app -----------------------------------------------------------------------------


async def start(meta: Harness, psid: str) -> None:
    await meta.deliver("messenger", build.fb_postback(psid, "GET_STARTED", "Начать"))


async def test_the_outbox_tags_notices_outside_the_window_and_refuses_the_rest(
    meta: Harness,
) -> None:
    psid = "7000000000000011"
    await start(meta, psid)
    row = await meta.enqueue("messenger", psid, notice(Kind.READING_REMINDER))
    assert row["status"] == "sent"  # inside the window: any notice, as a response
    assert meta.fake.sent(psid)[-1].body["messaging_type"] == "RESPONSE"

    await meta.age("messenger", psid, hours=48)
    before = len(meta.fake.delivered)
    for kind in (Kind.DEBT_RESTRICTION, Kind.VISIT_STATUS):
        row = await meta.enqueue("messenger", psid, notice(kind))
        assert row["status"] == "sent", row["last_error"]
        last = meta.fake.sent(psid)[-1].body
        assert (last["messaging_type"], last["tag"]) == ("MESSAGE_TAG", TAGGED[kind])
    for kind in (Kind.READING_LAST_DAY, Kind.OUTAGE_EMERGENCY, Kind.DEBT_OVERDUE):
        row = await meta.enqueue("messenger", psid, notice(kind))
        assert (row["status"], row["last_error"]) == ("failed", "refused: no_tag")
    row = await meta.enqueue("messenger", psid, Reply("Напоминание от бота"))
    assert row["last_error"] == "refused: window_closed"
    assert len(meta.fake.delivered) == before + 2
    assert meta.fake.refused == []


async def test_messenger_tags_in_the_settings_reach_the_channel(
    fake_graph: FakeGraph, demo: Database
) -> None:
    settings = make_settings(fake_graph)
    settings.messenger.tags = {
        Kind.DEBT_RESTRICTION: None,
        Kind.RECEIPT_READY: "POST_PURCHASE_UPDATE",
    }
    app = create_app(settings, demo)
    async with TestClient(TestServer(app)) as client:
        meta = Harness(app, client, fake_graph, demo)
        psid = "7000000000000012"
        await start(meta, psid)
        await meta.age("messenger", psid, hours=30)
        row = await meta.enqueue("messenger", psid, notice(Kind.DEBT_RESTRICTION))
        assert row["last_error"] == "refused: no_tag"
        row = await meta.enqueue("messenger", psid, notice(Kind.RECEIPT_READY))
        assert row["status"] == "sent"
        assert meta.fake.sent(psid)[-1].body["tag"] == "POST_PURCHASE_UPDATE"
