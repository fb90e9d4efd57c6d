"""The queue: waiting escalations, oldest first; claiming one."""

from __future__ import annotations

from aiohttp import web

from console.context import actor, console_of, redirect, session_of
from console.views import queue_row
from core.conversations import ConversationStatus, EscalationStatus
from outbox.produce import lock_conversation, send


async def queue_page(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    now = console.now()
    async with console.unit_of_work() as store:
        waiting = await store.console.queue()
        mine = await store.console.held(session.operator.login)
    return console.page(
        request,
        "queue.html",
        nav="queue",
        rows=[queue_row(console, item, now) for item in waiting],
        mine=[queue_row(console, item, now) for item in mine],
    )


async def claim(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    escalation_id = int(request.match_info["escalation_id"])
    login = session.operator.login
    now = console.now()
    async with console.unit_of_work() as store:
        item = await store.console.escalation(escalation_id)
        if item is None:
            return console.error_page(request, 404, "errors.not_found")
        view = await store.console.conversation(item.conversation_id)
        assert view is not None
        # The conversation first: the pipeline holds the same lock while it answers.
        found = await lock_conversation(store, view.customer_id, now)
        assert found is not None
        customer, conversation = found
        if await store.console.claim(escalation_id, login, now):
            conversation.status = ConversationStatus.OPERATOR
            await store.conversations.save(conversation)
            # The bot tells the customer a person has the conversation now.
            name = session.operator.display_name or login
            await send(
                store,
                customer,
                conversation,
                lambda t: t("console.customer.claimed", operator=name),
                now,
            )
            details = {"escalation_id": escalation_id, "conversation_id": item.conversation_id}
            await store.audit.record(actor(session), "console.claim", now, details)
            await store.commit()
            console.wake()
            raise redirect(f"/conversations/{item.conversation_id}", "claimed")
        await store.rollback()
        current = await store.console.escalation(escalation_id)
        waiting = await store.console.queue()
        mine = await store.console.held(login)
    if current is not None and current.status is EscalationStatus.CLAIMED:
        if current.operator == login:  # a double click: it is ours already
            raise redirect(f"/conversations/{item.conversation_id}")
        error = console.text("errors.claimed_by", operator=current.operator or "")
    else:
        error = console.text("errors.already_closed")
    return console.page(
        request,
        "queue.html",
        409,
        nav="queue",
        error=error,
        rows=[queue_row(console, row, now) for row in waiting],
        mine=[queue_row(console, row, now) for row in mine],
    )
