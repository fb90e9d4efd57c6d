"""Importing a billing file into the bot's copy of billing's data: all rows or none."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Any

from core.ports import Store
from energobot.exchange import accounts, history, meters, tariffs
from energobot.exchange.errors import ExchangeError, RowError
from energobot.exchange.payments import mark_in_billing
from energobot.exchange.readers import Format, Row, read_table, resolve_format
from energobot.exchange.schema import Columns, Parsed


class Kind(StrEnum):
    ACCOUNTS = "accounts"
    METERS = "meters"
    HISTORY = "history"
    TARIFFS = "tariffs"


@dataclass(frozen=True, slots=True)
class _Handler:
    columns: Columns
    parse: Callable[[list[Row]], Parsed[Any]]
    upsert: Callable[[Store, Sequence[Any]], Awaitable[tuple[int, int]]]
    needs_accounts: bool  # rows refer to accounts that must already be in the database


_HANDLERS: dict[Kind, _Handler] = {
    Kind.ACCOUNTS: _Handler(
        accounts.COLUMNS, accounts.parse_accounts, lambda s, items: s.accounts.upsert(items), False
    ),
    Kind.METERS: _Handler(
        meters.COLUMNS, meters.parse_meters, lambda s, items: s.meters.upsert(items), True
    ),
    Kind.HISTORY: _Handler(
        history.COLUMNS, history.parse_history, lambda s, items: s.history.upsert(items), True
    ),
    Kind.TARIFFS: _Handler(
        tariffs.COLUMNS, tariffs.parse_tariffs, lambda s, items: s.tariffs.upsert(items), False
    ),
}


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: Kind
    rows: int  # data rows read
    inserted: int
    updated: int
    errors: tuple[RowError, ...]  # non-empty: nothing was written
    in_billing: int = 0  # online payments the imported history shows (history imports)

    @property
    def ok(self) -> bool:
        return not self.errors


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in Kind)
        raise ExchangeError(f"unknown kind {kind!r} (expected {allowed})") from None


async def import_file(
    store: Store,
    kind: str,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    zone: tzinfo = UTC,
) -> ImportReport:
    """Validate a file and, only if every row is valid, upsert it through `store`.

    Commits nothing: the caller commits when the report has no errors (and must not commit
    otherwise — nothing is written then anyway). The format comes from `fmt` or the file's
    extension (.csv, .jsonl, .ndjson). Raises ExchangeError for an unknown kind or format.
    """
    resolved = resolve_format(path, fmt)
    chosen = _kind(kind)
    data = await asyncio.to_thread(Path(path).read_bytes)
    return await import_bytes(store, chosen, data, resolved, zone)


async def import_bytes(
    store: Store, kind: str, data: bytes, fmt: str, zone: tzinfo = UTC
) -> ImportReport:
    """import_file for content already in memory (e.g. an HTTP upload)."""
    chosen = _kind(kind)
    resolved = resolve_format(None, fmt)
    handler = _HANDLERS[chosen]
    table = read_table(data, resolved)
    errors = list(table.errors)
    if table.columns is not None:
        errors.extend(handler.columns.check_header(table.columns))
    if errors:
        # Without a sound header or structure every row would repeat the same complaint.
        return _failed(chosen, len(table.rows), errors)

    if resolved is Format.JSONL:
        for row in table.rows:
            errors.extend(handler.columns.check_keys(row))
    parsed = handler.parse(table.rows)
    errors.extend(parsed.errors)
    if handler.needs_accounts:
        errors.extend(await _unknown_accounts(store, parsed.accounts))
    if errors:
        return _failed(chosen, len(table.rows), errors)

    inserted, updated = await handler.upsert(store, parsed.items)
    marked = 0
    if chosen is Kind.HISTORY:  # billing's `paid` may now show our online payments
        accounts = [entry.account for entry in parsed.items]
        marked = await mark_in_billing(store, accounts, datetime.now(UTC), zone)
    return ImportReport(chosen, len(table.rows), inserted, updated, (), marked)


async def _unknown_accounts(store: Store, referred: dict[str, list[int]]) -> list[RowError]:
    errors: list[RowError] = []
    for number, rows in referred.items():
        if await store.accounts.get(number) is None:
            errors.extend(
                RowError(row, "account", f"unknown account {number} (import accounts first)")
                for row in rows
            )
    return errors


def _failed(kind: Kind, rows: int, errors: list[RowError]) -> ImportReport:
    ordered = sorted(errors, key=lambda error: error.row or 0)  # stable: keeps field order
    return ImportReport(kind, rows, 0, 0, tuple(ordered))
