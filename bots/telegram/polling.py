"""Long polling (telegram.mode: polling) for setups without a public URL.

getUpdates is called over the bot's own HTTP session and read as plain JSON, so updates take
the same path as webhook bodies (aiogram's models would refuse the odd real ones). An update
is confirmed (offset moves past it) only after it was handled and committed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiohttp import ClientTimeout

from bots.telegram.receiver import Receiver
from bots.telegram.updates import ALLOWED_UPDATES, BadUpdate

log = logging.getLogger(__name__)

RETRY_SECONDS = (1, 2, 5, 10, 30)


class PollingError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status


class Poller:
    def __init__(self, bot: Bot, receiver: Receiver, timeout: int) -> None:
        self._bot = bot
        self._receiver = receiver
        self._timeout = timeout
        self._offset: int | None = None

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                updates = await self._get_updates()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                if isinstance(exc, PollingError) and exc.status == 409:
                    log.error("telegram polling: a webhook is set; remove it or use webhook mode")
                else:
                    log.warning("telegram polling failed (%s); again in %d s", exc, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            for update in updates:
                await self._receive(update)

    async def _receive(self, update: Any) -> None:
        try:
            await self._receiver.receive(update)
        except BadUpdate as exc:
            log.warning("telegram polling: skipped a malformed update: %s", exc)
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if isinstance(update_id, int):
            self._offset = update_id + 1

    async def _get_updates(self) -> list[Any]:
        bot_session = self._bot.session
        assert isinstance(bot_session, AiohttpSession), "make_bot() gives the aiohttp session"
        session = await bot_session.create_session()
        url = self._bot.session.api.api_url(self._bot.token, "getUpdates")
        params: dict[str, Any] = {
            "timeout": self._timeout,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        if self._offset is not None:
            params["offset"] = self._offset
        async with session.post(
            url, json=params, timeout=ClientTimeout(total=self._timeout + 10)
        ) as response:
            body = await response.json(content_type=None)
        if not isinstance(body, dict) or not body.get("ok"):
            description = body.get("description", "") if isinstance(body, dict) else ""
            raise PollingError(response.status, str(description))
        result = body.get("result")
        return result if isinstance(result, list) else []
