"""Concrete classes wired together: settings → dialog config, database → pipeline."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from bots.channel import Channel
from bots.registry import plugins
from core.accounts import LinkLimits
from core.balance import PenaltyRules
from core.calendar import BusinessHours
from core.notices import QuietHours
from core.restriction import RestrictionRules
from dialogs.config import CompanyInfo, DialogConfig, EmailRules, ReadingRules
from dialogs.engine import Engine
from dialogs.flows import FLOWS
from dialogs.i18n import translator
from dialogs.nlu import warm_up
from dialogs.pipeline import Handled, Pipeline
from energobot.channels import derived_key
from energobot.payment_wiring import payment_rules
from energobot.settings import BillingSettings, Settings
from outbox.notices.gate import Gate, GateRules
from outbox.notices.post import OutagePoster
from outbox.notices.rules import RuleSettings
from outbox.notices.scheduler import Scheduler, SchedulerConfig
from outbox.sender import OutboxSender, ResultObserver, SenderConfig
from storage.database import Database

log = logging.getLogger(__name__)


def dialog_config(settings: Settings) -> DialogConfig:
    company, hours = settings.company, settings.business_hours
    readings, billing, linking, dialogs = (
        settings.readings,
        settings.billing,
        settings.linking,
        settings.dialogs,
    )
    return DialogConfig(
        company=CompanyInfo(
            name=company.name,
            phone=company.phone,
            website=company.website,
            payment_url=company.payment_url,
            grid_company=company.grid_company,
            grid_hotline=company.grid_hotline,
            grid_website=company.grid_website,
            bank=company.bank.model_dump(),
        ),
        hours=BusinessHours(
            tz=company.tz,
            opens=hours.opens,
            closes=hours.closes,
            weekdays=frozenset(hours.weekdays),
            holidays=frozenset(hours.holidays),
        ),
        readings=ReadingRules(
            window_start_day=readings.window_start_day,
            cutoff_day=readings.cutoff_day,
            plausibility_factor=readings.plausibility_factor,
            without_history_kwh=readings.without_history_kwh,
            history_months=readings.history_months,
            rollover_margin=readings.rollover_margin,
            verification_warn_months=readings.verification_warn_months,
        ),
        zone_split=settings.tariffs.zone_split,
        penalties=penalty_rules(billing),
        restriction=restriction_rules(billing),
        link_limits=LinkLimits(
            per_customer=linking.per_customer,
            per_customer_window_hours=linking.per_customer_window_hours,
            per_account=linking.per_account,
            per_account_window_hours=linking.per_account_window_hours,
        ),
        default_language=dialogs.default_language,
        consent_version=dialogs.consent_version,
        transcript_messages=dialogs.transcript_messages,
        visit_days=dialogs.visit_days,
        visit_slots=tuple(dialogs.visit_slots),
        verified_phone_channels=frozenset(
            {"terminal", *(p.name for p in plugins() if p.verified_phone)}
        ),
        phone_hints={p.name: hints for p in plugins() if (hints := p.phone_hints())},
        email=email_rules(settings),
        payments=payment_rules(settings),
    )


def email_rules(settings: Settings) -> EmailRules | None:
    """The e-mail flow's rules when the `email:` channel is enabled."""
    section = settings.channel("email")
    if not section.enabled:
        return None
    root = settings.console.session_key.get_secret_value().encode()
    # Without the service's secret the key lives as long as the process: codes sent before a
    # restart are then void (the customer asks for a new one).
    key = derived_key(root, "email-codes") if root else os.urandom(32)
    return EmailRules(code_key=key, codes_per_day=getattr(section, "codes_per_day", 5))


def penalty_rules(billing: BillingSettings) -> PenaltyRules:
    return PenaltyRules(
        key_rate_percent=billing.key_rate_percent,
        cap_percent=billing.penalty_cap_percent,
        cap_until=billing.penalty_cap_until,
        due_day=billing.due_day,
        earlier_due_day=billing.earlier_due_day,
        due_day_from=billing.due_day_from,
    )


def restriction_rules(billing: BillingSettings) -> RestrictionRules:
    restriction = billing.restriction
    return RestrictionRules(
        norm_kwh=dict(restriction.norm_kwh),
        norm_months=restriction.norm_months,
        notice_days=restriction.notice_days,
        reconnection_cap=restriction.reconnection_cap_rub,
        supply_back_days=restriction.supply_back_days,
    )


def build_pipeline(
    settings: Settings,
    database: Database,
    on_commit: Callable[[Handled], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Pipeline:
    # The NLU builds its tables on first use: pay that at start-up, not on a customer's message.
    warm_up()
    return Pipeline(
        database.unit_of_work,
        Engine(FLOWS),
        dialog_config(settings),
        clock=clock,
        on_commit=on_commit,
        writers=database.writers,
    )


def sender_config(settings: Settings) -> SenderConfig:
    outbox = settings.outbox
    return SenderConfig(
        poll_seconds=outbox.poll_seconds,
        batch=outbox.batch,
        lease_seconds=outbox.lease_seconds,
        send_timeout_seconds=outbox.send_timeout_seconds,
        max_attempts=outbox.max_attempts,
        report_seconds=outbox.report_seconds,
        heartbeat_seconds=outbox.heartbeat_seconds,
    )


def notice_gate(settings: Settings) -> Gate:
    notices = settings.notices
    return Gate(
        GateRules(
            company=dialog_config(settings).company,
            zone=settings.company.tz,
            quiet=QuietHours.parse(notices.quiet_hours),
            hold_limit=timedelta(hours=notices.hold_limit_hours),
            default_language=settings.dialogs.default_language,
            penalties=penalty_rules(settings.billing),
        )
    )


def scheduler_config(settings: Settings) -> SchedulerConfig:
    notices, readings = settings.notices, settings.readings
    return SchedulerConfig(
        tick_seconds=notices.tick_seconds,
        lease_seconds=notices.lease_seconds,
        heartbeat_seconds=settings.outbox.heartbeat_seconds,
        rules=RuleSettings(
            zone=settings.company.tz,
            send_at=notices.send_at,
            reminder_day=notices.reminder_day or readings.window_start_day,
            cutoff_day=readings.cutoff_day,
            last_day_reminder=notices.last_day_reminder,
            debt_days_before=notices.debt_days_before,
            overdue_after_days=notices.overdue_after_days,
            restriction_warning=notices.restriction_warning,
            receipt_day=notices.receipt_day,
            receipt_until_day=settings.billing.due_day,
            outage_days_before=notices.outage_days_before,
            restriction=restriction_rules(settings.billing),
            penalties=penalty_rules(settings.billing),
        ),
    )


def outage_poster(settings: Settings, outbound: Mapping[str, Channel]) -> OutagePoster | None:
    """The public post of outages, where notices.outage_post names an enabled channel."""
    post = settings.notices.outage_post
    if not post.channel:
        return None
    channel = outbound.get(post.channel)
    if channel is None:
        log.warning("notices.outage_post: the channel %r is not enabled: no posts", post.channel)
        return None
    return OutagePoster(
        channel,
        post.chat_id,
        translator(settings.dialogs.default_language),
        dialog_config(settings).company,
        settings.company.tz,
    )


def notice_machinery(
    settings: Settings,
    database: Database,
    outbound: Mapping[str, Channel],
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_result: ResultObserver | None = None,
    on_notice: ResultObserver | None = None,
    posting: bool = True,
) -> tuple[OutboxSender, Scheduler]:
    """The sender with the notices' gate and the scheduler that queues for it, wired as every
    process runs them (`serve`, `notices run`): queued notices wake the sender's notice lanes."""
    sender = OutboxSender(
        database.unit_of_work,
        outbound,
        sender_config(settings),
        clock=clock,
        on_result=on_result,
        gate=notice_gate(settings),
        on_notice=on_notice,
    )
    scheduler = Scheduler(
        database.unit_of_work,
        scheduler_config(settings),
        sender.id,
        clock=clock,
        on_queued=sender.wake_notices,
        poster=outage_poster(settings, outbound) if posting else None,
    )
    return sender, scheduler
