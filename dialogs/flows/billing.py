"""What the money flows share: the amount due bill by bill, bank details, the payment link, a
month's bill explained."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from core.accounts import Account
from core.balance import BalanceKind, BalanceSummary, HistoryEntry, PenaltySource, summarize
from core.bills import BillExplanation, explain_bill, zone_weights
from core.meters import Meter, Scheme, Zone
from core.money import to_rubles
from core.payments import Provider
from core.readings import Reading, ReadingKind
from core.restriction import RestrictionCheck, restriction_check
from core.tariffs import NoTariff
from dialogs.context import Ctx

HISTORY_MONTHS = 6
# The history read for the debt: the further back, the less of it is «older debt».
DEBT_MONTHS = 36


def payment_link(ctx: Ctx, number: str, amount: Decimal | None = None) -> str | None:
    """The company's payment page for the account, its template's {amount} filled with the
    amount given (the amount due; empty when unknown: the customer enters it there); None with
    an acquirer, whose link is made per request by the payment flow («Как оплатить»)."""
    if ctx.config.payments.provider is not Provider.LINK:
        return None
    value = "" if amount is None or amount <= 0 else str(to_rubles(amount))
    return ctx.config.company.payment_url.format_map(_LinkFields(account=number, amount=value))


class _LinkFields(dict[str, str]):
    """A template's fields; one it names that we do not know is left empty, not an error."""

    def __missing__(self, key: str) -> str:
        return ""


def bank_lines(ctx: Ctx) -> list[str]:
    """The supplier's bank details, one «field: value» line each."""
    return [
        ctx.t("balance.bank_line", field=ctx.t(f"balance.bank_field.{field}"), value=value)
        for field, value in ctx.config.company.bank.items()
    ]


def summary_lines(ctx: Ctx, summary: BalanceSummary) -> list[str]:
    """What is owed: the part past its due date (with its penalty) apart from the bill that is
    not due yet; an overpayment; or nothing."""
    t = ctx.t
    amount = t.money(summary.amount)
    if summary.kind is BalanceKind.OVERPAYMENT:
        return [t("balance.summary_overpayment", amount=amount)]
    if summary.kind is BalanceKind.SETTLED:
        return [t("balance.summary_settled")]
    if summary.overdue_amount <= 0:
        if summary.due_date is None:
            return [t("balance.summary_debt_no_date", amount=amount)]
        return [t("balance.summary_debt", amount=amount, date=t.date(summary.due_date))]
    lines = [t("balance.summary_total", amount=amount)]
    since = summary.overdue_since
    lines.append(
        t(
            "balance.summary_overdue",
            count=summary.overdue_days,
            amount=t.money(summary.overdue_amount),
            date=t.date(since) if since else "",
        )
    )
    if summary.current_amount > 0:
        current = [b for b in summary.bills if not b.overdue and b.due_date is not None]
        due = current[-1].due_date if current else summary.due_date
        lines.append(
            t(
                "balance.summary_current",
                amount=t.money(summary.current_amount),
                date=t.date(due) if due else "",
            )
        )
    lines.append(penalty_line(ctx, summary))
    return lines


def penalty_line(ctx: Ctx, summary: BalanceSummary) -> str:
    """The penalty so far (billing's, or estimated bill by bill), or when it starts."""
    if summary.penalty > 0:
        key = (
            "balance.penalty_billing"
            if summary.penalty_source is PenaltySource.BILLING
            else "balance.penalty"
        )
        return ctx.t(key, amount=ctx.t.money(summary.penalty))
    return ctx.t("balance.penalty_later", days=ctx.config.penalties.grace_days + 1)


async def paid_online_sum(ctx: Ctx, number: str) -> Decimal:
    """What the account paid through the bot that billing does not show yet (succeeded, not in
    billing: Ctx.paid_online)."""
    return sum((payment.amount for payment in await ctx.paid_online(number)), Decimal(0))


async def amount_to_pay(ctx: Ctx, account: Account, summary: BalanceSummary) -> Decimal | None:
    """What to pay now, the one rule of every QR and total: the debt, plus the penalty when
    billing gives it (the bot's own estimate is told as an estimate, never asked for), less
    the online payments on their way to billing; None: nothing to pay."""
    if summary.kind is not BalanceKind.DEBT:
        return None
    due = summary.amount
    if summary.penalty_source is PenaltySource.BILLING and summary.penalty > 0:
        due += summary.penalty
    due -= await paid_online_sum(ctx, account.number)
    return due if due > 0 else None


def payable(summary: BalanceSummary) -> bool:
    """Whether there is anything to pay: no payment link for an overpayment or a zero balance."""
    return summary.kind is BalanceKind.DEBT


async def account_summary(ctx: Ctx, account: Account) -> BalanceSummary:
    history = await ctx.store.history.for_account(account.number, DEBT_MONTHS)
    return summarize(
        account.balance,
        account.due_date,
        history,
        ctx.today,
        ctx.config.penalties,
        HISTORY_MONTHS,
        billing_penalty=account.penalty,
    )


async def restriction(
    ctx: Ctx, account: Account, summary: BalanceSummary
) -> RestrictionCheck | None:
    """Whether this debt allows the supplier to restrict supply (None: no data to tell)."""
    try:
        return restriction_check(
            summary,
            account.category,
            await ctx.store.tariffs.of(account.category, Scheme.SINGLE),
            ctx.today,
            ctx.config.restriction,
        )
    except (NoTariff, KeyError):
        return None


async def latest_readings(ctx: Ctx, meter: Meter, period: str) -> dict[str, Reading]:
    """The period's readings the customer submitted, the last one per register (it counts)."""
    readings = await ctx.readings(meter)
    latest: dict[str, Reading] = {}
    for reading in readings:  # newest first
        if (
            reading.period == period
            and reading.kind is ReadingKind.REGULAR
            and reading.status.counts
            and reading.register not in latest
        ):
            latest[reading.register] = reading
    return latest


async def explain_month(
    ctx: Ctx, account: Account, history: Sequence[HistoryEntry], period: str
) -> BillExplanation | None:
    """How a month's bill came about, priced with the account's one meter's scheme; its zones
    shared as the month's own readings measured them, else by billing's averages per register.
    An account with several meters is billed on their sum: it is priced with no zones when all
    of them are single-rate, and not priced at all when one has zones (the history does not say
    how much of the sum each zone took)."""
    meters = await ctx.meters(account.number)
    meter = meters[0] if len(meters) == 1 else None
    unpriced = len(meters) > 1 and any(len(m.registers) > 1 for m in meters)
    weights: dict[Zone, Decimal] | None = None
    if meter is not None and len(meter.registers) > 1:
        used = {
            meter.zone_of(register): reading.consumption_kwh
            for register, reading in (await latest_readings(ctx, meter, period)).items()
            if reading.consumption_kwh is not None
        }
        weights = used if len(used) == len(meter.registers) else zone_weights(meter)
    scheme = meter.scheme if meter else Scheme.SINGLE
    explained = explain_bill(
        history,
        period,
        await ctx.store.tariffs.of(account.category, scheme),
        account.category,
        scheme,
        zone_kwh=weights,
        large_family=account.large_family,
        split=ctx.config.zone_split,
    )
    if explained is not None and unpriced:
        return replace(explained, estimate=None, difference=None)
    return explained
