"""The YooKassa client against the fake: idempotence, the request's fields, errors mapped."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.yookassa import (
    NewPayment,
    NotFound,
    Refused,
    Unavailable,
    Yookassa,
    YookassaConfig,
)
from tests.fakes.yookassa.server import SECRET_KEY, SHOP_ID, FakeYookassa


def client(fake: FakeYookassa, **overrides: object) -> Yookassa:
    fields: dict[str, object] = {
        "shop_id": SHOP_ID,
        "secret_key": SECRET_KEY,
        "api_url": fake.base_url,
        "timeout_seconds": 2.0,
        "return_url": "https://energosbyt.example/paid",
        "methods": ("sbp", "bank_card"),
    }
    fields.update(overrides)
    return Yookassa(YookassaConfig(**fields))  # type: ignore[arg-type]


def new(amount: str = "1572.60", key: str = "key-1") -> NewPayment:
    return NewPayment(
        amount=Decimal(amount),
        description="Энергосбыт: оплата по лицевому счёту •••••••4567 " * 4,
        idempotence_key=key,
        metadata={"account": "5901234567", "payment_id": "abc"},
    )


async def test_same_key_same_payment_other_body_refused(fake_yookassa: FakeYookassa) -> None:
    async with client(fake_yookassa) as yookassa:
        first = await yookassa.create(new())
        again = await yookassa.create(new())
        assert again.id == first.id and len(fake_yookassa.payments) == 1
        assert first.status == "pending" and first.amount == Decimal("1572.60")
        assert first.confirmation_url and first.confirmation_url.endswith(first.id)
        with pytest.raises(Refused) as refused:
            await yookassa.create(new("1572.61"))
        assert refused.value.code == "invalid_request" and refused.value.status == 400
        assert refused.value.parameter == "Idempotence-Key"
        fetched = await yookassa.get(first.id)
        assert fetched.id == first.id and fetched.metadata["account"] == "5901234567"


async def test_the_request_as_yookassa_reads_it(fake_yookassa: FakeYookassa) -> None:
    async with client(fake_yookassa, methods=("sbp",)) as yookassa:
        body = yookassa.payment_body(new())
        assert body["amount"] == {"value": "1572.60", "currency": "RUB"}
        assert body["capture"] is True
        assert body["confirmation"] == {
            "type": "redirect",
            "return_url": "https://energosbyt.example/paid",
        }
        assert len(body["description"]) == 128  # cut to YooKassa's limit
        assert body["payment_method_data"] == {"type": "sbp"}  # the one method configured
        payment = await yookassa.create(new("100"))
        assert payment.method == "sbp"
        stored = fake_yookassa.payments[payment.id]
        assert stored["amount"]["value"] == "100.00"


async def test_errors_are_mapped(fake_yookassa: FakeYookassa) -> None:
    async with client(fake_yookassa, secret_key="wrong") as wrong:
        with pytest.raises(Refused) as refused:
            await wrong.create(new())
        assert refused.value.code == "invalid_credentials" and refused.value.status == 401
    async with client(fake_yookassa) as yookassa:
        with pytest.raises(NotFound):
            await yookassa.get("2d7c1b1e-000f-5000-a000-1b0f0e0e0e0e")
        fake_yookassa.down = True
        with pytest.raises(Unavailable) as down:
            await yookassa.get("2d7c1b1e-000f-5000-a000-1b0f0e0e0e0e")
        assert down.value.code == "internal_server_error"
    async with client(fake_yookassa, api_url="http://127.0.0.1:9/v3") as unreachable:
        with pytest.raises(Unavailable):
            await unreachable.create(new())
