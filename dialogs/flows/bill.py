"""«Почему такой большой счёт»: the customer's own month explained — against their average,
the consumption ranges it reached with the price lines that make the amount, how billing got the
volume (a reading, the average, the norm), and tariff changes on the way."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from core.accounts import Account
from core.balance import BalanceKind, BillingBasis
from core.bills import BillExplanation
from core.meters import Zone
from core.tariffs import Estimate
from dialogs.context import Ctx
from dialogs.flow import Flow, Msg
from dialogs.flows.billing import account_summary, explain_month
from dialogs.flows.common import account_step, remember_description, start_with_account
from dialogs.flows.tariffs import zone_rank
from dialogs.nlu import Topic

flow = Flow("bill", needs_account=True, topics=(Topic.BILL_EXPLAIN,))

ROUNDING = Decimal("0.01")  # a difference from the charge worth a word ...
RECALCULATION = Decimal(1)  # ... and one that is more than rounding
HISTORY_MONTHS = 13  # the month, the six before it, and the same month a year ago
NOTABLE_PERCENT = 20  # a change against the average worth saying


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    if msg.action is None and msg.text and msg.analysis.entities.months:
        ctx.data["month"] = msg.analysis.entities.months[0]
    remember_description(ctx, msg)
    await start_with_account(ctx, account, explain)


async def explain(ctx: Ctx, chosen: Account) -> None:
    t = ctx.t
    month = ctx.data.get("month")
    ctx.end()
    history = await ctx.store.history.for_account(chosen.number, HISTORY_MONTHS)
    options = [
        ctx.option("balance.readings", "go:readings"),
        ctx.option("menu.balance", "go:balance"),
        ctx.option("bill.ask_operator", "go:operator"),
        ctx.menu_option(),
    ]
    if not history:
        ctx.say(t("bill.no_history"), options)
        return
    periods = [entry.period for entry in history]  # newest first
    period = next((p for p in periods if month and int(p[5:7]) == month), None)
    if month and period is None:  # never another month instead: say which there are
        first, last = t.period(periods[-1]), t.period(periods[0])
        ctx.say(t("bill.month_missing", first=first, last=last), options)
        return
    period = period or periods[0]
    explanation = await explain_month(ctx, chosen, history, period)
    if explanation is None:
        ctx.say(t("bill.no_history"), options)
        return
    blocks = _blocks(ctx, explanation)
    summary = await account_summary(ctx, chosen)
    latest = explanation.period == periods[0]
    if latest and summary.kind is BalanceKind.DEBT and summary.overdue_amount > 0:
        # «пришла квитанция 6 тыщ»: the total due is this month and the months not paid.
        blocks.insert(
            1,
            t(
                "bill.total_with_debt",
                total=t.money(summary.amount),
                overdue=t.money(summary.overdue_amount),
                period=t.period(explanation.period),
            ),
        )
    ctx.say("\n\n".join(blocks), options)


def _blocks(ctx: Ctx, bill: BillExplanation) -> list[str]:
    t = ctx.t
    blocks = [
        t(
            "bill.head",
            period=t.period(bill.period),
            kwh=t.number(bill.kwh),
            amount=t.money(bill.charged),
        )
    ]
    blocks.append(_against_average(ctx, bill))
    if bill.estimate is not None:
        blocks.append(price_split(ctx, bill.estimate))
        if bill.top_range > 1 and bill.range_one_limit is not None:
            blocks.append(
                t(
                    "bill.range_two",
                    limit=t.number(bill.range_one_limit),
                    range=t(f"tariffs.range.{bill.top_range}"),
                )
            )
        note = difference_note(ctx, bill.difference)
        if note:
            blocks.append(note)
    if bill.basis is BillingBasis.AVERAGE:
        blocks.append(t("bill.by_average"))
    elif bill.basis is BillingBasis.NORM:
        blocks.append(t("bill.by_norm"))
    elif bill.basis is BillingBasis.READING:
        blocks.append(t("bill.by_reading"))
    for change in bill.tariff_changes:
        blocks.append(t("bill.tariff_changed", date=t.date(change.on)))
    blocks.append(t("bill.what_to_do"))
    return [block for block in blocks if block]


def _against_average(ctx: Ctx, bill: BillExplanation) -> str:
    t = ctx.t
    if bill.average_kwh is None or bill.change_percent is None:
        return t("bill.no_average")
    params = {
        "average": t.number(bill.average_kwh),
        "count": bill.average_months,
        "percent": abs(bill.change_percent),
    }
    if bill.change_percent >= NOTABLE_PERCENT:
        text = t("bill.more_than_usual", **params)
    elif bill.change_percent <= -NOTABLE_PERCENT:
        text = t("bill.less_than_usual", **params)
    else:
        text = t("bill.as_usual", **params)
    if bill.year_ago_kwh is not None:
        text += " " + t("bill.year_ago", kwh=t.number(bill.year_ago_kwh))
    return text


def difference_note(ctx: Ctx, difference: Decimal | None) -> str:
    """Why the split does not add up to the charge exactly: kopecks of rounding the zones'
    shares, or a recalculation."""
    if difference is None or abs(difference) < ROUNDING:
        return ""
    if abs(difference) < RECALCULATION:
        return ctx.t("bill.rounding")
    return ctx.t("bill.recalculation", amount=ctx.t.money(difference))


def price_split(ctx: Ctx, priced: Estimate) -> str:
    """«1 000 × 4,59 + 1 627 × 9,02 = 12 265,54 ₽»: the volume by zone and range, each with its
    price, so that the lines multiply to the amount."""
    t = ctx.t
    parts = []
    # A zone priced in several ranges says which is which («пик, диапазон II: …»).
    ranged = Counter(line.zone for line in priced.lines)
    for line in sorted(priced.lines, key=lambda line: (zone_rank(line.zone), line.range)):
        part = t("bill.split_part", kwh=t.number(line.kwh), price=t.money(line.price))
        if ranged[line.zone] > 1:
            zone = t(f"tariffs.zone.{line.zone.value}") if line.zone is not Zone.ALL else ""
            where = t("bill.split_range", zone=zone, range=t(f"tariffs.range.{line.range}"))
            part = t("bill.split_zone", zone=where.strip(" ,"), part=part)
        elif line.zone is not Zone.ALL:
            part = t("bill.split_zone", zone=t(f"tariffs.zone.{line.zone.value}"), part=part)
        parts.append(part)
    return t("bill.split", parts=" + ".join(parts), amount=t.money(priced.total))


account = account_step(flow, explain)
