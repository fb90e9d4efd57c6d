"""What the balance, payment and receipt flows all show: the amount due, bank details, the link."""

from __future__ import annotations

from core.accounts import Account
from core.balance import BalanceKind, BalanceSummary, summarize
from dialogs.context import Ctx

HISTORY_MONTHS = 6


def payment_link(ctx: Ctx, number: str) -> str:
    return ctx.config.company.payment_url.format(account=number)


def bank_lines(ctx: Ctx) -> list[str]:
    """The supplier's bank details, one «field: value» line each."""
    return [
        ctx.t("balance.bank_line", field=ctx.t(f"balance.bank_field.{field}"), value=value)
        for field, value in ctx.config.company.bank.items()
    ]


def summary_lines(ctx: Ctx, summary: BalanceSummary) -> list[str]:
    """The debt / overpayment line; a passed payment date with the penalty instead of «до …»."""
    t = ctx.t
    amount = t.money(summary.amount)
    if summary.kind is BalanceKind.OVERPAYMENT:
        return [t("balance.summary_overpayment", amount=amount)]
    if summary.kind is BalanceKind.SETTLED:
        return [t("balance.summary_settled")]
    if summary.due_date is None:
        return [t("balance.summary_debt_no_date", amount=amount)]
    if summary.overdue_days <= 0:
        return [t("balance.summary_debt", amount=amount, date=t.date(summary.due_date))]
    return [
        t(
            "balance.summary_overdue",
            count=summary.overdue_days,
            amount=amount,
            date=t.date(summary.due_date),
        ),
        penalty_line(ctx, summary),
    ]


def penalty_line(ctx: Ctx, summary: BalanceSummary) -> str:
    """The penalty so far, or from which day of delay it starts."""
    if summary.penalty > 0:
        return ctx.t("balance.penalty", amount=ctx.t.money(summary.penalty))
    return ctx.t("balance.penalty_later", days=ctx.config.penalties.grace_days + 1)


def payable(summary: BalanceSummary) -> bool:
    """Whether there is anything to pay: no payment link for an overpayment or a zero balance."""
    return summary.kind is BalanceKind.DEBT


async def account_summary(ctx: Ctx, account: Account) -> BalanceSummary:
    history = await ctx.store.history.for_account(account.number, HISTORY_MONTHS)
    return summarize(
        account.balance, account.due_date, history, ctx.today, ctx.config.penalties, HISTORY_MONTHS
    )
