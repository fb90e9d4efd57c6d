"""Meters, their registers and the zones each register measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from core.calendar import add_months


class Scheme(StrEnum):
    SINGLE = "single"
    TWO_ZONE = "two_zone"
    THREE_ZONE = "three_zone"


class Zone(StrEnum):
    ALL = "all"
    DAY = "day"
    NIGHT = "night"
    PEAK = "peak"
    SEMIPEAK = "semipeak"


# The Russian convention for multi-rate meters: T1 is the dearest zone, T2 the night.
REGISTER_ZONES: dict[Scheme, dict[str, Zone]] = {
    Scheme.SINGLE: {"T1": Zone.ALL},
    Scheme.TWO_ZONE: {"T1": Zone.DAY, "T2": Zone.NIGHT},
    Scheme.THREE_ZONE: {"T1": Zone.PEAK, "T2": Zone.NIGHT, "T3": Zone.SEMIPEAK},
}


@dataclass(frozen=True, slots=True)
class Register:
    name: str  # T1 | T2 | T3
    last_value: Decimal | None  # the last value billing knows
    last_date: date | None
    avg_monthly_kwh: Decimal | None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Meter:
    account: str
    serial: str
    scheme: Scheme
    digits: int  # integer digits of the display
    smart: bool
    verification_due: date | None
    registers: tuple[Register, ...]
    id: int | None = None
    location: str = ""  # billing's note on where it hangs («гараж», «дом»), if any

    @property
    def avg_monthly_kwh(self) -> Decimal | None:
        """Billing's monthly average for the meter. The file has it on every register row: one
        value repeated is the meter's own; different values are per register and add up."""
        averages = [r.avg_monthly_kwh for r in self.registers]
        if not averages or any(a is None for a in averages):
            return None
        known = [a for a in averages if a is not None]
        return known[0] if len(set(known)) == 1 else sum(known, Decimal(0))

    def zone_of(self, register: str) -> Zone:
        return REGISTER_ZONES[self.scheme][register]

    def register(self, name: str) -> Register:
        return next(r for r in self.registers if r.name == name)


class VerificationState(StrEnum):
    OK = "ok"
    SOON = "soon"  # fewer than the warning months remain
    EXPIRED = "expired"


def verification_state(due: date | None, today: date, warn_months: int = 6) -> VerificationState:
    """Where a meter stands against its next verification date (дата очередной поверки)."""
    if due is None:
        return VerificationState.OK
    if due < today:
        return VerificationState.EXPIRED
    if add_months(today, warn_months) > due:
        return VerificationState.SOON
    return VerificationState.OK
