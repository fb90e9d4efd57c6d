"""Supervisors (and admins): today's figures and the operators — enable, disable, new password,
lift a login's throttle."""

from __future__ import annotations

from statistics import fmean, median
from typing import Any

from aiohttp import web

from console.auth import login_state, require, unlock_login
from console.context import actor, console_of, redirect, session_of
from console.roles import Role, may_manage


async def supervisor_page(
    request: web.Request, status: int = 200, error: str | None = None
) -> web.Response:
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    session = session_of(request)
    now = console.now()
    f = console.formats
    since = f.midnight(now)
    async with console.unit_of_work() as store:
        waiting = await store.console.queue()
        responses = await store.console.first_responses(since)
        resolved = await store.console.resolved(since)
        operators = await store.operators.all()
        states = {op.login: await login_state(console, store, op.login) for op in operators}
    figures = {
        "waiting": len(waiting),
        "median": f.duration(median(responses)) if responses else "—",
        "average": f.duration(fmean(responses)) if responses else "—",
        "answered": len(responses),
        "resolved": resolved,
    }
    rows: list[dict[str, Any]] = [
        {
            "login": op.login,
            "name": op.display_name,
            "role": f.label("roles", op.role),
            "enabled": op.enabled,
            "locked": states[op.login][0] is not None,
            "locked_until": f.when(states[op.login][0], now),
            "failures": states[op.login][1],
            "manageable": may_manage(session.operator.role, op.role)
            and op.login != session.operator.login,
        }
        for op in operators
    ]
    return console.page(
        request,
        "supervisor.html",
        status,
        nav="supervisor",
        error=error,
        figures=figures,
        operators=rows,
        min_length=console.options.min_password_length,
    )


async def supervisor(request: web.Request) -> web.StreamResponse:
    return await supervisor_page(request)


async def _target(request: web.Request) -> tuple[str, str] | web.Response:
    """The operator named in the URL, if the supervisor may manage them."""
    require(request, Role.SUPERVISOR)
    console = console_of(request)
    session = session_of(request)
    login = request.match_info["login"]
    async with console.unit_of_work() as store:
        target = await store.operators.get(login)
    if target is None:
        return console.error_page(request, 404, "errors.not_found")
    if login == session.operator.login or not may_manage(session.operator.role, target.role):
        return await supervisor_page(request, 403, console.text("errors.forbidden"))
    return target.login, target.role


async def enable(request: web.Request) -> web.StreamResponse:
    return await _set_enabled(request, True)


async def disable(request: web.Request) -> web.StreamResponse:
    return await _set_enabled(request, False)


async def _set_enabled(request: web.Request, enabled: bool) -> web.StreamResponse:
    target = await _target(request)
    if isinstance(target, web.Response):
        return target
    console = console_of(request)
    session = session_of(request)
    login, _ = target
    now = console.now()
    async with console.unit_of_work() as store:
        await store.operators.set_enabled(login, enabled)
        if not enabled:
            operator = await store.operators.get(login)
            assert operator is not None
            await store.console_sessions.delete_for_operator(operator.id)
        action = "console.operator_enable" if enabled else "console.operator_disable"
        await store.audit.record(actor(session), action, now, {"login": login})
        await store.commit()
    raise redirect("/supervisor", "operator_enabled" if enabled else "operator_disabled")


async def reset_password(request: web.Request) -> web.StreamResponse:
    target = await _target(request)
    if isinstance(target, web.Response):
        return target
    console = console_of(request)
    session = session_of(request)
    login, _ = target
    form = await request.post()
    password = str(form.get("password", ""))
    async with console.unit_of_work() as store:
        named = await store.operators.get(login)
    name = named.display_name if named is not None else ""
    problem = console.password_rules.problem(password, login, name)
    if problem is not None:
        error = console.text(f"errors.{problem.key}", **problem.params)
        return await supervisor_page(request, 400, error)
    password_hash = await console.hashing.hash(password)
    now = console.now()
    async with console.unit_of_work() as store:
        await store.operators.set_password(login, password_hash)
        operator = await store.operators.get(login)
        assert operator is not None
        await store.console_sessions.delete_for_operator(operator.id)
        await unlock_login(store, login)  # guesses at the old password no longer count
        await store.audit.record(actor(session), "console.operator_password", now, {"login": login})
        await store.commit()
    raise redirect("/supervisor", "password_reset")


async def unlock(request: web.Request) -> web.StreamResponse:
    """Forget a login's attempts and failures (its throttle), audited."""
    target = await _target(request)
    if isinstance(target, web.Response):
        return target
    console = console_of(request)
    session = session_of(request)
    login, _ = target
    async with console.unit_of_work() as store:
        await unlock_login(store, login)
        await store.audit.record(
            actor(session), "console.operator_unlock", console.now(), {"login": login}
        )
        await store.commit()
    raise redirect("/supervisor", "operator_unlocked")
