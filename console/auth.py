"""Logging in and out, sessions in the database, CSRF tokens, lockout after failed logins,
and the guard every console request passes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from console.context import CONSOLE, PREFIX, SESSION, Console, console_of, redirect
from console.passwords import hash_async, needs_rehash, verify_async
from console.roles import Role, at_least
from core.ports import SessionRecord

SESSION_COOKIE = "console_session"
LOGIN_COOKIE = "console_login"  # a pre-login token: the login form's CSRF protection
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
# A session's last use is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def public(handler: Handler) -> Handler:
    """Mark a handler reachable without a session (the login page)."""
    handler.console_public = True  # type: ignore[attr-defined]
    return handler


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def login_csrf(console: Console, request: web.Request) -> tuple[str, str | None]:
    """The login form's token and a new pre-login cookie value if one must be set."""
    cookie = request.cookies.get(LOGIN_COOKIE)
    fresh = None
    if not cookie or len(cookie) > 64:
        cookie = fresh = secrets.token_urlsafe(24)
    return keyed_hash(console.key, f"login:{cookie}"), fresh


def secure_cookies(console: Console, request: web.Request) -> bool:
    return request.secure or console.options.public_url.startswith("https://")


def set_cookie(
    console: Console, request: web.Request, response: web.StreamResponse, name: str, value: str
) -> None:
    response.set_cookie(
        name,
        value,
        path=PREFIX,
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(console, request),
    )


# -- logging in ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str | None = None  # the new session's cookie value
    error: str | None = None  # a catalog key under console.login_errors
    params: dict[str, Any] | None = None


async def authenticate(console: Console, login: str, password: str) -> LoginResult:
    """Check the password and open a session, or say why not. Every failure is audited."""
    options, now = console.options, console.now()
    login = login.strip()
    async with console.unit_of_work() as store:
        operator = await store.operators.get(login) if login else None
    # The hash is checked outside any transaction: SQLite has one writer to share.
    locked = (
        operator is not None and operator.locked_until is not None and (operator.locked_until > now)
    )
    ok = (
        False
        if locked
        else await verify_async(operator.password_hash if operator else None, password)
    )
    async with console.unit_of_work() as store:
        if operator is None:
            await store.audit.record(
                "anonymous", "console.login_failed", now, {"login": login[:64], "reason": "unknown"}
            )
            await store.commit()
            return LoginResult(error="wrong")
        who = f"operator:{operator.login}"
        if locked:
            await store.audit.record(who, "console.login_failed", now, {"reason": "locked"})
            await store.commit()
            assert operator.locked_until is not None
            return LoginResult(error="locked", params=_until(console, operator.locked_until))
        if not ok:
            until = now + timedelta(minutes=options.lockout_minutes)
            counted = await store.operators.login_failed(
                operator.login, options.lockout_attempts, until
            )
            now_locked = counted is not None and counted.locked_until == until
            details = {"reason": "wrong_password", "locked": now_locked}
            await store.audit.record(who, "console.login_failed", now, details)
            await store.commit()
            if now_locked:
                return LoginResult(error="locked_now", params=_until(console, until))
            return LoginResult(error="wrong")
        if not operator.enabled:
            await store.audit.record(who, "console.login_failed", now, {"reason": "disabled"})
            await store.commit()
            return LoginResult(error="disabled")
        await store.operators.login_succeeded(operator.login)
        if needs_rehash(operator.password_hash):
            await store.operators.set_password(operator.login, await hash_async(password))
        await store.console_sessions.delete_idle(now - _idle(console))
        token = secrets.token_urlsafe(32)
        await store.console_sessions.create(
            keyed_hash(console.key, token), operator.id, secrets.token_urlsafe(32), now
        )
        await store.audit.record(who, "console.login", now)
        await store.commit()
    return LoginResult(token=token)


def _until(console: Console, until: datetime) -> dict[str, Any]:
    return {
        "time": console.formats.when(until, console.now()),
        "minutes": console.options.lockout_minutes,
    }


def _idle(console: Console) -> timedelta:
    return timedelta(minutes=console.options.session_idle_minutes)


async def load_session(console: Console, request: web.Request) -> SessionRecord | None:
    """The operator's session if the cookie names a live one (used recently, operator enabled)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 128:
        return None
    token_hash = keyed_hash(console.key, token)
    now = console.now()
    async with console.unit_of_work() as store:
        session = await store.console_sessions.get(token_hash)
        if session is None:
            return None
        if not session.operator.enabled or session.last_seen_at < now - _idle(console):
            await store.console_sessions.delete(token_hash)
            await store.commit()
            return None
        if request.path != f"{PREFIX}/events" and session.last_seen_at < now - TOUCH_EVERY:
            # Live updates do not count as use: an idle session ends with the stream open.
            await store.console_sessions.touch(token_hash, now)
            await store.commit()
    return session


async def session_alive(console: Console, token_hash: str) -> bool:
    now = console.now()
    async with console.unit_of_work() as store:
        session = await store.console_sessions.get(token_hash)
    return (
        session is not None
        and session.operator.enabled
        and session.last_seen_at >= now - _idle(console)
    )


# -- the guard -------------------------------------------------------------------------------


def wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.path.endswith(
        "/events"
    )


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on everything; a session for all but public pages; a CSRF token on
    every state-changing request."""
    console = request.app[CONSOLE]
    try:
        response = await _guarded(console, request, handler)
    except web.HTTPNotFound:
        # An address the console does not have: its own page, in the operator's language.
        response = console.error_page(request, 404, "errors.not_found")
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


async def _guarded(console: Console, request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(f"{PREFIX}/static/"):
        return await handler(request)
    route_handler = request.match_info.handler
    is_public = getattr(route_handler, "console_public", False)
    session = await load_session(console, request)
    if session is not None:
        request[SESSION] = session
    elif not is_public:
        if request.method == "GET" and not wants_json(request):
            raise web.HTTPSeeOther(f"{PREFIX}/login")
        return _refuse(console, request, 401, "errors.session_ended")
    if request.method in UNSAFE_METHODS and not await _csrf_ok(console, request, session):
        return _refuse(console, request, 403, "errors.csrf")
    return await handler(request)


async def _csrf_ok(console: Console, request: web.Request, session: SessionRecord | None) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent:
        return False
    if session is not None:
        expected = session.csrf_token
    else:
        cookie = request.cookies.get(LOGIN_COOKIE)
        if not cookie:
            return False
        expected = keyed_hash(console.key, f"login:{cookie}")
    return hmac.compare_digest(sent.encode(), expected.encode())


def _refuse(console: Console, request: web.Request, status: int, key: str) -> web.Response:
    if wants_json(request):
        return web.json_response({"ok": False, "error": console.text(key)}, status=status)
    return console.error_page(request, status, key)


def require(request: web.Request, role: Role) -> None:
    """Stop with 403 unless the operator has at least `role`."""
    session: SessionRecord | None = request.get(SESSION)
    if session is None or not at_least(session.operator.role, role):
        console = console_of(request)
        raise web.HTTPForbidden(
            text=console.error_page(request, 403, "errors.forbidden").text,
            content_type="text/html",
        )


# -- handlers --------------------------------------------------------------------------------


@public
async def login_page(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    if request.get(SESSION) is not None:
        raise redirect("/queue")
    return _login_form(console, request)


def _login_form(
    console: Console,
    request: web.Request,
    error: str | None = None,
    login: str = "",
    status: int = 200,
) -> web.Response:
    token, fresh = login_csrf(console, request)
    response = console.page(
        request, "login.html", status, login_csrf=token, error=error, login=login
    )
    if fresh is not None:
        set_cookie(console, request, response, LOGIN_COOKIE, fresh)
    return response


@public
async def login(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = await request.post()
    name, password = str(form.get("login", "")), str(form.get("password", ""))
    result = await authenticate(console, name, password)
    if result.token is None:
        error = console.text(f"login_errors.{result.error}", **(result.params or {}))
        return _login_form(console, request, error, name, status=401)
    if request.get(SESSION) is not None:  # logging in again replaces the old session
        await _end(console, request[SESSION].token_hash, None)
    response = web.HTTPSeeOther(f"{PREFIX}/queue")
    set_cookie(console, request, response, SESSION_COOKIE, result.token)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    session: SessionRecord = request[SESSION]
    await _end(console, session.token_hash, f"operator:{session.operator.login}")
    response = web.HTTPSeeOther(f"{PREFIX}/login?notice=logged_out")
    response.del_cookie(SESSION_COOKIE, path=PREFIX)
    raise response


async def _end(console: Console, token_hash: str, who: str | None) -> None:
    async with console.unit_of_work() as store:
        await store.console_sessions.delete(token_hash)
        if who is not None:
            await store.audit.record(who, "console.logout", console.now())
        await store.commit()
