"""Signed links to the files of replies: GET /media/<token>[/<filename>].

A token names one outbox row and when it expires, signed with HMAC-SHA256 under a key derived
from the service's secret (`media-links`), so it opens that row's file and no other's until
then. The filename after the token is for the customer's eye (and platforms that look at a
URL's extension); the file's own name comes from the row.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from aiohttp import web

from core.jsontypes import JSONObject
from core.signing import signature, signed

log = logging.getLogger(__name__)

PURPOSE = "media-links"
SIGNATURE_BYTES = 16  # 128 bits of HMAC-SHA256: more than enough against forging, shorter URLs


class MediaStore(Protocol):
    """The one thing the route reads (storage's OutboxRepo.attachment)."""

    async def attachment(self, row_id: int) -> JSONObject | None: ...


class _Store(Protocol):
    @property
    def outbox(self) -> MediaStore: ...


UnitOfWork = Callable[[], AbstractAsyncContextManager[_Store]]


class LinkError(Exception):
    """Why a token opens nothing: `status` 404 (not a link of ours) or 410 (expired)."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class MediaSigner:
    key: bytes
    lifetime: timedelta

    def token(self, row_id: int, now: datetime) -> str:
        expires = int((now + self.lifetime).timestamp())
        claim = f"{row_id}.{expires}"
        return f"{claim}.{signature(self.key, claim, SIGNATURE_BYTES)}"

    def row_of(self, token: str, now: datetime) -> int:
        """The row a token opens now; LinkError otherwise. The signature is checked (in
        constant time) before anything the token says is believed."""
        parts = token.split(".")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
            raise LinkError("not a valid link", 404)
        claim = f"{parts[0]}.{parts[1]}"
        if not signed(self.key, claim, parts[2], SIGNATURE_BYTES):
            raise LinkError("not a valid link", 404)
        if int(parts[1]) <= now.timestamp():
            raise LinkError("the link has expired", 410)
        return int(parts[0])


def media_signer(derive_key: Callable[[str], bytes] | None, days: int) -> MediaSigner:
    """The signer of this service: without the service's secret a key of this process only
    (links it sent then open only while it runs — set ENERGOBOT_CONSOLE__SESSION_KEY)."""
    if derive_key is not None:
        return MediaSigner(derive_key(PURPOSE), timedelta(days=days))
    global _warned
    if not _warned:
        _warned = True
        log.warning(
            "media links: ENERGOBOT_CONSOLE__SESSION_KEY is not set; links to files are signed "
            "with a key of this process and stop working when it restarts (or in another one)"
        )
    return MediaSigner(_PROCESS_KEY, timedelta(days=days))


_PROCESS_KEY = os.urandom(32)  # one per process, so the app's route and its channels agree
_warned = False


def media_url_maker(
    public_url: str,
    signer: MediaSigner,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[int, str], str] | None:
    """Host.media_url: row id and filename → the signed URL; None without a public URL."""
    if not public_url:
        return None
    path = media_path_maker(signer, clock)
    base = public_url.rstrip("/")
    return lambda row_id, filename: f"{base}{path(row_id, filename)}"


def media_path_maker(
    signer: MediaSigner,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[int, str], str]:
    """Host.media_path: the link as a path on this server (the web chat's own pages)."""

    def make(row_id: int, filename: str) -> str:
        name = quote(filename.replace("/", "_"), safe="")
        return f"/media/{signer.token(row_id, clock())}/{name}"

    return make


MEDIA_SIGNER = web.AppKey("media_signer", MediaSigner)


def mount_media(
    app: web.Application,
    signer: MediaSigner,
    unit_of_work: UnitOfWork,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    async def serve(request: web.Request) -> web.Response:
        try:
            row_id = signer.row_of(request.match_info["token"], clock())
        except LinkError as exc:
            return web.Response(status=exc.status, text=exc.reason, headers=_PLAIN)
        async with unit_of_work() as store:
            found = await store.outbox.attachment(row_id)
        file = _file(found)
        if file is None:
            return web.Response(status=404, text="the file is no longer here", headers=_PLAIN)
        filename, media_type, data = file
        disposition = "inline" if media_type.startswith("image/") else "attachment"
        return web.Response(
            body=data,
            content_type=media_type,
            headers={
                "Content-Disposition": f"{disposition}; {_filename_params(filename)}",
                "Cache-Control": "private, max-age=3600",
                "X-Content-Type-Options": "nosniff",
                # The file is never a page: no script runs in it, whatever it holds.
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    app[MEDIA_SIGNER] = signer
    app.router.add_get("/media/{token}", serve)
    app.router.add_get("/media/{token}/{name}", serve)


_PLAIN = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# What the route serves: a reply's file is a PDF or an image, nothing a browser would run.
SERVED_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def _file(found: JSONObject | None) -> tuple[str, str, bytes] | None:
    if found is None:
        return None
    filename, media_type, data = (found.get(k) for k in ("filename", "media_type", "data_b64"))
    if not isinstance(filename, str) or not isinstance(media_type, str):
        return None
    if not isinstance(data, str):
        return None
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        log.warning("an outbox row's file is not base64: %s", filename)
        return None
    if media_type not in SERVED_TYPES:
        media_type = "application/octet-stream"
    return filename, media_type, content


def _filename_params(filename: str) -> str:
    """filename= (ASCII, quotes dropped) and filename*= (RFC 5987, the real name)."""
    plain = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
