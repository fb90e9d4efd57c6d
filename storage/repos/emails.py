"""E-mail addresses a customer confirmed (a one-time code typed back, or billing's own chosen):
receipts go there next time without a code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from storage.repos._base import Repo
from storage.tables import email_addresses


class EmailAddressRepo(Repo):
    async def confirmed(self, customer_id: int) -> list[str]:
        """The customer's confirmed addresses, the latest first."""
        query = (
            select(email_addresses.c.address)
            .where(email_addresses.c.customer_id == customer_id)
            .order_by(email_addresses.c.confirmed_at.desc(), email_addresses.c.address)
        )
        return list((await self._conn.execute(query)).scalars())

    async def confirm(self, customer_id: int, address: str, channel: str, now: datetime) -> None:
        """Remember `address` (confirmed again: its time moves on)."""
        await self.forget(customer_id, address)
        await self._conn.execute(
            email_addresses.insert().values(
                customer_id=customer_id, address=address, confirmed_at=now, channel=channel
            )
        )

    async def forget(self, customer_id: int, address: str | None = None) -> int:
        """Forget one address (any case) or, with None, all of the customer's; how many."""
        statement = delete(email_addresses).where(email_addresses.c.customer_id == customer_id)
        if address is not None:
            statement = statement.where(func.lower(email_addresses.c.address) == address.lower())
        return (await self._conn.execute(statement)).rowcount or 0
