"""The payment QR of ГОСТ Р 56042-2014: what any Russian banking app scans to fill in a payment.

`ST00012|` (format 0001, encoding 2 = UTF-8), then `Key=Value` pairs separated by `|`. The
values may not contain `|` (nothing escapes it), so it is replaced by a slash.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HEADER = "ST00012"
SEPARATOR = "|"
HOUSING_AND_UTILITIES = "02"  # TechCode


class PayeeError(ValueError):
    """The supplier's details cannot make a valid payment QR (named field and why)."""


@dataclass(frozen=True, slots=True)
class Payee:
    """The supplier's bank details, from the settings (company.bank)."""

    name: str  # ≤ 160
    personal_account: str  # 20 digits: the supplier's settlement account (PersonalAcc)
    bank_name: str  # ≤ 45
    bic: str  # 9 digits
    correspondent_account: str  # 20 digits
    inn: str = ""  # 10 or 12 digits
    kpp: str = ""  # 9 digits

    def problems(self) -> list[str]:
        """What is wrong with these details, one phrase per field (empty: they are fine)."""
        found = []
        checks = (  # field, value, digits it must be, longest
            ("recipient", self.name, None, 160),
            ("account", self.personal_account, 20, None),
            ("bank", self.bank_name, None, 45),
            ("bik", self.bic, 9, None),
            ("correspondent_account", self.correspondent_account, 20, None),
        )
        for field, value, digits, longest in checks:
            if not value.strip():
                found.append(f"{field}: missing")
            elif digits and not _digits(value, digits):
                found.append(f"{field}: {digits} digits expected")
            elif longest and len(value) > longest:
                found.append(f"{field}: at most {longest} characters")
        if self.inn and not (_digits(self.inn, 10) or _digits(self.inn, 12)):
            found.append("inn: 10 or 12 digits expected")
        if self.kpp and not _digits(self.kpp, 9):
            found.append("kpp: 9 digits expected")
        return found


def _digits(value: str, count: int) -> bool:
    """`count` ASCII digits (a regex's \\d would take Arabic or Devanagari digits too)."""
    return len(value) == count and value.isascii() and value.isdigit()


def _clean(value: str) -> str:
    return " ".join(value.replace(SEPARATOR, "/").split())


def payment_payload(
    payee: Payee,
    *,
    account: str,
    amount: Decimal | None,
    purpose: str,
    period: str | None = None,
) -> str:
    """The QR's text for paying `amount` (rubles; None or ≤ 0: the payer types it) to the
    supplier for `account`; `period` is YYYY-MM. Raises PayeeError for unusable details."""
    problems = payee.problems()
    if problems:
        raise PayeeError("; ".join(problems))
    pairs = [
        ("Name", payee.name[:160]),
        ("PersonalAcc", payee.personal_account),
        ("BankName", payee.bank_name[:45]),
        ("BIC", payee.bic),
        ("CorrespAcc", payee.correspondent_account),
    ]
    if payee.inn:
        pairs.append(("PayeeINN", payee.inn))
    if payee.kpp:
        pairs.append(("KPP", payee.kpp))
    pairs.append(("PersAcc", account))
    kopecks = (amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) if amount else None
    if kopecks is not None and kopecks > 0:  # less than half a kopeck is no sum either
        pairs.append(("Sum", str(kopecks)))
    pairs.append(("Purpose", purpose[:210]))
    if period:
        pairs.append(("PaymPeriod", f"{period[5:7]}{period[:4]}"))
    pairs.append(("TechCode", HOUSING_AND_UTILITIES))
    return SEPARATOR.join([HEADER, *(f"{key}={_clean(value)}" for key, value in pairs)])


def parse_payload(text: str) -> dict[str, str]:
    """The pairs of a payment QR's text (for tests and checks); ValueError if it is not one."""
    head, _, rest = text.partition(SEPARATOR)
    if head != HEADER:
        raise ValueError(f"not a ГОСТ Р 56042 payload: starts with {head[:8]!r}")
    pairs = {}
    for item in rest.split(SEPARATOR):
        key, found, value = item.partition("=")
        if not found or not key:
            raise ValueError(f"not a Key=Value pair: {item!r}")
        pairs[key] = value
    for required in ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"):
        if required not in pairs:
            raise ValueError(f"required {required} missing")
    return pairs
