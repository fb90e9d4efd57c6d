"""Reading CSV and JSON Lines into numbered rows; field converters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from energobot.exchange import fields as f
from energobot.exchange.errors import ExchangeError, FieldError, RowError
from energobot.exchange.readers import Format, read_table, resolve_format


@pytest.mark.parametrize(
    ("path", "fmt", "expected"),
    [
        ("a.csv", None, Format.CSV),
        ("A.CSV", None, Format.CSV),
        ("a.jsonl", None, Format.JSONL),
        ("a.ndjson", None, Format.JSONL),
        ("a.txt", "jsonl", Format.JSONL),
        ("a.jsonl", "CSV", Format.CSV),  # the option wins over the extension
    ],
)
def test_format_from_option_or_extension(path: str, fmt: str | None, expected: Format) -> None:
    assert resolve_format(path, fmt) is expected


@pytest.mark.parametrize(("path", "fmt"), [("a.txt", None), ("a", None), ("a.csv", "xml")])
def test_unknown_format_is_refused(path: str, fmt: str | None) -> None:
    with pytest.raises(ExchangeError):
        resolve_format(path, fmt)


def test_csv_rows_are_numbered_by_line_header_being_line_1() -> None:
    table = read_table(b"a,b\n1,2\n\n3,4\n", Format.CSV)
    assert table.columns == ("a", "b")
    assert [(row.number, row.values) for row in table.rows] == [
        (2, {"a": "1", "b": "2"}),
        (4, {"a": "3", "b": "4"}),  # the blank line 3 is skipped but still counted
    ]


def test_csv_with_bom_crlf_and_padded_header() -> None:
    data = "\ufeffAccount , surname\r\n5900100101,Иванова\r\n".encode()
    table = read_table(data, Format.CSV)
    assert table.errors == []
    assert table.columns == ("account", "surname")
    assert table.rows[0].values == {"account": "5900100101", "surname": "Иванова"}


def test_csv_record_spanning_lines_is_numbered_by_its_first_line() -> None:
    table = read_table(b'a,b\n"x\ny",1\nz,2\n', Format.CSV)
    assert [row.number for row in table.rows] == [2, 4]
    assert table.rows[0].values["a"] == "x\ny"


def test_csv_row_with_wrong_number_of_fields() -> None:
    table = read_table(b"a,b\n1,2,3\n4\n5,6\n", Format.CSV)
    assert [str(e) for e in table.errors] == [
        "row 2: has 3 fields, the header has 2",
        "row 3: has 1 fields, the header has 2",
    ]
    assert [row.number for row in table.rows] == [4]


def test_csv_repeated_column_and_bad_quoting() -> None:
    assert [str(e) for e in read_table(b"a,a\n1,2\n", Format.CSV).errors] == [
        "row 1: header: repeated column(s): a"
    ]
    errors = read_table(b'a,b\n1,"2\n', Format.CSV).errors
    assert len(errors) == 1
    assert str(errors[0]).startswith("row 2: malformed CSV")


def test_empty_file_and_non_utf8() -> None:
    assert read_table(b"", Format.CSV).errors == [
        RowError(None, None, "the file is empty: a header row is required")
    ]
    cp1251 = "a\nИванова\n".encode("cp1251")
    assert [str(e) for e in read_table(cp1251, Format.CSV).errors] == ["row 2: not UTF-8 text"]


def test_jsonl_keeps_json_types_and_never_makes_a_float() -> None:
    data = (
        b'{"account": 5900100101, "balance": 12.30, "due": "2026-12-15", "x": null}\n'
        b"\n"
        b'{"account": "5900100102", "balance": "-1.5", "large_family": true}\n'
    )
    table = read_table(data, Format.JSONL)
    assert table.errors == []
    assert [row.number for row in table.rows] == [1, 3]
    first = table.rows[0].values
    assert first["account"] == 5900100101
    assert first["balance"] == Decimal("12.30")
    assert type(first["balance"]) is Decimal
    assert first["x"] is None
    assert table.rows[1].values["large_family"] is True


def test_jsonl_line_errors() -> None:
    data = b'{"a": 1}\n[1, 2]\n{"a": NaN}\n{broken\n'
    table = read_table(b"\xef\xbb\xbf" + data, Format.JSONL)  # a BOM is accepted here too
    assert [e.row for e in table.errors] == [2, 3, 4]
    assert str(table.errors[0]) == "row 2: not a JSON object"
    assert [row.number for row in table.rows] == [1]


def test_jsonl_does_not_split_at_unicode_line_separators() -> None:
    table = read_table('{"address": "д. 1\u2028кв. 2"}\n'.encode(), Format.JSONL)
    assert table.errors == []
    assert table.rows[0].values["address"] == "д. 1\u2028кв. 2"


# --- converters


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", Decimal("12.5")),
        (" -3 ", Decimal("-3")),
        ("0.10", Decimal("0.10")),
        (7, Decimal(7)),
        (Decimal("1E+3"), Decimal("1000")),
    ],
)
def test_decimal_accepts(raw: object, expected: Decimal) -> None:
    value = f.decimal(raw)
    assert value == expected
    assert str(value) == str(expected)  # the same scale, no exponent


@pytest.mark.parametrize(
    "raw", ["12,5", "1e3", "NaN", "Infinity", "1 000", ".5", "", "abc", True, [1], Decimal("NaN")]
)
def test_decimal_refuses(raw: object) -> None:
    with pytest.raises(FieldError, match="not a decimal number"):
        f.decimal(raw)


def test_bounded_decimals() -> None:
    assert f.positive("0.01") == Decimal("0.01")
    with pytest.raises(FieldError, match="must be above 0"):
        f.positive("0")
    with pytest.raises(FieldError, match="must be at least 0"):
        f.non_negative("-0.1")
    with pytest.raises(FieldError, match="more than 2 digits after the dot"):
        f.money("10.005")
    assert f.money("-10.50") == Decimal("-10.50")


def test_flags_dates_periods_integers() -> None:
    assert [f.flag(v) for v in ("0", "1", 0, 1, True, False)] == [False, True] * 2 + [True, False]
    for bad in ("yes", 2, "", "01"):
        with pytest.raises(FieldError, match="expected 0 or 1"):
            f.flag(bad)
    assert f.iso_date("2028-02-29") == date(2028, 2, 29)
    for bad in ("2026-02-30", "26.11.2026", "20261126", "2026-11-26T10:00", 20261126):
        with pytest.raises(FieldError, match=r"not a date \(YYYY-MM-DD\)"):
            f.iso_date(bad)
    assert f.period("2026-01") == "2026-01"
    for bad in ("2026-13", "2026-1", "11.2026", 202611):
        with pytest.raises(FieldError, match=r"not a period \(YYYY-MM\)"):
            f.period(bad)
    assert f.integer(" 6 ") == 6
    assert f.integer(6) == 6
    for bad in ("6.0", Decimal("6.5"), True):
        with pytest.raises(FieldError, match="not a whole number"):
            f.integer(bad)


def test_account_phone_email_text() -> None:
    assert f.account_number("59001 00101") == "5900100101"
    assert f.account_number(59001001011) == "59001001011"
    with pytest.raises(FieldError, match=r"not an account number \(10-11 digits\): '123'"):
        f.account_number("123")
    assert f.phone("8 (912) 555-01-02") == "+79125550102"
    assert f.phone(89125550102) == "+79125550102"
    with pytest.raises(FieldError) as raised:
        f.phone("12ab")
    assert str(raised.value) == "not a Russian phone number: '12ab'"
    assert f.email(" a.b@example.ru ") == "a.b@example.ru"
    for bad in ("a@b", "a b@example.ru", "example.ru"):
        with pytest.raises(FieldError, match="not an e-mail address"):
            f.email(bad)
    with pytest.raises(FieldError, match="expected text"):
        f.text(Decimal("1.5"))
    with pytest.raises(FieldError, match="longer than 3 characters"):
        f.short_text(3)("abcd")
