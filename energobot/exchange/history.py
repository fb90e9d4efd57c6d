"""history files: one row per account and billing period."""

from __future__ import annotations

from core.balance import BillingBasis, HistoryEntry
from energobot.exchange import fields as f
from energobot.exchange.errors import RowError
from energobot.exchange.readers import Row
from energobot.exchange.schema import Columns, Parsed, duplicates

COLUMNS = Columns(required=("account", "period", "kwh", "charged", "paid"), optional=("basis",))


def parse_entry(row: Row) -> HistoryEntry | list[RowError]:
    fields = f.FieldReader(row)
    entry = HistoryEntry(
        account=fields.required("account", f.account_number),
        period=fields.required("period", f.period),
        kwh=fields.required("kwh", f.non_negative),
        charged=fields.required("charged", f.non_negative_money),
        paid=fields.required("paid", f.non_negative_money),
        # reading | average | norm; empty: billing did not say.
        basis=fields.optional("basis", f.choice(BillingBasis)),
    )
    return fields.errors or entry


def parse_history(rows: list[Row]) -> Parsed[HistoryEntry]:
    parsed: Parsed[HistoryEntry] = Parsed()
    keys = []
    for row in rows:
        result = parse_entry(row)
        # Checked against the database even when the row has other errors: all errors at once.
        parsed.refer(f.peek(row, "account", f.account_number), row.number)
        if isinstance(result, list):
            parsed.errors.extend(result)
        else:
            parsed.items.append(result)
            keys.append((row.number, (result.account, result.period)))
    parsed.errors.extend(duplicates(keys, "period", "the account and period"))
    parsed.sort_errors()
    return parsed
