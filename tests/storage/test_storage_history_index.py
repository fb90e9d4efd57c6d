"""An account's history is found through its index on either database; on PostgreSQL from the
index alone (migration 0013), as billing's month-by-month imports leave a month a page apart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import event

from core.accounts import Account
from core.balance import HistoryEntry
from storage.database import Database


async def _plan(db: Database, number: str) -> str:
    """The plan of the statement store.history.for_account runs, as it runs it."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with db.unit_of_work() as store:
            assert len(await store.history.for_account(number, 6)) == 6
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    [(sql, parameters)] = [(s, p) for s, p in seen if "FROM charges" in s]
    async with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)
            return "\n".join(str(row[-1]) for row in rows)
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        # All-visible pages, as autovacuum leaves them after an import; on a few rows the
        # planner would rather read the table, which says nothing about a big one. FULL: the
        # tables are emptied between tests, not made anew, and earlier tests' dead index
        # entries would weigh on the index-only plan.
        await autocommit.exec_driver_sql("VACUUM (FULL, ANALYZE) charges")
        await autocommit.exec_driver_sql("VACUUM (FULL, ANALYZE) payments")
        await autocommit.exec_driver_sql("SET enable_seqscan = off")
        await autocommit.exec_driver_sql("SET enable_bitmapscan = off")
        try:
            rows = await autocommit.exec_driver_sql(f"EXPLAIN {sql}", parameters)
            return "\n".join(str(row[0]) for row in rows)
        finally:  # the pooled connection goes back as it came
            await autocommit.exec_driver_sql("RESET enable_seqscan")
            await autocommit.exec_driver_sql("RESET enable_bitmapscan")


async def test_an_accounts_months_come_from_its_index(db: Database, account: Account) -> None:
    async with db.unit_of_work() as store:
        await store.history.upsert(
            [
                HistoryEntry(
                    account.number, f"2025-{m:02d}", Decimal(150), Decimal("984.00"), Decimal(900)
                )
                for m in range(1, 13)
            ]
        )
        await store.commit()
    plan = await _plan(db, account.number)
    if db.dialect == "sqlite":
        assert "SCAN charges" not in plan and "SCAN payments" not in plan, plan
        assert plan.count("USING INDEX") == 2, plan
    else:
        assert "Index Only Scan Backward using ix_charges_account_number_period" in plan, plan
        assert "Index Only Scan Backward using ix_payments_account_number_period" in plan, plan
