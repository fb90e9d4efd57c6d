"""Balance: what is owed or overpaid, the last months, and where to pay."""

from __future__ import annotations

from core.accounts import Account
from dialogs.context import Ctx
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows.billing import (
    account_summary,
    payable,
    payment_link,
    restriction,
    summary_lines,
)
from dialogs.flows.common import (
    account_label,
    account_step,
    remember_description,
    start_with_account,
)
from dialogs.nlu import Intent

flow = Flow(
    "balance",
    needs_account=True,
    intents=(Intent.BALANCE_DEBT,),
    menu=MenuEntry("menu.balance", 20),
)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    remember_description(ctx, msg)
    await start_with_account(ctx, account, show)


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
    options = [
        ctx.option("balance.receipt", "go:receipt"),
        ctx.option("balance.how_to_pay", "go:payment"),
        ctx.option("balance.readings", "go:readings"),
        ctx.option("balance.why", "go:bill"),
    ]
    check = await restriction(ctx, account, summary) if summary.overdue_amount > 0 else None
    if check is not None and check.possible:
        parts.append(t("balance.restriction_possible", days=check.notice_days))
        options.insert(0, ctx.option("balance.restriction", "go:debt"))
    if payable(summary):
        parts.append(t("balance.pay_link", url=payment_link(ctx, account.number)))
    ctx.end()
    ctx.say("\n\n".join(parts), [*options, ctx.menu_option()])


account = account_step(flow, show)
