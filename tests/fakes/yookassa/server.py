"""FakeYookassa: POST /v3/payments, GET /v3/payments/{id}, a confirmation page, and test hooks
that make a payment succeed or cancel and deliver the notification to a webhook.

What it enforces as the real API does: Basic auth with the shop's id and secret key; an
Idempotence-Key on every POST (at most 64 characters) — the same key with the same body gives
the same payment, with another body a 400; the amount a string of rubles with at most two
decimals, above zero, in RUB; a redirect confirmation with a return_url; a description of at
most 128 characters; metadata of at most 16 keys (32/512 characters); a 54-ФЗ receipt (a customer
e-mail or phone, items adding up to the amount) when the shop needs one. Errors are YooKassa's
JSON: {"type": "error", "id", "code", "description", "parameter"}."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.serving import Served

SHOP_ID = "506751"
SECRET_KEY = "test_secret_key_fake"
_VALUE = re.compile(r"^\d+(?:\.\d{1,2})?$")
METHODS = ("bank_card", "sbp", "yoo_money")


def _error(status: int, code: str, description: str, parameter: str = "") -> web.Response:
    body: dict[str, Any] = {
        "type": "error",
        "id": str(uuid.uuid4()),
        "code": code,
        "description": description,
    }
    if parameter:
        body["parameter"] = parameter
    return web.json_response(body, status=status)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeYookassa(Served):
    base_path = "/v3"

    def __init__(self) -> None:
        self.payments: dict[str, dict[str, Any]] = {}
        # Idempotence key → (the request body, the answer given).
        self.keys: dict[str, tuple[Any, dict[str, Any]]] = {}
        self.creates = 0  # POST /payments that reached the fake (repeats included)
        self.gets = 0
        self.down = False  # answer 500 internal_server_error to every API call
        # The shop fiscalises through YooKassa (54-ФЗ): a payment without a receipt is refused.
        self.needs_receipt = False
        self.internal_errors: list[str] = []

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        app.router.add_post("/v3/payments", self._create)
        app.router.add_get("/v3/payments/{id}", self._get)
        app.router.add_get("/checkout/{id}", self._checkout)
        return app

    @property
    def root(self) -> str:
        return self.base_url.removesuffix(self.base_path)

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            if request.path.startswith("/v3/"):
                if self.down:
                    return _error(500, "internal_server_error", "Internal server error")
                if not self._authorized(request):
                    return _error(
                        401,
                        "invalid_credentials",
                        "Login and password in the Authorization header are required",
                    )
            result: web.StreamResponse = await handler(request)
            return result
        except web.HTTPException:
            raise
        except Exception as exc:  # a bug of the fake: fail the test that met it
            self.internal_errors.append(f"{request.method} {request.path}: {exc!r}")
            raise

    @staticmethod
    def _authorized(request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            login, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return login == SHOP_ID and password == SECRET_KEY

    async def _create(self, request: web.Request) -> web.Response:
        self.creates += 1
        key = request.headers.get("Idempotence-Key", "")
        if not key:
            return _error(400, "invalid_request", "Idempotence key is missing", "Idempotence-Key")
        if len(key) > 64:
            return _error(400, "invalid_request", "Idempotence key is too long", "Idempotence-Key")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return _error(400, "invalid_request", "Request body is not a valid JSON")
        if key in self.keys:
            earlier, answer = self.keys[key]
            if earlier != body:
                return _error(
                    400,
                    "invalid_request",
                    "Idempotence key duplicated with another request body",
                    "Idempotence-Key",
                )
            return web.json_response(answer)
        problem = _invalid(body) or _invalid_receipt(body, self.needs_receipt)
        if problem is not None:
            return _error(400, "invalid_request", *problem)
        payment_id = f"{uuid.uuid4().hex[:8]}-000f-5000-a000-{uuid.uuid4().hex[:12]}"
        payment: dict[str, Any] = {
            "id": payment_id,
            "status": "pending",
            "paid": False,
            "amount": body["amount"],
            "confirmation": {
                "type": "redirect",
                "return_url": body["confirmation"]["return_url"],
                "confirmation_url": f"{self.root}/checkout/{payment_id}",
            },
            "created_at": _now(),
            "description": body.get("description", ""),
            "metadata": body.get("metadata", {}),
            "recipient": {"account_id": SHOP_ID, "gateway_id": "2000001"},
            "refundable": False,
            "test": True,
        }
        if "payment_method_data" in body:
            payment["payment_method"] = {
                "type": body["payment_method_data"]["type"],
                "id": payment_id,
                "saved": False,
            }
        self.payments[payment_id] = payment
        self.keys[key] = (body, payment)
        return web.json_response(payment)

    async def _get(self, request: web.Request) -> web.Response:
        self.gets += 1
        payment = self.payments.get(request.match_info["id"])
        if payment is None:
            return _error(404, "not_found", "Payment doesn't exist or access denied", "payment_id")
        return web.json_response(payment)

    async def _checkout(self, request: web.Request) -> web.Response:
        payment = self.payments.get(request.match_info["id"])
        if payment is None:
            return web.Response(status=404, text="no such payment")
        value = payment["amount"]["value"]
        return web.Response(
            text=f"<html><body><h1>ЮKassa</h1><p>К оплате {value} ₽</p></body></html>",
            content_type="text/html",
        )

    # -- test hooks ------------------------------------------------------------------------

    def succeed(self, payment_id: str, method: str = "sbp") -> dict[str, Any]:
        """The customer paid: captured at once (capture: true)."""
        payment = self.payments[payment_id]
        payment.update(
            status="succeeded",
            paid=True,
            captured_at=_now(),
            income_amount=payment["amount"],
            payment_method={"type": method, "id": payment_id, "saved": False},
        )
        payment.pop("confirmation", None)
        return payment

    def cancel(self, payment_id: str, reason: str = "expired_on_confirmation") -> dict[str, Any]:
        payment = self.payments[payment_id]
        payment.update(
            status="canceled",
            paid=False,
            cancellation_details={"party": "yoo_money", "reason": reason},
        )
        payment.pop("confirmation", None)
        return payment

    async def notify(
        self, url: str, payment_id: str, event: str | None = None, obj: dict[str, Any] | None = None
    ) -> int:
        """POST the notification as YooKassa does; the webhook's status."""
        payment = obj if obj is not None else self.payments[payment_id]
        body = {
            "type": "notification",
            "event": event or f"payment.{payment['status']}",
            "object": payment,
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json=body) as response,
        ):
            return response.status


def _invalid_receipt(body: dict[str, Any], needed: bool) -> tuple[str, str] | None:
    """What the real API refuses of a 54-ФЗ receipt: missing when the shop needs one, a
    customer with no e-mail or phone, items that do not add up to the amount."""
    receipt = body.get("receipt")
    if receipt is None:
        return ("Receipt is missing or illegal", "receipt") if needed else None
    customer = receipt.get("customer") or {}
    if not (customer.get("email") or re.fullmatch(r"\d{11,15}", str(customer.get("phone", "")))):
        return "Receipt customer needs an email or a phone", "receipt.customer"
    items = receipt.get("items") or []
    total = 0.0
    for item in items:
        if not 0 < len(str(item.get("description", ""))) <= 128:
            return "Receipt item description is missing or too long", "receipt.items.description"
        if item.get("vat_code") not in range(1, 13):
            return "Receipt item vat_code is illegal", "receipt.items.vat_code"
        if not item.get("payment_subject") or not item.get("payment_mode"):
            return "Receipt item needs payment_subject and payment_mode", "receipt.items"
        total += float(item["amount"]["value"]) * float(item["quantity"])
    if not items or round(total, 2) != round(float(body["amount"]["value"]), 2):
        return "Receipt items do not add up to the payment amount", "receipt.items"
    return None


def _invalid(body: Any) -> tuple[str, str] | None:
    """(description, parameter) of what the real API would refuse."""
    if not isinstance(body, dict):
        return "Request body must be an object", ""
    amount = body.get("amount")
    if not isinstance(amount, dict) or not isinstance(amount.get("value"), str):
        return "Amount is missing or not an object with a string value", "amount"
    if not _VALUE.match(amount["value"]) or float(amount["value"]) <= 0:
        return f"Invalid amount value: {amount['value']}", "amount.value"
    if amount.get("currency") != "RUB":
        return f"Currency {amount.get('currency')} is not allowed for the shop", "amount.currency"
    confirmation = body.get("confirmation")
    if not isinstance(confirmation, dict) or confirmation.get("type") != "redirect":
        return "Confirmation type must be redirect here", "confirmation.type"
    if not str(confirmation.get("return_url") or "").startswith(("http://", "https://")):
        return "return_url is required for redirect confirmation", "confirmation.return_url"
    if "capture" in body and not isinstance(body["capture"], bool):
        return "capture must be a boolean", "capture"
    if len(str(body.get("description", ""))) > 128:
        return "Description is longer than 128 characters", "description"
    metadata = body.get("metadata", {})
    if not isinstance(metadata, dict) or len(metadata) > 16:
        return "Metadata must be an object of at most 16 keys", "metadata"
    for key, value in metadata.items():
        if len(key) > 32 or not isinstance(value, str) or len(value) > 512:
            return f"Invalid metadata key {key}", "metadata"
    method = body.get("payment_method_data")
    if method is not None and (not isinstance(method, dict) or method.get("type") not in METHODS):
        return "Unknown payment method type", "payment_method_data.type"
    return None
