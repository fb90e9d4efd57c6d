"""The VK API over aiohttp: one form-encoded POST per method to `<api_base>/<method>`, the
community token in the Authorization header (so it stays out of URLs and access logs), `v` with
every call, a total timeout, and VK's error shape turned into VkApiError.

A thin client rather than vkbottle or vk_api: three methods are used, and their frameworks bring
their own loops, retries and models (PLATFORMS.md §6).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import aiohttp

from bots.vk.errors import UNREACHED, VkApiError

DEFAULT_API_BASE = "https://api.vk.com/method"
DEFAULT_VERSION = "5.199"

Params = Mapping[str, str | int]


class VkApi:
    def __init__(
        self,
        token: str,
        api_base: str = DEFAULT_API_BASE,
        version: str = DEFAULT_VERSION,
        timeout: float = 15,
    ) -> None:
        self._token = token
        self.api_base = api_base.rstrip("/")
        self.version = version
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def call(self, method: str, params: Params) -> Any:
        """The method's `response`; VkApiError for VK's error or no VK answer at all."""
        form = {key: str(value) for key, value in params.items()}
        form["v"] = self.version
        try:
            async with self._client().post(f"{self.api_base}/{method}", data=form) as resp:
                raw = await resp.read()
                status = resp.status
                retry_after = _seconds(resp.headers.get("Retry-After"))
        except TimeoutError:
            raise VkApiError(UNREACHED, "no answer in time", method) from None
        except aiohttp.ClientError as exc:
            raise VkApiError(UNREACHED, f"not reachable: {exc}", method) from None
        if status != 200:
            raise VkApiError(
                UNREACHED,
                f"HTTP {status}",
                method,
                http_status=status,
                retry_after=retry_after if status == 429 else None,
            )
        try:
            # Python's json keeps integers exact: peer ids and message ids are 64-bit.
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise VkApiError(UNREACHED, "the answer is not JSON", method) from None
        if (error := VkApiError.parse(body, method)) is not None:
            raise error
        if not isinstance(body, dict) or "response" not in body:
            raise VkApiError(UNREACHED, "the answer has no response", method)
        return body["response"]

    async def upload(
        self, url: str, field: str, filename: str, content: bytes, media_type: str
    ) -> dict[str, Any]:
        """A multipart POST of one file to an upload server VK gave (its URL carries its own
        signature: no token is sent there); its JSON answer, which may name an error."""
        form = aiohttp.FormData()
        form.add_field(field, content, filename=filename, content_type=media_type)
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.post(url, data=form) as resp,
            ):
                raw = await resp.read()
                status = resp.status
        except TimeoutError:
            raise VkApiError(UNREACHED, "no answer in time", "upload") from None
        except aiohttp.ClientError as exc:
            raise VkApiError(UNREACHED, f"not reachable: {exc}", "upload") from None
        if status != 200:
            raise VkApiError(UNREACHED, f"HTTP {status}", "upload", http_status=status)
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise VkApiError(UNREACHED, "the answer is not JSON", "upload") from None
        if not isinstance(body, dict):
            raise VkApiError(UNREACHED, "the answer is not an object", "upload")
        return body

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, headers={"Authorization": f"Bearer {self._token}"}
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    if seconds is None or not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), 3600.0)
