"""/pay/<token>: a payment link. The token names the payment a turn wrote.

GET (and HEAD) only show what it pays — messengers fetch a message's links for previews, and a
fetch must not start the payment. The page's button POSTs to the same address: the acquirer's
payment is created then with that row's idempotence key (pressed twice it is the same payment)
and the browser is sent on to its page. Expired, forged or settled links, and an acquirer out of
reach, get a small page in the customer's language; nothing is lost."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web

from core.masking import mask_account
from core.payments import OnlinePayment, PaymentRules, PaymentStatus, link_payment_id
from core.ports import Store
from dialogs.i18n import Translator, translator
from payments.yookassa import NewPayment, Receipt, Refused, Yookassa, YookassaError

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
    # How often `serve` asks YooKassa about payments left pending (energobot.pay_reconcile).
    reconcile_every: timedelta | None = timedelta(minutes=5)


DESK = web.AppKey("payment_desk", PaymentDesk)


async def show_link(request: web.Request) -> web.StreamResponse:
    """What the link pays, and a button to pay it: no side effect."""
    desk = request.app[DESK]
    found = await _find(desk, request.match_info["token"])
    if isinstance(found, web.Response):
        return found
    t, payment = found
    return page(
        t,
        "ready",
        200,
        button=True,
        amount=t.money(payment.amount),
        account=mask_account(payment.account),
        company=desk.company,
    )


async def pay_link(request: web.Request) -> web.StreamResponse:
    """The button pressed: the acquirer's payment, made once, and on to its page."""
    desk = request.app[DESK]
    found = await _find(desk, request.match_info["token"])
    if isinstance(found, web.Response):
        return found
    t, payment = found
    if payment.status is PaymentStatus.PENDING and payment.confirmation_url:
        raise web.HTTPSeeOther(payment.confirmation_url)  # pressed again: the same payment
    return await _start(desk, t, payment)


async def _find(desk: PaymentDesk, token: str) -> tuple[Translator, OnlinePayment] | web.Response:
    """The link's payment while it may be paid, or the page saying why it may not."""
    public_id = link_payment_id(desk.rules.link_key, token)
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
        return t, payment  # started: its page goes on to the same payment
    if desk.clock() >= payment.expires_at:
        return page(t, "expired", 410)
    return t, payment


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
        receipt=await _receipt(desk, payment),
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
    raise web.HTTPSeeOther(created.confirmation_url)


async def _receipt(desk: PaymentDesk, payment: OnlinePayment) -> Receipt | None:
    """The 54-ФЗ receipt's contact (billing's e-mail, else phone of the account) when the shop
    fiscalises through YooKassa."""
    if desk.client.config.receipt_vat_code is None:
        return None
    async with desk.unit_of_work() as store:
        account = await store.accounts.get(payment.account)
    email = account.email if account is not None else None
    phone = account.phone if account is not None else None
    if not email and not phone:  # YooKassa refuses it: the customer gets «try later»
        log.error(
            "payment %s: the account has no e-mail or phone for the receipt", payment.public_id
        )
    # A fiscal receipt is in the company's language, whatever the customer's.
    item = translator(desk.default_language)("pay.receipt_item")
    return Receipt(item=item, email=email, phone=phone)


PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.5}}h1{{font-size:1.4rem}}button{{font:inherit;font-size:1.1rem;
padding:.7rem 1.4rem;border:0;border-radius:.5rem;background:#1a5fb4;color:#fff;cursor:pointer}}
</style></head>
<body><h1>{title}</h1><p>{text}</p>{form}</body></html>
"""
# No action: the form posts to the link's own address.
FORM = '<form method="post"><button type="submit">{label}</button></form>'


def page(
    t: Translator, kind: str, status: int, button: bool = False, **params: str
) -> web.Response:
    """A small polite page: what happened and what to do (ask the bot for a new link), or what
    the link pays with the button that pays it."""
    body = PAGE.format(
        lang=t.language,
        title=html.escape(t(f"pay.{kind}_title")),
        text=html.escape(t(f"pay.{kind}_text", **params)),
        form=FORM.format(label=html.escape(t("pay.button"))) if button else "",
    )
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if status == 503:
        headers["Retry-After"] = "60"
    return web.Response(
        text=body, status=status, content_type="text/html", charset="utf-8", headers=headers
    )


def mount_payments(app: web.Application, desk: PaymentDesk) -> None:
    from energobot.pay_notifications import receive
    from energobot.pay_reconcile import mount_reconciler

    app[DESK] = desk
    app.router.add_get("/pay/{token}", show_link)  # HEAD too: both only show
    app.router.add_post("/pay/{token}", pay_link)
    app.router.add_post("/webhooks/yookassa", receive)

    async def close(app: web.Application) -> None:
        await desk.client.close()

    app.on_cleanup.append(close)
    mount_reconciler(app, desk)  # its rounds stop before the client closes
