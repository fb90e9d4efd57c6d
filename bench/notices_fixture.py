"""The database of bench/notices.py: a fresh schema and N linked customers, inserted in bulk.

Customer i (1 ≤ i ≤ linked) is Telegram user FIRST_USER + i with a conversation, account
78<i:08> (a single-rate meter that is not smart, no reading) and the link between them: one
target of the reading reminder. Customers linked+1 … linked+spare have a conversation only: the
chats the benchmark's replies go to and the conversation its turn-like probe locks. Ids are
given, not drawn (conversation i belongs to customer i), so nothing is read back; PostgreSQL's
sequences are moved past them afterwards, for the rows the service inserts itself.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from core.accounts import Category
from core.conversations import ConversationStatus
from core.meters import Scheme
from storage.database import Database, sqlite_file
from storage.tables import account_links, accounts, conversations, customers, meters

CHANNEL = "telegram"
FIRST_USER = 800_000_000
PREFIX = "78"
ROWS_PER_STATEMENT = 5_000
STREETS = ("Ленина", "Мира", "Луначарского", "Сибирская", "Пушкина", "Революции", "Куйбышева")


@dataclass(frozen=True, slots=True)
class Seeded:
    linked: int  # customers 1..linked: account, meter, link
    spare: int  # customers linked+1..linked+spare: a conversation only
    seconds: float

    @staticmethod
    def user(customer_id: int) -> str:
        return str(FIRST_USER + customer_id)

    @staticmethod
    def account(customer_id: int) -> str:
        return f"{PREFIX}{customer_id:08d}"

    def spare_ids(self) -> range:
        return range(self.linked + 1, self.linked + self.spare + 1)


async def reset_postgres(url: str) -> None:
    """An empty schema: the tables of an earlier run dropped, but only in a database whose name
    says it is a benchmark's (bench…); any other database must already be empty."""
    name = make_url(url).database or ""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
            tables = [str(row[0]) for row in result]
            if tables and not name.startswith("bench"):
                raise SystemExit(
                    f"the database {name!r} has tables and is not a benchmark's (bench…): "
                    "give an empty database"
                )
            for table in tables:
                await conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    finally:
        await engine.dispose()


def _chunks(
    total: int, first: int, row: Callable[[int], dict[str, Any]]
) -> Iterator[list[dict[str, Any]]]:
    for start in range(first, first + total, ROWS_PER_STATEMENT):
        stop = min(first + total, start + ROWS_PER_STATEMENT)
        yield [row(i) for i in range(start, stop)]


async def _insert(
    conn: AsyncConnection, table: Table, total: int, first: int, row: Callable[[int], Any]
) -> None:
    for rows in _chunks(total, first, row):
        await conn.execute(table.insert(), rows)


async def seed(database: Database, linked: int, spare: int, now: datetime) -> Seeded:
    """Insert the customers (one transaction; SQLAlchemy Core executemany, which SQLAlchemy
    sends as multi-row INSERTs)."""
    began = time.perf_counter()
    everyone = linked + spare
    async with database.engine.begin() as conn:
        await _insert(
            conn,
            customers,
            everyone,
            1,
            lambda i: {
                "id": i,
                "channel": CHANNEL,
                "user_id": Seeded.user(i),
                "display_name": "",
                "language": "ru",
                "created_at": now,
            },
        )
        await _insert(
            conn,
            conversations,
            everyone,
            1,
            lambda i: {
                "id": i,
                "customer_id": i,
                "status": ConversationStatus.BOT.value,
                "state": {},
                "version": 0,
                "last_inbound_at": now,
                "updated_at": now,
            },
        )
        await _insert(
            conn,
            accounts,
            linked,
            1,
            lambda i: {
                "number": Seeded.account(i),
                "surname": "Бенчева",
                "first_name": "Анна",
                "patronymic": "Ивановна",
                "address": f"г. Пермь, ул. {STREETS[i % len(STREETS)]}, д. {i % 150 + 1}, "
                f"кв. {i % 97 + 1}",
                "category": Category.URBAN_GAS.value,
                "large_family": False,
                "balance": Decimal(0),
            },
        )
        await _insert(
            conn,
            meters,
            linked,
            1,
            lambda i: {
                "id": i,
                "account_number": Seeded.account(i),
                "serial": f"B{i:09d}",
                "scheme": Scheme.SINGLE.value,
                "digits": 6,
                "smart": False,
            },
        )
        await _insert(
            conn,
            account_links,
            linked,
            1,
            lambda i: {
                "id": i,
                "customer_id": i,
                "account_number": Seeded.account(i),
                "how": "surname",
                "linked_at": now,
            },
        )
        if conn.dialect.name == "postgresql":
            for table in ("customers", "conversations", "meters", "account_links"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    if database.dialect == "postgresql":
        # What autovacuum does within a minute of a bulk load; SQLite's planner has no
        # statistics unless ANALYZE runs, and the service never runs it: none there.
        async with database.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    elif (path := sqlite_file(database.url)) is not None:
        # The bulk load out of the write-ahead log, as long-standing data would be: otherwise the
        # first commits after it pay for the checkpoint (and the «alone» baseline with them).
        raw = sqlite3.connect(path)
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()
    return Seeded(linked, spare, time.perf_counter() - began)
