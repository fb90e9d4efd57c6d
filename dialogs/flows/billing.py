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
    """The debt / overpayment line, then overdue days and the penalty if any."""
    t = ctx.t
    amount = t.money(summary.amount)
    if summary.kind is BalanceKind.OVERPAYMENT:
        return [t("balance.summary_overpayment", amount=amount)]
    if summary.kind is BalanceKind.SETTLED:
        return [t("balance.summary_settled")]
    if summary.due_date is None:
        lines = [t("balance.summary_debt_no_date", amount=amount)]
    else:
        lines = [t("balance.summary_debt", amount=amount, date=t.date(summary.due_date))]
    if summary.overdue_days > 0:
        lines.append(t("balance.overdue", count=summary.overdue_days))
        if summary.penalty > 0:
            lines.append(t("balance.penalty", amount=t.money(summary.penalty)))
        else:
            lines.append(t("balance.penalty_later", days=ctx.config.penalties.grace_days + 1))
    return lines


async def account_summary(ctx: Ctx, account: Account) -> BalanceSummary:
    history = await ctx.store.history.for_account(account.number, HISTORY_MONTHS)
    return summarize(
        account.balance, account.due_date, history, ctx.today, ctx.config.penalties, HISTORY_MONTHS
    )
