"""The audit trail: who did what, when."""

from __future__ import annotations

from datetime import datetime

from core.jsontypes import JSONObject
from storage.repos._base import Repo
from storage.tables import audit


class AuditRepo(Repo):
    async def record(
        self, actor: str, action: str, at: datetime, details: JSONObject | None = None
    ) -> None:
        await self._conn.execute(
            audit.insert().values(actor=actor, action=action, details=details, at=at)
        )
