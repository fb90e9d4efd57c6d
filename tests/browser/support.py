"""What the browser tests share: the served app's handle, the operators they create, a new
browser context, and the web chat page as a customer uses it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
# Screenshots are always taken; they replace the committed ones in docs/ only when asked:
# ENERGOBOT_SCREENSHOTS=1 .venv/bin/pytest -q tests/browser
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
START_TIMEOUT_SECONDS = 90
PASSWORD = "correct-horse-battery"
# The console's users, created with `energobot operators add` as soon as the server is up.
OPERATORS = (
    ("anna", "operator", "Анна"),
    ("sveta", "supervisor", "Светлана"),
    ("boris", "operator", "Борис"),
)
# The `energobot` command line run once per operator in one interpreter (Python and the CLI's
# imports start once: seconds on a busy machine); each reads its password from stdin.
ADD_OPERATORS = """
import json, sys
from energobot.cli import main
for login, role, name in json.loads(sys.argv[1]):
    main(["operators", "add", login, "--role", role, "--name", name], standalone_mode=False)
"""
# Waiting for the page, not for time: an expectation is retried until it holds or this passes.
expect.set_options(timeout=15_000)


@dataclass
class Server:
    url: str
    env: dict[str, str]
    workdir: Path
    log: Path
    adding_operators: subprocess.Popen[str] | None = None

    def add_operators(self) -> None:
        """Start creating OPERATORS in the background (see operators_added)."""
        passwords = self.workdir / "passwords.txt"
        passwords.write_text(f"{PASSWORD}\n" * len(OPERATORS), encoding="utf-8")
        with passwords.open(encoding="utf-8") as stdin:
            self.adding_operators = subprocess.Popen(
                [sys.executable, "-c", ADD_OPERATORS, json.dumps(OPERATORS)],
                env=self.env,
                cwd=self.workdir,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

    def operators_added(self) -> None:
        assert self.adding_operators is not None
        out, err = self.adding_operators.communicate(timeout=180)
        assert self.adding_operators.returncode == 0, err
        assert out.count("added") == len(OPERATORS), out

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def new_context(browser: Browser, server: Server) -> BrowserContext:
    return browser.new_context(base_url=server.url, viewport=VIEWPORT, locale="ru-RU")


class Chat:
    """The web chat page as a customer uses it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.messages = page.locator("[data-test=message]")
        self.bot = page.locator("[data-test=message][data-side=bot]")
        self.operator = page.locator("[data-test=message][data-side=operator]")
        self.customer = page.locator("[data-test=message][data-side=customer]")

    def open(self) -> Chat:
        self.page.goto("/")
        expect(self.bot.first).to_be_visible()
        return self

    def say(self, text: str) -> None:
        box = self.page.locator("[data-test=input]")
        box.fill(text)
        box.press("Enter")

    def press(self, label: str) -> None:
        """Press an active button of the latest prompt."""
        self.page.locator("[data-test=button]:enabled", has_text=label).last.click()

    def texts(self) -> list[str]:
        return self.page.locator("[data-test=message-text]").all_inner_texts()

    def last_bot(self) -> Locator:
        return self.bot.last

    def wait_bot_count(self, count: int) -> None:
        expect(self.bot).to_have_count(count)
