"""Payments left `pending` are asked about: a notification may be lost, refused or not set up
in YooKassa's dashboard, and the money taken must still reach the customer's word and billing's
export. Every few minutes `serve` fetches the pending payments back and settles them exactly as
a notification would (energobot.pay_notifications.settle). Every process may run it: the status
change is conditional, so the customer is told once whoever comes first."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiohttp import web

from energobot.background import mount_background
from energobot.pay import PaymentDesk
from energobot.pay_notifications import settle
from payments.yookassa import NotFound, YookassaError

log = logging.getLogger(__name__)

# Younger than this: its notification may still be on its way.
SETTLING = timedelta(minutes=1)
# After the link's lifetime a payment is no longer paid; a day more for the last of it.
AFTER_LINK = timedelta(days=1)

RECONCILER = web.AppKey("payment_reconciler", asyncio.Task[None])


async def reconcile(desk: PaymentDesk) -> int:
    """One round: how many pending payments YooKassa settled."""
    now = desk.clock()
    async with desk.unit_of_work() as store:
        pending = await store.online_payments.pending(
            now - desk.rules.link_lifetime - AFTER_LINK, now - SETTLING
        )
    settled = 0
    for ours in pending:
        if ours.provider_id is None:
            continue
        try:
            fetched = await desk.client.get(ours.provider_id)
        except NotFound:
            log.warning("payment %s: YooKassa does not know %s", ours.public_id, ours.provider_id)
            continue
        except YookassaError as exc:
            log.warning("pending payments not checked now (%s): next round", exc)
            break
        settled += await settle(desk, ours, fetched, "reconciliation")
    return settled


async def run(desk: PaymentDesk, every: timedelta) -> None:
    """Round after round until cancelled; a round's failure waits for the next."""
    while True:
        await asyncio.sleep(every.total_seconds())
        try:
            settled = await reconcile(desk)
        except Exception:  # the next round tries again; nothing is lost meanwhile
            log.exception("pending payments: the round failed")
        else:
            if settled:
                log.info("pending payments: %d settled by asking YooKassa", settled)


def mount_reconciler(app: web.Application, desk: PaymentDesk) -> None:
    """Start the rounds with the app and stop them before its client closes."""

    every = desk.reconcile_every
    if every is not None:
        mount_background(app, RECONCILER, lambda: run(desk, every), "payment-reconciler")
