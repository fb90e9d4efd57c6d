"""Flagged readings (implausible values the customer confirmed): accept, or reject with a
message to the customer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from console.context import Console, actor, console_of, redirect, session_of
from core.masking import mask_account
from core.ports import SessionRecord, Store
from core.readings import Reading, ReadingStatus
from dialogs.i18n import Translator
from outbox.produce import notify

MAX_MESSAGE = 1000


async def readings_page(
    request: web.Request, status: int = 200, error: str | None = None
) -> web.Response:
    console = console_of(request)
    async with console.unit_of_work() as store:
        flagged = await store.readings.flagged()
    return console.page(
        request,
        "readings.html",
        status,
        nav="readings",
        error=error,
        readings=[_row(console, reading) for reading in flagged],
    )


async def readings_list(request: web.Request) -> web.StreamResponse:
    return await readings_page(request)


def _row(console: Console, reading: Reading) -> dict[str, Any]:
    f = console.formats
    return {
        "id": reading.id,
        "account": mask_account(reading.account),
        "serial": reading.serial,
        "register": reading.register,
        "value": f.number(reading.value),
        "consumption": f.number(reading.consumption_kwh),
        "period": reading.period,
        "submitted": f.when(reading.submitted_at, console.now()),
        "channel": f.label("channels", reading.channel),
    }


async def _flagged(store: Store, reading_id: int) -> Reading | None:
    """The flagged reading, read again under its meter's lock: a customer's new value of the
    meter, saved meanwhile, has replaced it, and then it is not the operator's to decide."""
    reading = await _find_flagged(store, reading_id)
    if reading is None:
        return None
    await store.meters.lock(reading.account, reading.serial)
    return await _find_flagged(store, reading_id)


async def _find_flagged(store: Store, reading_id: int) -> Reading | None:
    for reading in await store.readings.flagged():
        if reading.id == reading_id:
            return reading
    return None


def _value(t: Translator, reading: Reading) -> dict[str, str]:
    return {
        "value": t.number(reading.value),
        "serial": reading.serial,
        "period": t.period(reading.period),
    }


async def accept(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    reading_id = int(request.match_info["reading_id"])
    now = console.now()
    async with console.unit_of_work() as store:
        reading = await _flagged(store, reading_id)
        if reading is not None:
            await _accept(store, session, reading, now)
    if reading is None:
        return await readings_page(request, 409, console.text("errors.reading_gone"))
    console.wake()
    raise redirect("/readings", "reading_accepted")


async def _accept(store: Store, session: SessionRecord, reading: Reading, now: datetime) -> None:
    reading_id = reading.id
    await store.readings.set_status([reading.id or 0], ReadingStatus.ACCEPTED)
    told = await notify(
        store,
        reading.customer_id,
        lambda t: t("console.customer.reading_accepted", **_value(t, reading)),
        now,
    )
    details = {"reading_id": reading_id, "account": mask_account(reading.account), "notified": told}
    await store.audit.record(actor(session), "console.reading_accept", now, details)
    await store.commit()


async def reject(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    reading_id = int(request.match_info["reading_id"])
    form = await request.post()
    text = str(form.get("message", "")).strip()
    if not text:
        return await readings_page(request, 400, console.text("errors.reject_message"))
    if len(text) > MAX_MESSAGE:
        return await readings_page(request, 400, console.text("errors.too_long", limit=MAX_MESSAGE))
    now = console.now()
    async with console.unit_of_work() as store:
        reading = await _flagged(store, reading_id)
        if reading is not None:
            await _reject(store, session, reading, text, now)
    if reading is None:
        return await readings_page(request, 409, console.text("errors.reading_gone"))
    console.wake()
    raise redirect("/readings", "reading_rejected")


async def _reject(
    store: Store, session: SessionRecord, reading: Reading, text: str, now: datetime
) -> None:
    reading_id = reading.id
    restored = await _set_aside(store, reading)
    told = await notify(
        store,
        reading.customer_id,
        lambda t: t("console.customer.reading_rejected", **_value(t, reading), message=text),
        now,
    )
    details = {
        "reading_id": reading_id,
        "account": mask_account(reading.account),
        "restored": restored,
        "notified": told,
    }
    await store.audit.record(actor(session), "console.reading_reject", now, details)
    await store.commit()


async def _set_aside(store: Store, reading: Reading) -> int | None:
    """The rejected value stops counting; the value it had replaced in the same period counts
    again."""
    assert reading.id is not None
    await store.readings.set_status([reading.id], ReadingStatus.REJECTED)
    earlier = [
        r
        for r in await store.readings.for_meter(reading.account, reading.serial)
        if r.register == reading.register
        and r.period == reading.period
        and r.kind == reading.kind
        and r.status is ReadingStatus.REPLACED
        and r.id != reading.id
        and (r.submitted_at, r.id or 0) < (reading.submitted_at, reading.id)
    ]
    if not earlier:
        return None
    previous = max(earlier, key=lambda r: (r.submitted_at, r.id or 0))
    assert previous.id is not None
    await store.readings.set_status([previous.id], ReadingStatus.ACCEPTED)
    return previous.id
