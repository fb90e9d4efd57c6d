"""Bot API methods about receiving updates: getUpdates (long polling) and the webhook."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram import checks, errors
from tests.fakes.telegram.errors import ApiError, bad_request
from tests.fakes.telegram.methods import Handler
from tests.fakes.telegram.models import NOT_BY_DEFAULT, Call, Described, Webhook

if TYPE_CHECKING:
    from tests.fakes.telegram.server import FakeTelegram

MAX_LIMIT = 100


def update_kind(update: dict[str, Any]) -> str | None:
    return next((key for key in update if key != "update_id"), None)


def allowed(update: dict[str, Any], allowed_updates: list[str] | None) -> bool:
    kind = update_kind(update)
    if allowed_updates:
        return kind in allowed_updates
    return kind not in NOT_BY_DEFAULT


def _confirm(fake: FakeTelegram, offset: Any) -> None:
    """An offset confirms every update below it; a negative one keeps only the last -offset."""
    if not isinstance(offset, int) or offset == 0:
        return
    if offset > 0:
        fake.updates[:] = [u for u in fake.updates if u["update_id"] >= offset]
    else:
        del fake.updates[: max(0, len(fake.updates) + offset)]


async def get_updates(fake: FakeTelegram, call: Call) -> list[dict[str, Any]]:
    if fake.webhook.url:
        raise ApiError(409, errors.WEBHOOK_CONFLICT)
    params = call.params
    fake.poll_generation += 1
    generation = fake.poll_generation
    fake.wake_polls()  # an older long poll still waiting is now terminated (409)
    if isinstance(params.get("allowed_updates"), list):
        fake.poll_allowed = params["allowed_updates"] or None
    _confirm(fake, params.get("offset"))
    limit = params.get("limit", MAX_LIMIT)
    limit = min(max(limit, 1), MAX_LIMIT) if isinstance(limit, int) else MAX_LIMIT
    timeout = params.get("timeout", 0)
    timeout = max(timeout, 0) if isinstance(timeout, int) else 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        # Telegram does not keep updates of kinds the bot did not ask for.
        fake.updates[:] = [u for u in fake.updates if allowed(u, fake.poll_allowed)]
        remaining = deadline - loop.time()
        if fake.updates or remaining <= 0 or fake.closing:
            return [dict(u) for u in fake.updates[:limit]]
        waiter: asyncio.Future[None] = loop.create_future()
        fake.waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, remaining)
        except TimeoutError:
            pass
        finally:
            fake.waiters.discard(waiter)
        if generation != fake.poll_generation:
            raise ApiError(409, errors.POLL_CONFLICT)
        if fake.webhook.url:
            raise ApiError(409, errors.WEBHOOK_CONFLICT)


async def set_webhook(fake: FakeTelegram, call: Call) -> Described:
    params = call.params
    url = str(params.get("url") or "")
    if not url:
        return await delete_webhook(fake, call)
    checks.webhook_url(url)
    checks.secret_token(params.get("secret_token"))
    allowed_updates = params.get("allowed_updates")
    if allowed_updates is not None and not isinstance(allowed_updates, list):
        raise bad_request("can't parse allowed_updates JSON object")  # unverified text
    max_connections = params.get("max_connections", 40)
    if not isinstance(max_connections, int):
        max_connections = 40
    same = fake.webhook.url == url
    previous = fake.webhook.allowed_updates
    fake.webhook = Webhook(
        url=url,
        secret_token=params.get("secret_token"),
        # Omitted keeps what was set before; [] means the default set.
        allowed_updates=previous if allowed_updates is None else (allowed_updates or None),
        max_connections=min(max(max_connections, 1), 100),  # out-of-range values are clamped
        ip_address=params.get("ip_address"),
        drop_pending_updates=bool(params.get("drop_pending_updates")),
    )
    if fake.webhook.drop_pending_updates:
        fake.updates.clear()
    fake.wake_polls()
    return Described(True, "Webhook is already set" if same else "Webhook was set")


async def delete_webhook(fake: FakeTelegram, call: Call) -> Described:
    had = bool(fake.webhook.url)
    fake.webhook = Webhook()
    if call.params.get("drop_pending_updates"):
        fake.updates.clear()
    return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")


async def get_webhook_info(fake: FakeTelegram, call: Call) -> dict[str, Any]:
    return fake.webhook.info(pending=len(fake.updates))


HANDLERS: dict[str, Handler] = {
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
}
