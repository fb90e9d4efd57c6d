"""Payments wired from settings: the dialogs' rules, the acquirer's client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from aiohttp import web

from core.addresses import client_address, networks
from core.payments import PaymentRules, Provider
from energobot.channels import derived_key
from energobot.pay import PaymentDesk
from energobot.settings import Settings
from payments.yookassa import Yookassa, YookassaConfig
from storage.database import Database

LINK_KEY_PURPOSE = "payment-links"


def payment_link_key(settings: Settings) -> bytes:
    """The links' signing key, derived from the service's secret (as the web chat's are):
    knowing it tells nothing of the others. Empty without the secret (provider link only:
    the settings refuse yookassa without it)."""
    root = settings.console.session_key.get_secret_value().encode()
    if not root:
        return b""
    return derived_key(root, LINK_KEY_PURPOSE)


def payment_rules(settings: Settings) -> PaymentRules:
    payments = settings.payments
    return PaymentRules(
        provider=Provider(payments.provider),
        min_amount=Decimal(payments.min_amount).quantize(Decimal("0.01")),
        max_amount=Decimal(payments.max_amount).quantize(Decimal("0.01")),
        billing_days=payments.billing_days,
        link_lifetime=timedelta(hours=payments.link_hours),
        public_url=public_url(settings),
        link_key=payment_link_key(settings),
    )


def public_url(settings: Settings) -> str:
    server = settings.server
    return (server.public_url or f"http://{server.host}:{server.port}").rstrip("/")


def yookassa_client(settings: Settings) -> Yookassa | None:
    """The acquirer's client when payments go through YooKassa."""
    payments = settings.payments
    if payments.provider != Provider.YOOKASSA.value:
        return None
    section = payments.yookassa
    return Yookassa(
        YookassaConfig(
            shop_id=section.shop_id,
            secret_key=section.secret_key.get_secret_value(),
            api_url=section.api_url,
            timeout_seconds=section.timeout_seconds,
            return_url=payments.return_url or settings.company.website,
            methods=tuple(payments.methods),
            receipt_vat_code=section.receipt_vat_code,
        )
    )


def payment_desk(
    settings: Settings, database: Database, client: Yookassa, wake_sender: Callable[[], None]
) -> PaymentDesk:
    proxies = networks(settings.server.trusted_proxies)

    def address(request: web.Request) -> str:
        # X-Forwarded-For believed only from server.trusted_proxies, as everywhere.
        forwarded = request.headers.getall("X-Forwarded-For", [])
        return client_address(request.remote or "", forwarded, proxies)

    return PaymentDesk(
        unit_of_work=database.unit_of_work,
        client=client,
        rules=payment_rules(settings),
        company=settings.company.name,
        default_language=settings.dialogs.default_language,
        wake_sender=wake_sender,
        trusted_networks=tuple(settings.payments.yookassa.trusted_networks),
        client_address=address,
    )
