"""Console operators and their sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import RowMapping, delete, select, update
from sqlalchemy.exc import IntegrityError

from storage.repos._base import Repo
from storage.tables import console_sessions, operators


@dataclass(frozen=True, slots=True)
class Operator:
    """core.ports.OperatorRecord."""

    id: int
    login: str
    display_name: str
    role: str
    enabled: bool
    password_hash: str
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """core.ports.SessionRecord."""

    token_hash: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    operator: Operator


class OperatorRepo(Repo):
    async def add(
        self, login: str, display_name: str, role: str, password_hash: str, now: datetime
    ) -> int:
        if await self.get(login) is not None:
            raise ValueError(f"operator {login!r} exists")
        try:
            result = await self._conn.execute(
                operators.insert()
                .values(
                    login=login,
                    display_name=display_name,
                    role=role,
                    password_hash=password_hash,
                    enabled=True,
                    created_at=now,
                    failed_logins=0,
                )
                .returning(operators.c.id)
            )
        except IntegrityError as exc:  # created by someone else meanwhile
            raise ValueError(f"operator {login!r} exists") from exc
        return int(result.scalar_one())

    async def get(self, login: str) -> Operator | None:
        result = await self._conn.execute(select(operators).where(operators.c.login == login))
        row = result.mappings().one_or_none()
        return None if row is None else _operator(row)

    async def all(self) -> list[Operator]:
        result = await self._conn.execute(select(operators).order_by(operators.c.login))
        return [_operator(row) for row in result.mappings()]

    async def set_enabled(self, login: str, enabled: bool) -> bool:
        result = await self._conn.execute(
            update(operators).where(operators.c.login == login).values(enabled=enabled)
        )
        return result.rowcount == 1

    async def set_password(self, login: str, password_hash: str) -> bool:
        result = await self._conn.execute(
            update(operators)
            .where(operators.c.login == login)
            .values(password_hash=password_hash, failed_logins=0, locked_until=None)
        )
        return result.rowcount == 1

    async def login_failed(self, login: str, limit: int, lock_until: datetime) -> Operator | None:
        # One statement counts, so two processes failing at once both count.
        await self._conn.execute(
            update(operators)
            .where(operators.c.login == login)
            .values(failed_logins=operators.c.failed_logins + 1)
        )
        await self._conn.execute(
            update(operators)
            .where(operators.c.login == login, operators.c.failed_logins >= limit)
            .values(failed_logins=0, locked_until=lock_until)
        )
        return await self.get(login)

    async def login_succeeded(self, login: str) -> None:
        await self._conn.execute(
            update(operators)
            .where(operators.c.login == login)
            .values(failed_logins=0, locked_until=None)
        )


class SessionRepo(Repo):
    async def create(
        self, token_hash: str, operator_id: int, csrf_token: str, now: datetime
    ) -> None:
        await self._conn.execute(
            console_sessions.insert().values(
                token_hash=token_hash,
                operator_id=operator_id,
                csrf_token=csrf_token,
                created_at=now,
                last_seen_at=now,
            )
        )

    async def get(self, token_hash: str) -> Session | None:
        result = await self._conn.execute(
            select(console_sessions, operators)
            .join(operators, operators.c.id == console_sessions.c.operator_id)
            .where(console_sessions.c.token_hash == token_hash)
        )
        row = result.mappings().one_or_none()
        if row is None:
            return None
        return Session(
            token_hash=row["token_hash"],
            csrf_token=row["csrf_token"],
            created_at=row[console_sessions.c.created_at],
            last_seen_at=row["last_seen_at"],
            operator=_operator(row, created_at=row[operators.c.created_at]),
        )

    async def touch(self, token_hash: str, now: datetime) -> None:
        await self._conn.execute(
            update(console_sessions)
            .where(console_sessions.c.token_hash == token_hash)
            .values(last_seen_at=now)
        )

    async def delete(self, token_hash: str) -> None:
        await self._conn.execute(
            delete(console_sessions).where(console_sessions.c.token_hash == token_hash)
        )

    async def delete_for_operator(self, operator_id: int) -> None:
        await self._conn.execute(
            delete(console_sessions).where(console_sessions.c.operator_id == operator_id)
        )

    async def delete_idle(self, before: datetime) -> int:
        result = await self._conn.execute(
            delete(console_sessions).where(console_sessions.c.last_seen_at < before)
        )
        return int(result.rowcount or 0)


def _operator(row: RowMapping, created_at: datetime | None = None) -> Operator:
    return Operator(
        id=row["id"],
        login=row["login"],
        display_name=row["display_name"],
        role=row["role"],
        enabled=row["enabled"],
        password_hash=row["password_hash"],
        failed_logins=row["failed_logins"],
        locked_until=row["locked_until"],
        created_at=created_at if created_at is not None else row["created_at"],
    )
