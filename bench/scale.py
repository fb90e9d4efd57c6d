"""The CPU of the turns that decide capacity, at 1 000 and 1 000 000 accounts.

    .venv/bin/python bench/scale.py [--db postgres|sqlite] [--sizes 1000,1000000]
        [--readings-per-account 10] [--seconds 10] [--connections 1,16]
        [--kinds text,balance,reading,mixed] [--warmup-seconds 20] [--baseline | --no-baseline]
        [--explain] [--reseed]

For each size a database is seeded once (PostgreSQL: `bench_scale_<size>`, kept for the next
run; SQLite: var/bench/scale_<size>.db) — the real migrations first, then the demo data, then
one customer linked through the real dialog in process (consent, account number, surname),
whose rows are the template of every seeded customer: `size` accounts, each with a two-zone
(day/night) meter, six months of charges and payments, `readings-per-account` monthly readings
of each zone, and a Telegram customer with consent, a linked account and a conversation — all
in SQL from a generated series, without a round trip per row. A run on a database seeded
before first marks the replies earlier runs left unsent as sent and deletes the readings they
submitted this month, so that runs compare.

Then one `energobot serve` process takes updates on /webhooks/telegram, as in bench/webhook.py,
each from a random seeded customer, one kind of turn per row: «привет» (text: the NLU and the
menu), «баланс» (the account, charges and payments, the debt bill by bill, the payment QR) and
«показания день N ночь M» (meter and registers, the reading history and its checks,
plausibility, the readings stored, the estimate priced with the tariffs), then the two heavy
ones mixed. Reported per size and row: milliseconds per update at 1 connection (mean, p50,
p99), throughput at more connections, the server's and PostgreSQL's CPU per update, and the
SQL statements a turn of each kind runs; next to them, in the same run, aiogram's webhook
handler with one insert and commit (bench/webhook.py's baseline), and each kind's server CPU
as a multiple of it. --explain prints the plan of every statement a turn (and the sender's
claim) runs, on the biggest size, and flags a full scan of any table with more than 10 000 rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, for seeding

from sqlalchemy.engine import make_url
from webhook import (  # bench/ is the script's directory, so on sys.path
    ENERGOBOT_HEADERS,
    PG_ADMIN_URL,
    CpuMeter,
    Result,
    create_pg_database,
    energobot_env,
    energobot_servers,
    fmt,
    machine,
    pg_database_exists,
    start_sink,
    update_body,
    with_database,
)

TEMPLATE_ACCOUNT = "5901000001"  # a demo account with a two-zone meter (T1 day, T2 night)
TEMPLATE_SURNAME = "Иванова"
TEMPLATE_USER = 600_000_001
FIRST_USER = 700_000_000  # seeded customer i is Telegram user FIRST_USER + i, account 77<i:08>
PREFIX = "77"
HISTORY_MONTHS = 6  # charges and payments per account: what the balance shows
MONTHLY_KWH = 150
BIG_TABLE_ROWS = 10_000


# -- seeding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    name: str

    def series(self, n: int) -> str:
        if self.name == "postgresql":
            return f"s(i) AS (SELECT generate_series(1, {int(n)}))"
        return f"RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(n)})"

    def pad(self, expr: str, width: int) -> str:
        if self.name == "postgresql":
            return f"lpad(CAST({expr} AS TEXT), {width}, '0')"
        return f"substr('{'0' * width}' || ({expr}), -{width})"

    def account(self, expr: str) -> str:
        return f"'{PREFIX}' || {self.pad(expr, 8)}"

    def number(self, literal: str) -> str:
        return f"CAST('{literal}' AS NUMERIC)" if self.name == "postgresql" else f"'{literal}'"

    def instant(self, at: datetime) -> str:
        if self.name == "postgresql":
            return f"CAST('{at.isoformat()}' AS TIMESTAMPTZ)"
        return f"'{at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=' ')}'"


def history_periods(months: int, today: date) -> list[tuple[str, datetime]]:
    """The `months` calendar months before this one, oldest first, with a submission time."""
    periods = []
    year, month = today.year, today.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        periods.append((f"{year:04d}-{month:02d}", datetime(year, month, 24, 9, 0, tzinfo=UTC)))
    return periods[::-1]


async def seed(url: str, size: int, per_account: int) -> dict[str, Any]:
    """Migrate, load the demo data, link the template customer, then copy it `size` times."""
    from sqlalchemy import text

    from energobot.exchange import load_demo
    from storage.database import Database
    from storage.migrate import upgrade

    await upgrade(url)
    database = Database(url)
    try:
        async with database.unit_of_work() as store:
            await load_demo(store)
            await store.commit()
        await link_template(database)
        dialect = Dialect(database.dialect)
        async with database.engine.connect() as conn:
            deferred: list[str] = []
            if dialect.name == "postgresql":
                # This transaction only, as pg_restore does: no wait for each WAL flush, no
                # foreign-key trigger per row (the copies are consistent by construction), and
                # the secondary indexes built once at the end instead of row by row.
                for setting in (
                    "synchronous_commit = off",
                    "session_replication_role = replica",
                    "maintenance_work_mem = '256MB'",
                ):
                    await conn.exec_driver_sql(f"SET LOCAL {setting}")

            async def one(sql: str, **params: Any) -> Any:
                return (await conn.execute(text(sql), params)).scalar_one()

            tpl_customer = await one(
                "SELECT id FROM customers WHERE channel = 'telegram' AND user_id = :u",
                u=str(TEMPLATE_USER),
            )
            tpl_meter = await one(
                "SELECT id FROM meters WHERE account_number = :a", a=TEMPLATE_ACCOUNT
            )
            first_period = await one(
                "SELECT min(period) FROM (SELECT period FROM charges WHERE account_number = :a "
                f"ORDER BY period DESC LIMIT {HISTORY_MONTHS}) AS h",
                a=TEMPLATE_ACCOUNT,
            )
            last_values = {
                name: Decimal(str(value))
                for name, value in (
                    await conn.execute(
                        text("SELECT name, last_value FROM registers WHERE meter_id = :m"),
                        {"m": tpl_meter},
                    )
                ).all()
            }
            before = {
                t: await one(f"SELECT coalesce(max(id), 0) FROM {t}")
                for t in ("meters", "customers", "account_links")
            }
            series = dialect.series(size)
            account = dialect.account("i")
            steps = {
                "accounts": f"""
                    WITH {series} INSERT INTO accounts (number, surname, first_name, patronymic,
                        address, category, phone, email, large_family, balance, due_date)
                    SELECT {account}, t.surname, t.first_name, t.patronymic, t.address,
                        t.category, '+79' || {dialect.pad("i", 9)}, NULL, t.large_family,
                        t.balance, t.due_date
                    FROM s CROSS JOIN accounts t WHERE t.number = :tpl""",
                "meters": f"""
                    WITH {series} INSERT INTO meters (account_number, serial, scheme, digits,
                        smart, verification_due)
                    SELECT {account}, 'B' || {dialect.pad("i", 8)}, m.scheme, m.digits, m.smart,
                        m.verification_due
                    FROM s CROSS JOIN meters m WHERE m.id = :tpl_meter""",
                "registers": """
                    INSERT INTO registers (meter_id, name, last_value, last_date, avg_monthly_kwh)
                    SELECT m.id, r.name, r.last_value, r.last_date, r.avg_monthly_kwh
                    FROM meters m CROSS JOIN registers r
                    WHERE m.id > :meters_before AND r.meter_id = :tpl_meter""",
                "charges": f"""
                    WITH {series} INSERT INTO charges (account_number, period, kwh, amount)
                    SELECT {account}, h.period, h.kwh, h.amount
                    FROM s CROSS JOIN charges h
                    WHERE h.account_number = :tpl AND h.period >= :first_period""",
                "payments": f"""
                    WITH {series} INSERT INTO payments (account_number, period, amount)
                    SELECT {account}, h.period, h.amount
                    FROM s CROSS JOIN payments h
                    WHERE h.account_number = :tpl AND h.period >= :first_period""",
                "customers": f"""
                    WITH {series} INSERT INTO customers (channel, user_id, display_name,
                        language, created_at)
                    SELECT c.channel, CAST({FIRST_USER} + i AS TEXT), c.display_name,
                        c.language, c.created_at
                    FROM s CROSS JOIN customers c WHERE c.id = :tpl_customer""",
                "conversations": """
                    INSERT INTO conversations (customer_id, status, state, version,
                        last_inbound_at, send_blocked, updated_at)
                    SELECT c.id, v.status, v.state, v.version, v.last_inbound_at, NULL,
                        v.updated_at
                    FROM customers c CROSS JOIN conversations v
                    WHERE c.id > :customers_before AND v.customer_id = :tpl_customer""",
                "consents": """
                    INSERT INTO consents (customer_id, version, channel, given_at, withdrawn_at)
                    SELECT c.id, k.version, k.channel, k.given_at, NULL
                    FROM customers c CROSS JOIN consents k
                    WHERE c.id > :customers_before AND k.customer_id = :tpl_customer""",
                "account_links": f"""
                    INSERT INTO account_links (customer_id, account_number, how, linked_at)
                    SELECT c.id,
                        {dialect.account(f"CAST(c.user_id AS BIGINT) - {FIRST_USER}")},
                        l.how, l.linked_at
                    FROM customers c CROSS JOIN account_links l
                    WHERE c.id > :customers_before AND l.customer_id = :tpl_customer""",
            }
            # Monthly readings of each zone before this month, rising by MONTHLY_KWH up to a
            # month before billing's last value (which stays the newest: what a new reading is
            # checked against).
            months = history_periods(per_account, datetime.now(UTC).date())
            values = [
                f"('{name}', '{period}', {dialect.instant(at)}, "
                f"{dialect.number(str(last - MONTHLY_KWH * (per_account - k + 1)))})"
                for name, last in sorted(last_values.items())
                for k, (period, at) in enumerate(months, start=1)
            ]
            steps["readings"] = f"""
                WITH mo(register, period, at, value) AS (VALUES {", ".join(values)})
                INSERT INTO readings (account_number, serial, register, value, consumption_kwh,
                    period, submitted_at, channel, status, kind, customer_id)
                SELECT l.account_number, 'B' || substr(l.account_number, 3), mo.register,
                    mo.value, {dialect.number(str(MONTHLY_KWH))}, mo.period, mo.at, 'telegram',
                    'accepted', 'regular', l.customer_id
                FROM account_links l CROSS JOIN mo WHERE l.id > :links_before"""
            params = {
                "tpl": TEMPLATE_ACCOUNT,
                "tpl_meter": tpl_meter,
                "tpl_customer": tpl_customer,
                "first_period": first_period,
                "meters_before": before["meters"],
                "customers_before": before["customers"],
                "links_before": before["account_links"],
            }
            if dialect.name == "postgresql":
                deferred = await drop_secondary_indexes(conn, list(steps))
            timings = {}
            for table, sql in steps.items():
                began = time.perf_counter()
                result = await conn.execute(text(sql), params)
                timings[table] = (result.rowcount, time.perf_counter() - began)
                print(f"#   {table:14} {result.rowcount:>10,} rows  {timings[table][1]:6.1f} s")
            began = time.perf_counter()
            for statement in deferred:
                await conn.exec_driver_sql(statement)
            if deferred:
                took = time.perf_counter() - began
                print(f"#   {'indexes':14} {len(deferred):>10} built {took:6.1f} s")
            await conn.commit()
        async with database.engine.connect() as conn:
            began = time.perf_counter()
            if dialect.name == "postgresql":
                ac = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await ac.exec_driver_sql("VACUUM ANALYZE")
            else:
                await conn.exec_driver_sql("ANALYZE")
                await conn.commit()
            print(f"#   {'analyze':14} {'':>10}       {time.perf_counter() - began:6.1f} s")
        return {name: str(value) for name, value in last_values.items()}
    finally:
        await database.dispose()


async def drop_secondary_indexes(conn: Any, tables: list[str]) -> list[str]:
    """Drop every index but the primary keys of `tables` (PostgreSQL); the statements that
    create them again, exactly as the migrations made them."""
    from sqlalchemy import text

    rows = await conn.execute(
        text(
            "SELECT t.relname, ic.relname, pg_get_indexdef(i.indexrelid), con.conname, "
            "pg_get_constraintdef(con.oid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_class ic ON ic.oid = i.indexrelid "
            "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype = 'u' "
            "WHERE t.relname = ANY(:tables) AND NOT i.indisprimary "
            "AND t.relnamespace = 'public'::regnamespace"
        ),
        {"tables": tables},
    )
    again = []
    for table, index, indexdef, constraint, constraintdef in rows.all():
        if constraint is not None:
            await conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
            again.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {constraintdef}')
        else:
            await conn.exec_driver_sql(f'DROP INDEX "{index}"')
            again.append(indexdef)
    return again


async def link_template(database: Any) -> None:
    """The template customer links the template account through the real dialog."""
    from bots.telegram.updates import parse_update
    from energobot.settings import load_settings
    from energobot.wiring import build_pipeline

    pipeline = build_pipeline(load_settings(), database)
    for number, said in enumerate(["баланс", "1", TEMPLATE_ACCOUNT, TEMPLATE_SURNAME, "баланс"]):
        update = json.loads(update_body(900_000_000 + number, TEMPLATE_USER, said))
        inbound = parse_update(update).inbound
        assert inbound is not None
        await pipeline.handle(inbound)
    from sqlalchemy import text

    async with database.engine.connect() as conn:
        linked = await conn.execute(
            text(
                "SELECT count(*) FROM account_links l JOIN customers c ON c.id = l.customer_id "
                "WHERE c.channel = 'telegram' AND c.user_id = :u"
            ),
            {"u": str(TEMPLATE_USER)},
        )
        if linked.scalar_one() != 1:
            raise RuntimeError("the template customer did not get linked: has the dialog changed?")


# -- the databases ----------------------------------------------------------------------------


async def database_for(db: str, size: int, per_account: int, args: argparse.Namespace) -> str:
    """The seeded database of `size` accounts (seeded now unless it already is)."""
    name = f"bench_scale_{size}_{per_account}"
    if db == "postgres":
        url = with_database(args.pg_url, name)
        exists = not args.reseed and await pg_database_exists(args.pg_url, name)
        if exists and await seeded(url, size):
            return await up_to_date(url)
        await create_pg_database(args.pg_url, name)
    else:
        path = Path(args.sqlite_dir) / f"{name}.db"
        url = f"sqlite+aiosqlite:///{path}"
        if not args.reseed and path.exists() and await seeded(url, size):
            return await up_to_date(url)
        remove_sqlite(path)
    print(f"# seeding {size:,} accounts, {size * per_account:,} readings ({db})")
    began = time.perf_counter()
    os.environ.update(energobot_env(url, 9))
    await seed(url, size, per_account)
    print(f"# seeded in {time.perf_counter() - began:.0f} s")
    return url


async def up_to_date(url: str) -> str:
    """A database seeded by an earlier run, brought to the code's schema (its new indexes)."""
    from storage.migrate import current, head, upgrade

    if await current(url) != head():
        began = time.perf_counter()
        await upgrade(url)
        print(f"# migrated to {head()} in {time.perf_counter() - began:.0f} s")
    return url


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def seeded(url: str, size: int) -> bool:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from storage.database import Database

    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            count = (
                await conn.execute(
                    text("SELECT count(*) FROM accounts WHERE number LIKE :p"), {"p": PREFIX + "%"}
                )
            ).scalar_one()
        return bool(count == size)
    except SQLAlchemyError:
        return False
    finally:
        await database.dispose()


# -- measuring --------------------------------------------------------------------------------


KINDS = ("text", "balance", "reading", "mixed")
# A row: accounts, kind of turn, connections, the load's result, readings stored meanwhile.
Measured = tuple[int, str, int, Result, int]


def turn_text(kind: str, last: dict[str, Decimal], rng: random.Random) -> str:
    """What a random customer writes: a greeting, the balance, or plausible readings (20-120
    kWh a zone above billing's last value)."""
    if kind == "mixed":
        kind = rng.choice(("balance", "reading"))
    if kind == "text":
        return "привет"
    if kind == "balance":
        return "баланс"
    day, night = (int(last[name]) + rng.randint(20, 120) for name in ("T1", "T2"))
    return f"показания день {day} ночь {night}"


def turn_body(kind: str, size: int, last: dict[str, Decimal], seed: int) -> Any:
    rng = random.Random(seed)

    def body(update_id: int, index: int, round_: int) -> bytes:
        return update_body(update_id, FIRST_USER + rng.randint(1, size), turn_text(kind, last, rng))

    return body


async def count_rows(url: str, table: str) -> int:
    from sqlalchemy import text

    from storage.database import Database

    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
    finally:
        await database.dispose()


async def measure(url: str, db: str, size: int, args: argparse.Namespace) -> list[Measured]:
    from webhook import load

    last = await seeded_last_values(url)
    # Replies an earlier run left unsent (the sink takes 30/s) would make runs incomparable.
    await execute(url, "UPDATE outbox SET status = 'sent' WHERE status = 'pending'")
    # So would the readings earlier runs submitted this month: each run added a correction or
    # two to every meter of the small database, which the next run's turns read. The month
    # starts without them, as a supplier's month does (the seeded months are all earlier).
    await execute(url, f"DELETE FROM readings WHERE period >= '{datetime.now(UTC):%Y-%m}'")
    runner, sink_port, _ = await start_sink()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            servers = energobot_servers(url, 1, sink_port, Path(tmp), demo=False)
            async with servers as (urls, pids):
                # The database's name, also when the URL reaches it by a socket (?host=/run/…).
                pg = make_url(url).database if db == "postgres" else None
                cpu = CpuMeter(pids, args.pg_url if pg else None, pg)
                if args.warmup_seconds > 0:
                    # A warm database, as in service: the seeded rows' pages read once, the
                    # planner's statistics of the tables the load itself fills.
                    body = turn_body("mixed", size, last, seed=0)
                    await load(urls, ENERGOBOT_HEADERS, 16, args.warmup_seconds, body)
                    await execute(url, "ANALYZE outbox")
                    await execute(url, "ANALYZE inbox")
                    await execute(url, "ANALYZE readings")
                for kind in args.kinds.split(","):
                    for conns in [int(c) for c in args.connections.split(",")]:
                        readings_before = await count_rows(url, "readings")
                        body = turn_body(kind, size, last, seed=conns)
                        result = await load(urls, ENERGOBOT_HEADERS, conns, args.seconds, body, cpu)
                        stored = await count_rows(url, "readings") - readings_before
                        rows.append((size, kind, conns, result, stored))
    finally:
        await runner.cleanup()
    return rows


async def statements_per_turn(url: str, size: int, kinds: list[str]) -> dict[str, float]:
    """The SQL statements one turn of each kind runs (BEGIN included), counted in process on
    the seeded database: the mean over a few random customers."""
    from sqlalchemy import event

    from bots.telegram.updates import parse_update
    from energobot.settings import load_settings
    from energobot.wiring import build_pipeline
    from storage.database import Database

    os.environ.update(energobot_env(url, 9))
    database = Database(url)
    count = 0

    @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        nonlocal count
        count += 1

    try:
        pipeline = build_pipeline(load_settings(), database)
        last = await seeded_last_values(url)
        rng = random.Random(11)
        counted: dict[str, float] = {}
        for kind in kinds:
            if kind == "mixed":
                continue
            before, turns = count, 5
            for n in range(turns):
                user = FIRST_USER + rng.randint(1, size)
                said = turn_text(kind, last, rng)
                update = json.loads(update_body(int(time.time() * 1000) % 10**9 + n, user, said))
                inbound = parse_update(update).inbound
                assert inbound is not None
                await pipeline.handle(inbound)
            counted[kind] = (count - before) / turns
        return counted
    finally:
        await database.dispose()


async def seeded_last_values(url: str) -> dict[str, Decimal]:
    """Billing's last value of each zone of every seeded meter (they are all the template's)."""
    from sqlalchemy import text

    from storage.database import Database

    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT r.name, r.last_value FROM registers r "
                    "JOIN meters m ON m.id = r.meter_id "
                    f"WHERE m.account_number = '{PREFIX}00000001'"
                )
            )
            return {name: Decimal(str(value)) for name, value in rows.all()}
    finally:
        await database.dispose()


async def execute(url: str, sql: str) -> None:
    from sqlalchemy import text

    from storage.database import Database

    database = Database(url)
    try:
        async with database.engine.connect() as conn:
            await conn.execute(text(sql))
            await conn.commit()
    finally:
        await database.dispose()


# -- EXPLAIN ------------------------------------------------------------------------------------


async def explain(url: str, size: int) -> None:
    """The plan of every statement of two real turns and of the sender's claim."""
    from sqlalchemy import event

    from bots.telegram.updates import parse_update
    from energobot.settings import load_settings
    from energobot.wiring import build_pipeline
    from storage.database import Database

    os.environ.update(energobot_env(url, 9))
    database = Database(url)
    captured: dict[str, Any] = {}

    @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", statement, re.I):
            captured.setdefault(statement, parameters[0] if executemany else parameters)

    try:
        pipeline = build_pipeline(load_settings(), database)
        last = await seeded_last_values(url)
        rng = random.Random(7)
        user = FIRST_USER + rng.randint(1, size)
        for n, text_ in enumerate(["баланс", turn_text("reading", last, rng)]):
            update = json.loads(update_body(int(time.time() * 1000) % 10**9 + n, user, text_))
            inbound = parse_update(update).inbound
            assert inbound is not None
            await pipeline.handle(inbound)
        async with database.unit_of_work() as store:
            now = datetime.now(UTC)
            await store.outbox.claim("telegram", now, now + timedelta(seconds=60), limit=30)
        event.remove(database.engine.sync_engine, "before_cursor_execute", _capture)
        postgres = database.dialect == "postgresql"
        sizes = await table_sizes(database, postgres)
        scans = 0
        async with database.engine.connect() as conn:
            for statement, parameters in captured.items():
                prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
                result = await conn.exec_driver_sql(prefix + statement, parameters)
                plan = [str(row[-1]) for row in result]
                print("\n" + " ".join(statement.split())[:400])
                for line in plan:
                    print("    " + line)
                for table in full_scans(plan, postgres):
                    if sizes.get(table, 0) > BIG_TABLE_ROWS:
                        scans += 1
                        print(f"    !! reads all of {table} ({sizes[table]:,} rows)")
            await conn.rollback()
        print(
            f"\n# {len(captured)} statements; whole-table or whole-index scans of tables over "
            f"{BIG_TABLE_ROWS:,} rows: "
            f"{scans}"
        )
    finally:
        await database.dispose()


async def table_sizes(database: Any, postgres: bool) -> dict[str, int]:
    from sqlalchemy import text

    async with database.engine.connect() as conn:
        if postgres:
            rows = await conn.execute(
                text("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
            )
            return {name: int(count) for name, count in rows}
        names = await conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        sizes = {}
        for (name,) in names.all():
            sizes[name] = (await conn.execute(text(f'SELECT count(*) FROM "{name}"'))).scalar_one()
        return sizes


def full_scans(plan: list[str], postgres: bool) -> list[str]:
    """Tables a plan reads whole: a sequential scan, or an index scan without an index
    condition (it walks the whole index, e.g. the inner side of a merge join)."""
    if not postgres:
        return [
            m.group(1)
            for line in plan
            if (m := re.search(r"\bSCAN (\w+)", line)) and "USING" not in line
        ]
    found = []
    for n, line in enumerate(plan):
        if m := re.search(r"Seq Scan on (\w+)", line):
            found.append(m.group(1))
        elif m := re.search(r"Index (?:Only )?Scan (?:Backward )?using \w+ on (\w+)", line):
            details = []
            for following in plan[n + 1 :]:
                if "->" in following:
                    break
                details.append(following)
            if not any("Index Cond" in d for d in details):
                found.append(m.group(1))
    return found


# -- report -------------------------------------------------------------------------------------


def report(
    rows: list[Measured],
    sizes: list[int],
    statements: dict[int, dict[str, float]],
    baseline: dict[int, Result],
) -> None:
    print(
        "| accounts | turn | conns | updates/s | mean ms | p50 ms | p99 ms | errors "
        "| server CPU ms/upd | PG CPU ms/upd | × text CPU | × aiogram CPU | statements "
        "| readings stored |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for conns, r in sorted(baseline.items()):
        print(
            f"| – | aiogram + 1 insert/commit (SQLite) | {conns} | {r.rate:.0f} "
            f"| {fmt(r.mean, 2)} | {fmt(r.p50, 2)} | {fmt(r.p99, 2)} | {r.errors} "
            f"| {fmt(r.cpu_ms_per_update('server'), 2)} | – | – | 1.00 | 1 insert | – |"
        )
    by_key: dict[tuple[int, str, int], Result] = {}
    for size, kind, conns, r, _ in rows:
        by_key[(size, kind, conns)] = r
    for size, kind, conns, r, stored in rows:
        cpu = r.cpu_ms_per_update("server")
        text_row = by_key.get((size, "text", conns))
        vs_text = cpu / text_row.cpu_ms_per_update("server") if text_row else float("nan")
        base = baseline.get(conns)
        vs_base = cpu / base.cpu_ms_per_update("server") if base else float("nan")
        count = statements.get(size, {}).get(kind)
        print(
            f"| {size:,} | {kind} | {conns} | {r.rate:.0f} | {fmt(r.mean, 2)} "
            f"| {fmt(r.p50, 2)} | {fmt(r.p99, 2)} | {r.errors} | {fmt(cpu, 2)} "
            f"| {fmt(r.cpu_ms_per_update('postgres'), 2)} | {fmt(vs_text, 2)} "
            f"| {fmt(vs_base, 2)} | {'–' if count is None else f'{count:.0f}'} | {stored} |"
        )
    small, big = min(sizes), max(sizes)
    if small == big:
        return
    print(f"\n# ratio {big:,} / {small:,} accounts (1.00 = no growth):")
    for kind, conns in sorted({(k, c) for _, k, c, *_ in rows}):
        a, b = by_key.get((small, kind, conns)), by_key.get((big, kind, conns))
        if a is None or b is None:
            continue
        server = b.cpu_ms_per_update("server") / a.cpu_ms_per_update("server")
        parts = [
            f"mean latency {b.mean / a.mean:.2f}",
            f"throughput {b.rate / a.rate:.2f}",
            f"server CPU/update {server:.2f}",
        ]
        if "postgres" in a.cpu:
            pg = b.cpu_ms_per_update("postgres") / a.cpu_ms_per_update("postgres")
            parts.append(f"PG CPU/update {pg:.2f}")
        print(f"#   {kind}, {conns} connection(s): " + ", ".join(parts))


async def main(args: argparse.Namespace) -> None:
    from webhook import Row, measure_baseline

    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = args.kinds.split(",")
    print(f"# {machine()}; {args.seconds:.0f} s per row; database: {args.db}")
    urls = {}
    for size in sizes:
        urls[size] = await database_for(args.db, size, args.readings_per_account, args)
    rows = []
    statements = {}
    baseline: dict[int, Result] = {}
    if not args.explain_only:
        if args.baseline:
            connections = [int(c) for c in args.connections.split(",")]
            for _, conns, result in await measure_baseline(
                Row("aiogram"), connections, args.seconds
            ):
                baseline[conns] = result
        for size in sizes:
            statements[size] = await statements_per_turn(urls[size], size, kinds)
            rows += await measure(urls[size], args.db, size, args)
    if rows:
        report(rows, sizes, statements, baseline)
    if args.explain or args.explain_only:
        await explain(urls[max(sizes)], max(sizes))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--sizes", default="1000,1000000", help="accounts, comma-separated")
    parser.add_argument("--readings-per-account", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per row")
    parser.add_argument("--connections", default="1,16")
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=20.0,
        help="mixed turns before measuring, then ANALYZE of what the load fills (0: none)",
    )
    parser.add_argument("--kinds", default=",".join(KINDS), help="text, balance, reading, mixed")
    parser.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="aiogram + 1 insert/commit in the same run",
    )
    parser.add_argument("--explain", action="store_true", help="plans of the hot statements")
    parser.add_argument("--explain-only", action="store_true", help="--explain, measure nothing")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", PG_ADMIN_URL),
        help="a PostgreSQL URL whose server may get bench_* databases (env BENCH_PG_URL)",
    )
    parser.add_argument(
        "--sqlite-dir", default=str(Path(__file__).resolve().parent.parent / "var/bench")
    )
    asyncio.run(main(parser.parse_args()))
