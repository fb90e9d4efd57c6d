"""SqlStore: every port of core.ports on one connection, i.e. one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repos._base import hold_exclusive
from storage.repos.accounts import AccountRepo, LinkAttemptRepo
from storage.repos.audit import AuditRepo
from storage.repos.canned import CannedRepo
from storage.repos.console import ConsoleRepo
from storage.repos.customers import ConsentRepo, ConversationRepo, CustomerRepo
from storage.repos.emails import EmailAddressRepo
from storage.repos.escalations import EscalationRepo
from storage.repos.messages import InboxRepo, OutboxRecord, OutboxRepo, SenderRepo
from storage.repos.meters import MeterRepo
from storage.repos.notices import CampaignRepo, JobRepo, NoticeRepo, OutageRepo, SubscriptionRepo
from storage.repos.operators import OperatorRepo, SessionRepo
from storage.repos.payments import PaymentRepo
from storage.repos.readings import HistoryRepo, ReadingRepo
from storage.repos.retention import RetentionRepo
from storage.repos.tariff_cache import TariffCache
from storage.repos.tariffs import TariffRepo
from storage.repos.throttle import ThrottleRepo
from storage.repos.visits import VisitRepo

__all__ = ["OutboxRecord", "SqlStore"]


class SqlStore:
    """core.ports.Store on SQLAlchemy. Obtain it from Database.unit_of_work()."""

    def __init__(self, connection: AsyncConnection, tariffs: TariffCache | None = None) -> None:
        self.connection = connection
        self._tariff_cache = tariffs

    # Each repository is made when a turn first uses it: a turn uses a few of the 28.

    @cached_property
    def inbox(self) -> InboxRepo:
        return InboxRepo(self.connection)

    @cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self.connection)

    @cached_property
    def customers(self) -> CustomerRepo:
        return CustomerRepo(self.connection)

    @cached_property
    def conversations(self) -> ConversationRepo:
        return ConversationRepo(self.connection)

    @cached_property
    def consents(self) -> ConsentRepo:
        return ConsentRepo(self.connection)

    @cached_property
    def accounts(self) -> AccountRepo:
        return AccountRepo(self.connection)

    @cached_property
    def link_attempts(self) -> LinkAttemptRepo:
        return LinkAttemptRepo(self.connection)

    @cached_property
    def meters(self) -> MeterRepo:
        return MeterRepo(self.connection)

    @cached_property
    def readings(self) -> ReadingRepo:
        return ReadingRepo(self.connection)

    @cached_property
    def history(self) -> HistoryRepo:
        return HistoryRepo(self.connection)

    @cached_property
    def tariffs(self) -> TariffRepo:
        return TariffRepo(self.connection, self._tariff_cache)

    @cached_property
    def visits(self) -> VisitRepo:
        return VisitRepo(self.connection)

    @cached_property
    def escalations(self) -> EscalationRepo:
        return EscalationRepo(self.connection)

    @cached_property
    def audit(self) -> AuditRepo:
        return AuditRepo(self.connection)

    @cached_property
    def operators(self) -> OperatorRepo:
        return OperatorRepo(self.connection)

    @cached_property
    def console_sessions(self) -> SessionRepo:
        return SessionRepo(self.connection)

    @cached_property
    def canned(self) -> CannedRepo:
        return CannedRepo(self.connection)

    @cached_property
    def console(self) -> ConsoleRepo:
        return ConsoleRepo(self.connection)

    @cached_property
    def senders(self) -> SenderRepo:
        return SenderRepo(self.connection)

    @cached_property
    def throttle(self) -> ThrottleRepo:
        return ThrottleRepo(self.connection)

    @cached_property
    def subscriptions(self) -> SubscriptionRepo:
        return SubscriptionRepo(self.connection)

    @cached_property
    def outages(self) -> OutageRepo:
        return OutageRepo(self.connection)

    @cached_property
    def campaigns(self) -> CampaignRepo:
        return CampaignRepo(self.connection)

    @cached_property
    def jobs(self) -> JobRepo:
        return JobRepo(self.connection)

    @cached_property
    def notices(self) -> NoticeRepo:
        return NoticeRepo(self.connection)

    @cached_property
    def online_payments(self) -> PaymentRepo:
        return PaymentRepo(self.connection)

    @cached_property
    def email_addresses(self) -> EmailAddressRepo:
        return EmailAddressRepo(self.connection)

    @cached_property
    def retention(self) -> RetentionRepo:
        return RetentionRepo(self.connection)

    async def commit(self) -> None:
        await self.connection.commit()
        if "tariffs" in self.__dict__:  # a turn that read no tariffs changed none
            self.tariffs.committed()

    async def rollback(self) -> None:
        await self.connection.rollback()

    async def exclusive(self, name: str) -> None:
        """Hold `name` until this transaction ends: one process at a time does that job.
        PostgreSQL: a transaction-level advisory lock; SQLite: the write lock already is."""
        await hold_exclusive(self.connection, name)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction: an exception inside undoes only its own writes."""
        async with self.connection.begin_nested():
            yield


if TYPE_CHECKING:
    from core.ports import Store

    def _is_store(store: SqlStore) -> Store:
        """A static check only: mypy fails here when SqlStore and the Store port diverge."""
        return store
