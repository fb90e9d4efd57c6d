"""Balance: what is owed or overpaid, the last months, and where to pay — with the payment QR
any banking app pays it with."""

from __future__ import annotations

import logging
from decimal import Decimal

from core.accounts import Account
from core.balance import BalanceSummary, PenaltySource
from core.payment_qr import PayeeError
from dialogs.context import Ctx
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows.billing import (
    account_summary,
    amount_to_pay,
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
from dialogs.flows.paid import online_lines
from dialogs.flows.receipt_document import payment_qr_payload, short_number
from dialogs.messages import PNG, Attachment
from dialogs.nlu import Intent

log = logging.getLogger(__name__)

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
        ctx.option("balance.consumption", "go:consumption"),
    ]
    check = await restriction(ctx, account, summary) if summary.overdue_amount > 0 else None
    if check is not None and check.possible:
        parts.append(t("balance.restriction_possible", days=check.notice_days))
        options.insert(0, ctx.option("balance.restriction", "go:debt"))
    # Paid through the bot and on its way: the balance does not show it yet.
    parts += await online_lines(ctx, account.number)
    # What is left after the online payments on their way; none left: no QR, the lines above
    # already say the payment is coming.
    due = await amount_to_pay(ctx, account, summary)
    qr, caption = payment_qr(ctx, account, summary, due)
    # With an acquirer the link is made per request by «Как оплатить» (the button above).
    url = payment_link(ctx, account.number, due)
    if due is not None and url:
        parts.append(t("balance.pay_link", url=url))
    if caption:
        parts.append(caption)
    ctx.end()
    ctx.say("\n\n".join(parts), [*options, ctx.menu_option()], attachment=qr)


def payment_qr(
    ctx: Ctx, account: Account, summary: BalanceSummary, due: Decimal | None
) -> tuple[Attachment | None, str | None]:
    """The payment QR of `due` and the line that says what it pays (None, None: no QR)."""
    qr = payment_qr_attachment(ctx, account, summary, due)
    if qr is None or due is None:
        return None, None
    estimated = summary.penalty > 0 and summary.penalty_source is PenaltySource.ESTIMATE
    key = "balance.qr_caption_no_penalty" if estimated else "balance.qr_caption"
    return qr, ctx.t(key, amount=ctx.t.money(due))


def payment_qr_attachment(
    ctx: Ctx, account: Account, summary: BalanceSummary, due: Decimal | None
) -> Attachment | None:
    """The payment QR (ГОСТ Р 56042) as a PNG paying `due` (billing.amount_to_pay, as the
    receipt's total) for the account's latest billed month; None when nothing is to be paid or
    the company's bank details cannot make one (logged)."""
    if due is None:
        return None
    period = summary.history[0].period if summary.history else None
    try:
        # Imported on first use: the encoder is needed only when there is something to pay.
        from papers.qr import qr_png

        payload = payment_qr_payload(ctx, account.number, due, period)
        data = qr_png(payload)
    except PayeeError as exc:
        log.warning("no payment QR: the company's bank details are unusable (%s)", exc)
        return None
    except Exception:
        log.exception("the payment QR could not be made")
        return None
    return Attachment.of(f"oplata-{short_number(account.number)}.png", PNG, data)


account = account_step(flow, show)
