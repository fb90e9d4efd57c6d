"""Canned responses: ready-made answers operators insert into a reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from storage.repos._base import Repo
from storage.tables import canned_responses


@dataclass(frozen=True, slots=True)
class Canned:
    """core.ports.CannedResponse."""

    id: int
    title: str
    text: str
    updated_by: str
    updated_at: datetime


class CannedRepo(Repo):
    async def all(self) -> list[Canned]:
        result = await self._conn.execute(
            select(canned_responses).order_by(canned_responses.c.title, canned_responses.c.id)
        )
        return [
            Canned(
                id=row["id"],
                title=row["title"],
                text=row["text"],
                updated_by=row["updated_by"],
                updated_at=row["updated_at"],
            )
            for row in result.mappings()
        ]

    async def add(self, title: str, text: str, by: str, now: datetime) -> int:
        result = await self._conn.execute(
            canned_responses.insert()
            .values(title=title, text=text, updated_by=by, updated_at=now)
            .returning(canned_responses.c.id)
        )
        return int(result.scalar_one())

    async def update(self, canned_id: int, title: str, text: str, by: str, now: datetime) -> bool:
        result = await self._conn.execute(
            update(canned_responses)
            .where(canned_responses.c.id == canned_id)
            .values(title=title, text=text, updated_by=by, updated_at=now)
        )
        return result.rowcount == 1

    async def delete(self, canned_id: int) -> bool:
        result = await self._conn.execute(
            delete(canned_responses).where(canned_responses.c.id == canned_id)
        )
        return result.rowcount == 1
