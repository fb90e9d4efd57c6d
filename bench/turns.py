"""The CPU a dialog turn costs, by kind of turn, against a greeting's turn in the same run.

    .venv/bin/python bench/turns.py [--turns 300] [--account 5901000001]

What decides a supplier's capacity is the heavy turns: a reading with its checks and estimate,
the balance with the debt bill by bill, a month's bill explained. Each kind runs `--turns` times
through the whole pipeline (inbox, conversation lock, NLU, engine, flows, outbox, commit) on a
SQLite database with the demo data, one customer linked to `--account` (a two-zone meter); the
time is the process's CPU (time.process_time), steadier than a rate on a shared machine. The
ratio is each kind's CPU per turn over the greeting's («привет»: NLU, menu, no billing data);
the statements are the SQL a turn runs (BEGIN included, COMMIT not).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as `python bench/turns.py` from anywhere
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from dialogs.messages import Inbound, InboundKind  # noqa: E402
from energobot.exchange.demo import import_demo  # noqa: E402
from energobot.settings import load_settings  # noqa: E402
from energobot.wiring import build_pipeline  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

USER = "bench"
START = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # 10:00 in Perm, a Monday


def kinds(day: int, night: int) -> dict[str, Callable[[int], str]]:
    return {
        "greeting": lambda n: "привет",
        "balance": lambda n: "сколько я должен",
        "reading": lambda n: f"показания день {day + n} ночь {night + n}",
        "bill": lambda n: "почему такой большой счёт",
        "tariff": lambda n: "какой у меня тариф",
    }


async def run(turns: int, account: str, day: int, night: int) -> None:
    settings = load_settings(ROOT / "config.yaml")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'turns.db'}"
        await upgrade(url)
        database = Database(url)
        clock = _Clock()
        pipeline = build_pipeline(settings, database, clock=clock)
        async with database.unit_of_work() as store:
            await import_demo(store)
            customer = await store.customers.get_or_create("terminal", USER, "", "ru", START)
            await store.consents.record(
                customer.id, pipeline.config.consent_version, "terminal", START
            )
            await store.accounts.link(customer.id, account, "surname", START)
            await store.commit()
        events = 0
        statements = 0

        @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
        def _count(*_: object) -> None:
            nonlocal statements
            statements += 1

        async def say(text: str) -> None:
            nonlocal events
            events += 1
            clock.tick()
            inbound = Inbound("terminal", USER, f"e{events}", InboundKind.TEXT, clock(), text=text)
            await pipeline.handle(inbound)

        results: dict[str, tuple[float, float, float]] = {}
        for name, text in kinds(day, night).items():
            for n in range(20):  # warm-up: caches, the NLU's tables, SQLite's pages
                await say(text(n))
                await say("меню")
            cpu: list[float] = []
            wall: list[float] = []
            counted = 0
            for n in range(turns):
                started, started_cpu = time.perf_counter(), time.process_time()
                before = statements
                await say(text(20 + n))
                counted += statements - before
                cpu.append(time.process_time() - started_cpu)
                wall.append(time.perf_counter() - started)
                await say("меню")  # every measured turn starts at the menu
            results[name] = (
                statistics.fmean(cpu) * 1000,
                statistics.median(wall) * 1000,
                counted / turns,
            )
        await database.dispose()
    base = results["greeting"][0]
    print(f"{'turn':<10} {'CPU ms':>8} {'wall p50 ms':>12} {'× greeting':>11} {'statements':>11}")
    for name, (cpu_ms, wall_ms, count) in results.items():
        print(f"{name:<10} {cpu_ms:>8.2f} {wall_ms:>12.2f} {cpu_ms / base:>11.2f} {count:>11.1f}")
    print(f"({turns} turns each, account {account}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> None:
        self.now += timedelta(seconds=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--account", default="5901000001", help="a two-zone meter's account")
    parser.add_argument("--day", type=int, default=23500, help="the first day (T1) value sent")
    parser.add_argument("--night", type=int, default=8200, help="the first night (T2) value sent")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    asyncio.run(run(args.turns, args.account, args.day, args.night))


if __name__ == "__main__":
    main()
