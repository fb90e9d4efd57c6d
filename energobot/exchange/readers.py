"""Reading exchange files (CSV or JSON Lines) into numbered rows of raw values."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

from energobot.exchange.errors import ExchangeError, RowError


class Format(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


_EXTENSIONS = {".csv": Format.CSV, ".jsonl": Format.JSONL, ".ndjson": Format.JSONL}


def resolve_format(path: str | os.PathLike[str] | None, fmt: str | None) -> Format:
    """The format asked for, else the one the file name's extension says."""
    if fmt:
        try:
            return Format(fmt.lower())
        except ValueError:
            raise ExchangeError(f"unknown format {fmt!r} (expected csv or jsonl)") from None
    suffix = Path(path).suffix.lower() if path is not None else ""
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise ExchangeError(
        f"cannot tell the format of {str(path)!r}: use a .csv, .jsonl or .ndjson file "
        "or say --format csv|jsonl"
    )


@dataclass(frozen=True, slots=True)
class Row:
    """One record: its number as people see it (CSV line, JSONL line) and its raw values.

    CSV values are strings; JSONL values are whatever JSON held (str, int, Decimal, bool,
    None, ...). Converters in fields.py sort that out.
    """

    number: int
    values: dict[str, object]


@dataclass(slots=True)
class Table:
    columns: tuple[str, ...] | None  # the CSV header; None for JSON Lines
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _column_name(name: str) -> str:
    return name.strip().lower()


def read_table(data: bytes, fmt: Format) -> Table:
    """Rows of a file; problems with the file's structure are returned, not raised."""
    try:
        # utf-8-sig: spreadsheets put a byte order mark in front of UTF-8 CSV.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Table(None, errors=[RowError(line, None, "not UTF-8 text")])
    return _read_csv(text) if fmt is Format.CSV else _read_jsonl(text)


def _read_csv(text: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    table = Table(None)
    header_seen = False
    columns: tuple[str, ...] = ()
    while True:
        # A quoted field may span lines: a record is numbered by the line it starts on.
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            table.errors.append(RowError(start, None, f"malformed CSV: {exc}"))
            break
        if not any(value.strip() for value in fields):
            continue
        if not header_seen:
            header_seen = True
            columns = table.columns = tuple(_column_name(name) for name in fields)
            duplicates = sorted({c for c in columns if columns.count(c) > 1})
            if duplicates:
                table.errors.append(
                    RowError(start, "header", "repeated column(s): " + ", ".join(duplicates))
                )
            continue
        if len(fields) != len(columns):
            table.errors.append(
                RowError(start, None, f"has {len(fields)} fields, the header has {len(columns)}")
            )
            continue
        table.rows.append(Row(start, dict(zip(columns, fields, strict=True))))
    if not header_seen and not table.errors:
        table.errors.append(RowError(None, None, "the file is empty: a header row is required"))
    return table


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number billing can use")


def _read_jsonl(text: str) -> Table:
    table = Table(None)
    # Split on newlines only: str.splitlines() would also cut at U+2028 inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            # parse_float=Decimal: money and readings must never pass through a float.
            value = json.loads(line, parse_float=Decimal, parse_constant=_refuse_constant)
        except ValueError as exc:
            table.errors.append(RowError(number, None, f"not valid JSON: {exc}"))
            continue
        if not isinstance(value, dict):
            table.errors.append(RowError(number, None, "not a JSON object"))
            continue
        values: dict[str, object] = {}
        for key, item in value.items():
            values[_column_name(key)] = item
        table.rows.append(Row(number, values))
    return table
