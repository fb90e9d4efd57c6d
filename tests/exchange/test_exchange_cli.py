"""`energobot import | export | demo` end to end, as a subprocess on a SQLite file in tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from core.readings import Reading, ReadingStatus
from storage.database import Database

DATA = Path(__file__).parent / "data"
# The console script next to the interpreter running the tests (.venv/bin/energobot).
ENERGOBOT = Path(sys.executable).parent / "energobot"


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path
        self.url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'energobot.db'}"
        self.config = tmp_path / "config.yaml"
        self.config.write_text(f"database:\n  url: {self.url}\n", encoding="utf-8")
        # The developer's own settings must not leak into the test.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ENERGOBOT_")}

    def __call__(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ENERGOBOT), "--config", str(self.config), *map(str, args)],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


async def accounts_in(url: str, *numbers: str) -> list[bool]:
    database = Database(url)
    try:
        async with database.unit_of_work() as store:
            return [await store.accounts.get(number) is not None for number in numbers]
    finally:
        await database.dispose()


def test_import_prints_counts_and_reimport_changes_nothing(cli: Cli) -> None:
    first = cli("import", "accounts", DATA / "accounts.csv")
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == "accounts: 2 row(s) read, 2 inserted, 0 updated.\n"
    meters = cli("import", "meters", DATA / "meters.csv", "--no-migrate")
    assert meters.returncode == 0, meters.stderr
    assert meters.stdout == "meters: 3 row(s) read, 2 inserted, 0 updated.\n"
    again = cli("import", "accounts", DATA / "accounts.jsonl")
    assert again.stdout == "accounts: 2 row(s) read, 0 inserted, 0 updated.\n"


async def test_import_with_errors_exits_1_and_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "accounts.csv"
    bad.write_text(
        (DATA / "accounts.csv").read_text(encoding="utf-8")
        + "5900100103,Кузнецова,Татьяна,,г. Пермь,urban_gas,12ab,,0,0,\n",
        encoding="utf-8",
    )
    result = cli("import", "accounts", bad)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "row 4: phone: not a Russian phone number: '12ab'",
        f"{bad}: 1 error(s) in 3 row(s); nothing imported.",
    ]
    assert await accounts_in(cli.url, "5900100101", "5900100102") == [False, False]


def test_import_usage_errors(cli: Cli, tmp_path: Path) -> None:
    unknown_format = tmp_path / "accounts.txt"
    unknown_format.write_bytes((DATA / "accounts.jsonl").read_bytes())
    result = cli("import", "accounts", unknown_format)
    assert result.returncode == 2
    assert "cannot tell the format" in result.stderr
    assert cli("import", "accounts", unknown_format, "--format", "jsonl").returncode == 0
    assert cli("import", "visits", DATA / "accounts.csv").returncode == 2
    assert cli("import", "accounts", tmp_path / "missing.csv").returncode == 2


def test_help_explains_formats(cli: Cli) -> None:
    result = cli("import", "--help")
    assert result.returncode == 0
    assert "account,period,kwh,charged,paid" in result.stdout
    assert "nothing is imported" in result.stdout
    assert "--format [csv|jsonl]" in result.stdout
    export_help = cli("export", "--help").stdout
    assert "--period YYYY-MM" in export_help
    assert "--output" in export_help


async def test_export_to_stdout_and_file(cli: Cli, tmp_path: Path) -> None:
    assert cli("import", "accounts", DATA / "accounts.csv").returncode == 0
    assert cli("import", "meters", DATA / "meters.csv").returncode == 0
    database = Database(cli.url)
    try:
        async with database.unit_of_work() as store:
            for period, value in (("2026-11", "23600.5"), ("2026-12", "23790")):
                await store.readings.add(
                    Reading(
                        "5900100101", "011076120445", "T1", Decimal(value), Decimal("184.9"),
                        period, datetime(2026, 11, 26, 10, 15, tzinfo=UTC), "telegram",
                        ReadingStatus.ACCEPTED,
                    )
                )  # fmt: skip
            await store.commit()
    finally:
        await database.dispose()

    result = cli("export", "readings", "--period", "2026-11")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "account,serial,register,value,consumption_kwh,period,submitted_at,channel,status\n"
        "5900100101,011076120445,T1,23600.5,184.9,2026-11,2026-11-26T10:15:00+00:00,telegram,"
        "accepted\n"
    )

    out = tmp_path / "readings.jsonl"
    result = cli("export", "readings", "--output", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"2 reading(s) written to {out}.\n"
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["period"], r["value"]) for r in records] == [
        ("2026-11", "23600.5"),
        ("2026-12", "23790"),
    ]
    # Personal data: only its owner may read the file, also one that was there before.
    assert out.stat().st_mode & 0o777 == 0o600
    out.chmod(0o644)
    assert cli("export", "readings", "--output", out).returncode == 0
    assert out.stat().st_mode & 0o777 == 0o600

    bad = cli("export", "readings", "--period", "2026-13")
    assert bad.returncode == 2
    assert "not a period (YYYY-MM): '2026-13'" in bad.stderr


async def test_demo_loads_once(cli: Cli) -> None:
    first = cli("demo")
    assert first.returncode == 0, first.stderr
    assert "loaded" in first.stdout
    assert await accounts_in(cli.url, "5901000001", "59010000100") == [True, True]
    second = cli("demo")
    assert second.returncode == 0
    assert "already" in second.stdout


def test_energobot_console_script_is_installed() -> None:
    # Guards the tests above: they run the installed command, not an import of the module.
    assert ENERGOBOT.exists(), f"{ENERGOBOT} missing: run `make test` (pip install -e .)"
