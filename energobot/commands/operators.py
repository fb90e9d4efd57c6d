"""`energobot operators`: the console's users — add, list, disable, enable, passwd, unlock."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import click

from console.auth import FAILED, login_key, unlock_login
from console.passwords import PasswordRules, company_words, hash_password
from console.render import Formats
from console.roles import Role
from core.ports import Store
from energobot.runtime import CliContext, open_database, pass_cli
from energobot.settings import Settings

T = TypeVar("T")
LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}")
ACTOR = "cli"
DAY = timedelta(days=1)
_NO_MIGRATE = click.option(
    "--no-migrate", is_flag=True, help="Do not bring the database schema up to date first."
)


def _run(settings: Settings, migrate: bool, work: Callable[[Store], Awaitable[T]]) -> T:
    async def run() -> T:
        database = await open_database(settings, migrate=migrate)
        try:
            async with database.unit_of_work() as store:
                return await work(store)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _read_password(settings: Settings, login: str, name: str = "") -> str:
    """From a hidden prompt (typed twice) at a terminal, else the first line of stdin; refused
    (in the console's language) when the console would refuse it."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    console = settings.console
    rules = PasswordRules(
        console.min_password_length,
        console.password_checks,
        console.password_blocklist,
        company_words(settings.company.name, settings.company.website),
    )
    problem = rules.problem(password, login, name)
    if problem is not None:
        formats = Formats(console.language, ZoneInfo(settings.company.timezone))
        raise click.ClickException(formats.text(f"errors.{problem.key}", **problem.params))
    return password


def _login(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not LOGIN.fullmatch(value):
        raise click.BadParameter(
            "2-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


@click.group()
def operators() -> None:
    """Operators of the web console (/console): who may log in, with which role."""


@operators.command("add")
@click.argument("login", callback=_login)
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    required=True,
    help="operator: the queue and conversations; supervisor: also operators, canned "
    "responses and figures; admin: also supervisors and admins.",
)
@click.option("--name", "display_name", help="Shown to customers with replies (default LOGIN).")
@_NO_MIGRATE
@pass_cli
def add(cli: CliContext, login: str, role: str, display_name: str | None, no_migrate: bool) -> None:
    """Create an operator. The password is asked for (or read from stdin when piped)."""
    settings = cli.settings
    name = (display_name or login).strip()[:128]
    password_hash = hash_password(_read_password(settings, login, name))

    async def work(store: Store) -> None:
        now = datetime.now(UTC)
        try:
            await store.operators.add(login, name, role, password_hash, now)
        except ValueError:
            raise click.ClickException(f"operator {login} already exists") from None
        await store.audit.record(ACTOR, "operators.add", now, {"login": login, "role": role})
        await store.commit()

    _run(settings, not no_migrate, work)
    click.echo(f"operator {login} added ({role}).")


@operators.command("list")
@_NO_MIGRATE
@pass_cli
def list_(cli: CliContext, no_migrate: bool) -> None:
    """Every operator: login, role, state, display name."""

    async def work(store: Store) -> list[tuple[str, str, str, str]]:
        now = datetime.now(UTC)
        rows = []
        for op in await store.operators.all():
            state = "enabled" if op.enabled else "disabled"
            failed = await store.throttle.recent(FAILED + login_key(op.login), now - DAY)
            if failed:
                state += f", {failed} failed logins in 24 h"
            rows.append((op.login, op.role, state, op.display_name))
        return rows

    rows = _run(cli.settings, not no_migrate, work)
    if not rows:
        click.echo("no operators yet: energobot operators add LOGIN --role operator")
        return
    width = max(len(row[0]) for row in rows)
    for login, role, state, name in rows:
        click.echo(f"{login:<{width}}  {role:<10}  {state:<10}  {name}")


def _switch(enabled: bool) -> Callable[..., None]:
    def command(cli: CliContext, login: str, no_migrate: bool) -> None:
        async def work(store: Store) -> bool:
            operator = await store.operators.get(login)
            if operator is None:
                return False
            await store.operators.set_enabled(login, enabled)
            if not enabled:  # logged out everywhere at once
                await store.console_sessions.delete_for_operator(operator.id)
            action = "operators.enable" if enabled else "operators.disable"
            await store.audit.record(ACTOR, action, datetime.now(UTC), {"login": login})
            await store.commit()
            return True

        if not _run(cli.settings, not no_migrate, work):
            raise click.ClickException(f"no operator {login}")
        click.echo(f"operator {login} {'enabled' if enabled else 'disabled'}.")

    return command


disable = operators.command("disable", help="Stop an operator from logging in (ends sessions).")(
    click.argument("login")(_NO_MIGRATE(pass_cli(_switch(False))))
)
enable = operators.command("enable", help="Let a disabled operator log in again.")(
    click.argument("login")(_NO_MIGRATE(pass_cli(_switch(True))))
)


@operators.command("passwd")
@click.argument("login")
@_NO_MIGRATE
@pass_cli
def passwd(cli: CliContext, login: str, no_migrate: bool) -> None:
    """Set a new password (asked for, or read from stdin); lifts the login's throttle, ends
    sessions."""
    settings = cli.settings

    async def name_of(store: Store) -> str | None:
        operator = await store.operators.get(login)
        return None if operator is None else operator.display_name

    name = _run(settings, not no_migrate, name_of)
    if name is None:
        raise click.ClickException(f"no operator {login}")
    password_hash = hash_password(_read_password(settings, login, name))

    async def work(store: Store) -> bool:
        operator = await store.operators.get(login)
        if operator is None:
            return False
        await store.operators.set_password(login, password_hash)
        await store.console_sessions.delete_for_operator(operator.id)
        await unlock_login(store, login)
        await store.audit.record(ACTOR, "operators.passwd", datetime.now(UTC), {"login": login})
        await store.commit()
        return True

    if not _run(settings, False, work):  # migrated (if asked) by the first look
        raise click.ClickException(f"no operator {login}")
    click.echo(f"password of {login} changed.")


@operators.command("unlock")
@click.argument("login")
@_NO_MIGRATE
@pass_cli
def unlock(cli: CliContext, login: str, no_migrate: bool) -> None:
    """Forget a login's failed attempts: strangers' guesses no longer hold it back."""

    async def work(store: Store) -> bool:
        if await store.operators.get(login) is None:
            return False
        await unlock_login(store, login)
        await store.audit.record(ACTOR, "operators.unlock", datetime.now(UTC), {"login": login})
        await store.commit()
        return True

    if not _run(cli.settings, not no_migrate, work):
        raise click.ClickException(f"no operator {login}")
    click.echo(f"login attempts of {login} forgotten.")
