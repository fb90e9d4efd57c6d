"""Logging in and out, sessions in the database, CSRF tokens, throttled login attempts, the
client's address, and the guard every console request passes."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from console.context import CONSOLE, PREFIX, SESSION, Console, console_of, redirect
from console.passwords import Busy, needs_rehash
from console.roles import Role, at_least
from core.addresses import Network, client_address, limit_key
from core.ports import SessionRecord, Store

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
    console: Console,
    request: web.Request,
    response: web.StreamResponse,
    name: str,
    value: str,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        name,
        value,
        path=PREFIX,
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(console, request),
        max_age=max_age,
    )


# -- where a request comes from --------------------------------------------------------------


def request_address(request: web.Request, proxies: tuple[Network, ...] = ()) -> str:
    """The client's address behind `proxies` (core/addresses.py)."""
    forwarded = request.headers.getall("X-Forwarded-For", [])
    return client_address(request.remote or "", forwarded, proxies)


# -- throttling logins -----------------------------------------------------------------------
#
# Every attempt first takes a place in the shared counters (store.throttle: one statement that
# refuses above the limit, whatever other requests and processes do at the same moment), and
# commits it, BEFORE its password is checked: parallel guesses each need a place of their own.
# The places: per login typed (from anywhere) and per client address (any logins), in fixed
# windows of console.login_window_minutes. A key's allowance in a window is its base
# (console.login_attempts per login, console.login_address_attempts per address), halved for
# every base-many failures the key had in the last 24 hours, down to one attempt per window:
# with the defaults 5, then 2, then 1 per 15 minutes. Nothing is ever locked for good, nothing
# clears the counts but time and a supervisor (a right password does not), and unknown logins
# are counted like known ones, so the answers say nothing about which logins exist.
# A browser that logged in as an operator carries a signed cookie for that login (a trusted
# device, console.trusted_device_days): its attempts are counted for that browser alone, so
# strangers filling the login's or the address's places do not keep the operator out.

DAY = timedelta(days=1)
FAILED = "failed:"  # the failures of a key: FAILED + key, counted after the check
DEVICE_COOKIE = "console_device"
FAILED_LOGIN = "console.login_failed"  # the audit's action
MAX_LOGIN = 64


def login_key(login: str) -> str:
    return f"login:{login.strip().lower()[:MAX_LOGIN]}"


def address_key(address: str) -> str:
    """IPv6 clients by their /64: one host gets a whole one to pick addresses from."""
    return f"login-addr:{limit_key(address)}"


def device_key(device: str) -> str:
    return f"login-device:{device}"


def allowance(base: int, failures: int) -> int:
    """Attempts a key may have in one window after `failures` in the last 24 hours."""
    return max(1, base >> min(failures // base, 16))


def _window(console: Console) -> timedelta:
    return timedelta(minutes=console.options.login_window_minutes)


def _window_end(now: datetime, window: timedelta) -> datetime:
    """The end of the fixed window `now` falls in (windows are aligned to the epoch, as the
    counters' are: storage/repos/throttle.py)."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds + seconds, tz=now.tzinfo)


def _wait_minutes(console: Console, now: datetime) -> int:
    left = (_window_end(now, _window(console)) - now).total_seconds()
    return max(1, math.ceil(left / 60))


async def login_state(console: Console, store: Store, login: str) -> tuple[datetime | None, int]:
    """Until when a login's attempts from strangers are refused now (None: they are not), and
    its failures in the last 24 hours."""
    now, window = console.now(), _window(console)
    key = login_key(login)
    failures = await store.throttle.recent(FAILED + key, now - DAY)
    used = await store.throttle.count(key, window, now)
    full = used >= allowance(console.options.login_attempts, failures)
    return (_window_end(now, window) if full else None), failures


async def unlock_login(store: Store, login: str) -> None:
    """Forget a login's attempts and failures: strangers' guesses no longer hold it back."""
    key = login_key(login)
    await store.throttle.clear(key)
    await store.throttle.clear(FAILED + key)


def _device_mac(console: Console, login: str, issued: str, nonce: str) -> str:
    return keyed_hash(console.key, f"device:{login.strip().lower()}:{issued}:{nonce}")[:32]


def new_device(console: Console, login: str) -> str:
    """A trusted-device cookie for `login`: when it was issued, a random id, their MAC."""
    issued, nonce = str(int(console.now().timestamp())), secrets.token_urlsafe(12)
    return f"{issued}.{nonce}.{_device_mac(console, login, issued, nonce)}"


def trusted_device(console: Console, request: web.Request, login: str) -> str | None:
    """The id of this browser if it logged in as `login` within the trusted days, else None."""
    days = console.options.trusted_device_days
    value = request.cookies.get(DEVICE_COOKIE, "")
    parts = value.split(".")
    if not days or len(value) > 128 or len(parts) != 3 or not parts[0].isdigit():
        return None
    issued, nonce, mac = parts
    if not hmac.compare_digest(mac.encode(), _device_mac(console, login, issued, nonce).encode()):
        return None
    if console.now().timestamp() - int(issued) > days * 86400:
        return None
    return nonce


# -- logging in ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str | None = None  # the new session's cookie value
    error: str | None = None  # a catalog key under console.login_errors
    params: dict[str, Any] | None = None
    status: int = 401
    device: str | None = None  # a new trusted-device cookie (after a login)


async def authenticate(
    console: Console,
    login: str,
    password: str,
    address: str = "unknown",
    device: str | None = None,
) -> LoginResult:
    """Take the attempt's places, check the password, open a session — or say, the same way
    for an unknown login, a throttled one and a wrong password, that it did not work. `device`:
    this browser's trusted-device id for the login (trusted_device). Every attempt is audited."""
    options, now, window = console.options, console.now(), _window(console)
    login = login.strip()
    if device is not None:
        keys = [(device_key(device), options.login_attempts)]
    else:
        keys = [
            (address_key(address), options.login_address_attempts),
            (login_key(login), options.login_attempts),
        ]
    failures: list[int] = []
    places: list[int] = []
    async with console.unit_of_work() as store:
        operator = await store.operators.get(login) if 0 < len(login) <= MAX_LOGIN else None
        who = "anonymous" if operator is None else f"operator:{operator.login}"
        details: dict[str, Any] = {"address": address}
        if operator is None:
            details["login"] = login[:MAX_LOGIN]
        if device is not None:
            details["device"] = True
        for key, base in keys:
            failures.append(await store.throttle.recent(FAILED + key, now - DAY))
            place = await store.throttle.reserve(key, allowance(base, failures[-1]), window, now)
            if place is None:  # no place left: the password is not even looked at
                await store.audit.record(who, FAILED_LOGIN, now, {"reason": "throttled", **details})
                await store.commit()
                return _refused(console, now, wait=True)
            places.append(place)
        await store.commit()
    try:
        ok = await console.hashing.verify(operator.password_hash if operator else None, password)
    except Busy:
        async with console.unit_of_work() as store:
            await store.audit.record(who, FAILED_LOGIN, now, {"reason": "busy", **details})
            await store.commit()
        return LoginResult(error="busy", status=429)
    rehashed = None
    if ok and operator is not None and operator.enabled and needs_rehash(operator.password_hash):
        rehashed = await console.hashing.hash(password)
    async with console.unit_of_work() as store:
        if operator is None or not ok:
            full = False
            for (key, base), before, place in zip(keys, failures, places, strict=True):
                await store.throttle.reserve(FAILED + key, 1_000_000, window, now)
                full = full or place >= allowance(base, before + 1)
            reason = "unknown" if operator is None else "wrong_password"
            await store.audit.record(who, FAILED_LOGIN, now, {"reason": reason, **details})
            await store.commit()
            return _refused(console, now, wait=full)
        if not operator.enabled:
            await store.audit.record(who, FAILED_LOGIN, now, {"reason": "disabled", **details})
            await store.commit()
            return LoginResult(error="disabled")
        if rehashed is not None:
            await store.operators.set_password(operator.login, rehashed)
        await store.console_sessions.delete_idle(now - _idle(console))
        await store.throttle.forget(now)
        token = secrets.token_urlsafe(32)
        await store.console_sessions.create(
            keyed_hash(console.key, token), operator.id, secrets.token_urlsafe(32), now
        )
        await store.audit.record(who, "console.login", now, details)
        await store.commit()
    fresh = new_device(console, operator.login) if options.trusted_device_days else None
    return LoginResult(token=token, device=fresh)


def _refused(console: Console, now: datetime, wait: bool) -> LoginResult:
    """«Wrong login or password, or too many attempts», with the wait when there is one."""
    if wait:
        return LoginResult(error="wait", params={"minutes": _wait_minutes(console, now)})
    return LoginResult(error="wrong")


def _idle(console: Console) -> timedelta:
    return timedelta(minutes=console.options.session_idle_minutes)


def _ended(console: Console, session: SessionRecord, now: datetime) -> bool:
    """Unused too long, older than the absolute lifetime, or its operator disabled."""
    return (
        not session.operator.enabled
        or session.last_seen_at < now - _idle(console)
        or session.created_at < now - timedelta(hours=console.options.session_max_hours)
    )


async def load_session(console: Console, request: web.Request) -> SessionRecord | None:
    """The operator's session if the cookie names a live one (used recently, not older than
    the absolute lifetime, operator enabled)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 128:
        return None
    token_hash = keyed_hash(console.key, token)
    now = console.now()
    async with console.unit_of_work() as store:
        session = await store.console_sessions.get(token_hash)
        if session is None:
            return None
        if _ended(console, session, now):
            await store.console_sessions.delete(token_hash)
            await store.commit()
            return None
        if request.path != f"{PREFIX}/events" and session.last_seen_at < now - TOUCH_EVERY:
            # Live updates do not count as use: an idle session ends with the stream open.
            await store.console_sessions.touch(token_hash, now)
            await store.commit()
    return session


async def session_alive(console: Console, token_hash: str) -> bool:
    async with console.unit_of_work() as store:
        session = await store.console_sessions.get(token_hash)
    return session is not None and not _ended(console, session, console.now())


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
    own_cache = response.headers.get("Cache-Control", "")
    response.headers.update(SECURITY_HEADERS)
    if "no-store" in own_cache:  # a handler's as strict word stays («private, no-store»)
        response.headers["Cache-Control"] = own_cache
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
    address = request_address(request, console.proxies)
    device = trusted_device(console, request, name)
    result = await authenticate(console, name, password, address, device)
    if result.token is None:
        error = console.text(f"login_errors.{result.error}", **(result.params or {}))
        response = _login_form(console, request, error, name[:MAX_LOGIN], result.status)
        if result.status == 429:
            response.headers["Retry-After"] = "1"
        return response
    if request.get(SESSION) is not None:  # logging in again replaces the old session
        await _end(console, request[SESSION].token_hash, None)
    response = web.HTTPSeeOther(f"{PREFIX}/queue")
    set_cookie(console, request, response, SESSION_COOKIE, result.token)
    if result.device is not None:
        days = console.options.trusted_device_days
        set_cookie(console, request, response, DEVICE_COOKIE, result.device, days * 86400)
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
