"""What a new password must not be — checked where passwords are set (the supervisor's page, the
command line), with the reason in the console's language."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from console.passwords import (
    COMMON_PASSWORDS,
    PasswordRules,
    common_passwords,
    company_words,
)
from energobot.settings import Settings
from storage.database import Database
from tests.console.conftest import Browser, add_operator, make_settings

ROOT = Path(__file__).resolve().parents[2]
RULES = PasswordRules(words=company_words("Энергосбыт", "https://energosbyt.example"))


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("short pass", "password_short"),
        ("x" * 1025, "password_long"),
        ("aaaaaaaaaaaa", "password_repeats"),
        ("abcabcabcabc", "password_repeats"),
        ("passwordpassword", "password_repeats"),
        ("1212121212121212", "password_repeats"),
        ("qwerty123456", "password_sequence"),
        ("abcdefghijkl", "password_sequence"),
        ("123456789012", "password_sequence"),
        ("йцукенгшщзхъ", "password_sequence"),
        ("zxcvbnmasdfg", "password_sequence"),
        ("anna12345678", "password_personal"),
        ("Anna.Petrova!1", "password_personal"),
        ("петрова2024!!", "password_personal"),
        ("Энергосбыт2025", "password_personal"),
        ("energosbyt!!1", "password_personal"),
        ("password2024!", "password_common"),
        ("P@ssw0rd1234", "password_common"),
        ("gfhjkm123456", "password_common"),  # «пароль» typed in the Latin layout
        ("iloveyou1234", "password_common"),
        ("sunshine2024", "password_common"),
        ("dragon12345678", "password_common"),
        ("1qaz2wsx3edc", "password_common"),
    ],
)
def test_refused_with_the_reason(password: str, key: str) -> None:
    problem = RULES.problem(password, login="anna", name="Анна Петрова")
    assert problem is not None and problem.key == key


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "correct-horse-battery",
        "the newest password",
        "a brand new secret",
        "мой кот любит сметану",
        "Tr0ub4dor&3xx",
        "Hk8#mQ2!pL9@",
        "dragon83917465",
    ],
)
def test_accepted(password: str) -> None:
    assert RULES.problem(password, login="anna", name="Анна Петрова") is None


def test_the_shipped_list_is_package_data() -> None:
    listed = common_passwords()
    assert len(listed) > 30_000
    assert {"password", "qwertyuiop", "iloveyou", "пароль", "energosbyt"} <= listed
    assert all(len(word) >= 6 for word in listed)
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["console"]
    assert any(COMMON_PASSWORDS in set((ROOT / "console").glob(p)) for p in patterns)


def test_the_checks_can_be_narrowed_and_widened(tmp_path: Path) -> None:
    assert PasswordRules(checks=False).problem("aaaaaaaaaaaa") is None
    assert PasswordRules(checks=False).problem("aaaaaaaaaaa") is not None  # 11: too short
    extra = tmp_path / "breached.txt"
    extra.write_text("Our Own Secret Phrase\n", encoding="utf-8")
    rules = PasswordRules(blocklist=str(extra))
    problem = rules.problem("our own secret phrase")
    assert problem is not None and problem.key == "password_common"
    assert rules.problem("our own secret phrases") is None


def test_settings_keep_the_minimum_at_twelve_and_need_the_blocklist(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="min_password_length"):
        Settings(console={"min_password_length": 10})
    with pytest.raises(ValidationError, match="no such file"):
        Settings(console={"password_blocklist": str(tmp_path / "missing.txt")})


async def boss(database: Database, browser_factory: Any) -> Browser:
    await add_operator(database, "anna", name="Анна Петрова")
    await add_operator(database, "boss", role="supervisor")
    browser: Browser = browser_factory()
    assert (await browser.login("boss")).url.path == "/console/queue"
    await browser.get("/console/supervisor")
    return browser


async def test_the_supervisor_is_told_what_is_wrong(
    database: Database, browser_factory: Any
) -> None:
    browser = await boss(database, browser_factory)
    for password, words in (
        ("aaaaaaaaaaaa", "повторяется одно и то же"),
        ("Password2024!", "в списке самых распространённых паролей"),
        ("petrova123456", "из логина, имени или названия компании"),
        ("abcdefghijklm", "ряд клавиш, букв или цифр подряд"),
        ("eleven char", "нужно не меньше 12 символов"),
    ):
        response = await browser.post("/console/operators/anna/password", {"password": password})
        assert response.status == 400 and words in browser.page, password
    response = await browser.post(
        "/console/operators/anna/password", {"password": "мой кот любит сметану"}
    )
    assert response.status == 200 and 'data-test="notice"' in browser.page


@pytest.fixture
def settings(database_url: str, request: pytest.FixtureRequest) -> Settings:
    return make_settings(database_url, language=getattr(request, "param", "ru"))


@pytest.mark.parametrize("settings", ["en"], indirect=True)
async def test_in_english_when_the_console_is(database: Database, browser_factory: Any) -> None:
    browser = await boss(database, browser_factory)
    response = await browser.post("/console/operators/anna/password", {"password": "qwerty123456"})
    assert response.status == 400 and "is a run of keys, letters or digits" in browser.page


def test_the_command_line_refuses_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from energobot.cli import main

    config = tmp_path / "config.yaml"
    url = f"sqlite+aiosqlite:///{tmp_path / 'energobot.db'}"
    config.write_text(f"database:\n  url: {url}\n", encoding="utf-8")
    for name in list(os.environ):
        if name.startswith("ENERGOBOT_"):
            monkeypatch.delenv(name)
    runner = CliRunner()

    def add(password: str, *more: str) -> Any:
        args = ["--config", str(config), "operators", "add", "anna", "--role", "operator", *more]
        return runner.invoke(main, args, input=password + "\n")

    result = add("aaaaaaaaaaaa")
    assert result.exit_code == 1 and "повторяется одно и то же" in result.output
    result = add("anna-2024-anna")
    assert result.exit_code == 1 and "из логина, имени" in result.output
    config.write_text(f"database:\n  url: {url}\nconsole:\n  language: en\n", encoding="utf-8")
    result = add("password12345")
    assert result.exit_code == 1 and "most common passwords" in result.output
    assert add("a sound long passphrase").exit_code == 0
    result = runner.invoke(
        main, ["--config", str(config), "operators", "passwd", "anna"], input="qwertyuiop12\n"
    )
    assert result.exit_code == 1 and "run of keys" in result.output
