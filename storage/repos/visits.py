"""Technician visit requests and their status history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import RowMapping, select, update

from core.visits import (
    Visit,
    VisitStatus,
    VisitStatusChange,
    VisitType,
    check_transition,
)
from storage.repos._base import Repo
from storage.tables import visit_status_history, visits


class VisitRepo(Repo):
    async def create(self, visit: Visit) -> Visit:
        """Stores the visit with a first history entry: status new, by "customer"."""
        result = await self._conn.execute(
            visits.insert()
            .values(
                account_number=visit.account,
                customer_id=visit.customer_id,
                type=VisitType(visit.type).value,
                preferred_date=visit.preferred_date,
                slot=visit.slot,
                phone=visit.phone,
                comment=visit.comment,
                status=VisitStatus(visit.status).value,
                scheduled_date=visit.scheduled_date,
                scheduled_slot=visit.scheduled_slot,
                created_at=visit.created_at,
                updated_at=visit.created_at,
            )
            .returning(visits.c.id)
        )
        visit_id = int(result.scalar_one())
        await self._conn.execute(
            visit_status_history.insert().values(
                visit_id=visit_id,
                status=VisitStatus.NEW.value,
                at=visit.created_at,
                by="customer",
                note="",
            )
        )
        return replace(visit, id=visit_id)

    async def get(self, visit_id: int) -> Visit | None:
        result = await self._conn.execute(select(visits).where(visits.c.id == visit_id))
        row = result.mappings().one_or_none()
        return None if row is None else visit_from_row(row)

    async def for_accounts(self, numbers: Sequence[str]) -> list[Visit]:
        if not numbers:
            return []
        result = await self._conn.execute(
            select(visits)
            .where(visits.c.account_number.in_(list(numbers)))
            .order_by(visits.c.created_at.desc(), visits.c.id.desc())
        )
        return [visit_from_row(row) for row in result.mappings()]

    async def change_status(
        self,
        visit_id: int,
        status: VisitStatus,
        change: VisitStatusChange,
        scheduled_date: date | None = None,
        scheduled_slot: str | None = None,
    ) -> None:
        """Move the visit to `status` and record `change`; the schedule is set when given.

        Raises LookupError for an unknown visit and core.visits.TransitionError for a move
        the rules forbid (checked against the row as locked now, not as the caller saw it).
        """
        query = select(visits.c.status).where(visits.c.id == visit_id)
        if self._postgres:
            query = query.with_for_update()
        current = (await self._conn.execute(query)).scalar_one_or_none()
        if current is None:
            raise LookupError(f"no visit {visit_id}")
        check_transition(VisitStatus(current), VisitStatus(status))
        values: dict[str, Any] = {"status": VisitStatus(status).value, "updated_at": change.at}
        if scheduled_date is not None:
            values["scheduled_date"] = scheduled_date
        if scheduled_slot is not None:
            values["scheduled_slot"] = scheduled_slot
        await self._conn.execute(update(visits).where(visits.c.id == visit_id).values(**values))
        await self._conn.execute(
            visit_status_history.insert().values(
                visit_id=visit_id,
                status=VisitStatus(status).value,
                at=change.at,
                by=change.by,
                note=change.note,
            )
        )

    async def history(self, visit_id: int) -> list[VisitStatusChange]:
        """Oldest first."""
        result = await self._conn.execute(
            select(visit_status_history)
            .where(visit_status_history.c.visit_id == visit_id)
            .order_by(visit_status_history.c.at, visit_status_history.c.id)
        )
        return [
            VisitStatusChange(
                visit_id=row["visit_id"],
                status=VisitStatus(row["status"]),
                at=row["at"],
                by=row["by"],
                note=row["note"],
            )
            for row in result.mappings()
        ]


def visit_from_row(row: RowMapping) -> Visit:
    return Visit(
        account=row["account_number"],
        customer_id=row["customer_id"],
        type=VisitType(row["type"]),
        preferred_date=row["preferred_date"],
        slot=row["slot"],
        phone=row["phone"],
        comment=row["comment"],
        status=VisitStatus(row["status"]),
        created_at=row["created_at"],
        scheduled_date=row["scheduled_date"],
        scheduled_slot=row["scheduled_slot"],
        id=row["id"],
    )
