"""A real `energobot serve --demo` and a real headless Chromium (find_browser.py: Debian's, or
another), shared by the browser tests of this folder (a package, so both end when its tests do);
every test gets its own browser context (its own cookies).

Without a browser the session stops before running anything, once, with the command that
installs one, rather than failing every browser test."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.find_browser import find_browser, install_command, not_found_message
from tests.browser.support import (
    DOCS_SCREENSHOTS,
    ROOT,
    START_TIMEOUT_SECONDS,
    Server,
    free_port,
    new_context,
    ready,
)

CHROMIUM = pytest.StashKey[Path]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the tests to run are known, before any runs: a browser for those that need one."""
    if not any("browser" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    found = find_browser(os.environ)
    if found is None:
        pytest.exit(
            not_found_message(os.environ, install_command()),
            returncode=pytest.ExitCode.INTERRUPTED,
        )
    session.config.stash[CHROMIUM] = found


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from tests.conftest import fresh_database_url

    workdir = tmp_path_factory.mktemp("serve")
    database_url = asyncio.run(fresh_database_url(workdir))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENERGOBOT_")}
    env.update(
        ENERGOBOT_CONFIG=str(ROOT / "config.yaml"),
        ENERGOBOT_DATABASE__URL=database_url,
        ENERGOBOT_SERVER__HOST="127.0.0.1",
        ENERGOBOT_SERVER__PORT=str(port),
        ENERGOBOT_CONSOLE__SESSION_KEY=secrets.token_urlsafe(32),
    )
    log = workdir / "serve.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "energobot", "serve", "--demo"],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Server(f"http://127.0.0.1:{port}", env, workdir, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not ready(served.url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"energobot serve did not get ready:\n{served.output()[-3000:]}")
            time.sleep(0.2)
        served.add_operators()  # meanwhile the web chat's tests run
        yield served
    finally:
        if served.adding_operators is not None and served.adding_operators.poll() is None:
            served.adding_operators.kill()
            served.adding_operators.communicate()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="package")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("ENERGOBOT_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="package")
def browser(server: Server, request: pytest.FixtureRequest) -> Iterator[Browser]:
    # The server comes first: its fixture runs asyncio, which Playwright's sync API would block.
    chromium = request.config.stash[CHROMIUM]  # found by pytest_collection_finish
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox"], headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    ctx = new_context(browser, server)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
