"""Technician visits with their history, escalations with their messages, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.accounts import Account
from core.conversations import Author, Customer, EscalationMessage, EscalationStatus
from core.visits import TransitionError, Visit, VisitStatus, VisitStatusChange, VisitType
from storage.database import Database
from storage.tables import audit


def _visit(account: str, customer_id: int | None, created_at: datetime) -> Visit:
    return Visit(
        account=account,
        customer_id=customer_id,
        type=VisitType.VERIFICATION,
        preferred_date=date(2025, 4, 2),
        slot="08:00-12:00",
        phone="+79120000001",
        comment="Домофон не работает, звоните",
        status=VisitStatus.NEW,
        created_at=created_at,
    )


async def test_visit_lifecycle(
    db: Database, account: Account, customer: Customer, now: datetime
) -> None:
    async with db.unit_of_work() as store:
        created = await store.visits.create(_visit(account.number, customer.id, now))
        await store.commit()
    assert created.id is not None
    assert created == replace(_visit(account.number, customer.id, now), id=created.id)
    later = now + timedelta(days=1)
    async with db.unit_of_work() as store:
        assert await store.visits.get(created.id) == created
        assert await store.visits.get(created.id + 100) is None
        scheduled = VisitStatusChange(
            created.id, VisitStatus.SCHEDULED, later, "operator:olga", "ok"
        )
        await store.visits.change_status(
            created.id, VisitStatus.SCHEDULED, scheduled, date(2025, 4, 3), "12:00-16:00"
        )
        done = VisitStatusChange(created.id, VisitStatus.DONE, later + timedelta(days=2), "system")
        await store.visits.change_status(created.id, VisitStatus.DONE, done)
        await store.commit()
    async with db.unit_of_work() as store:
        stored = await store.visits.get(created.id)
        history = await store.visits.history(created.id)
    assert stored is not None
    assert (stored.status, stored.scheduled_date, stored.scheduled_slot) == (
        VisitStatus.DONE,
        date(2025, 4, 3),
        "12:00-16:00",
    )
    assert history == [
        VisitStatusChange(created.id, VisitStatus.NEW, now, "customer", ""),
        scheduled,
        done,
    ]


async def test_forbidden_transition_and_unknown_visit(
    db: Database, account: Account, now: datetime
) -> None:
    async with db.unit_of_work() as store:
        created = await store.visits.create(_visit(account.number, None, now))
        assert created.id is not None
        cancel = VisitStatusChange(created.id, VisitStatus.CANCELLED, now, "customer")
        await store.visits.change_status(created.id, VisitStatus.CANCELLED, cancel)
        with pytest.raises(TransitionError):
            done = VisitStatusChange(created.id, VisitStatus.DONE, now, "operator:olga")
            await store.visits.change_status(created.id, VisitStatus.DONE, done)
        with pytest.raises(LookupError):
            await store.visits.change_status(999_999, VisitStatus.CANCELLED, cancel)
        assert [c.status for c in await store.visits.history(created.id)] == [
            VisitStatus.NEW,
            VisitStatus.CANCELLED,
        ]


async def test_visits_for_accounts_newest_first(
    db: Database, account: Account, account_factory: Callable[..., Account], now: datetime
) -> None:
    async with db.unit_of_work() as store:
        await store.accounts.upsert([account_factory("5900000002"), account_factory("5900000003")])
        a = await store.visits.create(_visit(account.number, None, now))
        b = await store.visits.create(_visit("5900000002", None, now + timedelta(hours=1)))
        c = await store.visits.create(_visit(account.number, None, now + timedelta(hours=2)))
        await store.visits.create(_visit("5900000003", None, now))
        found = await store.visits.for_accounts([account.number, "5900000002"])
        assert [v.id for v in found] == [c.id, b.id, a.id]
        assert await store.visits.for_accounts([]) == []


async def test_escalation_lifecycle(db: Database, customer: Customer, now: datetime) -> None:
    transcript = [
        EscalationMessage(Author.CUSTOMER, "хочу поговорить с человеком", now),
        EscalationMessage(Author.BOT, "Соединяю", now),
    ]
    async with db.unit_of_work() as store:
        conversation = await store.conversations.get_for_update(customer, now)
        assert await store.escalations.active(conversation.id) is None
        opened = await store.escalations.open(conversation.id, "customer_request", now, transcript)
        await store.commit()
    assert opened.status is EscalationStatus.WAITING
    assert opened.messages == transcript
    later = now + timedelta(minutes=5)
    async with db.unit_of_work() as store:
        await store.escalations.add_message(opened.id, Author.NOTE, "проверить долг", later, "olga")
        await store.escalations.add_message(
            opened.id, Author.OPERATOR, "Здравствуйте", later, "olga"
        )
        active = await store.escalations.active(conversation.id)
        await store.commit()
    assert active is not None
    assert (active.id, active.reason, active.status, active.created_at, active.operator) == (
        opened.id,
        "customer_request",
        EscalationStatus.WAITING,
        now,
        None,
    )
    assert active.messages == [
        *transcript,
        EscalationMessage(Author.NOTE, "проверить долг", later, "olga"),
        EscalationMessage(Author.OPERATOR, "Здравствуйте", later, "olga"),
    ]
    async with db.unit_of_work() as store:
        await store.escalations.close(opened.id, later)
        assert await store.escalations.active(conversation.id) is None
        again = await store.escalations.open(conversation.id, "free_text", later, [])
        active = await store.escalations.active(conversation.id)
        assert active is not None and active.id == again.id and active.messages == []


async def test_a_long_reason_is_cut_to_a_headline(
    db: Database, customer: Customer, now: datetime
) -> None:
    reason = "хочу пожаловаться: " + "счёт пришёл в два раза больше обычного, " * 3
    async with db.unit_of_work() as store:
        conversation = await store.conversations.get_for_update(customer, now)
        opened = await store.escalations.open(conversation.id, reason, now, [])
        await store.commit()
    async with db.unit_of_work() as store:
        active = await store.escalations.active(conversation.id)
    assert active is not None
    assert active.reason == opened.reason
    assert len(active.reason) == 64 and active.reason.endswith("…")
    assert active.reason.startswith("хочу пожаловаться: счёт пришёл")


async def test_audit(db: Database, now: datetime) -> None:
    async with db.unit_of_work() as store:
        await store.audit.record("operator:olga", "reading.accept", now, {"ids": [1, 2]})
        await store.audit.record("system", "import.accounts", now)
        await store.commit()
    async with db.unit_of_work() as store:
        rows = (
            await store.connection.execute(
                select(audit.c.actor, audit.c.action, audit.c.details, audit.c.at).order_by(
                    audit.c.id
                )
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("operator:olga", "reading.accept", {"ids": [1, 2]}, now),
        ("system", "import.accounts", None, now),
    ]
