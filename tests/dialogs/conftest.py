"""A customer talking to the real engine over a real database, with a controllable clock."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.accounts import Account, Category
from core.balance import HistoryEntry
from core.calendar import BusinessHours
from core.meters import Meter, Register, Scheme, Zone
from core.tariffs import TariffRow
from dialogs.config import CompanyInfo, DialogConfig
from dialogs.engine import Engine
from dialogs.flows import FLOWS
from dialogs.messages import Inbound, InboundKind, Reply
from dialogs.pipeline import Pipeline
from storage.database import Database

PERM = ZoneInfo("Asia/Yekaterinburg")
D = Decimal


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=PERM).astimezone(UTC)


def make_config(**overrides: Any) -> DialogConfig:
    config = DialogConfig(
        company=CompanyInfo(
            name="Энергосбыт",
            phone="8-800-000-00-00",
            website="https://energosbyt.example",
            payment_url="https://energosbyt.example/pay?account={account}",
            grid_company="Россети Урал — Пермэнерго",
            grid_hotline="8-800-220-0-220",
            grid_website="https://rosseti-ural.ru",
            bank={"recipient": "ПАО Энергосбыт", "inn": "5904000000", "bik": "045773603"},
        ),
        hours=BusinessHours(tz=PERM, holidays=frozenset({date(2026, 12, 31)})),
        # The harness's channel has a messenger's own share-phone button.
        verified_phone_channels=frozenset({"test", "telegram"}),
    )
    return replace(config, **overrides)


def account(number: str, surname: str, **kw: Any) -> Account:
    base = {
        "first_name": "Мария",
        "patronymic": "Ивановна",
        "address": "г. Пермь, ул. Ленина, д. 10, кв. 5",
        "category": Category.URBAN_GAS,
        "phone": None,
        "email": None,
        "large_family": False,
        "balance": D("1250.40"),
        "due_date": date(2026, 12, 15),
    }
    base.update(kw)
    return Account(number=number, surname=surname, **base)  # type: ignore[arg-type]


def meter(number: str, serial: str, scheme: Scheme, values: Sequence[str], **kw: Any) -> Meter:
    names = {Scheme.SINGLE: ["T1"], Scheme.TWO_ZONE: ["T1", "T2"]}.get(scheme, ["T1", "T2", "T3"])
    registers = tuple(
        Register(name, D(v), date(2026, 10, 24), kw.pop(f"avg_{name}", D("150")))
        for name, v in zip(names, values, strict=True)
    )
    base = {"digits": 6, "smart": False, "verification_due": date(2032, 1, 1)}
    base.update(kw)
    return Meter(account=number, serial=serial, scheme=scheme, registers=registers, **base)  # type: ignore[arg-type]


def tariffs() -> list[TariffRow]:
    rows = []
    ranges = [(1, D(0), D(1000)), (2, D(1000), D(6000)), (3, D(6000), None)]
    prices = {
        (Scheme.SINGLE, Zone.ALL): ("6.56", "9.02", "10.32"),
        (Scheme.TWO_ZONE, Zone.DAY): ("7.08", "9.74", "11.15"),
        (Scheme.TWO_ZONE, Zone.NIGHT): ("4.26", "7.22", "8.27"),
        (Scheme.THREE_ZONE, Zone.PEAK): ("8.10", "10.90", "12.40"),
        (Scheme.THREE_ZONE, Zone.SEMIPEAK): ("6.56", "9.02", "10.32"),
        (Scheme.THREE_ZONE, Zone.NIGHT): ("4.26", "7.22", "8.27"),
    }
    for category in Category:
        for (scheme, zone), values in prices.items():
            for (rng, low, high), price in zip(ranges, values, strict=True):
                rows.append(
                    TariffRow(
                        category, scheme, zone, rng, low, high, D(price), date(2026, 1, 1), None
                    )
                )
    return rows


async def seed(database: Database) -> None:
    """Three households: single-rate, two-zone with a second account, a smart meter."""
    async with database.unit_of_work() as store:
        await store.accounts.upsert(
            [
                account("5901234567", "Иванова", phone="+79120000001"),
                account("59012345678", "Ёлкин", first_name="Пётр", phone="+79120000002"),
                account(
                    "5900000003",
                    "Смирнов-Задунайский",
                    address="Пермский край, с. Лобаново, ул. Садовая, д. 3",
                    category=Category.RURAL,
                    phone="+79120000002",
                    balance=D("-300.00"),
                ),
            ]
        )
        await store.meters.upsert(
            [
                meter("5901234567", "A-1", Scheme.SINGLE, ["12345.6"]),
                meter("59012345678", "B-2", Scheme.TWO_ZONE, ["23000", "8000"], avg_T1=D(120)),
                meter("5900000003", "C-3", Scheme.SINGLE, ["999950"], smart=True),
            ]
        )
        await store.history.upsert(
            [
                HistoryEntry("5901234567", f"2026-{m:02d}", D(200), D("1312.00"), D("1312.00"))
                for m in range(5, 11)
            ]
        )
        await store.tariffs.upsert(tariffs())
        await store.commit()


@dataclass
class Customer:
    """One person in one channel, writing to the bot."""

    pipeline: Pipeline
    user_id: str = "1001"
    channel: str = "test"
    last: list[Reply] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=itertools.count)

    async def _event(self, kind: InboundKind, **kw: Any) -> list[Reply]:
        inbound = Inbound(
            channel=self.channel,
            user_id=self.user_id,
            event_id=f"{self.user_id}-{next(self._ids)}",
            kind=kind,
            time=self.pipeline.clock(),
            **kw,
        )
        handled = await self.pipeline.handle(inbound)
        self.last = list(handled.replies)
        return self.last

    async def send(self, text: str) -> list[Reply]:
        return await self._event(InboundKind.TEXT, text=text)

    async def start(self, payload: str = "") -> list[Reply]:
        return await self._event(InboundKind.START, text="/start", payload=payload)

    async def press(self, label: str) -> list[Reply]:
        """Press the button whose label contains `label` in the last replies."""
        for reply in reversed(self.last):
            for button in reply.buttons:
                if label.casefold() in button.label.casefold():
                    return await self._event(InboundKind.BUTTON, payload=button.payload)
        raise AssertionError(f"no button {label!r} in {self.labels()}")

    async def share_phone(self, phone: str, own: bool = True) -> list[Reply]:
        return await self._event(InboundKind.CONTACT, phone=phone, own_contact=own)

    def text(self) -> str:
        """All replies of the last turn; the no-break spaces of «1 572,60» read as spaces."""
        return "\n".join(reply.text for reply in self.last).replace("\xa0", " ")

    def labels(self) -> list[str]:
        return [button.label for reply in self.last for button in reply.buttons]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(local(2026, 11, 20, 10, 0))  # a Friday, within business hours


@pytest.fixture
def config() -> DialogConfig:
    return make_config()


@pytest.fixture
async def pipeline(database: Database, clock: Clock, config: DialogConfig) -> Pipeline:
    await seed(database)
    return Pipeline(database.unit_of_work, Engine(FLOWS), config, clock=clock)


@pytest.fixture
def customer(pipeline: Pipeline) -> Customer:
    return Customer(pipeline)


async def linked(customer: Customer, number: str = "5901234567", surname: str = "Иванова") -> None:
    """Consent and link, by the shortest typed path."""
    await customer.start()
    await customer.send(number)
    if "соглас" in customer.text().casefold():
        await customer.send("да")
    await customer.send(surname)
    assert "привязан" in customer.text().casefold(), customer.text()
