"""Balance and payment: what is owed, the last months, and how to pay."""

from __future__ import annotations

from core.accounts import Account
from core.balance import BalanceKind, BalanceSummary, summarize
from core.masking import mask_account
from dialogs.context import Ctx
from dialogs.flow import Flow, Msg
from dialogs.flows.common import account_label, account_step, start_with_account

flow = Flow("balance", needs_account=True)
payment_flow = Flow("payment", needs_account=True)

HISTORY_MONTHS = 6


# -- pieces the receipt and other flows reuse ---------------------------------------------------


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


# -- balance ---------------------------------------------------------------------------------------


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    await start_with_account(ctx, "balance", show)


async def show(ctx: Ctx, account: Account) -> None:
    t = ctx.t
    summary = await account_summary(ctx, account)
    parts = [t("balance.header", account=account_label(account))]
    parts.append("\n".join(summary_lines(ctx, summary)))
    if summary.history:
        rows = [
            t(
                "balance.history_row",
                period=t.period(entry.period),
                kwh=t.number(entry.kwh),
                charged=t.money(entry.charged),
                paid=t.money(entry.paid),
            )
            for entry in summary.history
        ]
        parts.append("\n".join([t("balance.history_title"), *rows]))
    else:
        parts.append(t("balance.history_empty"))
    parts.append(t("balance.average_hint"))
    parts.append(t("balance.pay_link", url=payment_link(ctx, account.number)))
    ctx.end()
    ctx.say(
        "\n\n".join(parts),
        [
            ctx.option("balance.receipt", "go:receipt"),
            ctx.option("balance.how_to_pay", "go:payment"),
            ctx.option("balance.readings", "go:readings"),
            ctx.option("common.menu", "go:menu"),
        ],
    )


# -- how to pay ------------------------------------------------------------------------------------


@payment_flow.start
async def payment_start(ctx: Ctx, msg: Msg) -> None:
    t = ctx.t
    accounts = await ctx.accounts()
    links = [
        t(
            "balance.payment_link_line",
            account=mask_account(a.number),
            url=payment_link(ctx, a.number),
        )
        for a in accounts
    ]
    parts = ["\n".join([t("balance.payment_intro"), *links])]
    bank = bank_lines(ctx)
    if bank:
        parts.append("\n".join([t("balance.bank_title"), *bank]))
    parts.append(t("balance.no_card_data"))
    ctx.end()
    ctx.say(
        "\n\n".join(parts),
        [
            ctx.option("menu.balance", "go:balance"),
            ctx.option("balance.receipt", "go:receipt"),
            ctx.option("common.menu", "go:menu"),
        ],
    )


account_step(flow, show)
