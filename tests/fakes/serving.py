"""What every fake platform shares: served on a free local port; `async with` runs it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from aiohttp import web


class Served:
    """Subclasses give their routes (`make_app`) and the API's path under the server."""

    host = "127.0.0.1"
    port = 0  # 0: a free one, the real one once started
    base_path = ""  # e.g. /pa, /method: appended to the address as the base URL
    base_url = ""
    _runner: web.AppRunner | None = None

    def make_app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> str:
        """Serve; returns the base URL the channel under test is pointed at."""
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://{self.host}:{self.port}{self.base_path}"
        return self.base_url

    def before_stop(self) -> None:
        """Before the server stops: wake what waits (long polls, delays)."""

    async def stop(self) -> None:
        self.before_stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
