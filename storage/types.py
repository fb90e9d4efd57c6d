"""Column types that keep the domain's invariants: exact decimals and aware UTC datetimes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from sqlalchemy import JSON, BigInteger, DateTime, Integer, Numeric, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored without ever passing through float.

    PostgreSQL: NUMERIC without precision, which keeps the value and its scale as given
    (Decimal("0.30") comes back as Decimal("0.30")). SQLite: TEXT holding str(value); its
    REAL/NUMERIC affinities would round through a double. SQL arithmetic and ordering on
    these columns are therefore not portable: compute in Python.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            # A float has already lost exactness; refuse it rather than store its noise.
            raise TypeError(f"expected Decimal or int, got {type(value).__name__}")
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError(f"not a finite number: {number}")
        return str(number) if dialect.name == "sqlite" else number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            raise TypeError("a float came back from an exact decimal column")
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal in an exact decimal column: {value!r}") from exc

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class Money(ExactDecimal):
    """Rubles (and kopecks): balances, charges, payments."""

    cache_ok = True


class Quantity(ExactDecimal):
    """Meter values, kWh and prices per kWh."""

    cache_ok = True


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: aware datetimes in, aware UTC datetimes out, on every database.

    PostgreSQL: timestamptz. SQLite: the naive UTC wall time in SQLAlchemy's fixed-width text
    format, so that text order is time order. Naive datetimes are refused on bind: their
    zone is a guess, and a wrong guess shifts every reading's period.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: object, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: give it a time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime


_ORJSON = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def dumps_json(value: Any) -> str:
    """JSON as the engines write it: UTF-8 text kept readable, compact.

    orjson writes the same text as the standard library, six times faster (every turn writes
    its state and replies); what it refuses — an integer beyond 64 bits, and the datetimes and
    dataclasses it would write where the standard library refuses them — takes the slow way."""
    try:
        return orjson.dumps(value, option=_ORJSON).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Message bodies and dialog state: JSONB on PostgreSQL, JSON text on SQLite.
# none_as_null: Python None is SQL NULL, not the JSON literal null.
Json = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

# Surrogate keys: 64-bit on PostgreSQL; SQLite needs exactly INTEGER for its rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")
