"""One aiohttp client for the Graph API: base URL with its version, the access token as a Bearer
header (never in the URL, so it stays out of access logs), a total timeout per call, and Graph's
error shape turned into SendError."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bots.channel import SendError
from bots.meta.errors import GraphError, send_error


class GraphClient:
    def __init__(self, api_base: str, token: str, timeout: float) -> None:
        self.api_base = api_base.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: it must belong to the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={"Authorization": f"Bearer {self._token}"},
            )
        return self._session

    async def post(
        self,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        form: aiohttp.FormData | None = None,
    ) -> dict[str, Any]:
        """POST JSON (or a multipart form) to `path` under the versioned base."""
        return await self._call("POST", path, json_body=body, form=form)

    async def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        return await self._call("GET", path, params=params)

    async def delete(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._call("DELETE", path, json_body=body)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: dict[str, Any] | None = None,
        form: aiohttp.FormData | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        url = f"{self.api_base}/{path.lstrip('/')}"
        try:
            async with self._client().request(
                method, url, json=json_body, data=form, params=params
            ) as response:
                raw = await response.read()
                status = response.status
                retry_after = _seconds(response.headers.get("Retry-After"))
        except TimeoutError:
            raise SendError(f"the Graph API did not answer in time ({method} {path})") from None
        except aiohttp.ClientError as exc:
            raise SendError(f"the Graph API could not be reached: {exc}") from None
        try:
            body = json.loads(raw) if raw else {}
        except (ValueError, RecursionError):
            body = None
        if 200 <= status < 300 and isinstance(body, dict):
            return body
        if 200 <= status < 300:
            raise SendError(f"the Graph API answered {status} with a body that is not JSON")
        raise send_error(GraphError.parse(status, body), retry_after)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 < seconds < 86_400 else None
