"""accounts files: one row per personal account."""

from __future__ import annotations

from core.accounts import Account, Category
from energobot.exchange import fields as f
from energobot.exchange.errors import RowError
from energobot.exchange.readers import Row
from energobot.exchange.schema import Columns, Parsed, duplicates

COLUMNS = Columns(
    required=(
        "account",
        "surname",
        "first_name",
        "patronymic",
        "address",
        "category",
        "large_family",
        "balance",
    ),
    optional=("phone", "email", "due_date", "penalty"),
)

_name = f.short_text(f.NAME_LIMIT)


def parse_account(row: Row) -> Account | list[RowError]:
    fields = f.FieldReader(row)
    account = Account(
        number=fields.required("account", f.account_number),
        surname=fields.required("surname", _name),
        first_name=fields.required("first_name", _name),
        # Not everyone has a patronymic: the column is required, its value is not.
        patronymic=fields.optional("patronymic", _name) or "",
        address=fields.required("address", f.text),
        category=fields.required("category", f.choice(Category)),
        phone=fields.optional("phone", f.phone),
        email=fields.optional("email", f.email),
        large_family=fields.required("large_family", f.flag),
        balance=fields.required("balance", f.money),
        due_date=fields.optional("due_date", f.iso_date),
        # Billing's own penalty to date; empty: billing gives none and the bot estimates it.
        penalty=fields.optional("penalty", f.non_negative_money),
    )
    return fields.errors or account


def parse_accounts(rows: list[Row]) -> Parsed[Account]:
    parsed: Parsed[Account] = Parsed()
    numbered = []
    for row in rows:
        result = parse_account(row)
        if isinstance(result, list):
            parsed.errors.extend(result)
        else:
            parsed.items.append(result)
            numbered.append((row.number, result.number))
    parsed.errors.extend(duplicates(numbered, "account", "the account"))
    parsed.sort_errors()
    return parsed
