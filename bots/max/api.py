"""The MAX Bot API over aiohttp: JSON in and out, the token in the Authorization header (MAX no
longer takes it in the query), an error answer turned into MaxApiError.

The official clients are frameworks with their own dispatchers and models; the few calls we make
are plain requests (see README.md, "maxapi").
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import aiohttp

# A short answer for "MAX is busy": 429 without Retry-After.
DEFAULT_RETRY_AFTER = 1.0
NOT_READY = "attachment.not.ready"


class MaxApiError(Exception):
    """MAX answered with an error (`{"code", "message"}` and an HTTP status), or with something
    that is not MAX's JSON at all (code "" then)."""

    def __init__(
        self, status: int, code: str, message: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(f"HTTP {status} {code}: {message}".replace(" :", ":"))
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def not_ready(self) -> bool:
        """An uploaded file MAX is still processing: the same send works a little later."""
        return self.code == NOT_READY


def encode(body: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON (Cyrillic as itself, not as \\u escapes)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class MaxApi:
    def __init__(self, token: str, api_base: str, timeout: float = 15) -> None:
        self.token = token
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        request_seconds: float | None = None,
    ) -> Any:
        """One request; the decoded answer of a 200, else MaxApiError. Network errors and
        timeouts propagate as they are (the sender retries them)."""
        headers = {"Authorization": self.token}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
            data = encode(body)
        # The session's timeout unless the call needs longer (a long poll waits up to 90 s).
        seconds = request_seconds if request_seconds else self.timeout
        async with self._client().request(
            method,
            self.api_base + path,
            params=dict(params or {}),
            data=data,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=seconds),
        ) as response:
            raw = await response.read()
            status = response.status
            retry_header = response.headers.get("Retry-After")
        # Python's json keeps integers exact: message seq numbers and ids are above 2^53.
        try:
            answer = json.loads(raw) if raw else None
        except (ValueError, RecursionError):
            answer = None
        if status == 200:
            if answer is None:
                raise MaxApiError(status, "", "the answer is not JSON")
            return answer
        code = message = ""
        if isinstance(answer, dict):
            code = str(answer.get("code") or answer.get("error") or "")
            message = str(answer.get("message") or "")
        retry_after = _seconds(retry_header) if status == 429 else None
        raise MaxApiError(
            status, code, message or raw[:200].decode("utf-8", "replace"), retry_after=retry_after
        )

    async def upload(self, url: str, filename: str, content: bytes, media_type: str) -> Any:
        """A multipart upload to the address POST /uploads gave (MAX's upload hosts take no
        token: it stays with the API)."""
        form = aiohttp.FormData()
        form.add_field("data", content, filename=filename, content_type=media_type)
        async with self._client().post(url, data=form) as response:
            raw = await response.read()
            if response.status != 200:
                raise MaxApiError(response.status, "", "the upload was refused")
        try:
            return json.loads(raw)
        except ValueError:
            raise MaxApiError(200, "", "the upload's answer is not JSON") from None

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
    """Retry-After in seconds (an HTTP date, nothing or nonsense: a second)."""
    try:
        seconds = float(value or "")
    except ValueError:
        return DEFAULT_RETRY_AFTER
    if not math.isfinite(seconds):
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), 3600.0)
