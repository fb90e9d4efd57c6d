"""Technician visits (schedule, done, cancel) and flagged readings (accept, reject): each
change is audited and the customer is told through the outbox."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.notices import Kind
from core.readings import Reading, ReadingStatus
from core.visits import Visit, VisitStatus, VisitType
from dialogs.config import CompanyInfo
from dialogs.i18n import translator
from outbox.notices.compose import render
from storage.database import Database
from storage.repos.meters import MeterRepo
from storage.tables import readings as readings_table
from tests.console.conftest import Browser, audit_actions, seed_account

NUMBER = "5901234567"


async def customer_id(database: Database, user_id: str = "3001") -> int:
    async with database.unit_of_work() as store:
        customer = await store.customers.get_or_create("test", user_id, "", "ru", datetime.now(UTC))
        await store.commit()
    return customer.id


async def new_visit(database: Database, owner: int, preferred: date) -> Visit:
    await seed_account(database, NUMBER)
    async with database.unit_of_work() as store:
        visit = await store.visits.create(
            Visit(
                account=NUMBER,
                customer_id=owner,
                type=VisitType.METER_REPLACEMENT,
                preferred_date=preferred,
                slot="08:00-12:00",
                phone="+79120000001",
                comment="Домофон <b>не работает</b>",
                status=VisitStatus.NEW,
                created_at=datetime.now(UTC),
            )
        )
        await store.commit()
    return visit


COMPANY = CompanyInfo("Энергосбыт", "8-800", "https://e.example", "", "Сети", "8-800", "")


def _text(body: dict[str, Any]) -> str:
    """A reply's text; a notice (a visit's news) as the sender will render it."""
    if "notice" in body:
        return render(Kind(body["notice"]), body["params"], translator("ru"), COMPANY, UTC).text
    return str(body["text"])


async def sent_texts(database: Database) -> list[str]:
    async with database.unit_of_work() as store:
        rows = await store.outbox.pending("test")
    return [_text(row.body) for row in rows]


async def visit_status(database: Database, visit_id: int) -> VisitStatus:
    async with database.unit_of_work() as store:
        visit = await store.visits.get(visit_id)
        assert visit is not None
        return visit.status


async def test_visits_schedule_done_and_cancel_notify_the_customer(
    anna: Browser, database: Database
) -> None:
    owner = await customer_id(database)
    day = date.today() + timedelta(days=3)
    visit = await new_visit(database, owner, day)
    other = await new_visit(database, owner, day + timedelta(days=1))
    await anna.get("/console/visits?status=new")
    found = re.findall(r'data-test="visit-row" data-visit-id="(\d+)"', anna.page)
    assert found == [str(visit.id), str(other.id)]
    assert "Домофон &lt;b&gt;не работает&lt;/b&gt;" in anna.page
    await anna.get(f"/console/visits?status=new&date={day.isoformat()}")
    assert re.findall(r'data-visit-id="(\d+)"', anna.page) == [str(visit.id)]

    response = await anna.post(
        f"/console/visits/{visit.id}/schedule?status=new",
        {"date": day.isoformat(), "slot": "12:00-17:00"},
    )
    assert response.status == 200 and 'data-test="notice"' in anna.page
    assert await visit_status(database, visit.id or 0) is VisitStatus.SCHEDULED
    (scheduled,) = await sent_texts(database)
    assert f"Заявка № {visit.number}: мастер приедет" in scheduled
    assert "с 12:00 до 17:00" in scheduled

    await anna.post(f"/console/visits/{visit.id}/done")
    assert await visit_status(database, visit.id or 0) is VisitStatus.DONE
    assert (await sent_texts(database))[-1] == (
        f"Заявка № {visit.number} выполнена. Спасибо, что обратились!"
    )
    # A done visit cannot be cancelled any more.
    response = await anna.post(f"/console/visits/{visit.id}/cancel")
    assert response.status == 409 and 'data-test="error"' in anna.page

    await anna.post(f"/console/visits/{other.id}/cancel", {"note": "мастер заболел"})
    assert await visit_status(database, other.id or 0) is VisitStatus.CANCELLED
    assert (await sent_texts(database))[-1].startswith(
        f"Заявка № {other.number} отменена: мастер заболел"
    )
    actions = [(a, d["status"]) for _, a, d in await audit_actions(database) if d and "visit" in a]
    assert actions == [
        ("console.visit_scheduled", "scheduled"),
        ("console.visit_done", "done"),
        ("console.visit_cancelled", "cancelled"),
    ]
    async with database.unit_of_work() as store:
        history = await store.visits.history(visit.id or 0)
    assert [change.by for change in history] == ["customer", "operator:anna", "operator:anna"]


async def test_scheduling_in_the_past_or_an_unknown_slot_is_refused(
    anna: Browser, database: Database
) -> None:
    visit = await new_visit(database, await customer_id(database), date.today())
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    response = await anna.post(
        f"/console/visits/{visit.id}/schedule", {"date": yesterday, "slot": "08:00-12:00"}
    )
    assert response.status == 400 and 'data-test="error"' in anna.page
    response = await anna.post(
        f"/console/visits/{visit.id}/schedule",
        {"date": date.today().isoformat(), "slot": "00:00-23:59"},
    )
    assert response.status == 400
    assert await visit_status(database, visit.id or 0) is VisitStatus.NEW
    assert await sent_texts(database) == []


async def add_reading(
    database: Database, owner: int, value: str, status: ReadingStatus, minutes: int
) -> Reading:
    async with database.unit_of_work() as store:
        reading = await store.readings.add(
            Reading(
                account=NUMBER,
                serial="A-1",
                register="T1",
                value=Decimal(value),
                consumption_kwh=Decimal(value) - Decimal(12000),
                period="2026-11",
                submitted_at=datetime(2026, 11, 20, 10, minutes, tzinfo=UTC),
                channel="test",
                status=status,
                customer_id=owner,
            )
        )
        await store.commit()
    return reading


async def statuses(database: Database) -> list[ReadingStatus]:
    async with database.unit_of_work() as store:
        readings = await store.readings.for_meter(NUMBER, "A-1")
    return [r.status for r in reversed(readings)]


async def test_a_flagged_reading_is_accepted(anna: Browser, database: Database) -> None:
    await seed_account(database, NUMBER)
    flagged = await add_reading(
        database, await customer_id(database), "15200", ReadingStatus.FLAGGED, 0
    )
    await anna.get("/console/readings")
    assert f'data-reading-id="{flagged.id}"' in anna.page
    response = await anna.post(f"/console/readings/{flagged.id}/accept")
    assert response.status == 200 and 'data-test="notice"' in anna.page
    assert await statuses(database) == [ReadingStatus.ACCEPTED]
    assert (await sent_texts(database)) == [
        "Показания 15\xa0200 по счётчику № A-1 за ноябрь 2026 проверены и приняты."
    ]
    (details,) = [d for _, a, d in await audit_actions(database) if a == "console.reading_accept"]
    assert details == {"reading_id": flagged.id, "account": "•••••••4567", "notified": True}
    # Already checked: a second click changes nothing.
    response = await anna.post(f"/console/readings/{flagged.id}/accept")
    assert response.status == 409


async def test_a_flagged_reading_is_rejected_with_a_message(
    anna: Browser, database: Database
) -> None:
    await seed_account(database, NUMBER)
    owner = await customer_id(database)
    earlier = await add_reading(database, owner, "12100", ReadingStatus.REPLACED, 0)
    flagged = await add_reading(database, owner, "21000", ReadingStatus.FLAGGED, 5)
    response = await anna.post(f"/console/readings/{flagged.id}/reject", {"message": ""})
    assert response.status == 400
    response = await anna.post(
        f"/console/readings/{flagged.id}/reject",
        {"message": "Похоже, лишняя цифра: сверьте, пожалуйста, показания."},
    )
    assert response.status == 200
    # The rejected value stops counting; the one it had replaced counts again.
    assert await statuses(database) == [ReadingStatus.ACCEPTED, ReadingStatus.REJECTED]
    (text,) = await sent_texts(database)
    assert text.startswith("Показания 21\xa0000 по счётчику № A-1 за ноябрь 2026 не приняты.")
    assert "Похоже, лишняя цифра" in text
    (details,) = [d for _, a, d in await audit_actions(database) if a == "console.reading_reject"]
    assert details["restored"] == earlier.id and details["notified"] is True


async def test_a_reading_replaced_while_the_operator_waited_for_the_meter_is_not_accepted(
    anna: Browser, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The customer sends a new value of the meter while the operator clicks «accept»: once the
    console holds the meter, the flagged reading is replaced already — nothing is changed (409),
    and only the customer's new value counts."""
    await seed_account(database, NUMBER)
    owner = await customer_id(database)
    flagged = await add_reading(database, owner, "15200", ReadingStatus.FLAGGED, 0)
    lock = MeterRepo.lock

    async def customers_save_first(self: MeterRepo, account: str, serial: str) -> None:
        # What the reading flow's save did while the console waited for the meter's lock.
        await self._conn.execute(
            readings_table.update()
            .where(readings_table.c.id == flagged.id)
            .values(status=ReadingStatus.REPLACED.value)
        )
        await lock(self, account, serial)

    monkeypatch.setattr(MeterRepo, "lock", customers_save_first)
    for action, form in (("accept", None), ("reject", {"message": "Проверьте, пожалуйста."})):
        response = await anna.post(f"/console/readings/{flagged.id}/{action}", form)
        assert response.status == 409, action
        # The console changed nothing (the stand-in save was part of its own transaction).
        assert await statuses(database) == [ReadingStatus.FLAGGED]
    assert await sent_texts(database) == []
