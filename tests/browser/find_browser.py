"""Which Chromium the browser tests drive, and the one command to run when there is none.

In this order: ENERGOBOT_CHROMIUM (when set, the only one looked at: a browser asked for by name
is never swapped for another), Debian's chromium, another Chromium or Chrome on PATH, the
Chromium Playwright downloads (`playwright install chromium`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

ENV = "ENERGOBOT_CHROMIUM"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
ON_PATH = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
OS_RELEASE = Path("/etc/os-release")
APT_COMMAND = "apt-get install -y chromium"
PLAYWRIGHT_COMMAND = ".venv/bin/playwright install chromium"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def playwright_chromium() -> Path | None:
    """Playwright's own Chromium, if `playwright install chromium` put it in place."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        path = Path(playwright.chromium.executable_path)
    return path if _executable(path) else None


def find_browser(
    environ: Mapping[str, str],
    debian: Path = DEBIAN_CHROMIUM,
    playwright: Callable[[], Path | None] = playwright_chromium,
) -> Path | None:
    if chosen := environ.get(ENV):
        return Path(chosen) if _executable(Path(chosen)) else None
    if _executable(debian):
        return debian
    search = environ.get("PATH", "")
    for name in ON_PATH:
        if found := shutil.which(name, path=search):
            return Path(found)
    return playwright()  # last: it starts Playwright's driver to ask


def install_command(os_release: Path = OS_RELEASE) -> str:
    """apt-get on Debian and Ubuntu (and their derivatives), Playwright's download elsewhere."""
    try:
        lines = os_release.read_text("utf-8").splitlines()
    except OSError:
        return PLAYWRIGHT_COMMAND
    fields = dict(line.split("=", 1) for line in lines if "=" in line)
    ids = {
        word
        for key in ("ID", "ID_LIKE")
        for word in fields.get(key, "").strip().strip("\"'").split()
    }
    return APT_COMMAND if ids & {"debian", "ubuntu"} else PLAYWRIGHT_COMMAND


def not_found_message(environ: Mapping[str, str], command: str) -> str:
    """What to do, in one line: the command that installs a browser where none was found."""
    need = "The browser tests (tests/browser) need Chromium or Chrome"
    if chosen := environ.get(ENV):
        return (
            f"{need}: {ENV}={chosen} is no executable file. "
            f"Point it at one, or unset it and run: {command}"
        )
    return (
        f"{need} and found none (looked for {DEBIAN_CHROMIUM}, {', '.join(ON_PATH)} on PATH, "
        f"Playwright's chromium). Run: {command}"
    )
