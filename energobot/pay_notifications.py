"""POST /webhooks/yookassa: YooKassa's notifications. None is believed as it comes: the
payment is fetched back from the API by its id, and only a payment we stored, succeeded there,
of the same amount, currency and account counts. A notification that does not hold is logged
and answered 200 (YooKassa retries anything else for a day); one we could not check — the API
out of reach — is answered 503, so that YooKassa brings it again."""

from __future__ import annotations

import logging
from datetime import datetime
from ipaddress import ip_network

from aiohttp import web

from core.addresses import parse_address
from core.masking import mask_account
from core.payments import OnlinePayment
from core.ports import Store
from dialogs.i18n import Translator
from energobot.pay import DESK, PaymentDesk
from outbox.produce import notify
from payments.notifications import NotANotification, parse_notification
from payments.yookassa import NotFound, Payment, YookassaError

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a notification is a payment object: a few KiB
# Canceled because the customer never paid at the page: nothing to tell them.
QUIET_CANCELS = frozenset({"expired_on_confirmation"})


async def receive(request: web.Request) -> web.Response:
    desk = request.app[DESK]
    if desk.trusted_networks and not _from_trusted(desk, request):
        return web.Response(status=403, text="notifications come from YooKassa's networks only")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return web.Response(status=413, text=f"a notification is at most {MAX_BODY} bytes")
    body = await _body(request)
    if len(body) > MAX_BODY:
        return web.Response(status=413, text=f"a notification is at most {MAX_BODY} bytes")
    try:
        notification = parse_notification(body)
    except NotANotification as exc:
        return web.Response(status=400, text=str(exc))
    async with desk.unit_of_work() as store:
        ours = await store.online_payments.by_provider_id(notification.payment_id)
    if ours is None:
        log.warning("yookassa %s: no payment of ours has this id: ignored", notification.event)
        return web.Response(text="ok")
    try:
        fetched = await desk.client.get(notification.payment_id)
    except NotFound:
        log.warning(
            "yookassa %s %s: YooKassa does not know it: ignored", notification.event, ours.public_id
        )
        return web.Response(text="ok")
    except YookassaError as exc:
        log.warning(
            "yookassa %s %s: not checked (%s): asked again later",
            notification.event,
            ours.public_id,
            exc,
        )
        return web.Response(status=503, text="the payment could not be checked now")
    await settle(desk, ours, fetched, notification.event)
    return web.Response(text="ok")


async def settle(desk: PaymentDesk, ours: OnlinePayment, fetched: Payment, why: str) -> bool:
    """YooKassa's payment, fetched back, settles ours (a notification's, or reconciliation's,
    `why`): whether ours changed. The change is conditional on the status, so whoever settles
    it first tells the customer, once."""
    problem = _mismatch(ours, fetched)
    if problem:
        log.warning("yookassa %s %s: %s: ignored", why, ours.public_id, problem)
        return False
    if fetched.status == "succeeded":
        return await _succeeded(desk, ours, fetched)
    if fetched.status == "canceled":
        return await _canceled(desk, ours, fetched)
    if why in ("payment.succeeded", "payment.canceled"):
        log.warning(
            "yookassa %s %s: YooKassa says it is %s: ignored", why, ours.public_id, fetched.status
        )
    return False


async def _body(request: web.Request) -> bytes:
    """The whole body, or the first MAX_BODY + 1 bytes of a longer one: a read returns what
    has arrived so far, and a body often comes in several TCP segments."""
    body = bytearray()
    while len(body) <= MAX_BODY:
        chunk = await request.content.read(MAX_BODY + 1 - len(body))
        if not chunk:
            break
        body += chunk
    return bytes(body)


def _mismatch(ours: OnlinePayment, fetched: Payment) -> str:
    """Why YooKassa's payment is not the one we stored, or ''."""
    if fetched.id != ours.provider_id:
        return "another payment"
    if fetched.amount != ours.amount or fetched.currency != ours.currency:
        return f"YooKassa's amount {fetched.amount} {fetched.currency} is not ours"
    if fetched.metadata.get("account") != ours.account:
        return "YooKassa's payment names another account"
    if fetched.metadata.get("payment_id") != ours.public_id:
        return "YooKassa's payment names another payment of ours"
    return ""


async def _succeeded(desk: PaymentDesk, ours: OnlinePayment, fetched: Payment) -> bool:
    if not fetched.paid:
        log.warning("yookassa %s: succeeded but not paid: ignored", ours.public_id)
        return False
    now = desk.clock()
    paid_at = fetched.captured_at or now
    changed = told = False
    async with desk.unit_of_work() as store:
        # The move to succeeded happens once: the message is written in the same transaction,
        # so a repeated notification (or two at once) tells the customer nothing again.
        if await store.online_payments.succeeded(ours.public_id, paid_at, fetched.method, now):
            told = await _tell(store, desk, ours, "payment.received", now)
            await store.commit()
            changed = True
            log.info("payment %s succeeded (%s)", ours.public_id, mask_account(ours.account))
    if told:
        desk.wake_sender()
    return changed


async def _canceled(desk: PaymentDesk, ours: OnlinePayment, fetched: Payment) -> bool:
    now = desk.clock()
    changed = told = False
    async with desk.unit_of_work() as store:
        if await store.online_payments.canceled(ours.public_id, now, fetched.cancel_reason):
            # A page left unpaid is no news; a refusal (card declined, ...) is.
            if fetched.cancel_reason not in QUIET_CANCELS:
                told = await _tell(store, desk, ours, "payment.canceled", now)
            await store.commit()
            changed = True
            log.info("payment %s canceled: %s", ours.public_id, fetched.cancel_reason)
    if told:
        desk.wake_sender()
    return changed


async def _tell(
    store: Store, desk: PaymentDesk, ours: OnlinePayment, key: str, now: datetime
) -> bool:
    def compose(t: Translator) -> str:
        params = {"amount": t.money(ours.amount), "account": mask_account(ours.account)}
        if key == "payment.received":
            return t(key, count=desk.rules.billing_days, **params)
        return t(key, **params)

    return await notify(store, ours.customer_id, compose, now, menu_button=True)


def _from_trusted(desk: PaymentDesk, request: web.Request) -> bool:
    address = parse_address(desk.client_address(request))
    if address is None:
        return False
    return any(
        address.version == net.version and address in net
        for net in (ip_network(n, strict=False) for n in desk.trusted_networks)
    )
