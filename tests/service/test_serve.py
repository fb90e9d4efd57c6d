"""`energobot serve` as a real process: health, readiness, demo data, a bad setting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from storage.migrate import head


def energobot(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One `energobot` command in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "energobot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENERGOBOT_")}
    env["ENERGOBOT_DATABASE__URL"] = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    env["ENERGOBOT_SERVER__PORT"] = str(free_port())
    return env


def test_serve_answers_health_and_readiness_and_loads_the_demo(
    env: dict[str, str], tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "energobot", "serve", "--demo"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{env['ENERGOBOT_SERVER__PORT']}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get(f"{base}/healthz")
                break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert status == 200 and '"ok"' in body
        status, body = get(f"{base}/readyz")
        assert status == 200 and '"ready"' in body
    finally:
        process.terminate()  # SIGTERM: a graceful stop, exit status 0
        assert process.wait(timeout=30) == 0
    result = energobot(env, tmp_path, "export", "readings")
    assert result.returncode == 0
    again = energobot(env, tmp_path, "demo")
    assert again.returncode == 0 and "already" in (again.stdout + again.stderr).lower()


def test_invalid_setting_stops_the_start_naming_it(env: dict[str, str], tmp_path: Path) -> None:
    env["ENERGOBOT_SERVER__PORT"] = "eighty"
    result = energobot(env, tmp_path, "serve")
    assert result.returncode != 0
    assert "server.port" in result.stderr and "ENERGOBOT_SERVER__PORT" in result.stderr


def test_migrate_command_reports_the_revision(env: dict[str, str], tmp_path: Path) -> None:
    result = energobot(env, tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert f"revision {head()}" in result.stdout


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "energobot", "--help"], capture_output=True, text=True, timeout=60
    )
    for command in ("serve", "chat", "migrate", "import", "export", "demo"):
        assert command in result.stdout
