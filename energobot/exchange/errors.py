"""What can go wrong with an exchange file."""

from __future__ import annotations

from dataclasses import dataclass


class ExchangeError(ValueError):
    """The request itself is wrong (unknown kind or format), not a row of the file."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a file: its row (CSV line or JSONL line number) and field, if known."""

    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class FieldError(ValueError):
    """Raised by a field converter; the message says what is wrong with the value."""
