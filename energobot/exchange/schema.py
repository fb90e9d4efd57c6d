"""The columns of each kind of file, and what a parser hands back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from energobot.exchange.errors import RowError
from energobot.exchange.readers import Row

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Columns:
    """Field names of a kind; optional ones may be left out of the file altogether."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional

    def check_header(self, header: tuple[str, ...]) -> list[RowError]:
        """Missing and unknown CSV columns (a misspelt optional column would lose data)."""
        errors = []
        missing = [name for name in self.required if name not in header]
        if missing:
            errors.append(RowError(1, "header", "missing column(s): " + ", ".join(missing)))
        unknown = [name for name in header if name not in self.all]
        if unknown:
            shown = ", ".join(repr(name) for name in unknown)
            errors.append(RowError(1, "header", f"unknown column(s): {shown}"))
        return errors

    def check_keys(self, row: Row) -> list[RowError]:
        """Unknown keys of a JSON Lines record (missing ones are blank values)."""
        return [
            RowError(row.number, key, "unknown field") for key in row.values if key not in self.all
        ]


@dataclass(slots=True)
class Parsed(Generic[T]):
    """What a parser found: valid items (only meaningful without errors) and errors.

    `accounts` maps every account number the file refers to onto the rows that refer to it,
    so the importer can check them against the database and blame the right rows.
    """

    items: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    accounts: dict[str, list[int]] = field(default_factory=dict)

    def sort_errors(self) -> None:
        """Errors in row order (stable: a row's fields keep their column order)."""
        self.errors.sort(key=lambda error: error.row or 0)

    def refer(self, account: str | None, row: int) -> None:
        if account is not None:
            self.accounts.setdefault(account, []).append(row)


def duplicates(keys: Iterable[tuple[int, object]], field_name: str, what: str) -> list[RowError]:
    """An error on every row whose key an earlier row already had."""
    first: dict[object, int] = {}
    errors = []
    for row, key in keys:
        if key in first:
            errors.append(RowError(row, field_name, f"{what} repeats row {first[key]}"))
        else:
            first[key] = row
    return errors
