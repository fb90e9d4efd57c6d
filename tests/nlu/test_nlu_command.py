"""`energobot nlu`: one JSON line per input line, every entity format, no crash on any text."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from energobot.commands.nlu import nlu, run

INTENTS = {
    "submit_reading",
    "balance_debt",
    "tariff_question",
    "technician_call",
    "receipt",
    "payment",
    "operator_request",
    "change_contacts",
    "outage_report",
    "other",
}


def records(*lines: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    run(io.StringIO("".join(line + "\n" for line in lines)), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def entities(text: str) -> dict[str, Any]:
    [record] = records(text)
    return record["entities"]


def test_the_command_prints_one_line_per_utterance() -> None:
    result = CliRunner().invoke(nlu, input="скока платить за свет\n\nпоказаня 12457\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["text"], r["intent"]) for r in lines] == [
        ("скока платить за свет", "balance_debt"),
        ("", "other"),
        ("показаня 12457", "submit_reading"),
    ]
    assert set(lines[0]) == {"text", "intent", "confidence", "topic", "entities", "ms"}
    assert set(lines[0]["entities"]) == {
        "readings",
        "accounts",
        "phones",
        "dates",
        "months",
        "kwh",
        "serials",
    }


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("показаня 12457", [(None, None, "12457")]),
        ("день 23415 ночь 8120", [("day", None, "23415"), ("night", None, "8120")]),
        ("т1 4521 т2 1877", [(None, "T1", "4521"), (None, "T2", "1877")]),
        ("T1 4521 T2 1877", [(None, "T1", "4521"), (None, "T2", "1877")]),
        (
            "пик 3201 полупик 2890 ночь 1502",
            [("peak", None, "3201"), ("semipeak", None, "2890"), ("night", None, "1502")],
        ),
        ("показания 12 345,6", [(None, None, "12345.6")]),
        ("показания 12345.60", [(None, None, "12345.60")]),
        ("здравствуйте, передаю показания счетчика 41 238 спасибо", [(None, None, "41238")]),
        ("оплатила 2000 а долг остался", []),  # money, not a reading
        ("тарифы 2026", []),  # a year
        ("нет света с 9 утра", []),  # an hour
        ("счетчик 41562093 показания 18400", [(None, None, "18400")]),  # and a serial
        ("шесть тысяч двести", [(None, None, "6200")]),  # in words
        (
            "день двадцать тысяч сто, ночь восемь тысяч",
            [("day", None, "20100"), ("night", None, "8000")],
        ),
    ],
)
def test_readings(text: str, readings: list[tuple[str | None, str | None, str]]) -> None:
    found = entities(text)["readings"]
    assert [(r["zone"], r["register"], r["value"]) for r in found] == readings


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("лс 5901234567", "accounts", ["5901234567"]),
        ("59 01 234 567", "accounts", ["5901234567"]),
        ("590-123-45-67", "accounts", ["5901234567"]),
        ("мой лицевой 59012341234", "accounts", ["59012341234"]),
        ("+7 912 345-67-89", "phones", ["+79123456789"]),
        ("89123456789", "phones", ["+79123456789"]),
        ("8 (912) 345 67 89", "phones", ["+79123456789"]),
        ("тел 8-912-345-67-89", "phones", ["+79123456789"]),
        ("квитанция за май", "months", [5]),
        ("не пришла платежка за сентябрь", "months", [9]),
        ("мастер с 23 по 25", "dates", ["---23", "---25"]),
        ("приходите 23 мая", "dates", ["--05-23"]),
        ("приходите 23.05.2026", "dates", ["2026-05-23"]),
        ("сколько будет за 250 квт", "kwh", ["250"]),
        ("нагорело 180 киловатт", "kwh", ["180"]),
        ("300 кВт·ч", "kwh", ["300"]),
        ("1,5 квтч", "kwh", ["1.5"]),
        ("двести пятьдесят киловатт", "kwh", ["250"]),
        ("счетчик 41562093 показания 18400", "serials", ["41562093"]),
        ("заводской номер 0092170680", "serials", ["0092170680"]),
        ("заводской номер 0092170680", "accounts", []),
        ("показания счетчика 23456", "serials", []),
    ],
)
def test_other_entities(text: str, key: str, expected: list[Any]) -> None:
    assert entities(text)[key] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"])), max_size=5))
def test_any_text_gives_one_valid_record_per_line(texts: list[str]) -> None:
    lines = [t.replace("\r", " ").replace("\n", " ") for t in texts]
    out = io.StringIO()
    run(io.StringIO("".join(line + "\n" for line in lines), newline="\n"), out)
    # Records end at «\n» only: «\x85» or «\u2028» inside a text stay inside its record.
    printed = [json.loads(line) for line in out.getvalue().split("\n")[:-1]]
    assert len(printed) == len(lines)
    for record in printed:
        assert record["intent"] in INTENTS
        assert 0.0 <= record["confidence"] <= 1.0
        assert all(isinstance(r["value"], str) for r in record["entities"]["readings"])


def test_every_record_says_how_long_its_message_took() -> None:
    printed = records("показания 12345", "", "нет света " * 200)
    assert all(isinstance(r["ms"], float) and r["ms"] >= 0 for r in printed)
    assert list(printed[0])[-1] == "ms"  # after the fields of the record itself


def test_the_help_names_every_field_of_the_record() -> None:
    result = CliRunner().invoke(nlu, ["--help"])
    assert result.exit_code == 0
    for field in ("intent", "confidence", "topic", "readings", "serials", "kwh", "ms"):
        assert f"\n  {field} " in result.output, field
    assert "debt_restriction" in result.output
