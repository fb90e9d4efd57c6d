"""What the dialogs need to know about the company, built by energobot from its settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from core.accounts import LinkLimits
from core.balance import PenaltyRules
from core.calendar import BusinessHours
from core.restriction import RestrictionRules
from core.tariffs import ZoneSplit


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
