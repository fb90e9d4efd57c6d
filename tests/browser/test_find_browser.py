"""Finding a browser for the browser tests, and stopping once, with the command to run, without."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.find_browser import (
    APT_COMMAND,
    ENV,
    PLAYWRIGHT_COMMAND,
    find_browser,
    install_command,
    not_found_message,
)

ROOT = Path(__file__).resolve().parents[2]


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def no_playwright() -> Path | None:
    return None


def test_the_variable_comes_first(tmp_path: Path) -> None:
    chosen = executable(tmp_path / "mine" / "chrome")
    debian = executable(tmp_path / "usr" / "chromium")
    executable(tmp_path / "bin" / "chromium")
    environ = {ENV: str(chosen), "PATH": str(tmp_path / "bin")}
    assert find_browser(environ, debian, no_playwright) == chosen


def test_a_variable_pointing_nowhere_is_not_swapped_for_another_browser(tmp_path: Path) -> None:
    debian = executable(tmp_path / "usr" / "chromium")
    not_executable = tmp_path / "chrome"
    not_executable.write_text("")
    for chosen in (tmp_path / "nowhere", not_executable, tmp_path):
        environ = {ENV: str(chosen), "PATH": str(tmp_path / "bin")}
        assert find_browser(environ, debian, lambda: debian) is None


def test_debians_chromium_comes_before_path(tmp_path: Path) -> None:
    debian = executable(tmp_path / "usr" / "chromium")
    executable(tmp_path / "bin" / "chromium")
    assert find_browser({"PATH": str(tmp_path / "bin")}, debian, no_playwright) == debian


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (
            ["chrome", "google-chrome-stable", "google-chrome", "chromium-browser"],
            "chromium-browser",
        ),
        (["chrome", "google-chrome-stable", "google-chrome"], "google-chrome"),
        (["chrome", "google-chrome-stable"], "google-chrome-stable"),
        (["chrome"], "chrome"),
        (["chromium", "chrome"], "chromium"),
    ],
)
def test_chromium_or_chrome_on_path_in_order(
    tmp_path: Path, present: list[str], expected: str
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for index, name in enumerate(present):  # spread over two folders: PATH order is not name order
        executable((first if index % 2 else second) / name)
    environ = {"PATH": f"{first}:{second}"}
    found = find_browser(environ, tmp_path / "no-debian", no_playwright)
    assert found is not None and found.name == expected


def test_a_file_on_path_that_is_not_executable_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "chromium").write_text("")
    chrome = executable(tmp_path / "bin" / "chrome")
    environ = {"PATH": str(tmp_path / "bin")}
    assert find_browser(environ, tmp_path / "no-debian", no_playwright) == chrome


def test_playwrights_chromium_comes_last(tmp_path: Path) -> None:
    downloaded = executable(tmp_path / "ms-playwright" / "chrome")
    asked: list[bool] = []

    def playwright() -> Path | None:
        asked.append(True)
        return downloaded

    environ = {"PATH": str(tmp_path / "bin")}
    assert find_browser(environ, tmp_path / "no-debian", playwright) == downloaded
    executable(tmp_path / "bin" / "google-chrome")
    assert find_browser(environ, tmp_path / "no-debian", playwright) == tmp_path / "bin" / (
        "google-chrome"
    )
    assert asked == [True]  # not started when a browser was found before it


def test_nothing_found(tmp_path: Path) -> None:
    assert find_browser({}, tmp_path / "no-debian", no_playwright) is None
    assert find_browser({"PATH": ""}, tmp_path / "no-debian", no_playwright) is None


@pytest.mark.parametrize(
    ("os_release", "command"),
    [
        ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', APT_COMMAND),
        ("ID=ubuntu\nID_LIKE=debian\n", APT_COMMAND),
        ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', APT_COMMAND),
        ('ID="fedora"\n', PLAYWRIGHT_COMMAND),
        ("ID=arch\n", PLAYWRIGHT_COMMAND),
        (None, PLAYWRIGHT_COMMAND),  # no /etc/os-release: macOS
    ],
)
def test_the_command_to_run_depends_on_the_system(
    tmp_path: Path, os_release: str | None, command: str
) -> None:
    path = tmp_path / "os-release"
    if os_release is not None:
        path.write_text(os_release)
    assert install_command(path) == command


def test_the_message_names_the_command() -> None:
    unset = not_found_message({}, APT_COMMAND)
    assert unset.endswith(f"Run: {APT_COMMAND}")
    assert "/usr/bin/chromium" in unset and "google-chrome-stable" in unset
    wrong = not_found_message({ENV: "/opt/nowhere"}, PLAYWRIGHT_COMMAND)
    assert f"{ENV}=/opt/nowhere" in wrong and wrong.endswith(PLAYWRIGHT_COMMAND)


def test_without_a_browser_the_session_stops_once_before_running_anything(
    tmp_path: Path,
) -> None:
    environ = {
        "PATH": str(tmp_path / "empty"),
        "HOME": str(tmp_path),
        ENV: str(tmp_path / "nowhere"),
    }
    selection = [
        "tests/browser/test_webchat.py::test_a_reload_keeps_the_conversation",
        "tests/browser/test_webchat.py::test_hostile_customer_text_is_shown_as_text",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *selection],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.INTERRUPTED, output
    message = not_found_message(environ, install_command())
    assert output.count(message) == 1, output
    for outcome in ("passed", "failed", "error", "FAILED", "ERROR"):
        assert outcome not in output, output
    assert "energobot serve" not in output  # the server fixture never started
