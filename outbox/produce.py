"""Messages to a customer from the console: written to the outbox of their own channel, in
their language, inside the caller's unit of work (the caller commits, then wakes the sender)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from core.conversations import Conversation, Customer
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
