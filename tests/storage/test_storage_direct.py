"""The turns' statements run by the driver (storage.direct) read and write exactly what
SQLAlchemy's own execution of the same statement does, on either database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import bindparam, event, select, update

from core.accounts import Account
from core.conversations import Customer
from storage.database import Database
from storage.direct import compile_statement
from storage.repos._base import Repo
from storage.tables import outbox, readings

MOSCOW = timezone(timedelta(hours=3))
BODY = {"text": "Показания приняты: день 23 500, ночь 8 200 — спасибо!", "buttons": [["Меню", "m"]]}


def _reading(value: str, at: datetime) -> dict[str, Any]:
    return {
        "account_number": "5900123456",
        "serial": "0012345",
        "register": "T1",
        "value": Decimal(value),
        "consumption_kwh": None,
        "period": "2025-03",
        "submitted_at": at,
        "channel": "telegram",
        "status": "accepted",
        "kind": "regular",
        "customer_id": None,
    }


def _retry() -> Any:
    return (
        update(outbox)
        .where(outbox.c.user_id == bindparam("p_user"))
        .values(attempts=bindparam("p_attempts"))
    )


def _select_readings() -> Any:
    return (
        select(readings)
        .where(readings.c.account_number == bindparam("account"))
        .order_by(readings.c.id)
    )


async def test_values_come_back_exact_and_aware_as_through_sqlalchemy(
    db: Database, account: Account
) -> None:
    written = [
        _reading("23500.30", datetime(2025, 3, 24, 12, 0, tzinfo=MOSCOW)),
        _reading("0.000", datetime(2025, 3, 24, 9, 1, 2, 345678, tzinfo=UTC)),
    ]
    async with db.unit_of_work() as store:
        repo = Repo(store.connection)
        await repo._write_many("test.readings.insert", readings.insert, written)
        direct = await repo._rows("test.readings", _select_readings, {"account": "5900123456"})
        through = (
            (await store.connection.execute(_select_readings(), {"account": "5900123456"}))
            .mappings()
            .all()
        )
        await store.commit()
    assert direct == [dict(row) for row in through]
    assert [row["value"] for row in direct] == [Decimal("23500.30"), Decimal("0.000")]
    assert str(direct[0]["value"]) == "23500.30"  # the scale as given, never a float's
    assert direct[0]["submitted_at"] == datetime(2025, 3, 24, 9, 0, tzinfo=UTC)
    assert all(row["submitted_at"].tzinfo is UTC for row in direct)
    assert direct[0]["consumption_kwh"] is None


async def test_json_round_trips_and_rowcounts_are_the_rows_changed(
    db: Database, customer: Customer, now: datetime
) -> None:
    async with db.unit_of_work() as store:
        conversation = await store.conversations.get_for_update(customer, now)
        await store.commit()
    row = {
        "conversation_id": conversation.id,
        "channel": "telegram",
        "user_id": "42",
        "body": BODY,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "lane": 0,
    }
    async with db.unit_of_work() as store:
        repo = Repo(store.connection)
        [added] = await repo._rows(
            "test.outbox.add", lambda: outbox.insert().returning(outbox.c.id), row
        )
        changed, none = [
            await repo._write("test.outbox.retry", _retry, {"p_user": user, "p_attempts": 2})
            for user in ("42", "nobody")
        ]
        [stored] = await repo._rows(
            "test.outbox.get",
            lambda: select(outbox.c.body, outbox.c.attempts).where(
                outbox.c.id == bindparam("p_id")
            ),
            {"p_id": added["id"]},
        )
    assert (changed, none) == (1, 0)
    assert stored == {"body": BODY, "attempts": 2}


async def test_statement_listeners_see_the_statements_run_by_the_driver(db: Database) -> None:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with db.unit_of_work() as store:
            await Repo(store.connection)._rows("test.readings", _select_readings, {"account": "1"})
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert sum("FROM readings" in statement for statement in seen) == 1


def test_an_in_of_the_callers_values_is_refused(db: Database) -> None:
    statement = select(readings.c.id).where(readings.c.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="spell it out"):
        compile_statement(statement, db.engine.dialect, ["ids"], many=False)


async def test_a_turns_end_saves_the_state_and_queues_its_replies_in_order(
    db: Database, customer: Customer, now: datetime
) -> None:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    replies = [{"text": f"ответ {n}"} for n in range(3)]
    async with db.unit_of_work() as store:
        conversation = await store.conversations.get_for_update(customer, now)
        conversation.state = {"flow": "readings", "step": "values"}
        conversation.version += 1
        event.listen(db.engine.sync_engine, "before_cursor_execute", record)
        try:
            await store.conversations.save(conversation, replies, now)
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        await store.commit()
    async with db.unit_of_work() as store:
        pending = await store.outbox.pending("telegram", conversation.id)
        saved = await store.conversations.get_for_update(customer, now)
    assert [row.body for row in pending] == replies
    assert [row.created_at for row in pending] == [now] * 3
    assert (saved.state, saved.version) == ({"flow": "readings", "step": "values"}, 1)
    # PostgreSQL: one round trip for the end of a turn (SQLite has no round trips to save).
    assert len(seen) == (1 if db.dialect == "postgresql" else 2)


async def test_a_store_used_again_after_a_commit_writes_in_a_new_transaction(
    db: Database, now: datetime
) -> None:
    """A statement run by the driver first after a commit opens the next transaction as
    SQLAlchemy's own would: a rollback undoes it, a commit keeps it."""
    async with db.unit_of_work() as store:
        assert await store.inbox.add("telegram", "kept", {}, now)
        await store.commit()
        assert await store.inbox.add("telegram", "undone", {}, now)
        await store.rollback()
        assert await store.inbox.add("telegram", "kept too", {}, now)
        await store.commit()
    async with db.unit_of_work() as store:
        assert not await store.inbox.add("telegram", "kept", {}, now)
        assert not await store.inbox.add("telegram", "kept too", {}, now)
        assert await store.inbox.add("telegram", "undone", {}, now)  # it was rolled back
