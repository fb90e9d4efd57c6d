"""One conversation: its whole transcript and the accounts' summary; reply, note, close.

Need to know: an operator reads only a conversation whose escalation waits in the queue or that
they hold; supervisors and admins read every one (console.roles.may_see). Every showing of a
transcript is audited (`console.view`), and so is every refusal (`console.denied`); notes and the
live stream (console/events.py) follow the same rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from console.auth import wants_json
from console.context import Console, actor, console_of, redirect, session_of
from console.roles import Role, at_least, may_see
from console.summary import accounts_summary
from console.views import cursor_text, message
from core.conversations import Author, EscalationStatus
from core.jsontypes import JSONObject
from core.ports import ConversationView, SessionRecord, Store
from dialogs.engine import hand_back
from outbox.produce import lock_conversation, send

# Longer replies are refused rather than cut: channels split long texts themselves.
MAX_TEXT = 4000


async def conversation_page(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    return await _render(console, request)


async def _render(
    console: Console,
    request: web.Request,
    status: int = 200,
    error: str | None = None,
    draft: str = "",
) -> web.Response:
    session = session_of(request)
    conversation_id = int(request.match_info["conversation_id"])
    now = console.now()
    async with console.unit_of_work() as store:
        view = await store.console.conversation(conversation_id)
        if view is None:
            return console.error_page(request, 404, "errors.not_found")
        if not visible(session, view):
            return await hidden(console, request, store, session, conversation_id, "view")
        lines, cursor = await store.console.transcript(conversation_id)
        summary = await accounts_summary(console, store, view.customer_id, conversation_id)
        canned = await store.canned.all()
        details = {"conversation_id": conversation_id, "lines": len(lines)}
        await store.audit.record(actor(session), "console.view", now, details)
        await store.commit()
    escalation = view.escalation
    holds = _holds(session, view)
    return console.page(
        request,
        "conversation.html",
        status,
        nav="queue",
        error=error,
        view=view,
        escalation=escalation,
        status_label=console.formats.label("conversation_status", view.status.value),
        channel=console.formats.label("channels", view.channel),
        messages=[message(console, line, now) for line in lines],
        cursor=cursor_text(cursor),
        summary=summary,
        canned=canned,
        can_reply=holds,
        can_claim=escalation is not None and escalation.status is EscalationStatus.WAITING,
        can_note=escalation is not None,
        draft=draft,
    )


def visible(session: SessionRecord, view: ConversationView) -> bool:
    """Whether this console user may read the conversation (need to know)."""
    escalation = view.escalation
    return may_see(
        session.operator.role,
        session.operator.login,
        escalation.status if escalation else None,
        escalation.operator if escalation else None,
    )


async def hidden(
    console: Console,
    request: web.Request,
    store: Store,
    session: SessionRecord,
    conversation_id: int,
    what: str,
) -> web.Response:
    """Refuse a conversation this user may not see (403, in the console's language), audited."""
    details: JSONObject = {"conversation_id": conversation_id, "what": what}
    await store.audit.record(actor(session), "console.denied", console.now(), details)
    await store.commit()
    if wants_json(request):
        error = console.text("errors.not_yours")
        return web.json_response({"ok": False, "error": error}, status=403)
    return console.error_page(request, 403, "errors.not_yours")


def _holds(session: SessionRecord, view: ConversationView) -> bool:
    """Whether this operator may write in the conversation now: they hold its escalation, or
    a supervisor steps in for a colleague."""
    escalation = view.escalation
    if escalation is None or escalation.status is not EscalationStatus.CLAIMED:
        return False
    return escalation.operator == session.operator.login or at_least(
        session.operator.role, Role.SUPERVISOR
    )


async def _text(request: web.Request, field: str) -> str:
    form = await request.post()
    value = form.get(field, "")
    return value.strip() if isinstance(value, str) else ""


def _done(request: web.Request, conversation_id: int, notice: str) -> web.StreamResponse:
    if wants_json(request):
        return web.json_response({"ok": True})
    raise redirect(f"/conversations/{conversation_id}", notice)


async def _refused(
    console: Console, request: web.Request, status: int, key: str, draft: str = "", **params: Any
) -> web.StreamResponse:
    error = console.text(key, **params)
    if wants_json(request):
        return web.json_response({"ok": False, "error": error}, status=status)
    return await _render(console, request, status, error, draft)


async def _unfit(
    console: Console, request: web.Request, text: str, draft: str = ""
) -> web.StreamResponse | None:
    """The refusal of an empty or too long text (the reply box keeps `draft`), else None."""
    if not text:
        return await _refused(console, request, 400, "errors.empty")
    if len(text) > MAX_TEXT:
        return await _refused(console, request, 400, "errors.too_long", draft, limit=MAX_TEXT)
    return None


async def reply(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    conversation_id = int(request.match_info["conversation_id"])
    text = await _text(request, "text")
    if (refusal := await _unfit(console, request, text, draft=text)) is not None:
        return refusal
    now = console.now()
    name = session.operator.display_name or session.operator.login
    async with console.unit_of_work() as store:
        view = await store.console.conversation(conversation_id)
        if view is None:
            return console.error_page(request, 404, "errors.not_found")
        if not visible(session, view):
            return await hidden(console, request, store, session, conversation_id, "reply")
        holds = _holds(session, view)
        refused = await _window_refusal(console, store, view, text, name, now) if holds else None
        if holds and not refused:
            await _reply(store, session, view, text, name, now)
    if not holds:
        return await _refused(console, request, 409, "errors.not_holding", text)
    if refused:
        return await _refused(console, request, 409, f"errors.refused.{refused}", text)
    console.wake()
    return _done(request, conversation_id, "reply_sent")


async def _window_refusal(
    console: Console, store: Store, view: ConversationView, text: str, name: str, now: datetime
) -> str | None:
    """The messenger's reason to refuse this reply now (its messaging window has closed)."""
    last_inbound_at = await store.conversations.last_inbound_at(view.id)
    return console.reply_check(view.channel, text, name, last_inbound_at, now)


async def _reply(
    store: Store,
    session: SessionRecord,
    view: ConversationView,
    text: str,
    name: str,
    now: datetime,
) -> None:
    found = await lock_conversation(store, view.customer_id, now)
    assert found is not None and view.escalation is not None
    customer, conversation = found
    await send(store, customer, conversation, lambda _: text, now, operator=name)
    await store.escalations.add_message(
        view.escalation.escalation_id, Author.OPERATOR, text, now, session.operator.login
    )
    details = {"conversation_id": view.id, "length": len(text)}
    await store.audit.record(actor(session), "console.reply", now, details)
    await store.commit()


async def note(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    conversation_id = int(request.match_info["conversation_id"])
    text = await _text(request, "note")
    if (refusal := await _unfit(console, request, text)) is not None:
        return refusal
    now = console.now()
    async with console.unit_of_work() as store:
        view = await store.console.conversation(conversation_id)
        if view is None:
            return console.error_page(request, 404, "errors.not_found")
        if not visible(session, view):
            return await hidden(console, request, store, session, conversation_id, "note")
        escalation = view.escalation
        if escalation is not None:
            # A note is an escalation line of its own kind: it never reaches the outbox.
            await store.escalations.add_message(
                escalation.escalation_id, Author.NOTE, text, now, session.operator.login
            )
            details = {"conversation_id": conversation_id, "length": len(text)}
            await store.audit.record(actor(session), "console.note", now, details)
            await store.commit()
    if escalation is None:
        return await _refused(console, request, 409, "errors.no_escalation")
    return _done(request, conversation_id, "note_added")


async def close(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    conversation_id = int(request.match_info["conversation_id"])
    now = console.now()
    async with console.unit_of_work() as store:
        view = await store.console.conversation(conversation_id)
        if view is None:
            return console.error_page(request, 404, "errors.not_found")
        if not visible(session, view):
            return await hidden(console, request, store, session, conversation_id, "close")
        holds = _holds(session, view)
        if holds:
            await _close(store, session, view, now)
    if not holds:
        return await _refused(console, request, 409, "errors.not_holding")
    console.wake()
    if wants_json(request):
        return web.json_response({"ok": True})
    raise redirect("/queue", "closed")


async def _close(
    store: Store, session: SessionRecord, view: ConversationView, now: datetime
) -> None:
    assert view.escalation is not None
    found = await lock_conversation(store, view.customer_id, now)
    assert found is not None
    customer, conversation = found
    await store.escalations.close(view.escalation.escalation_id, now)
    hand_back(conversation)  # the engine's state, at no step: the next message is routed afresh
    await store.conversations.save(conversation)
    await send(
        store,
        customer,
        conversation,
        lambda t: t("console.customer.closed"),
        now,
        menu_button=True,
    )
    details = {"conversation_id": view.id, "escalation_id": view.escalation.escalation_id}
    await store.audit.record(actor(session), "console.close", now, details)
    await store.commit()
