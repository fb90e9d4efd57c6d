"""What the dialogs need to know about the company, built by energobot from its settings."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from core.accounts import LinkLimits
from core.balance import PenaltyRules
from core.calendar import BusinessHours
from core.payment_qr import Payee
from core.payments import PaymentRules
from core.restriction import RestrictionRules
from core.tariffs import ZoneSplit

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    name: str
    phone: str
    website: str
    payment_url: str  # with {account}
    grid_company: str
    grid_hotline: str
    grid_website: str
    bank: dict[str, str] = field(default_factory=dict)
    # The payment QR's payee, built once from `bank` (None: the details cannot make a QR, which
    # is logged here; the answers then go without it).
    payee: Payee | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "payee", payee_from_bank(self.bank) if self.bank else None)


def payee_from_bank(bank: Mapping[str, str]) -> Payee | None:
    """company.bank (recipient, inn, kpp, bank, bik, account, correspondent_account) as the QR's
    payee; None, logged, when a required field is missing or malformed."""
    payee = Payee(
        name=bank.get("recipient", ""),
        personal_account=bank.get("account", ""),
        bank_name=bank.get("bank", ""),
        bic=bank.get("bik", ""),
        correspondent_account=bank.get("correspondent_account", ""),
        inn=bank.get("inn", ""),
        kpp=bank.get("kpp", ""),
    )
    problems = payee.problems()
    if problems:
        log.warning("company.bank cannot make a payment QR: %s", "; ".join(problems))
        return None
    return payee


@dataclass(frozen=True, slots=True)
class ReadingRules:
    window_start_day: int = 23
    cutoff_day: int = 25
    plausibility_factor: Decimal = Decimal(3)
    without_history_kwh: Decimal = Decimal(1000)
    history_months: int = 6
    rollover_margin: Decimal = Decimal("0.1")
    verification_warn_months: int = 6


@dataclass(frozen=True, slots=True)
class EmailRules:
    """Receipts by e-mail (the `email:` channel enabled) and the one-time codes that prove an
    address the customer typed is theirs."""

    code_key: bytes  # the key of the codes' keyed hashes (only the hash is kept)
    codes_per_day: int = 5  # codes one customer may have sent in a day
    code_minutes: int = 10  # a code is good this long
    code_tries: int = 3  # wrong codes before it is void
    code_every_seconds: int = 60  # a new code at most this often


@dataclass(frozen=True, slots=True)
class DialogConfig:
    company: CompanyInfo
    hours: BusinessHours
    readings: ReadingRules = field(default_factory=ReadingRules)
    zone_split: ZoneSplit = ZoneSplit.PROPORTIONAL
    penalties: PenaltyRules = field(default_factory=PenaltyRules)
    restriction: RestrictionRules = field(default_factory=RestrictionRules)
    link_limits: LinkLimits = field(default_factory=LinkLimits)
    default_language: str = "ru"
    consent_version: str = "2026-01"
    transcript_messages: int = 30
    visit_days: int = 6
    visit_slots: tuple[str, ...] = ("08:00-12:00", "12:00-17:00")
    # Channels whose "share my phone" button proves the number is the customer's own (the
    # messenger sends it); on others (the web chat) a phone is only typed and links nothing.
    # The service adds every channel plug-in that declares it (energobot/wiring.py).
    verified_phone_channels: frozenset[str] = frozenset({"terminal"})
    # Channel → language → how to share one's phone there, from the channel plug-ins; a channel
    # without its own words gets the catalog's phone_hint.<channel> or phone_hint.default.
    phone_hints: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # How «как оплатить» gives a link: the company's page, or a payment per request.
    payments: PaymentRules = field(default_factory=PaymentRules)
    # Receipts by e-mail; None: the e-mail channel is off and receipts are shown in the chat.
    email: EmailRules | None = None
