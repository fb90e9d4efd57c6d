"""Technician visits (заявки на выезд)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum


class VisitType(StrEnum):
    METER_REPLACEMENT = "meter_replacement"
    SEALING = "sealing"
    VERIFICATION = "verification"
    CONTROL_READING = "control_reading"
    SCHEME_SWITCH = "scheme_switch"
    SMART_METERING = "smart_metering"
    RECONNECTION = "reconnection"
    POWER_QUALITY = "power_quality"


class VisitStatus(StrEnum):
    NEW = "new"
    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


TRANSITIONS: dict[VisitStatus, frozenset[VisitStatus]] = {
    VisitStatus.NEW: frozenset({VisitStatus.SCHEDULED, VisitStatus.CANCELLED}),
    VisitStatus.SCHEDULED: frozenset(
        {VisitStatus.SCHEDULED, VisitStatus.DONE, VisitStatus.CANCELLED}
    ),
    VisitStatus.DONE: frozenset(),
    VisitStatus.CANCELLED: frozenset(),
}


class TransitionError(ValueError):
    """A status change the visit's current status does not allow (e.g. a done visit cancelled)."""


def check_transition(current: VisitStatus, new: VisitStatus) -> None:
    """Raise TransitionError unless a visit may go from `current` to `new`."""
    if new not in TRANSITIONS[current]:
        raise TransitionError(f"a visit cannot go from {current} to {new}")


@dataclass(frozen=True, slots=True)
class Visit:
    account: str
    customer_id: int | None
    type: VisitType
    preferred_date: date
    slot: str  # e.g. "08:00-12:00"
    phone: str
    comment: str
    status: VisitStatus
    created_at: datetime
    scheduled_date: date | None = None
    scheduled_slot: str | None = None
    id: int | None = None

    @property
    def number(self) -> str:
        """The request number the customer is given."""
        return visit_number(self.id or 0, self.created_at)


def visit_number(visit_id: int, created_at: datetime) -> str:
    """E.g. «2611-00042»: year and month of creation (UTC), then the id zero-padded to 5."""
    # A naive created_at is taken as UTC already (storage keeps UTC).
    utc = created_at.astimezone(UTC) if created_at.tzinfo is not None else created_at
    return f"{utc:%y%m}-{visit_id:05d}"


@dataclass(frozen=True, slots=True)
class VisitStatusChange:
    visit_id: int
    status: VisitStatus
    at: datetime
    by: str  # "customer", "operator:<login>", "system"
    note: str = ""
