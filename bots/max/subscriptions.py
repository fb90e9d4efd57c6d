"""`energobot webhooks set|info|delete max`: MAX's webhook subscriptions (POST, GET and
DELETE /subscriptions), with the secret MAX then sends in every update's header."""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp

from bots.max.api import MaxApi, MaxApiError
from bots.max.settings import MaxSettings, secret_problem
from bots.max.updates import UPDATE_TYPES
from bots.plugin import SetupError, SetupReport, require_url


class MaxSubscriptions:
    def __init__(self, settings: MaxSettings, timeout: float) -> None:
        token = settings.token.get_secret_value()
        if not token:
            raise SetupError("set ENERGOBOT_MAX__TOKEN first (business.max.ru → Чат-боты)")
        self._settings = settings
        self._api = MaxApi(token, settings.api_base, timeout)

    async def set(self, url: str, drop_pending: bool) -> SetupReport:
        url = require_url(url)  # MAX delivers only to HTTPS on port 443 with a trusted chain
        secret = self._settings.webhook_secret.get_secret_value()
        if problem := secret_problem(secret):
            raise SetupError(
                f"ENERGOBOT_MAX__WEBHOOK_SECRET {problem}: MAX takes 5-256 characters of "
                "A-Z a-z 0-9 _ -"
            )
        body = {"url": url, "update_types": list(UPDATE_TYPES), "secret": secret}
        answer = await self._call("POST", "/subscriptions", body=body)
        if isinstance(answer, dict) and answer.get("success") is False:
            raise SetupError(f"MAX refused the subscription: {answer.get('message') or answer}")
        listed = await self._subscriptions()
        steps = [f"max webhook set to {url}"]
        others = [s.get("url") for s in listed if s.get("url") != url]
        if others:
            steps.append(
                "MAX also delivers to " + ", ".join(map(str, others)) + ": remove what is not "
                "this service with `energobot webhooks delete max` and set it again"
            )
        if drop_pending:
            steps.append("MAX keeps no queue to drop: undelivered updates are retried for 8 h")
        if self._settings.mode != "webhook":
            steps.append("set max.mode: webhook (long polling does not run beside a webhook)")
        return SetupReport({"subscriptions": listed}, tuple(steps))

    async def info(self) -> SetupReport:
        listed = await self._subscriptions()
        steps: tuple[str, ...] = ()
        if not listed:
            steps = ("no webhook: updates wait for long polling (max.mode: polling)",)
        return SetupReport({"subscriptions": listed}, steps)

    async def delete(self) -> SetupReport:
        listed = await self._subscriptions()
        for subscription in listed:
            url = subscription.get("url")
            if isinstance(url, str) and url:
                await self._call("DELETE", "/subscriptions", params={"url": url})
        removed = [str(s.get("url")) for s in listed]
        steps = ("max webhook removed: " + ", ".join(removed),) if removed else ("no webhook set",)
        return SetupReport({"removed": removed}, steps)

    async def close(self) -> None:
        await self._api.close()

    async def _subscriptions(self) -> list[dict[str, Any]]:
        answer = await self._call("GET", "/subscriptions")
        listed = answer.get("subscriptions") if isinstance(answer, dict) else None
        return [s for s in listed or [] if isinstance(s, dict)]

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        try:
            return await self._api.call(method, path, params=params, body=body)
        except MaxApiError as exc:
            if exc.status == 401 or exc.code == "verify.token":
                raise SetupError(
                    f"MAX refused the token ({exc}): check ENERGOBOT_MAX__TOKEN"
                ) from None
            raise SetupError(f"MAX refused: {exc}") from None
        except Exception as exc:
            hint = ""
            if isinstance(exc, ssl.SSLError | aiohttp.ClientSSLError):
                hint = " (is the Russian national root CA installed? see bots/max/README.md)"
            raise SetupError(
                f"MAX could not be reached at {self._settings.api_base}: {exc!r}{hint}"
            ) from None
