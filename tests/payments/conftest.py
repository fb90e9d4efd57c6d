"""A customer of the real engine and database, the real payment routes on a test server, and a
fake YooKassa behind them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.payments import PaymentRules, Provider
from dialogs.config import DialogConfig
from dialogs.engine import Engine
from dialogs.flows import FLOWS
from dialogs.pipeline import Pipeline
from energobot.pay import PaymentDesk, mount_payments
from payments.yookassa import Yookassa, YookassaConfig
from storage.database import Database
from tests.dialogs.conftest import Clock, Customer, local, make_config, seed
from tests.fakes.yookassa.fixtures import fake_yookassa
from tests.fakes.yookassa.server import SECRET_KEY, SHOP_ID, FakeYookassa

__all__ = ["fake_yookassa"]

LINK_KEY = b"k" * 32
PUBLIC_URL = "https://bot.energosbyt.example"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/pay/([A-Za-z0-9_.\-]+)")


def rules(**overrides: object) -> PaymentRules:
    base = PaymentRules(
        provider=Provider.YOOKASSA,
        min_amount=Decimal("1.00"),
        max_amount=Decimal("150000.00"),
        billing_days=3,
        link_lifetime=timedelta(hours=24),
        public_url=PUBLIC_URL,
        link_key=LINK_KEY,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Clock:
    return Clock(local(2026, 11, 20, 10, 0))  # a Friday, within business hours


@pytest.fixture
def config() -> DialogConfig:
    return make_config(payments=rules())


@pytest.fixture
async def pipeline(database: Database, clock: Clock, config: DialogConfig) -> Pipeline:
    await seed(database)
    return Pipeline(database.unit_of_work, Engine(FLOWS), config, clock=clock)


@pytest.fixture
def customer(pipeline: Pipeline) -> Customer:
    return Customer(pipeline)


@dataclass
class Site:
    """The payment routes as a browser and YooKassa reach them."""

    client: TestClient[web.Request, web.Application]
    desk: PaymentDesk
    woken: list[int]

    def path(self, text: str) -> str:
        """The /pay/... path of the link in a reply."""
        found = LINK.search(text)
        assert found, text
        return f"/pay/{found.group(1)}"

    @property
    def webhook(self) -> str:
        return str(self.client.make_url("/webhooks/yookassa"))


@pytest.fixture
async def site(
    database: Database, pipeline: Pipeline, clock: Clock, fake_yookassa: FakeYookassa
) -> AsyncIterator[Site]:
    acquirer = Yookassa(
        YookassaConfig(
            shop_id=SHOP_ID,
            secret_key=SECRET_KEY,
            api_url=fake_yookassa.base_url,
            timeout_seconds=5,
            return_url="https://energosbyt.example/paid",
            methods=("sbp", "bank_card"),
        )
    )
    woken: list[int] = []
    desk = PaymentDesk(
        unit_of_work=database.unit_of_work,
        client=acquirer,
        rules=pipeline.config.payments,
        company="Энергосбыт",
        clock=clock,
        wake_sender=lambda: woken.append(1),
    )
    app = web.Application()
    mount_payments(app, desk)
    async with TestClient(TestServer(app)) as client:
        yield Site(client, desk, woken)
