"""GET /pay/<token>: a payment link opened. The token names the payment a turn wrote; the
acquirer's payment is created here with that row's idempotence key (the link opened twice is the
same payment) and the browser is sent to its page. Expired, forged or settled links, and an
acquirer out of reach, get a small page in the customer's language; nothing is lost."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web

from core.masking import mask_account
from core.payments import OnlinePayment, PaymentRules, PaymentStatus, link_payment_id
from core.ports import Store
from dialogs.i18n import Translator, translator
from payments.yookassa import NewPayment, Refused, Yookassa, YookassaError

log = logging.getLogger(__name__)

UnitOfWork = Callable[[], AbstractAsyncContextManager[Store]]


@dataclass
class PaymentDesk:
    """What the payment routes share: the store, the acquirer, the rules."""

    unit_of_work: UnitOfWork
    client: Yookassa
    rules: PaymentRules
    company: str
    default_language: str = "ru"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    wake_sender: Callable[[], None] = field(default=lambda: None)
    # Where notifications may come from; empty: anywhere (each is fetched back anyway).
    trusted_networks: tuple[str, ...] = ()
    client_address: Callable[[web.Request], str] = field(default=lambda r: r.remote or "")


DESK = web.AppKey("payment_desk", PaymentDesk)


async def open_link(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    public_id = link_payment_id(desk.rules.link_key, request.match_info["token"])
    if public_id is None:
        return page(translator(desk.default_language), "unknown", 404)
    async with desk.unit_of_work() as store:
        payment = await store.online_payments.get(public_id)
        language = desk.default_language
        if payment is not None and payment.customer_id is not None:
            customer = await store.customers.get(payment.customer_id)
            language = customer.language if customer is not None else language
    t = translator(language)
    if payment is None:
        return page(t, "unknown", 404)
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.IN_BILLING):
        return page(t, "paid", 410, amount=t.money(payment.amount))
    if payment.status is PaymentStatus.CANCELED:
        return page(t, "expired", 410)
    if payment.status is PaymentStatus.PENDING and payment.confirmation_url:
        raise web.HTTPFound(payment.confirmation_url)  # opened again: the same payment
    if desk.clock() >= payment.expires_at:
        return page(t, "expired", 410)
    return await _start(desk, t, payment)


async def _start(desk: PaymentDesk, t: Translator, payment: OnlinePayment) -> web.StreamResponse:
    """Create the acquirer's payment (or get the one this key already made) and go to it."""
    new = NewPayment(
        amount=payment.amount,
        currency=payment.currency,
        idempotence_key=payment.idempotence_key,
        description=t(
            "pay.description", company=desk.company, account=mask_account(payment.account)
        ),
        metadata={"account": payment.account, "payment_id": payment.public_id},
    )
    try:
        created = await desk.client.create(new)
    except Refused as exc:
        log.error("payment %s: YooKassa refused to create it: %s", payment.public_id, exc)
        return page(t, "unavailable", 503)
    except YookassaError as exc:
        log.warning("payment %s: YooKassa unavailable: %s", payment.public_id, exc)
        return page(t, "unavailable", 503)
    if created.status == "canceled" or not created.confirmation_url:
        log.warning(
            "payment %s: YooKassa's payment %s is %s, no page to pay at",
            payment.public_id,
            created.id,
            created.status,
        )
        return page(t, "expired" if created.status == "canceled" else "unavailable", 503)
    async with desk.unit_of_work() as store:
        kept = await store.online_payments.started(
            payment.public_id, created.id, created.confirmation_url
        )
        await store.commit()
    if not kept:  # the same idempotence key cannot make two payments; say so if it did
        log.error(
            "payment %s: another acquirer id is stored than %s", payment.public_id, created.id
        )
    raise web.HTTPFound(created.confirmation_url)


PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.5}}h1{{font-size:1.4rem}}</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>
"""


def page(t: Translator, kind: str, status: int, **params: str) -> web.Response:
    """A small polite page: what happened and what to do (ask the bot for a new link)."""
    body = PAGE.format(
        lang=t.language,
        title=html.escape(t(f"pay.{kind}_title")),
        text=html.escape(t(f"pay.{kind}_text", **params)),
    )
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if status == 503:
        headers["Retry-After"] = "60"
    return web.Response(
        text=body, status=status, content_type="text/html", charset="utf-8", headers=headers
    )


def mount_payments(app: web.Application, desk: PaymentDesk) -> None:
    from energobot.pay_notifications import receive

    app[DESK] = desk
    app.router.add_get("/pay/{token}", open_link)
    app.router.add_post("/webhooks/yookassa", receive)

    async def close(app: web.Application) -> None:
        await desk.client.close()

    app.on_cleanup.append(close)
