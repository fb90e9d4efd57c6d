"""The notice rules: which jobs are due at a moment, and whom each one tells.

A job is a rule's run for one subject (reminders for the period 2026-12, debt due from
2026-12-20, an outage's notice). It is due from a moment until it is no longer of use, so a
process that was down catches up; its key names its campaign, and every notice it queues is
keyed (core.notices.notice_key), so running it twice tells nobody twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from core.accounts import Category
from core.balance import PenaltyRules
from core.notices import Kind, LinkedAccount, NoticeDraft, OutageRecord, notice_key, period_of
from core.outages import Outage, OutageIndex, OutageKind
from core.readings import period_for
from core.restriction import RestrictionRules, restriction_threshold
from core.tariffs import NoTariff, TariffRow

# Targets per page, one short transaction each: a turn waits behind one page at most.
PAGE = 250
OVERDUE_LOOKBACK_DAYS = 30  # an older debt is not «overdue» news any more


@dataclass(frozen=True, slots=True)
class RuleSettings:
    zone: tzinfo
    send_at: time = time(10, 0)
    reminder_day: int = 23
    cutoff_day: int = 25
    last_day_reminder: bool = True
    debt_days_before: int = 3
    overdue_after_days: int = 1
    restriction_warning: bool = True
    receipt_day: int = 5
    receipt_until_day: int = 15  # the bill's due day: later, «your bill is ready» is no news
    outage_days_before: int = 1
    restriction: RestrictionRules = field(default_factory=RestrictionRules)
    penalties: PenaltyRules = field(default_factory=PenaltyRules)


@dataclass(frozen=True, slots=True)
class Job:
    key: str  # the job's and its campaign's
    kind: Kind
    subject: str  # what its notices are about: a period, a day, an outage
    outage: OutageRecord | None = None
    restored: bool = False  # an outage's «supply restored» run
    # The campaign its notices count in, when a job runs daily for one campaign (billing's
    # import may come any day of the span: each day's run tells whom the earlier ones could not).
    campaign: str = ""

    @property
    def campaign_key(self) -> str:
        return self.campaign or self.key


def due_jobs(at: datetime, rules: RuleSettings, outages: list[OutageRecord]) -> list[Job]:
    """Every job due at `at` (aware), in the order they should run (urgent first)."""
    local = at.astimezone(rules.zone)
    day, started = local.date(), local.time().replace(tzinfo=None) >= rules.send_at
    jobs = [job for outage in outages for job in _outage_jobs(at, outage, rules)]
    if not started:
        return jobs
    period = period_for(day, rules.cutoff_day)
    if rules.reminder_day <= day.day < rules.cutoff_day:
        jobs.append(Job(f"reading_reminder:{period}", Kind.READING_REMINDER, period))
    if rules.last_day_reminder and day.day == rules.cutoff_day:
        jobs.append(Job(f"reading_last_day:{period}", Kind.READING_LAST_DAY, period))
    jobs.append(Job(f"debt_due:{day}", Kind.DEBT_DUE, day.isoformat()))
    jobs.append(Job(f"debt_overdue:{day}", Kind.DEBT_OVERDUE, day.isoformat()))
    if rules.restriction_warning:
        month = period_of(day)
        campaign = f"debt_restriction:{month}"
        jobs.append(Job(f"{campaign}:{day}", Kind.DEBT_RESTRICTION, month, campaign=campaign))
    if rules.receipt_day <= day.day < rules.receipt_until_day:
        billed = period_of(day.replace(day=1) - timedelta(days=1))
        campaign = f"receipt_ready:{billed}"
        jobs.append(Job(f"{campaign}:{day}", Kind.RECEIPT_READY, billed, campaign=campaign))
    return jobs


def _outage_jobs(at: datetime, outage: OutageRecord, rules: RuleSettings) -> list[Job]:
    jobs: list[Job] = []
    if outage.kind == OutageKind.EMERGENCY.value:
        if at < outage.ends_at and outage.restored_at is None:
            jobs.append(Job(f"outage:{outage.id}", Kind.OUTAGE_EMERGENCY, str(outage.id), outage))
    else:
        start_day = outage.starts_at.astimezone(rules.zone).date()
        notify_day = start_day - timedelta(days=rules.outage_days_before)
        from_ = datetime.combine(notify_day, rules.send_at, tzinfo=rules.zone)
        if from_ <= at < outage.starts_at:
            jobs.append(Job(f"outage:{outage.id}", Kind.OUTAGE_PLANNED, str(outage.id), outage))
    back = outage.restored_at or outage.ends_at
    if back <= at < back + timedelta(days=1):
        jobs.append(
            Job(
                f"outage:{outage.id}:restored",
                Kind.OUTAGE_RESTORED,
                str(outage.id),
                outage,
                restored=True,
            )
        )
    return jobs


def as_outage(record: OutageRecord) -> Outage:
    return Outage(
        settlement=record.settlement,
        street=record.street,
        houses=record.houses,
        starts_at=record.starts_at,
        ends_at=record.ends_at,
        kind=OutageKind(record.kind),
        reason=record.reason,
    )


def draft(job: Job, target: LinkedAccount, subject: str, params: dict[str, Any]) -> NoticeDraft:
    return NoticeDraft(
        key=notice_key(job.kind, subject, target.account, target.customer_id),
        conversation_id=target.conversation_id,
        channel=target.channel,
        user_id=target.user_id,
        account=target.account,
        params={"account": target.account, **params},
    )


def drafts_for(
    job: Job,
    page: list[LinkedAccount],
    at: datetime,
    rules: RuleSettings,
    thresholds: dict[str, Decimal],
    index: OutageIndex | None,
) -> list[NoticeDraft]:
    """The notices a page of targets gets from `job` (a target may get none)."""
    out: list[NoticeDraft] = []
    for target in page:
        if job.kind in (Kind.READING_REMINDER, Kind.READING_LAST_DAY):
            cutoff = _cutoff(job.subject, rules.cutoff_day)
            out.append(draft(job, target, job.subject, {"period": job.subject, "cutoff": cutoff}))
        elif job.kind in (Kind.DEBT_DUE, Kind.DEBT_OVERDUE):
            due = target.due_date.isoformat() if target.due_date else ""
            out.append(draft(job, target, due, {"due": due, "amount": str(target.balance)}))
        elif job.kind is Kind.DEBT_RESTRICTION:
            threshold = thresholds.get(target.category)
            if threshold is not None and target.balance > threshold:
                params = {
                    "amount": str(target.balance),
                    "notice_days": str(rules.restriction.notice_days),
                }
                out.append(draft(job, target, job.subject, params))
        elif job.kind is Kind.RECEIPT_READY:
            out.append(draft(job, target, job.subject, {"period": job.subject}))
        elif job.outage is not None:
            outage = job.outage
            if job.restored or (index is not None and index.matching(target.address)):
                params = {
                    "address": target.address,
                    "start": outage.starts_at.isoformat(),
                    "end": outage.ends_at.isoformat(),
                    "reason": outage.reason,
                }
                out.append(draft(job, target, job.key, params))
    return out


def restriction_thresholds(
    tariffs: list[TariffRow], day: date, rules: RestrictionRules
) -> dict[str, Decimal]:
    """Per category: the overdue debt above which supply may be restricted (DOMAIN.md)."""
    out: dict[str, Decimal] = {}
    for category in Category:
        try:
            out[category.value] = restriction_threshold(category, tariffs, day, rules)[0]
        except (NoTariff, KeyError):
            continue  # no price or no standard: no warning for that category
    return out


def _cutoff(period: str, cutoff_day: int) -> str:
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, cutoff_day).isoformat()
