"""SqlStore: every port of core.ports on one connection, i.e. one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Generic, Self, TypeVar, overload

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

R = TypeVar("R")


class _Repository(Generic[R]):
    """A store's repository, made when a turn first asks for it and kept on the store (as
    functools.cached_property keeps a value: the instance's own attribute hides this one)."""

    def __init__(self, make: Callable[[AsyncConnection], R]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, store: None, owner: type) -> Self: ...

    @overload
    def __get__(self, store: SqlStore, owner: type) -> R: ...

    def __get__(self, store: SqlStore | None, owner: type) -> R | Self:
        if store is None:
            return self
        made = store.__dict__[self._name] = self._make(store.connection)
        return made


class SqlStore:
    """core.ports.Store on SQLAlchemy. Obtain it from Database.unit_of_work()."""

    def __init__(self, connection: AsyncConnection, tariffs: TariffCache | None = None) -> None:
        self.connection = connection
        self._tariff_cache = tariffs

    # Each repository is made when a turn first uses it: a turn uses a few of the 28.
    inbox = _Repository(InboxRepo)
    outbox = _Repository(OutboxRepo)
    customers = _Repository(CustomerRepo)
    conversations = _Repository(ConversationRepo)
    consents = _Repository(ConsentRepo)
    accounts = _Repository(AccountRepo)
    link_attempts = _Repository(LinkAttemptRepo)
    meters = _Repository(MeterRepo)
    readings = _Repository(ReadingRepo)
    history = _Repository(HistoryRepo)
    visits = _Repository(VisitRepo)
    escalations = _Repository(EscalationRepo)
    audit = _Repository(AuditRepo)
    operators = _Repository(OperatorRepo)
    console_sessions = _Repository(SessionRepo)
    canned = _Repository(CannedRepo)
    console = _Repository(ConsoleRepo)
    senders = _Repository(SenderRepo)
    throttle = _Repository(ThrottleRepo)
    subscriptions = _Repository(SubscriptionRepo)
    outages = _Repository(OutageRepo)
    campaigns = _Repository(CampaignRepo)
    jobs = _Repository(JobRepo)
    notices = _Repository(NoticeRepo)
    online_payments = _Repository(PaymentRepo)
    email_addresses = _Repository(EmailAddressRepo)
    retention = _Repository(RetentionRepo)

    @cached_property
    def tariffs(self) -> TariffRepo:
        return TariffRepo(self.connection, self._tariff_cache)

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
