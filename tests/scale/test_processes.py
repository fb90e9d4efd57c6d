"""Many processes as one: 2–3 real `energobot serve` processes on one database take the same
webhook traffic. A platform may deliver an update to any of them, and again after a timeout;
each update must still have exactly one effect, and one conversation's turns must follow each
other with no state update lost."""

from __future__ import annotations

import asyncio
import random
import signal

from sqlalchemy import select

from storage.database import Database
from storage.tables import readings
from tests.fakes.telegram import updates as build
from tests.scale.cluster import Cluster, inbox_ids, replies, settled, versions

# Texts whose answers do not depend on earlier turns, so any order of chats is checkable;
# state-dependent order is the journey's subject below.
TEXTS = ("/start", "привет", "какие у вас тарифы", "меню", "спасибо", "как передать показания")


async def test_each_update_delivered_to_two_processes_has_one_effect(
    cluster: Cluster, cluster_db: Database
) -> None:
    await cluster.start(2)
    rng = random.Random(5)
    chats = [9_100_000 + n for n in range(24)]
    per_chat = 8
    sent_updates: list[int] = []

    async def customer(chat: int) -> None:
        for step in range(per_chat):
            update = build.text_update(chat, TEXTS[step % len(TEXTS)], fake=cluster.fake)
            sent_updates.append(update["update_id"])
            first, second = rng.sample(cluster.nodes, 2)
            # Twice, to different processes, the second one a moment later or at once.
            statuses = await asyncio.gather(
                cluster.deliver(first, update),
                _later(rng.random() * 0.01, cluster.deliver(second, update)),
            )
            assert statuses == [200, 200]

    await asyncio.gather(*(customer(chat) for chat in chats))
    await settled(cluster_db)
    ids = await inbox_ids(cluster_db)
    assert sorted(ids) == sorted(str(u) for u in sent_updates)  # each kept once
    assert await versions(cluster_db) == {str(chat): per_chat for chat in chats}  # one turn each
    for chat in chats:
        # Every reply written once and delivered once, in the order it was written.
        assert cluster.fake.texts(chat) == await replies(cluster_db, str(chat))
    assert cluster.errors() == []


async def test_one_conversations_concurrent_messages_on_different_processes_lose_nothing(
    cluster: Cluster, cluster_db: Database
) -> None:
    await cluster.start(3)
    chats = [9_200_000 + n for n in range(6)]
    per_chat = 9

    async def burst(chat: int) -> None:
        updates = [
            build.text_update(chat, TEXTS[n % len(TEXTS)], fake=cluster.fake)
            for n in range(per_chat)
        ]
        # All at once, spread over the processes: they queue on the conversation's row.
        statuses = await asyncio.gather(
            *(cluster.deliver(cluster.nodes[n % 3], u) for n, u in enumerate(updates))
        )
        assert statuses == [200] * per_chat

    await asyncio.gather(*(burst(chat) for chat in chats))
    await settled(cluster_db)
    # No lost update: every turn saw the one before it (the version counts them).
    assert await versions(cluster_db) == {str(chat): per_chat for chat in chats}
    for chat in chats:
        assert cluster.fake.texts(chat) == await replies(cluster_db, str(chat))
    assert cluster.errors() == []


async def test_a_journey_across_processes_stores_its_reading_once(
    cluster: Cluster, cluster_db: Database
) -> None:
    await cluster.cli("migrate")
    await cluster.cli("demo")
    await cluster.start(2)
    chat = 9_300_001
    steps = [
        "/start",
        "передать показания",
        "даю согласие",
        "5901000003",
        "Кузнецова",
        "18300",
    ]
    for n, text in enumerate(steps):
        update = build.text_update(chat, text, fake=cluster.fake)
        # Each step to another process first, then again to the other one.
        first, second = cluster.nodes[n % 2], cluster.nodes[(n + 1) % 2]
        assert await cluster.deliver(first, update) == 200
        assert await cluster.deliver(second, update) == 200
    await settled(cluster_db)
    texts = cluster.fake.texts(chat)
    assert any("приняты" in text for text in texts), texts
    async with cluster_db.unit_of_work() as store:
        stored = (await store.connection.execute(select(readings.c.value))).scalars().all()
    assert [str(value) for value in stored] == ["18300"]
    # Both senders know of each other: each sends at half of every channel's rate.
    assert await senders_alive(cluster) == [2, 2]
    assert cluster.errors() == []


async def senders_alive(cluster: Cluster, seconds: float = 10) -> list[float]:
    """What each process's /metrics says, once they agree (or when `seconds` ran out)."""
    assert cluster.session is not None
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        seen = []
        for node in cluster.nodes:
            async with cluster.session.get(f"{node.url}/metrics") as response:
                body = await response.text()
            line = next(x for x in body.splitlines() if x.startswith("energobot_senders_alive "))
            seen.append(float(line.split()[1]))
        if len(set(seen)) == 1 or asyncio.get_running_loop().time() > deadline:
            return seen
        await asyncio.sleep(0.2)


async def test_a_process_killed_mid_flight_loses_nothing(
    cluster: Cluster, cluster_db: Database
) -> None:
    await cluster.start(2)
    doomed, survivor = cluster.nodes
    chats = [9_400_000 + n for n in range(20)]
    per_chat = 6
    sent_updates: list[int] = []
    kill_after = 40  # updates taken before the plug is pulled
    taken = 0

    async def customer(chat: int) -> None:
        nonlocal taken
        for step in range(per_chat):
            update = build.text_update(chat, TEXTS[step % len(TEXTS)], fake=cluster.fake)
            sent_updates.append(update["update_id"])
            # The doomed process first; once it is gone, Telegram's redelivery finds the other.
            await cluster.deliver_until_taken(update, [doomed, survivor])
            taken += 1
            if taken == kill_after:
                cluster.kill(doomed)

    await asyncio.gather(*(customer(chat) for chat in chats))
    assert doomed.process is not None and doomed.process.returncode is not None
    # Replies the dead process had claimed are sent by the survivor once their lease ends.
    await settled(cluster_db)
    ids = await inbox_ids(cluster_db)
    assert sorted(ids) == sorted(str(u) for u in sent_updates)
    assert await versions(cluster_db) == {str(chat): per_chat for chat in chats}
    for chat in chats:
        written = await replies(cluster_db, str(chat))
        delivered = cluster.fake.texts(chat)
        # At least once: a reply on the wire when the process died may arrive twice, never
        # out of order and never not at all.
        assert _dedupe_adjacent(delivered) == _dedupe_adjacent(written), (chat, delivered)
    survivor_errors = [e for e in cluster.errors() if e.startswith(f"{survivor.port}:")]
    assert survivor_errors == []


async def _later(seconds: float, coroutine):  # type: ignore[no-untyped-def]
    await asyncio.sleep(seconds)
    return await coroutine


def _dedupe_adjacent(texts: list[str]) -> list[str]:
    return [t for n, t in enumerate(texts) if n == 0 or texts[n - 1] != t]


async def test_a_process_stopped_gracefully_finishes_what_it_took(
    cluster: Cluster, cluster_db: Database
) -> None:
    await cluster.start(2)
    leaving, staying = cluster.nodes
    chats = [9_500_000 + n for n in range(16)]
    per_chat = 5
    sent_updates: list[int] = []
    statuses: list[int] = []
    taken = 0

    async def customer(chat: int) -> None:
        nonlocal taken
        for step in range(per_chat):
            update = build.text_update(chat, TEXTS[step % len(TEXTS)], fake=cluster.fake)
            sent_updates.append(update["update_id"])
            status = await cluster.deliver(leaving, update)
            statuses.append(status)
            if status != 200:  # it has stopped listening: the platform delivers elsewhere
                await cluster.deliver_until_taken(update, [staying])
            taken += 1
            if taken == 30:
                assert leaving.process is not None
                leaving.process.send_signal(signal.SIGTERM)  # systemd stop, docker stop

    await asyncio.gather(*(customer(chat) for chat in chats))
    assert leaving.process is not None
    assert await asyncio.wait_for(leaving.process.wait(), 30) == 0  # a clean exit
    # Nothing it answered 200 for was lost, nothing was done twice.
    await settled(cluster_db)
    assert sorted(await inbox_ids(cluster_db)) == sorted(str(u) for u in sent_updates)
    assert await versions(cluster_db) == {str(chat): per_chat for chat in chats}
    for chat in chats:
        assert cluster.fake.texts(chat) == await replies(cluster_db, str(chat))
    assert 200 in statuses and any(s != 200 for s in statuses)  # it did stop mid-traffic
    assert cluster.errors() == []
