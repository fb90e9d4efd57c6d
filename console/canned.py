"""Canned responses: everyone reads them (and inserts them into replies); supervisors edit."""

from __future__ import annotations

from aiohttp import web

from console.auth import require
from console.context import actor, console_of, redirect, session_of
from console.roles import Role

MAX_TITLE = 128
MAX_TEXT = 4000


async def canned_page(
    request: web.Request, status: int = 200, error: str | None = None
) -> web.Response:
    console = console_of(request)
    async with console.unit_of_work() as store:
        canned = await store.canned.all()
    return console.page(request, "canned.html", status, nav="canned", error=error, canned=canned)


async def canned_list(request: web.Request) -> web.StreamResponse:
    return await canned_page(request)


async def save(request: web.Request) -> web.StreamResponse:
    """Add one (no id) or change one (with an id)."""
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    session = session_of(request)
    form = await request.post()
    title = str(form.get("title", "")).strip()
    text = str(form.get("text", "")).strip()
    raw_id = str(form.get("id", "")).strip()
    if not title or not text:
        return await canned_page(request, 400, console.text("errors.empty"))
    if len(title) > MAX_TITLE or len(text) > MAX_TEXT:
        return await canned_page(request, 400, console.text("errors.too_long", limit=MAX_TEXT))
    now = console.now()
    login = session.operator.login
    async with console.unit_of_work() as store:
        if raw_id.isdigit():
            if not await store.canned.update(int(raw_id), title, text, login, now):
                return console.error_page(request, 404, "errors.not_found")
            canned_id = int(raw_id)
        else:
            canned_id = await store.canned.add(title, text, login, now)
        await store.audit.record(actor(session), "console.canned_save", now, {"id": canned_id})
        await store.commit()
    raise redirect("/canned", "canned_saved")


async def delete(request: web.Request) -> web.StreamResponse:
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    session = session_of(request)
    canned_id = int(request.match_info["canned_id"])
    now = console.now()
    async with console.unit_of_work() as store:
        if not await store.canned.delete(canned_id):
            return console.error_page(request, 404, "errors.not_found")
        await store.audit.record(actor(session), "console.canned_delete", now, {"id": canned_id})
        await store.commit()
    raise redirect("/canned", "canned_deleted")
