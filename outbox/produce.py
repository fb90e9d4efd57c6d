"""Messages to a customer nobody asked for at that moment — an operator's, a visit's news —
written to the outbox of their own channel inside the caller's unit of work (the caller
commits, then wakes the sender)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from core.conversations import Conversation, Customer
from core.notices import Kind, NoticeDraft, lane_of, notice_key, period_of
from core.ports import Store
from dialogs.i18n import Translator, translator
from dialogs.messages import Button, Reply

Compose = Callable[[Translator], str]


async def lock_conversation(
    store: Store, customer_id: int, now: datetime
) -> tuple[Customer, Conversation] | None:
    """The customer and their conversation, locked until commit (the pipeline waits for us)."""
    customer = await store.customers.get(customer_id)
    if customer is None:
        return None
    return customer, await store.conversations.get_for_update(customer, now)


async def notify(
    store: Store,
    customer_id: int | None,
    compose: Compose,
    now: datetime,
    *,
    operator: str | None = None,
    menu_button: bool = False,
) -> bool:
    """Queue a message composed in the customer's language; False if there is nobody to tell."""
    if customer_id is None:
        return False
    found = await lock_conversation(store, customer_id, now)
    if found is None:
        return False
    customer, conversation = found
    await send(
        store, customer, conversation, compose, now, operator=operator, menu_button=menu_button
    )
    return True


async def send(
    store: Store,
    customer: Customer,
    conversation: Conversation,
    compose: Compose,
    now: datetime,
    *,
    operator: str | None = None,
    menu_button: bool = False,
) -> int:
    t = translator(customer.language)
    # «go:» buttons never go stale, whatever the conversation's version is by then.
    buttons = (Button(t("common.menu"), "go:menu"),) if menu_button else ()
    reply = Reply(compose(t), buttons=buttons, operator=operator, language=t.language)
    return await store.outbox.add(
        conversation.id, customer.channel, customer.user_id, reply.to_dict(), now
    )


async def tell_visit(
    store: Store,
    customer_id: int | None,
    visit_id: int,
    number: str,
    status: str,
    now: datetime,
    *,
    scheduled: tuple[date, str] | None = None,
    note: str = "",
) -> bool:
    """Queue the customer's notice of a visit's new status (the visits topic, the personal
    lane: it is never held behind a broadcast); False if there is nobody to tell."""
    if customer_id is None:
        return False
    customer = await store.customers.get(customer_id)
    if customer is None:
        return False
    conversation = await store.conversations.get_for_update(customer, now)
    kind = Kind.VISIT_STATUS
    month = period_of(now.date())
    campaign = await store.campaigns.ensure(f"{kind.value}:{month}", kind.value, month, now)
    params: dict[str, str] = {"number": number, "status": status}
    if scheduled is not None:
        params.update(date=scheduled[0].isoformat(), slot=scheduled[1])
    if note:
        params["note"] = note
    draft = NoticeDraft(
        key=notice_key(kind, f"{visit_id}:{status}:{now.isoformat()}", None, customer.id),
        conversation_id=conversation.id,
        channel=customer.channel,
        user_id=customer.user_id,
        account=None,
        params=params,
    )
    return await store.notices.queue(campaign.id, kind.value, lane_of(kind), [draft], now) == 1
