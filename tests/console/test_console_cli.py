"""`energobot operators`: add (password from stdin), list, disable, enable, passwd."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from console.passwords import verify
from energobot.cli import main
from storage.database import Database


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'energobot.db'}"
    config = tmp_path / "config.yaml"
    config.write_text(f"database:\n  url: {url}\n", encoding="utf-8")
    for name in list(os.environ):
        if name.startswith("ENERGOBOT_"):
            monkeypatch.delenv(name)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(main, ["--config", str(config), *args], input=input)

    invoke.url = url  # type: ignore[attr-defined]
    return invoke


def stored(url: str, login: str) -> Any:
    async def read() -> Any:
        database = Database(url)
        try:
            async with database.unit_of_work() as store:
                return await store.operators.get(login)
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_add_list_disable_enable_passwd(run: Any) -> None:
    result = run(
        "operators",
        "add",
        "anna",
        "--role",
        "operator",
        "--name",
        "Анна П.",
        input="a long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "operator anna added (operator)" in result.output
    anna = stored(run.url, "anna")
    assert anna.display_name == "Анна П." and anna.role == "operator" and anna.enabled
    assert anna.password_hash.startswith("$argon2") and verify(
        anna.password_hash, "a long password"
    )

    run("operators", "add", "boss", "--role", "supervisor", input="another long one\n")
    listed = run("operators", "list")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split()[:3] == ["anna", "operator", "enabled"]
    assert lines[1].split()[:3] == ["boss", "supervisor", "enabled"]

    assert run("operators", "disable", "anna").exit_code == 0
    assert not stored(run.url, "anna").enabled
    assert "disabled" in run("operators", "list").output.splitlines()[0]
    assert run("operators", "enable", "anna").exit_code == 0
    assert stored(run.url, "anna").enabled

    assert run("operators", "passwd", "anna", input="the newest password\n").exit_code == 0
    assert verify(stored(run.url, "anna").password_hash, "the newest password")


def test_refusals(run: Any) -> None:
    result = run("operators", "add", "anna", "--role", "operator", input="short\n")
    assert result.exit_code != 0 and "слишком короткий: нужно не меньше 12" in result.output
    assert "no operators yet" in run("operators", "list").output
    run("operators", "add", "anna", "--role", "operator", input="a long password\n")
    again = run("operators", "add", "anna", "--role", "admin", input="a long password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    assert run("operators", "add", "bad login!", "--role", "operator").exit_code == 2
    assert run("operators", "add", "x1", "--role", "king").exit_code == 2
    assert run("operators", "disable", "nobody").exit_code == 1
    assert stored(run.url, "anna").role == "operator"
