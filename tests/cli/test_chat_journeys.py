"""Whole conversations through `energobot chat --json` as a subprocess, judged by the export."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# Billing files of two households, written for these journeys (not the demo data).
DATA = Path(__file__).parent / "data"


class Energobot:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        config = workdir / "config.yaml"
        config.write_text(
            f"database:\n  url: sqlite+aiosqlite:///{workdir / 'bot.db'}\n", encoding="utf-8"
        )
        self.env = {**os.environ, "ENERGOBOT_CONFIG": str(config)}
        self.env.pop("ENERGOBOT_DATABASE__URL", None)
        if url := os.environ.get("ENERGOBOT_TEST_DATABASE_URL"):
            self.env["ENERGOBOT_DATABASE__URL"] = url

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "energobot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.workdir,
            timeout=120,
        )

    def load(self) -> None:
        for kind in ("accounts", "meters", "history", "tariffs"):
            result = self.run("import", kind, str(DATA / f"{kind}.csv"))
            assert result.returncode == 0, result.stderr

    def chat(self, user: str, lines: list[Any]) -> list[dict[str, Any]]:
        stdin = "".join(
            (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
            for line in lines
        )
        result = self.run("chat", "--json", "--user", user, stdin=stdin)
        assert result.returncode == 0, result.stderr
        out = [json.loads(line) for line in result.stdout.splitlines()]
        assert len(out) == len(lines), result.stdout
        return out

    def export(self) -> list[dict[str, str]]:
        result = self.run("export", "readings")
        assert result.returncode == 0, result.stderr
        return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.fixture
async def bot(tmp_path: Path) -> Energobot:
    from tests.conftest import fresh_database_url

    await fresh_database_url(tmp_path)  # cleans the PostgreSQL schema when one is configured
    bot = Energobot(tmp_path)
    bot.load()
    return bot


def text_of(record: dict[str, Any]) -> str:
    return "\n".join(reply["text"] for reply in record["replies"])


def button(record: dict[str, Any], label: str) -> dict[str, str]:
    for reply in record["replies"]:
        for b in reply["buttons"]:
            if label.casefold() in b["label"].casefold():
                return {"payload": b["payload"]}
    raise AssertionError(f"no button {label!r} in {record}")


def test_one_line_out_per_line_in_and_state_persists(bot: Energobot) -> None:
    out = bot.chat("u1", ["/start", "", '{"payload": "go:accounts"}', "не json {"])
    assert out[0]["in"] == "/start" and "Здравствуйте" in text_of(out[0])
    assert out[1] == {"in": "", "replies": []}
    assert out[2]["in"] == {"payload": "go:accounts"}
    assert all(len(b["payload"].encode()) <= 64 for r in out[0]["replies"] for b in r["buttons"])
    out = bot.chat("u1", ["7100000001"])
    assert "согласие" in text_of(out[0])
    out = bot.chat("u1", ["да", "КУЗНЕЦОВА"])
    assert "привязан" in text_of(out[1])


def test_single_rate_reading_correction_and_export(bot: Energobot) -> None:
    out = bot.chat(
        "anna",
        [
            "/start",
            "передать показания",
            "да",
            "7100000001",
            "кузнецова",
            "4600",
            "показания",
            "4610,5",
        ],
    )
    assert "приняты" in text_of(out[5]), text_of(out[5])
    assert "заменены" in text_of(out[7])
    rows = bot.export()
    assert [(r["value"], r["status"], r["consumption_kwh"]) for r in rows] == [
        ("4600", "replaced", "79.5"),
        ("4610.5", "accepted", "90"),
    ]
    assert rows[0]["account"] == "7100000001" and rows[0]["serial"] == "M-1"
    assert rows[0]["channel"] == "terminal" and rows[0]["register"] == "T1"


def test_two_zone_lower_value_and_implausible(bot: Energobot) -> None:
    out = bot.chat("oleg", ["/start", "показания", "да", "71000000022", "Щекин"])
    assert "приняты" not in text_of(out[-1])
    out = bot.chat("oleg", ["день 22990 ночь 8010"])
    assert "меньше предыдущего" in text_of(out[0])
    out = bot.chat("oleg", ["день 24500 ночь 8100"])  # 1 600 kWh > 3 × 180
    assert "Всё верно" in text_of(out[0])
    assert bot.export() == []
    out = bot.chat("oleg", [button(out[0], "Да")])
    rows = bot.export()
    assert {(r["register"], r["value"], r["status"]) for r in rows} == {
        ("T1", "24500", "flagged"),
        ("T2", "8100", "flagged"),
    }


def test_wrong_surnames_lock_the_account_out(bot: Energobot) -> None:
    lines = ["/start", "привязать счёт", "да", "7100000001"] + ["Петрова"] * 5
    out = bot.chat("mallory", lines)
    assert "Не удалось найти" in text_of(out[-2])
    assert "Слишком много" in text_of(out[-1])
    out = bot.chat("mallory", ["7100000001 Кузнецова", "показания", "4600"])
    assert "Слишком много" in text_of(out[0])
    assert "согласие" not in text_of(out[1])
    assert bot.export() == []
