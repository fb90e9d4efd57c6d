"""import_file against a real migrated database: all or nothing, idempotent, row errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from core.accounts import Category
from core.balance import BillingBasis
from core.meters import Scheme
from energobot.exchange import ExchangeError, ImportReport, Kind, import_bytes, import_file
from storage.database import Database

DATA = Path(__file__).parent / "data"


async def run_import(
    database: Database, kind: str, path: Path, fmt: str | None = None
) -> ImportReport:
    """One import in its own unit of work, committed only when the file is valid (as the CLI)."""
    async with database.unit_of_work() as store:
        report = await import_file(store, kind, path, fmt)
        if report.ok:
            await store.commit()
    return report


def messages(report: ImportReport) -> list[str]:
    return [str(error) for error in report.errors]


def copy_with(tmp_path: Path, name: str, *extra_lines: str, target: str | None = None) -> Path:
    """A sample data file with lines appended."""
    text = (DATA / name).read_text(encoding="utf-8") + "".join(f"{line}\n" for line in extra_lines)
    path = tmp_path / (target or name)
    path.write_text(text, encoding="utf-8")
    return path


async def import_samples(database: Database) -> list[ImportReport]:
    return [
        await run_import(database, kind, DATA / f"{kind}.csv")
        for kind in ("accounts", "meters", "history", "tariffs")
    ]


async def test_every_kind_imports_and_reads_back(database: Database) -> None:
    reports = await import_samples(database)
    assert [(r.kind, r.rows, r.inserted, r.updated, r.errors) for r in reports] == [
        (Kind.ACCOUNTS, 2, 2, 0, ()),
        (Kind.METERS, 3, 2, 0, ()),  # three register rows, two meters
        (Kind.HISTORY, 3, 3, 0, ()),
        (Kind.TARIFFS, 9, 9, 0, ()),
    ]
    async with database.unit_of_work() as store:
        account = await store.accounts.get("5900100102")
        assert account is not None
        assert (account.category, account.phone, account.balance, account.large_family) == (
            Category.RURAL,
            "+79125550102",
            Decimal("-250.00"),
            True,
        )
        (meter,) = await store.meters.for_account("5900100101")
        assert (meter.scheme, [r.name for r in meter.registers]) == (Scheme.TWO_ZONE, ["T1", "T2"])
        assert meter.register("T2").last_value == Decimal("8120.4")
        history = await store.history.for_account("5900100101", 12)
        assert [(h.period, h.kwh, h.paid) for h in history] == [
            ("2026-11", Decimal(245), Decimal(0)),
            ("2026-10", Decimal(210), Decimal("1350.20")),
        ]
        assert len(await store.tariffs.all()) == 9


async def test_reimport_changes_nothing_and_a_change_is_an_update(
    database: Database, tmp_path: Path
) -> None:
    await import_samples(database)
    again = await import_samples(database)
    assert [(r.inserted, r.updated, r.errors) for r in again] == [(0, 0, ())] * 4

    changed = tmp_path / "accounts.csv"
    changed.write_text(
        (DATA / "accounts.csv").read_text(encoding="utf-8").replace("1514.86", "0.00"),
        encoding="utf-8",
    )
    report = await run_import(database, "accounts", changed)
    assert (report.inserted, report.updated) == (0, 1)
    async with database.unit_of_work() as store:
        account = await store.accounts.get("5900100101")
        assert account is not None and account.balance == Decimal("0.00")
        assert len(await store.tariffs.all()) == 9


async def test_one_bad_row_imports_nothing(database: Database, tmp_path: Path) -> None:
    path = copy_with(
        tmp_path,
        "accounts.csv",
        "5900100103,Кузнецова,Татьяна,Николаевна,г. Пермь,urban_gas,12ab,,0,0,",
    )
    report = await run_import(database, "accounts", path)
    assert messages(report) == ["row 4: phone: not a Russian phone number: '12ab'"]
    assert (report.rows, report.inserted, report.updated) == (3, 0, 0)
    async with database.unit_of_work() as store:
        assert await store.accounts.get("5900100101") is None  # the good rows were not written


async def test_import_file_itself_writes_nothing_when_there_are_errors(
    database: Database, tmp_path: Path
) -> None:
    # Even a caller that commits regardless finds nothing written.
    path = copy_with(tmp_path, "accounts.csv", "5900100103,Кузнецова,,,г. Пермь,urban,,,0,0,")
    async with database.unit_of_work() as store:
        report = await import_file(store, "accounts", path)
        await store.commit()
    assert not report.ok
    async with database.unit_of_work() as store:
        assert await store.accounts.get("5900100101") is None


async def test_meters_and_history_need_known_accounts(database: Database, tmp_path: Path) -> None:
    meters = await run_import(database, "meters", DATA / "meters.csv")
    assert messages(meters) == [
        "row 2: account: unknown account 5900100101 (import accounts first)",
        "row 3: account: unknown account 5900100101 (import accounts first)",
        "row 4: account: unknown account 5900100102 (import accounts first)",
    ]
    await run_import(database, "accounts", DATA / "accounts.csv")
    history = copy_with(tmp_path, "history.csv", "5900100109,2026-13,1,1,1")
    report = await run_import(database, "history", history)
    assert messages(report) == [
        "row 5: period: not a period (YYYY-MM): '2026-13'",
        "row 5: account: unknown account 5900100109 (import accounts first)",
    ]
    async with database.unit_of_work() as store:
        assert await store.history.for_account("5900100101", 12) == []


async def test_incomplete_meter_in_a_file_blocks_the_whole_file(
    database: Database, tmp_path: Path
) -> None:
    await run_import(database, "accounts", DATA / "accounts.csv")
    path = copy_with(tmp_path, "meters.csv", "5900100102,M2,three_zone,7,0,,T1,1,2026-11-01,")
    report = await run_import(database, "meters", path)
    assert messages(report) == ["row 5: register: meter M2 (three_zone) has no row for T2, T3"]
    async with database.unit_of_work() as store:
        assert await store.meters.for_account("5900100101") == []


async def test_header_problems_are_reported_once(database: Database, tmp_path: Path) -> None:
    text = (DATA / "accounts.csv").read_text(encoding="utf-8")
    bad = tmp_path / "accounts.csv"
    bad.write_text(text.replace(",balance,", ",balanse,"), encoding="utf-8")
    report = await run_import(database, "accounts", bad)
    assert messages(report) == [
        "row 1: header: missing column(s): balance",
        "row 1: header: unknown column(s): 'balanse'",
    ]


async def test_optional_columns_may_be_left_out(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(
        "account,surname,first_name,patronymic,address,category,large_family,balance\n"
        "5900100101,Иванова,Ольга,Петровна,г. Пермь,urban_gas,0,10\n",
        encoding="utf-8",
    )
    report = await run_import(database, "accounts", path)
    assert (report.inserted, report.errors) == (1, ())
    async with database.unit_of_work() as store:
        account = await store.accounts.get("5900100101")
        assert account is not None
        assert (account.phone, account.email, account.due_date) == (None, None, None)


async def test_billings_penalty_and_the_billing_basis_are_stored(
    database: Database, tmp_path: Path
) -> None:
    accounts = (DATA / "accounts.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "accounts.csv"
    path.write_text(
        f"{accounts[0]},penalty\n{accounts[1]},40.03\n{accounts[2]},\n", encoding="utf-8"
    )
    assert (await run_import(database, "accounts", path)).inserted == 2
    history = tmp_path / "history.csv"
    history.write_text(
        "account,period,kwh,charged,paid,basis\n"
        "5900100101,2026-10,210,1350.20,1350.20,reading\n"
        "5900100101,2026-11,245,1514.86,0,average\n"
        "5900100102,2026-11,300,1377.00,1627.00,\n",
        encoding="utf-8",
    )
    assert (await run_import(database, "history", history)).inserted == 3
    async with database.unit_of_work() as store:
        with_penalty = await store.accounts.get("5900100101")
        without = await store.accounts.get("5900100102")
        entries = await store.history.for_account("5900100101", 12)
        other = await store.history.for_account("5900100102", 12)
    assert with_penalty is not None and str(with_penalty.penalty) == "40.03"
    assert without is not None and without.penalty is None
    assert [(e.period, e.basis) for e in entries] == [
        ("2026-11", BillingBasis.AVERAGE),
        ("2026-10", BillingBasis.READING),
    ]
    assert other[0].basis is None

    # The files without the new columns: billing no longer says, and the bot forgets.
    assert (await run_import(database, "accounts", DATA / "accounts.csv")).updated == 1
    assert (await run_import(database, "history", DATA / "history.csv")).updated == 2
    async with database.unit_of_work() as store:
        again = await store.accounts.get("5900100101")
        entries = await store.history.for_account("5900100101", 12)
    assert again is not None and again.penalty is None
    assert [e.basis for e in entries] == [None, None]


async def test_csv_with_bom_imports(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes((DATA / "accounts.csv").read_text(encoding="utf-8").encode("utf-8-sig"))
    report = await run_import(database, "accounts", path)
    assert (report.inserted, report.errors) == (2, ())


async def test_jsonl_imports_the_same_as_csv(database: Database, tmp_path: Path) -> None:
    report = await run_import(database, "accounts", DATA / "accounts.jsonl")
    assert (report.rows, report.inserted, report.errors) == (2, 2, ())
    async with database.unit_of_work() as store:
        from_jsonl = [await store.accounts.get(n) for n in ("5900100101", "5900100102")]
    # The CSV of the same accounts changes nothing.
    again = await run_import(database, "accounts", DATA / "accounts.csv")
    assert (again.inserted, again.updated) == (0, 0)
    assert from_jsonl[0] is not None and from_jsonl[0].due_date == date(2026, 12, 15)

    unknown = tmp_path / "accounts.ndjson"
    unknown.write_text('{"account": "5900100101", "emial": "x@example.ru"}\n', encoding="utf-8")
    report = await run_import(database, "accounts", unknown)
    assert "row 1: emial: unknown field" in messages(report)


async def test_format_option_overrides_the_extension(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "accounts.txt"
    path.write_bytes((DATA / "accounts.jsonl").read_bytes())
    with pytest.raises(ExchangeError):
        await run_import(database, "accounts", path)
    report = await run_import(database, "accounts", path, fmt="jsonl")
    assert (report.inserted, report.errors) == (2, ())


async def test_unknown_kind_is_refused(database: Database) -> None:
    async with database.unit_of_work() as store:
        with pytest.raises(ExchangeError, match="unknown kind 'visits'"):
            await import_bytes(store, "visits", b"", "csv")
