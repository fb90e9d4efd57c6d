"""A linked account's receipt as a PDF, for an operator reading the conversation.

The same need to know as the transcript (console.conversation.visible, refusals audited); only
an account linked to the conversation's customer and a month of billing's last twelve; the file
is made by the dialogs, in the customer's language, exactly as the chat would send it
(Console.receipts), and every one handed out is audited (`console.receipt`)."""

from __future__ import annotations

from aiohttp import web

from console.context import actor, console_of, session_of
from console.conversation import hidden, visible
from core.jsontypes import JSONObject
from dialogs.flows.receipt_document import RECEIPT_MONTHS


async def receipt(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session = session_of(request)
    conversation_id = int(request.match_info["conversation_id"])
    account = request.match_info["account"]
    period = request.match_info["period"]
    source = console.receipts
    async with console.unit_of_work() as store:
        view = await store.console.conversation(conversation_id)
        if view is None:
            return console.error_page(request, 404, "errors.not_found")
        if not visible(session, view):
            return await hidden(console, request, store, session, conversation_id, "receipt")
        if source is None:  # a console without the dialogs (tests, tools): no receipts
            return console.error_page(request, 404, "errors.not_found")
        linked = {a.number for a in await store.accounts.linked(view.customer_id)}
        if account not in linked:
            return console.error_page(request, 404, "errors.receipt_account")
        history = await store.history.for_account(account, RECEIPT_MONTHS)
        if period not in {entry.period for entry in history}:
            return console.error_page(request, 404, "errors.receipt_period", months=RECEIPT_MONTHS)
        document = await source.receipt(store, view.customer_id, account, period)
        if document is None:  # the renderer failed (logged by the dialogs)
            return console.error_page(request, 503, "errors.receipt_failed")
        details: JSONObject = {
            "conversation_id": conversation_id,
            "account": account,
            "period": period,
        }
        await store.audit.record(actor(session), "console.receipt", console.now(), details)
        await store.commit()
    return web.Response(
        body=document.content,
        content_type=document.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            # An operator's copy of a customer's bill: no shared cache keeps it.
            "Cache-Control": "private, no-store",
        },
    )
