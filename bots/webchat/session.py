"""The anonymous chat session: a cookie holding a random session id (the web chat's user id)
and a random CSRF token, both unguessable.

The cookie is HttpOnly, so the page learns the token only from the HTML the server renders
for it; a post must carry the token in a header and come from our own origin. A cross-site
page can neither read the token nor make the browser send both.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

COOKIE = "energobot_chat"
CSRF_HEADER = "X-CSRF-Token"
_PART = r"[A-Za-z0-9_-]{32}"
_VALUE = re.compile(rf"^({_PART})\.({_PART})$")


@dataclass(frozen=True, slots=True)
class Session:
    id: str  # the user id of the webchat channel
    csrf: str

    @classmethod
    def new(cls) -> Session:
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24))

    @property
    def cookie_value(self) -> str:
        return f"{self.id}.{self.csrf}"


def read_session(request: web.Request) -> Session | None:
    match = _VALUE.fullmatch(request.cookies.get(COOKIE, ""))
    return Session(match[1], match[2]) if match else None


def set_cookie(
    response: web.StreamResponse, request: web.Request, session: Session, days: int, public_url: str
) -> None:
    response.set_cookie(
        COOKIE,
        session.cookie_value,
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


def check_post(request: web.Request, public_url: str) -> Session:
    """The session of a state-changing request, or 403: foreign origin, no session, no or a
    wrong CSRF token."""
    session = read_session(request)
    token = request.headers.get(CSRF_HEADER, "")
    if (
        not same_origin(request, public_url)
        or session is None
        or not hmac.compare_digest(token.encode(), session.csrf.encode())
    ):
        raise web.HTTPForbidden(text="forbidden")
    return session
