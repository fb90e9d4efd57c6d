"""Open pages and their live replies: pushed locally, found by polling, shown once; and the
read-only log the web chat reads from storage."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bots.webchat.channel import WebchatChannel
from bots.webchat.hub import Hub, Listener
from dialogs.messages import Reply
from storage.database import Database
from storage.repos.chatlog import ChatLogRepo, chat_log_reader

NOW = datetime(2026, 3, 24, 9, 30, tzinfo=UTC)


@dataclass
class Row:
    id: int
    user_id: str
    body: dict[str, Any]
    at: datetime
    platform_id: str | None


class FakeReader:
    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.asked: list[tuple[list[str], int]] = []

    async def delivered(
        self, channel: str, user_ids: Sequence[str], after_id: int, limit: int
    ) -> list[Row]:
        self.asked.append((list(user_ids), after_id))
        return [r for r in self.rows if r.user_id in user_ids and r.id > after_id][:limit]


def hub_with(reader: FakeReader) -> Hub:
    hub = Hub(poll_seconds=60)

    @asynccontextmanager
    async def open_reader() -> AsyncIterator[FakeReader]:
        yield reader

    hub.reader = open_reader
    return hub


def frames(listener: Listener) -> list[tuple[str, str | None, dict[str, Any]]]:
    taken = []
    while not listener.queue.empty():
        raw = listener.queue.get_nowait()
        assert raw is not None
        fields = dict(line.split(": ", 1) for line in raw.strip().split("\n"))
        taken.append((fields["event"], fields.get("id"), json.loads(fields["data"])))
    return taken


async def test_a_sent_reply_reaches_every_open_page_of_the_session_only() -> None:
    hub = Hub()
    channel = WebchatChannel(hub)
    tab1, tab2, other = hub.listen("s1", 0), hub.listen("s1", 0), hub.listen("s2", 0)
    key = await channel.send("s1", Reply("Привет"))
    assert key
    for tab in (tab1, tab2):
        assert [(e, i, d["text"], d["key"]) for e, i, d in frames(tab)] == [
            ("reply", None, "Привет", key)
        ]
    assert frames(other) == []
    await hub.close()


async def test_polling_shows_other_processes_replies_and_confirms_local_ones_once() -> None:
    reader = FakeReader([])
    hub = hub_with(reader)
    page = hub.listen("s1", 5)
    late = hub.listen("s2", 9)
    key = await WebchatChannel(hub).send("s1", Reply("Отсюда"))
    assert [e for e, _, _ in frames(page)] == ["reply"]
    reader.rows = [
        Row(6, "s1", Reply("Отсюда").to_dict(), NOW, key),  # this process sent it
        Row(7, "s1", Reply("Из другого процесса", operator="Анна").to_dict(), NOW, "p7"),
        Row(8, "s1", {"erased": True}, NOW, "p8"),
        Row(10, "s2", Reply("Вам").to_dict(), NOW, "p10"),
    ]
    assert await hub.poll() == 4
    assert reader.asked == [(["s1", "s2"], 5)]  # one query for every open page
    shown = frames(page)
    assert [(e, i) for e, i, _ in shown] == [("cursor", "6"), ("reply", "7")]
    assert shown[1][2]["operator"] == "Анна"
    # Past the erased row, which is not shown, and past s2's row: the batch held every row of
    # s1 up to there (a page that is not moved on would hold the next query back).
    assert page.cursor == 10
    assert [(e, i) for e, i, _ in frames(late)] == [("reply", "10")]

    await hub.poll()  # nothing new: nothing shown twice
    assert reader.asked[-1] == (["s1", "s2"], 10)
    assert frames(page) == [] and frames(late) == []
    await hub.close()


async def test_closing_ends_every_stream() -> None:
    hub = Hub()
    page = hub.listen("s1", 0)
    await hub.close()
    assert page.queue.get_nowait() is None
    assert hub.listen("s1", 0).queue.get_nowait() is None  # a late page ends at once
    assert hub.open_pages == 1  # ... and is not kept
    hub.forget(page)  # the stream's handler lets go
    assert hub.open_pages == 0


async def _conversation(store: Any, user_id: str) -> int:
    customer = await store.customers.get_or_create("webchat", user_id, "", "ru", NOW)
    return (await store.conversations.get_for_update(customer, NOW)).id


async def test_the_log_holds_events_delivered_replies_and_a_safe_cursor(
    database: Database,
) -> None:
    async with database.unit_of_work() as store:
        conversation = await _conversation(store, "s1")
        other = await _conversation(store, "s2")
        body = {"kind": "text", "text": "привет", "event_id": "s1:e1"}
        await store.inbox.add("webchat", "s1:e1", body, NOW)
        await store.inbox.attach("webchat", "s1:e1", conversation)
        sent = await store.outbox.add(conversation, "webchat", "s1", {"text": "a"}, NOW)
        await store.outbox.mark_sent(sent, NOW, "k1")
        elsewhere = await store.outbox.add(other, "webchat", "s2", {"text": "b"}, NOW)
        await store.outbox.mark_sent(elsewhere, NOW, "k2")
        waiting = await store.outbox.add(
            conversation, "webchat", "s1", {"text": "c"}, NOW + timedelta(seconds=1)
        )
        await store.commit()

    async with chat_log_reader(database.unit_of_work)() as reader:
        assert isinstance(reader, ChatLogRepo)
        log = await reader.log("webchat", "s1", limit=10)
        unknown = await reader.log("webchat", "nobody", limit=10)
        delivered = await reader.delivered("webchat", ["s1"], 0, 10)
        both = await reader.delivered("webchat", ["s1", "s2"], sent, 10)
    assert log.language == "ru"
    assert [e.body["text"] for e in log.events] == ["привет"]
    assert [(r.id, r.platform_id) for r in log.replies] == [(sent, "k1")]  # not the pending one
    # The pending reply comes later, past the cursor: the live stream starts below it.
    assert log.cursor == sent < waiting
    assert (unknown.language, unknown.events, unknown.replies, unknown.cursor) == (None, [], [], 0)
    assert [r.id for r in delivered] == [sent]
    assert [(r.id, r.user_id) for r in both] == [(elsewhere, "s2")]
