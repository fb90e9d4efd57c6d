"""Supply restricted for a debt: when it can happen and how to avoid it, with the customer's own
overdue amount; an instalment plan asked for through an operator."""

from __future__ import annotations

import re
from decimal import Decimal

from core.accounts import Account
from core.masking import mask_account
from dialogs.context import Ctx, Option
from dialogs.expect import Choice, YesNo
from dialogs.flow import Flow, Msg
from dialogs.flows.billing import account_summary, amount_to_pay, payment_link, restriction
from dialogs.flows.common import (
    account_step,
    answered_yes,
    remember_description,
    start_with_account,
)
from dialogs.flows.operator import (
    OPERATOR_LANGUAGE,
    for_operators,
    open_escalation,
    when_operators_answer,
)
from dialogs.i18n import translator
from dialogs.nlu import Topic

# The rules are told to anyone; a linked account adds the customer's own figures.
flow = Flow(
    "debt",
    topics=(Topic.DEBT_RESTRICTION, Topic.INSTALMENT),
    informational=True,
    links_named_account=True,
)

INSTALMENT = "instalment"


# «свет отключили», «нет света»: the supply is off already, not a question about when.
_RESTRICTION_ASKED = re.compile(r"отключ|огранич|выруб|отруб|cut\s+off|disconnect", re.I)
_CUT_OFF = re.compile(
    r"отключил|вырубил|отрубил|нет\s+света|без\s+света|cut\s+off|no\s+power", re.I
)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    if msg.action is None and msg.text and msg.analysis.topic is Topic.INSTALMENT:
        # «отключат меня или нет? и можно ли в рассрочку»: the question first, then the offer.
        ctx.data[INSTALMENT] = "offer" if _RESTRICTION_ASKED.search(msg.text) else "ask"
    if msg.action is None and msg.text and _CUT_OFF.search(msg.text):
        ctx.data["cut_off"] = True
    remember_description(ctx, msg)
    if not await ctx.accounts():
        rules = ctx.config.restriction
        ctx.end()
        ctx.goto(link_offer, text=msg.text if msg.action is None else "")
        ctx.say(
            ctx.t(
                "debt.rules_general",
                months=rules.norm_months,
                days=rules.notice_days,
                back=rules.supply_back_days,
                cap=ctx.t.money(rules.reconnection_cap),
            )
            + "\n\n"
            + ctx.t("debt.link_for_yours"),
            [ctx.option("accounts.link", "yes"), ctx.menu_option()],
        )
        return
    await start_with_account(ctx, account, explain)


@flow.step("link_offer", YesNo())
async def link_offer(ctx: Ctx, msg: Msg) -> None:
    """«Привязать счёт, чтобы я посчитал ваш долг?» — «да»: linked, the question is answered for
    that account."""
    if not answered_yes(msg):
        await ctx.menu()
        return
    text = ctx.data.get("text", "")
    ctx.end()
    await ctx.start("link", msg)
    ctx.state.resume, ctx.state.resume_text = flow.name, text


async def explain(ctx: Ctx, chosen: Account) -> None:
    t = ctx.t
    wants_instalment = ctx.data.pop(INSTALMENT, False)
    cut_off = ctx.data.pop("cut_off", False)
    summary = await account_summary(ctx, chosen)
    check = await restriction(ctx, chosen, summary)
    if wants_instalment == "ask" and summary.overdue_amount > 0:
        await _ask_instalment(ctx, chosen, summary.overdue_amount)
        return
    blocks = []
    overdue = t.money(summary.overdue_amount)
    if summary.overdue_amount > 0:
        since = t.date(summary.overdue_since) if summary.overdue_since else ""
        blocks.append(t("debt.overdue", amount=overdue, date=since))
    elif summary.current_amount > 0 and summary.due_date is not None:
        blocks.append(
            t(
                "debt.only_current",
                amount=t.money(summary.current_amount),
                date=t.date(summary.due_date),
            )
        )
    else:
        blocks.append(t("debt.none"))
    if check is not None:
        blocks.append(
            t(
                "debt.rules",
                months=check.norm_months,
                threshold=t.money(check.threshold),
                days=check.notice_days,
                back=check.supply_back_days,
                cap=t.money(check.reconnection_cap),
            )
        )
        company = ctx.config.company
        if cut_off and summary.overdue_amount <= 0:
            # «может это нас за долги отрубили?» with nothing overdue: not for debt, surely.
            blocks.insert(
                1, t("debt.not_for_debt", grid=company.grid_company, hotline=company.grid_hotline)
            )
        elif cut_off and not check.possible:
            # No restriction is allowed for this debt: a supply that is off is off for another
            # reason, most likely the grid's.
            blocks.append(
                t(
                    "debt.not_for_this_debt",
                    amount=overdue,
                    grid=company.grid_company,
                    hotline=company.grid_hotline,
                )
            )
        elif summary.overdue_amount > 0 and check.possible:
            blocks.append(t("debt.above_threshold", amount=overdue))
        elif summary.overdue_amount > 0 and summary.penalty > 0:
            blocks.append(t("debt.below_threshold", amount=overdue))
        elif summary.overdue_amount > 0:
            days = ctx.config.penalties.grace_days + 1
            blocks.append(t("debt.below_threshold_no_penalty", amount=overdue, days=days))
    else:
        rules = ctx.config.restriction
        blocks.append(
            t(
                "debt.rules_general",
                months=rules.norm_months,
                days=rules.notice_days,
                back=rules.supply_back_days,
                cap=t.money(rules.reconnection_cap),
            )
        )
    options: list[Option] = []
    if summary.overdue_amount > 0:
        url = payment_link(ctx, chosen.number, await amount_to_pay(ctx, chosen, summary))
        if url:  # with an acquirer «Как оплатить» below makes one per request
            blocks.append(t("debt.pay", url=url))
        if wants_instalment:
            blocks.append(t("debt.instalment_possible"))
        options.append(ctx.option("debt.ask_instalment", INSTALMENT))
        ctx.goto(offer, account=chosen.number, amount=str(summary.overdue_amount))
    else:
        ctx.end()
    options += [ctx.option("balance.how_to_pay", "go:payment"), ctx.operator_option()]
    ctx.say("\n\n".join(blocks), [*options, ctx.menu_option()])


async def _instalment_asked(ctx: Ctx, msg: Msg) -> str | None:
    """«хочу рассрочку», «а можно частями?»."""
    return INSTALMENT if msg.analysis.topic is Topic.INSTALMENT else None


@flow.step("offer", Choice(_instalment_asked))
async def offer(ctx: Ctx, msg: Msg) -> None:
    if msg.action != INSTALMENT:
        await ctx.not_understood(msg)
        return
    chosen = next((a for a in await ctx.accounts() if a.number == ctx.data.get("account")), None)
    if chosen is None:
        await ctx.menu()
        return
    summary = await account_summary(ctx, chosen)
    await _ask_instalment(ctx, chosen, summary.overdue_amount)


async def _ask_instalment(ctx: Ctx, chosen: Account, amount: Decimal) -> None:
    """An instalment plan is agreed with the supplier: the request goes to an operator with the
    account and the overdue amount (asking for one is the customer's whole answer)."""
    ctx.end()
    reason = for_operators(
        "debt.instalment_reason",
        account=mask_account(chosen.number),
        amount=translator(OPERATOR_LANGUAGE).money(amount),
    )
    escalation = await open_escalation(ctx, reason)
    await ctx.audit(
        "instalment_requested",
        {"account": mask_account(chosen.number), "escalation_id": escalation.id},
    )
    ctx.say("\n\n".join([ctx.t("debt.instalment_sent"), when_operators_answer(ctx)]))


account = account_step(flow, explain)
