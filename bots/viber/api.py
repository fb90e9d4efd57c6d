"""The Viber REST Bot API over aiohttp: one JSON POST per call, the token in the
X-Viber-Auth-Token header, the answer's `status` turned into an exception.

viberbot's own client is synchronous `requests` without a timeout and sends the token in the
body, so only its parsing and message objects are used (see PLATFORMS.md §2).
"""

from __future__ import annotations

import json
import math
from typing import Any

import aiohttp

AUTH_HEADER = "X-Viber-Auth-Token"
DEFAULT_API_BASE = "https://chatapi.viber.com/pa"


class ViberApiError(Exception):
    """A call Viber answered with a non-zero `status` (or could not answer at all: `status` -1
    for an HTTP error or a body that is not Viber's JSON)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        http_status: int = 200,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"status {status}: {message}")
        self.status = status
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after  # an HTTP 429's Retry-After (Viber documents none)


def encode(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON: Cyrillic as \\u escapes would triple a text's size against the
    30 KB request limit."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class ViberApi:
    def __init__(self, token: str, api_base: str = DEFAULT_API_BASE, timeout: float = 15) -> None:
        self.token = token
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST one call; the answer with status 0, else ViberApiError. Network errors and
        timeouts propagate as they are (the sender retries them)."""
        return await self.post(endpoint, encode(body))

    async def post(self, endpoint: str, data: bytes) -> dict[str, Any]:
        session = self._client()
        headers = {AUTH_HEADER: self.token, "Content-Type": "application/json; charset=utf-8"}
        async with session.post(f"{self.api_base}/{endpoint}", data=data, headers=headers) as resp:
            raw = await resp.read()
            if resp.status == 429:
                wait = _seconds(resp.headers.get("Retry-After"))
                raise ViberApiError(-1, "HTTP 429", http_status=429, retry_after=wait)
            if resp.status != 200:
                raise ViberApiError(-1, f"HTTP {resp.status}", http_status=resp.status)
        try:
            # Python's json keeps integers exact: message tokens are above 2^53.
            answer = json.loads(raw)
        except ValueError:
            raise ViberApiError(-1, "the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise ViberApiError(-1, "the answer is not a JSON object")
        status = answer.get("status")
        if status != 0 or isinstance(status, bool):
            code = status if isinstance(status, int) and not isinstance(status, bool) else -1
            raise ViberApiError(code, str(answer.get("status_message") or "unknown error"))
        return answer

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the running event loop.
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _seconds(value: str | None) -> float:
    """Retry-After in seconds (an HTTP date or nonsense: one second)."""
    try:
        seconds = float(value or "")
    except ValueError:
        return 1.0
    return min(max(seconds, 0.0), 3600.0) if math.isfinite(seconds) else 1.0
