"""Technician visits: list and filter; schedule, done, cancel — the customer is told each time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiohttp import web

from console.context import Console, actor, console_of, redirect, session_of
from core.ports import SessionRecord, Store
from core.visits import TransitionError, Visit, VisitStatus, VisitStatusChange
from outbox.produce import tell_visit

MAX_NOTE = 500


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _status(value: str | None) -> VisitStatus | None:
    try:
        return VisitStatus(value) if value else None
    except ValueError:
        return None


async def visits_page(
    request: web.Request, status: int = 200, error: str | None = None
) -> web.Response:
    console = console_of(request)
    wanted = request.query.get("status", "new")
    filter_status = _status(wanted)
    day = _day(request.query.get("date"))
    async with console.unit_of_work() as store:
        found = await store.console.visits(filter_status, day, console.options.visits_page)
    return console.page(
        request,
        "visits.html",
        status,
        nav="visits",
        error=error,
        visits=[_row(console, visit, address) for visit, address in found],
        statuses=[(s.value, console.formats.label("visit_status", s.value)) for s in VisitStatus],
        chosen_status=filter_status.value if filter_status else "",
        chosen_date=day.isoformat() if day else "",
        slots=[(slot, console.formats.slot(slot)) for slot in console.options.visit_slots],
        today=console.formats.today(console.now()).isoformat(),
    )


async def visits_list(request: web.Request) -> web.StreamResponse:
    return await visits_page(request)


def _row(console: Console, visit: Visit, address: str) -> dict[str, Any]:
    f = console.formats
    return {
        "id": visit.id,
        "number": visit.number,
        "type": f.t(f"visits.type.{visit.type.value}"),
        "account": visit.account,
        "address": address,
        "phone": visit.phone,
        "comment": visit.comment,
        "preferred": f"{f.day(visit.preferred_date)}, {f.slot(visit.slot)}",
        "scheduled": (
            f"{f.day(visit.scheduled_date)}, {f.slot(visit.scheduled_slot)}"
            if visit.scheduled_date
            else ""
        ),
        "status": visit.status.value,
        "status_label": f.label("visit_status", visit.status.value),
        "created": f.when(visit.created_at, console.now()),
        "can_schedule": visit.status in (VisitStatus.NEW, VisitStatus.SCHEDULED),
        "can_finish": visit.status is VisitStatus.SCHEDULED,
        "can_cancel": visit.status in (VisitStatus.NEW, VisitStatus.SCHEDULED),
        "default_date": (visit.scheduled_date or visit.preferred_date).isoformat(),
        "default_slot": visit.scheduled_slot or visit.slot,
    }


async def _change(
    request: web.Request,
    new: VisitStatus,
    notice: str,
    scheduled: tuple[date, str] | None = None,
    note: str = "",
) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    visit_id = int(request.match_info["visit_id"])
    now = console.now()
    refused = False
    async with console.unit_of_work() as store:
        visit = await store.visits.get(visit_id)
        if visit is None:
            return console.error_page(request, 404, "errors.not_found")
        change = VisitStatusChange(visit_id, new, now, f"operator:{session.operator.login}", note)
        try:
            await store.visits.change_status(
                visit_id,
                new,
                change,
                scheduled[0] if scheduled else None,
                scheduled[1] if scheduled else None,
            )
        except TransitionError:
            refused = True
        if not refused:
            await _record(store, session, visit, new, now, scheduled, note)
    if refused:
        return await visits_page(request, 409, console.text("errors.visit_transition"))
    console.wake()
    raise redirect(_back(request), notice)


async def _record(
    store: Store,
    session: SessionRecord,
    visit: Visit,
    new: VisitStatus,
    now: datetime,
    scheduled: tuple[date, str] | None,
    note: str,
) -> None:
    """Tell the customer (a notice: outbox/notices renders it in their language), audit,
    commit."""
    visit_id = visit.id
    told = await tell_visit(
        store,
        visit.customer_id,
        visit_id or 0,
        visit.number,
        new.value,
        now,
        scheduled=scheduled,
        note=note,
    )
    details: dict[str, Any] = {"visit_id": visit_id, "status": new.value, "notified": told}
    if scheduled:
        details.update(date=scheduled[0].isoformat(), slot=scheduled[1])
    await store.audit.record(actor(session), f"console.visit_{new.value}", now, details)
    await store.commit()


def _back(request: web.Request) -> str:
    """The visits list as it was filtered (only the known filters travel)."""
    status = _status(request.query.get("status"))
    day = _day(request.query.get("date"))
    query = f"?status={status.value if status else ''}"
    if day:
        query += f"&date={day.isoformat()}"
    return "/visits" + query


async def schedule(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = await request.post()
    day = _day(str(form.get("date", "")))
    slot = str(form.get("slot", ""))
    if day is None or day < console.formats.today(console.now()):
        return await visits_page(request, 400, console.text("errors.visit_date"))
    if slot not in console.options.visit_slots:
        return await visits_page(request, 400, console.text("errors.visit_slot"))

    return await _change(request, VisitStatus.SCHEDULED, "visit_scheduled", (day, slot))


async def done(request: web.Request) -> web.StreamResponse:
    return await _change(request, VisitStatus.DONE, "visit_done")


async def cancel(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = await request.post()
    note = str(form.get("note", "")).strip()
    if len(note) > MAX_NOTE:
        return await visits_page(request, 400, console.text("errors.too_long", limit=MAX_NOTE))

    return await _change(request, VisitStatus.CANCELLED, "visit_cancelled", note=note)
