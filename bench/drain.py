"""Outbox drain rate against Telegram's flood limits, as the fake Bot API enforces them.

    .venv/bin/python bench/drain.py [--scenarios 1800/600,600/20] [--db sqlite|postgres]
        [--senders 1] [--no-shares]

Each scenario ROWS/CHATS fills the outbox with ROWS replies spread over CHATS conversations
(round-robin, so every chat gets ROWS/CHATS of them); then the real OutboxSender
(outbox/sender.py), built as `energobot serve` builds it (settings → channels → sender),
delivers them to FakeTelegram (tests/fakes/telegram), which answers 429 to any send over 30
messages a second overall (a burst of 30) or over one a second per chat (a burst of 3). The
default scenarios: a broadcast-like 1800 replies over 600 chats (3 each, within a chat's
burst: the overall limit binds) and 600 over 20 chats (30 each: the per-chat limit binds).

Reported: messages a second from the first to the last delivery; the allowed rate — the rows
over the fastest drain the fake admits (after the bursts, one send per token of the overall
bucket and of every chat's, whichever runs out last) —, and the ratio achieved/allowed (the
target: >= 0.95); the steady rate after the first second; and the 429s the fake answered, by
scope and time (the target: none).
The sender aims 2 % under the limits (RATE_MARGIN), so 0.98 is its designed ceiling.

--senders N runs N senders on one database, each with its own channels and token buckets, as N
`energobot serve` processes do (use --db postgres: rows are then claimed FOR UPDATE SKIP
LOCKED). They are started first and the replies written once each has seen the others (as when a
broadcast reaches running processes); each then sends at its share of the bot's rate.
--no-shares makes every sender ignore the others (each at the whole rate): the comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, its test fakes

from webhook import (  # bench/ is the script's directory, so on sys.path
    PG_ADMIN_URL,
    TOKEN,
    create_pg_database,
    drop_pg_database,
    energobot_env,
    machine,
)

FIRST_CHAT = 500_000_000


@dataclass
class Outcome:
    rows: int
    chats: int
    delivered: int
    seconds: float
    rate: float  # delivered per second, first to last delivery
    allowed_rate: float  # rows / the fastest drain the fake allows
    ratio: float  # fastest drain / this one's
    steady: float  # per second after the first second
    throttled: Counter[str]  # 429s by scope
    throttled_at: list[float]  # when, in seconds after the first delivery
    statuses: dict[str, int]  # outbox rows by status afterwards
    margin: float


async def _alone() -> None:
    """--no-shares: a sender that never learns of the others."""


async def fill(database, rows: int, chats: int) -> None:  # type: ignore[no-untyped-def]
    """`rows` pending replies over `chats` Telegram conversations, as turns would leave them."""
    from dialogs.messages import Reply

    now = datetime.now(UTC)
    async with database.unit_of_work() as store:
        conversations = []
        for n in range(chats):
            user = str(FIRST_CHAT + n)
            customer = await store.customers.get_or_create("telegram", user, "Bench", "ru", now)
            conversations.append((await store.conversations.get_for_update(customer, now), user))
        for n in range(rows):
            conversation, user = conversations[n % chats]
            text = f"Ответ {n // chats + 1}: показания приняты, спасибо."
            await store.outbox.add(conversation.id, "telegram", user, Reply(text).to_dict(), now)
        await store.commit()


async def run(url: str, rows: int, chats: int, senders: int, shares: bool) -> Outcome:
    from energobot.channels import build_channels
    from energobot.settings import load_settings
    from energobot.wiring import sender_config
    from outbox.sender import RATE_MARGIN, OutboxSender
    from storage.database import Database
    from storage.migrate import upgrade
    from tests.fakes.telegram.server import FakeTelegram

    await upgrade(url)
    async with FakeTelegram(TOKEN) as fake:
        for n in range(chats):
            fake.add_chat(FIRST_CHAT + n)
        os.environ.update(energobot_env(url, fake.port))
        settings = load_settings()
        database = Database(url, pool_size=settings.database.pool_size)
        # Each sender with its own channels and buckets, as in separate `serve` processes.
        built = [build_channels(settings) for _ in range(senders)]
        workers = [
            OutboxSender(database.unit_of_work, channels.outbound, sender_config(settings))
            for channels in built
        ]
        for sender in workers:
            if not shares:
                sender._beat = _alone  # type: ignore[method-assign]
            sender.start()
        while shares and any(sender.share < senders for sender in workers):  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # every sender has seen the others (a beat each)
        began = time.perf_counter()
        await fill(database, rows, chats)
        for sender in workers:
            sender.wake()
        try:
            deadline = began + rows / built[0].outbound["telegram"].rates.per_second * 3 + 60
            # The fake offers no event for deliveries: look 20 times a second.
            while len(fake.delivered) < rows and time.perf_counter() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        finally:
            for sender in workers:
                await sender.stop()
            for channels in built:
                await channels.close()
        async with database.engine.connect() as conn:
            result = await conn.exec_driver_sql(
                "SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status"
            )
            # SQLAlchemy's AsyncConnection.exec_driver_sql declares its rows one column wide.
            statuses = {str(status): int(count) for status, count in result.all()}  # type: ignore[misc]
        await database.dispose()
        times = sorted(sent.at for sent in fake.delivered)
        if len(times) < 2:
            raise SystemExit("the sender delivered (almost) nothing")
        window = times[-1] - times[0]
        steady = [t for t in times if t >= times[0] + 1.0]
        # The fastest drain the fake allows: after the bursts, one send per token of the
        # overall bucket and of each chat's, whichever runs out last.
        limits = fake.limits  # the platform's: 30/s for the bot however many senders
        per_chat = Counter(FIRST_CHAT + n % chats for n in range(rows))
        fastest = max(
            (rows - limits.global_rate) / limits.global_rate,
            *((n - limits.chat_burst) / limits.chat_rate for n in per_chat.values()),
        )
        return Outcome(
            rows=rows,
            chats=chats,
            delivered=len(times),
            seconds=window,
            rate=len(times) / window,
            allowed_rate=rows / fastest,
            ratio=fastest / window if len(times) == rows else len(times) / rows * fastest / window,
            steady=(len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else 0.0,
            throttled=Counter(t.scope for t in fake.throttled),
            throttled_at=[round(t.at - times[0], 2) for t in fake.throttled],
            statuses=statuses,
            margin=RATE_MARGIN,
        )


async def scenario(args: argparse.Namespace, rows: int, chats: int) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        pg_name = None
        if args.db == "postgres":
            pg_name = f"bench_outbox_{os.getpid()}"
            url = await create_pg_database(args.pg_url, pg_name)
        else:
            url = f"sqlite+aiosqlite:///{tmp}/outbox.db"
        try:
            return await run(url, rows, chats, args.senders, not args.no_shares)
        finally:
            if pg_name is not None:
                await drop_pg_database(args.pg_url, pg_name)


async def main(args: argparse.Namespace) -> None:
    print(f"# {machine()}")
    print(
        f"# database {args.db}; {args.senders} sender(s)"
        f"{', each at the whole rate (--no-shares)' if args.no_shares else ''}; "
        "fake limits: 30/s overall (burst 30), 1/s per chat (burst 3)"
    )
    outcomes = []
    for pair in args.scenarios.split(","):
        rows, chats = (int(x) for x in pair.split("/"))
        outcomes.append(await scenario(args, rows, chats))
    print(
        "| rows / chats | delivered | seconds | sent/s | allowed/s | ratio | steady sent/s "
        "| 429s | outbox afterwards |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    met = True
    for o in outcomes:
        throttled = ", ".join(f"{n} {scope}" for scope, n in o.throttled.items()) or "0"
        if o.throttled_at:
            throttled += f" (at +{', +'.join(map(str, o.throttled_at[:5]))} s)"
        statuses = ", ".join(f"{n} {status}" for status, n in o.statuses.items())
        print(
            f"| {o.rows} / {o.chats} | {o.delivered} | {o.seconds:.1f} | {o.rate:.2f} "
            f"| {o.allowed_rate:.2f} | {o.ratio:.3f} | {o.steady:.2f} | {throttled} "
            f"| {statuses} |"
        )
        met = met and o.ratio >= 0.95 and not o.throttled and o.delivered == o.rows
    print(
        "# ratio = achieved / allowed = the fastest drain the fake admits / this one; the "
        f"sender's designed ceiling is {outcomes[0].margin} of the limits (RATE_MARGIN)"
    )
    print(f"# target (ratio >= 0.95, no 429, every row delivered): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="1800/600,600/20", help="ROWS/CHATS,...")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--senders", type=int, default=1, help="senders on one database, as N serve processes"
    )
    parser.add_argument(
        "--no-shares", action="store_true", help="each sender at the whole rate (the comparison)"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", PG_ADMIN_URL),
        help="a PostgreSQL URL whose server may get bench_* databases (env BENCH_PG_URL)",
    )
    asyncio.run(main(parser.parse_args()))
