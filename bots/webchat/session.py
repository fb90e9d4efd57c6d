"""The anonymous chat session, issued only by the server.

The cookie holds a random id (24 bytes), the time it was issued and an HMAC-SHA256 of both
under the web chat's key (derived from the service's secret, ENERGOBOT_CONSOLE__SESSION_KEY):
a cookie this service did not sign — made up, from another installation, altered, or older
than `webchat.session_days` — is refused. The id itself is never stored: the channel's user id
(customers, inbox, outbox, conversations) is a keyed hash of it, so whoever reads the database
cannot speak as a customer nor read their chat. The CSRF token is an HMAC of the id as well:
the server computes it, a client cannot choose it.

The cookie is HttpOnly, so the page learns the token only from the HTML the server renders
for it; a post must carry the token in a header and come from our own origin. A cross-site
page can neither read the token nor make the browser send both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web

COOKIE = "energobot_chat"
CSRF_HEADER = "X-CSRF-Token"
# <id: 32 base64url>.<issued: unix seconds>.<signature: 43 base64url>
_VALUE = re.compile(r"^([A-Za-z0-9_-]{32})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")
CLOCK_SKEW_SECONDS = 300  # a cookie issued this far in our future is still taken


@dataclass(frozen=True, slots=True)
class Session:
    id: str  # the webchat channel's user id: a keyed hash of `secret`; what is stored
    csrf: str = field(repr=False)  # what the page sends back, derived from `secret`
    secret: str = field(repr=False)  # the random id the cookie carries: never stored
    issued: int = 0  # when its cookie was signed (unix seconds)


class Refused(Exception):
    """A cookie the server does not take; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # no_session, bad_session (unsigned, foreign, altered), expired


class SessionKeys:
    """The web chat's keys, each derived from one secret for one use: signing cookies,
    hashing ids for storage, deriving CSRF tokens."""

    def __init__(self, key: bytes, lifetime_seconds: int) -> None:
        self._sign = _derive(key, "cookie")
        self._hash = _derive(key, "user id")
        self._csrf = _derive(key, "csrf")
        self.lifetime = lifetime_seconds

    def new(self, now: float) -> Session:
        return self._session(secrets.token_urlsafe(24), int(now))

    def refreshed(self, session: Session, now: float) -> Session:
        """The same session, signed again now (an open page keeps it alive)."""
        return self._session(session.secret, int(now))

    def cookie_value(self, session: Session) -> str:
        payload = f"{session.secret}.{session.issued}"
        return f"{payload}.{self._signature(payload)}"

    def read(self, value: str | None, now: float) -> Session:
        """The session of a cookie's value, or Refused."""
        if not value:
            raise Refused("no_session")
        match = _VALUE.fullmatch(value)
        if match is None:
            raise Refused("bad_session")
        payload = f"{match[1]}.{match[2]}"
        if not hmac.compare_digest(match[3], self._signature(payload)):
            raise Refused("bad_session")
        issued = int(match[2])
        if issued > now + CLOCK_SKEW_SECONDS:
            raise Refused("bad_session")
        if now - issued >= self.lifetime:
            raise Refused("expired_session")
        return self._session(match[1], issued)

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self._sign, payload.encode(), hashlib.sha256).digest())

    def _session(self, secret: str, issued: int) -> Session:
        raw = secret.encode()
        return Session(
            id=hmac.new(self._hash, raw, hashlib.sha256).hexdigest(),
            csrf=_b64(hmac.new(self._csrf, raw, hashlib.sha256).digest())[:32],
            secret=secret,
            issued=issued,
        )


def _derive(key: bytes, purpose: str) -> bytes:
    return hmac.new(key, purpose.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forbidden(error: str, reason: str) -> web.HTTPForbidden:
    """403 with a JSON body: `error` is the page's catalog key, `reason` what was wrong."""
    return web.HTTPForbidden(
        text=json.dumps({"error": error, "reason": reason}),
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def set_cookie(
    response: web.StreamResponse, request: web.Request, value: str, days: int, public_url: str
) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=days * 86_400,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.secure or public_url.startswith("https://"),
    )


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(request: web.Request, public_url: str) -> set[str]:
    """Our origin as the browser sees it: the one it asked for, and the public URL's."""
    origins = {f"{request.scheme}://{request.host}".lower()}
    if public_url and (public := origin_of(public_url)):
        origins.add(public)
    return origins


def same_origin(request: web.Request, public_url: str) -> bool:
    """The request comes from a page of ours: Origin, or else Referer, names our origin."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        referer = request.headers.get("Referer")
        origin = origin_of(referer) if referer else None
    return origin is not None and origin.lower() in own_origins(request, public_url)


def check_origin(request: web.Request, public_url: str) -> None:
    """A state-changing request comes from a page of ours, or 403."""
    if not same_origin(request, public_url):
        raise forbidden("forbidden", "origin")


def check_csrf(request: web.Request, session: Session) -> None:
    """The request carries the token the server derived for its session, or 403."""
    token = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(token.encode(), session.csrf.encode()):
        raise forbidden("forbidden", "csrf")
