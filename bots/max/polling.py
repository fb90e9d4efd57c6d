"""Long polling (max.mode: polling) for setups without a public HTTPS address.

GET /updates over the channel's own client, read as plain JSON so updates take the webhook's
path. The marker MAX answers is passed back (which confirms the batch) only after every update
of the batch was handled and committed: a crash or a database outage in between makes MAX give
the same batch again, and what was already taken is a duplicate then.

MAX keeps no marker for us: a process that starts without one gets only the latest update
(MAX's rule), so events that came while no poller ran may be missed. Production uses the webhook.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bots.max.api import MaxApi, MaxApiError
from bots.max.receiver import Receiver
from bots.max.updates import UPDATE_TYPES, BadUpdate

log = logging.getLogger(__name__)

RETRY_SECONDS = (1, 2, 5, 10, 30)
LIMIT = 100  # updates per request (MAX: 1-1000)
_SLACK_SECONDS = 10  # beyond MAX's own wait before the request counts as lost


class Poller:
    def __init__(self, api: MaxApi, receiver: Receiver, timeout: int) -> None:
        self._api = api
        self._receiver = receiver
        self._timeout = timeout
        self.marker: int | None = None

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                updates, marker = await self.poll()
                for update in updates:
                    await self._receive(update)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                if isinstance(exc, MaxApiError) and exc.status in (405, 409):
                    log.error(
                        "max polling refused (%s): a webhook is set; remove it with "
                        "`energobot webhooks delete max` or use max.mode: webhook",
                        exc,
                    )
                else:
                    log.warning("max polling failed (%r); again in %d s", exc, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            if marker is not None:
                self.marker = marker  # the batch is handled: the next request confirms it

    async def poll(self) -> tuple[list[Any], int | None]:
        """One GET /updates: the updates and the marker that confirms them."""
        params = {
            "timeout": str(self._timeout),
            "limit": str(LIMIT),
            "types": ",".join(UPDATE_TYPES),
        }
        if self.marker is not None:
            params["marker"] = str(self.marker)
        answer = await self._api.call(
            "GET", "/updates", params=params, request_seconds=self._timeout + _SLACK_SECONDS
        )
        if not isinstance(answer, dict):
            raise MaxApiError(200, "", "GET /updates did not answer an object")
        updates = answer.get("updates")
        marker = answer.get("marker")
        if not isinstance(marker, int) or isinstance(marker, bool):
            marker = None
        return (updates if isinstance(updates, list) else []), marker

    async def _receive(self, update: Any) -> None:
        try:
            await self._receiver.receive(update)
        except BadUpdate as exc:
            log.warning("max polling: skipped what is not an update: %s", exc)
