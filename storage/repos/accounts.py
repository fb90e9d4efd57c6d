"""Personal accounts, the customers' links to them and the attempts to link."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, select

from core.accounts import Account, Category
from storage.repos._base import Repo
from storage.tables import account_links, link_attempts
from storage.tables import accounts as account_table


class AccountRepo(Repo):
    async def get(self, number: str) -> Account | None:
        result = await self._conn.execute(
            select(account_table).where(account_table.c.number == number)
        )
        row = result.mappings().one_or_none()
        return None if row is None else _account(row)

    async def count(self) -> int:
        result = await self._conn.execute(select(func.count()).select_from(account_table))
        return int(result.scalar_one())

    async def by_phone(self, phone: str) -> list[Account]:
        result = await self._conn.execute(
            select(account_table)
            .where(account_table.c.phone == phone)
            .order_by(account_table.c.number)
        )
        return [_account(row) for row in result.mappings()]

    async def linked(self, customer_id: int) -> list[Account]:
        rows = await self._rows(
            "accounts.linked",
            lambda: (
                select(account_table)
                .join(account_links, account_links.c.account_number == account_table.c.number)
                .where(account_links.c.customer_id == bindparam("p_customer_id"))
                .order_by(account_links.c.linked_at, account_links.c.id)
            ),
            {"p_customer_id": customer_id},
        )
        return [_account(row) for row in rows]

    async def link(self, customer_id: int, number: str, how: str, at: datetime) -> None:
        """Idempotent: linking again keeps the first link (its time and how)."""
        await self._conn.execute(
            self._insert(account_links)
            .values(customer_id=customer_id, account_number=number, how=how, linked_at=at)
            .on_conflict_do_nothing(index_elements=["customer_id", "account_number"])
        )

    async def unlink(self, customer_id: int, number: str) -> None:
        await self._conn.execute(
            delete(account_links).where(
                account_links.c.customer_id == customer_id,
                account_links.c.account_number == number,
            )
        )

    async def upsert(self, accounts: Sequence[Account]) -> tuple[int, int]:
        rows = (_account_row(account) for account in accounts)
        return await self._upsert_keyed(account_table, ("number",), rows)


class LinkAttemptRepo(Repo):
    async def add(self, customer_id: int, number: str, success: bool, at: datetime) -> None:
        await self._conn.execute(
            link_attempts.insert().values(
                customer_id=customer_id, account_number=number, success=success, at=at
            )
        )

    async def failures_by_customer(self, customer_id: int, since: datetime) -> int:
        return await self._failures(link_attempts.c.customer_id == customer_id, since)

    async def failures_by_account(self, number: str, since: datetime) -> int:
        return await self._failures(link_attempts.c.account_number == number, since)

    async def _failures(self, condition: ColumnElement[bool], since: datetime) -> int:
        result = await self._conn.execute(
            select(func.count())
            .select_from(link_attempts)
            .where(
                condition,
                link_attempts.c.success.is_(False),
                link_attempts.c.at >= since,
            )
        )
        return int(result.scalar_one())


def _account(row: Any) -> Account:
    return Account(
        number=row["number"],
        surname=row["surname"],
        first_name=row["first_name"],
        patronymic=row["patronymic"],
        address=row["address"],
        category=Category(row["category"]),
        phone=row["phone"],
        email=row["email"],
        large_family=row["large_family"],
        balance=row["balance"],
        due_date=row["due_date"],
        penalty=row["penalty"],
    )


def _account_row(account: Account) -> dict[str, Any]:
    return {
        "number": account.number,
        "surname": account.surname,
        "first_name": account.first_name,
        "patronymic": account.patronymic,
        "address": account.address,
        "category": Category(account.category).value,
        "phone": account.phone,
        "email": account.email,
        "large_family": account.large_family,
        "balance": account.balance,
        "due_date": account.due_date,
        "penalty": account.penalty,
    }
