"""YooKassa's API v3, the part we use: create a payment with a redirect, fetch one back.

Basic auth (shop id : secret key); every POST carries an Idempotence-Key, so a repeated request
(a link opened twice, a retry after a timeout) gets the same payment, never a second one.
Errors are YooKassa's JSON `{"type": "error", "code", "description", "parameter"}`."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

DESCRIPTION_CHARS = 128  # YooKassa refuses a longer description
METADATA_KEYS = 16
METADATA_KEY_CHARS = 32
METADATA_VALUE_CHARS = 512
IDEMPOTENCE_KEY_CHARS = 64


@dataclass(frozen=True, slots=True)
class YookassaConfig:
    shop_id: str
    secret_key: str = field(repr=False)
    api_url: str = "https://api.yookassa.ru/v3"
    timeout_seconds: float = 10.0
    return_url: str = ""
    methods: tuple[str, ...] = ("sbp", "bank_card")
    # The shop fiscalises through YooKassa (54-ФЗ): each payment carries a receipt with this
    # VAT code (1: no VAT ... 12, YooKassa's table). None: the supplier fiscalises elsewhere.
    receipt_vat_code: int | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """A 54-ФЗ receipt's customer and its one item: the whole payment for one service."""

    item: str  # «Электроэнергия»
    email: str | None = None
    phone: str | None = None  # +7XXXXXXXXXX; YooKassa takes the digits


@dataclass(frozen=True, slots=True)
class NewPayment:
    amount: Decimal
    description: str
    idempotence_key: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    currency: str = "RUB"
    receipt: Receipt | None = None  # sent when the config has receipt_vat_code


@dataclass(frozen=True, slots=True)
class Payment:
    """What we read of YooKassa's payment object."""

    id: str
    status: str  # pending | waiting_for_capture | succeeded | canceled
    amount: Decimal
    currency: str
    paid: bool
    metadata: Mapping[str, str]
    confirmation_url: str | None = None
    method: str | None = None  # payment_method.type: sbp, bank_card...
    created_at: datetime | None = None
    captured_at: datetime | None = None
    cancel_reason: str | None = None  # cancellation_details.reason
    test: bool = False


class YookassaError(Exception):
    """A call that did not give a payment; `code` is YooKassa's where it said one."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str = "",
        description: str = "",
        parameter: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.description = description
        self.parameter = parameter


class Unavailable(YookassaError):
    """Not reached, too slow, overloaded (429) or failing (5xx): try again later, with the same
    idempotence key."""


class Refused(YookassaError):
    """YooKassa refused the request as it is (400, 401, 403): retrying will not help."""


class NotFound(Refused):
    """No such payment in this shop (404)."""


class BadAnswer(YookassaError):
    """A 2xx answer that is not a payment object we can read."""


class Yookassa:
    """The client; one per process (it holds a connection pool). Use as an async context or
    call `close()`."""

    def __init__(
        self, config: YookassaConfig, session: aiohttp.ClientSession | None = None
    ) -> None:
        self.config = config
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> Yookassa:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds)
            )
        return self._session

    def payment_body(self, new: NewPayment) -> dict[str, Any]:
        """The POST /payments body: captured at once, the customer redirected to pay."""
        body: dict[str, Any] = {
            "amount": {
                "value": str(new.amount.quantize(Decimal("0.01"))),
                "currency": new.currency,
            },
            "capture": True,
            "confirmation": {"type": "redirect", "return_url": self.config.return_url},
            "description": new.description[:DESCRIPTION_CHARS],
            "metadata": _metadata(new.metadata),
        }
        if self.config.receipt_vat_code is not None and new.receipt is not None:
            body["receipt"] = self._receipt(new, body["amount"])
        if len(self.config.methods) == 1:
            # One method offered: straight to it, not YooKassa's choice of methods.
            body["payment_method_data"] = {"type": self.config.methods[0]}
        return body

    def _receipt(self, new: NewPayment, amount: dict[str, str]) -> dict[str, Any]:
        receipt = new.receipt
        assert receipt is not None
        customer = (
            {"email": receipt.email}
            if receipt.email
            else {"phone": receipt.phone.lstrip("+")}
            if receipt.phone
            else {}
        )
        item = {
            "description": receipt.item[:DESCRIPTION_CHARS],
            "quantity": "1.00",
            "amount": amount,
            "vat_code": self.config.receipt_vat_code,
            "payment_subject": "service",
            "payment_mode": "full_payment",
        }
        return {"customer": customer, "items": [item]}

    async def create(self, new: NewPayment) -> Payment:
        if not 0 < len(new.idempotence_key) <= IDEMPOTENCE_KEY_CHARS:
            raise ValueError("an idempotence key is 1 to 64 characters")
        answer = await self._call(
            "POST",
            "/payments",
            json=self.payment_body(new),
            headers={"Idempotence-Key": new.idempotence_key},
        )
        return parse_payment(answer)

    async def get(self, payment_id: str) -> Payment:
        if not payment_id or "/" in payment_id or len(payment_id) > 64:
            raise NotFound(f"not a payment id: {payment_id!r}", status=404, code="not_found")
        return parse_payment(await self._call("GET", f"/payments/{payment_id}"))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        url = self.config.api_url.rstrip("/") + path
        client = self._client()
        sent = {
            **(headers or {}),
            # Basic auth: the shop's id and its secret key.
            "Authorization": aiohttp.encode_basic_auth(self.config.shop_id, self.config.secret_key),
        }
        try:
            async with client.request(
                method,
                url,
                json=json,
                headers=sent,
                timeout=aiohttp.ClientTimeout(total=self.config.timeout_seconds),
            ) as response:
                status = response.status
                text = await response.text()
        except TimeoutError as exc:
            raise Unavailable(f"YooKassa: {method} {path}: no answer in time") from exc
        except aiohttp.ClientError as exc:
            raise Unavailable(f"YooKassa: {method} {path}: {exc}") from exc
        body = _json(text)
        if 200 <= status < 300:
            if body is None:
                raise BadAnswer(f"YooKassa: {method} {path}: {status} without JSON", status=status)
            return body
        raise _error(method, path, status, body)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _error(method: str, path: str, status: int, body: Any) -> YookassaError:
    fields = body if isinstance(body, dict) else {}
    code = str(fields.get("code") or "")
    description = str(fields.get("description") or "")
    parameter = str(fields.get("parameter") or "")
    said = f"{code}: {description}" if code else f"HTTP {status}"
    if parameter:
        said += f" (parameter {parameter})"
    message = f"YooKassa: {method} {path}: {status} {said}"
    kind: type[YookassaError]
    if status == 404:
        kind = NotFound
    elif status == 429 or status >= 500:
        kind = Unavailable
    else:
        kind = Refused
    return kind(message, status=status, code=code, description=description, parameter=parameter)


def _metadata(given: Mapping[str, str]) -> dict[str, str]:
    items = list(given.items())
    if len(items) > METADATA_KEYS:
        raise ValueError(f"at most {METADATA_KEYS} metadata keys")
    for key, value in items:
        if len(key) > METADATA_KEY_CHARS or len(value) > METADATA_VALUE_CHARS:
            raise ValueError(f"metadata {key!r} is too long for YooKassa")
    return dict(items)


def parse_payment(body: Any) -> Payment:
    """YooKassa's payment object; BadAnswer if it is not one."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise BadAnswer("YooKassa: the answer is not a payment object")
    amount = body.get("amount")
    try:
        value = Decimal(str(amount["value"]))  # type: ignore[index]
        currency = str(amount["currency"])  # type: ignore[index]
    except (KeyError, TypeError, InvalidOperation) as exc:
        raise BadAnswer(f"YooKassa: payment {body['id']} has no readable amount") from exc
    confirmation = body.get("confirmation")
    method = body.get("payment_method")
    cancellation = body.get("cancellation_details")
    metadata = body.get("metadata")
    return Payment(
        id=body["id"],
        status=str(body.get("status", "")),
        amount=value,
        currency=currency,
        paid=bool(body.get("paid", False)),
        metadata=(
            {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}
        ),
        confirmation_url=(
            str(confirmation["confirmation_url"])
            if isinstance(confirmation, dict) and confirmation.get("confirmation_url")
            else None
        ),
        method=str(method["type"]) if isinstance(method, dict) and method.get("type") else None,
        created_at=_time(body.get("created_at")),
        captured_at=_time(body.get("captured_at")),
        cancel_reason=(str(cancellation.get("reason")) if isinstance(cancellation, dict) else None),
        test=bool(body.get("test", False)),
    )


def _time(value: Any) -> datetime | None:
    """ISO 8601 with Z, as YooKassa writes it: 2018-07-18T10:51:18.139Z."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
