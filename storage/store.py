"""SqlStore: every port of core.ports on one connection, i.e. one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
        self.inbox = InboxRepo(connection)
        self.outbox = OutboxRepo(connection)
        self.customers = CustomerRepo(connection)
        self.conversations = ConversationRepo(connection)
        self.consents = ConsentRepo(connection)
        self.accounts = AccountRepo(connection)
        self.link_attempts = LinkAttemptRepo(connection)
        self.meters = MeterRepo(connection)
        self.readings = ReadingRepo(connection)
        self.history = HistoryRepo(connection)
        self.tariffs = TariffRepo(connection, tariffs)
        self.visits = VisitRepo(connection)
        self.escalations = EscalationRepo(connection)
        self.audit = AuditRepo(connection)
        self.operators = OperatorRepo(connection)
        self.console_sessions = SessionRepo(connection)
        self.canned = CannedRepo(connection)
        self.console = ConsoleRepo(connection)
        self.senders = SenderRepo(connection)
        self.throttle = ThrottleRepo(connection)
        self.subscriptions = SubscriptionRepo(connection)
        self.outages = OutageRepo(connection)
        self.campaigns = CampaignRepo(connection)
        self.jobs = JobRepo(connection)
        self.notices = NoticeRepo(connection)
        self.online_payments = PaymentRepo(connection)
        self.email_addresses = EmailAddressRepo(connection)
        self.retention = RetentionRepo(connection)

    async def commit(self) -> None:
        await self.connection.commit()
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
