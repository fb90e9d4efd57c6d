"""Payments that went wrong: «оплатил, а долг висит», «оплатил не на тот счёт», «верните
переплату». What billing knows is said first; what it cannot settle goes to an operator as a
request with the date and amount already asked."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from core.accounts import Account
from core.balance import BalanceKind
from core.conversations import Author
from core.masking import mask_account
from dialogs.context import Ctx
from dialogs.expect import Amount, Answer, Either, Fit, PastDate, YesNo, amount_said
from dialogs.flow import Flow, Msg
from dialogs.flows.billing import account_summary, summary_lines
from dialogs.flows.common import (
    account_step,
    answered_yes,
    remember_description,
    start_with_account,
    yes_no,
)
from dialogs.flows.operator import (
    OPERATOR_LANGUAGE,
    for_operators,
    open_escalation,
    when_operators_answer,
)
from dialogs.i18n import Translator, translator
from dialogs.nlu import Topic

flow = Flow(
    "paid",
    needs_account=True,
    topics=(Topic.PAYMENT_MISSING, Topic.WRONG_ACCOUNT, Topic.REFUND),
    resume_question="paid.resume",
)

MISSING, WRONG, REFUND = "missing", "wrong", "refund"
CASES = {Topic.PAYMENT_MISSING: MISSING, Topic.WRONG_ACCOUNT: WRONG, Topic.REFUND: REFUND}
WAIT = "wait"
# Payments reach billing this many working days after a bank or app payment.
DAYS_TO_ARRIVE = "1–3"
WORKING_DAYS_TO_ARRIVE = 3
HISTORY_MONTHS = 36  # where the last payment billing knows is looked for
# «3000 примерно», «3000 или 3100»: the amount paid as the customer remembers it, passed on as
# «около».
_HEDGED = re.compile(
    r"примерно|около|где-?\s*то|вроде|приблизит|не\s+помню|кажется|или|может|about|around|roughly",
    re.IGNORECASE,
)
# «долг почти 6 тыщ, я платил», «около 3000»: an amount owed or only guessed, not the payment's
# own — asked for rather than passed on to the operator as paid (an account number after «долг
# висит» is no amount).
_NOT_THE_PAID_AMOUNT = re.compile(
    r"(?:долг|задолж|долж[еун]|начисл|насчита|выстав|почти|около|примерно|приблизит|где-?\s*то|"
    r"вроде|owe|debt|about|around|roughly)\w*[\s,:?!-]+"
    r"(?:(?:был[аио]?|уже|аж|почти|около|примерно|где-?\s*то|вроде|больше|меньше|составля\w*|"
    r"is|was|about|around)[\s,:?!-]+){0,2}\d{1,7}(?![\d.])",
    re.IGNORECASE,
)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    topic = msg.analysis.topic if msg.action is None and msg.text else None
    ctx.data["case"] = CASES.get(topic, MISSING) if topic else MISSING
    if msg.action is None and msg.text:
        await _take_what_is_said(ctx, msg)
    remember_description(ctx, msg)
    await start_with_account(ctx, account, begin)


async def _take_what_is_said(ctx: Ctx, msg: Msg) -> None:
    """«оплатила 25.11 3000 руб», «в октябре заплатил 6000 … на её счёт 5901000018»: the date,
    the amount and the other account a message gives are not asked again."""
    said = await PastDate().read(ctx, msg)
    paid_on = said.value if said.fit is Fit.STRONG else None  # «в конце ноября» is no day
    if isinstance(paid_on, date) and "paid_on" not in ctx.data:
        ctx.data["paid_on"] = paid_on.isoformat()
        ctx.data["paid_month"] = _month_only(msg)
    amount = None if _NOT_THE_PAID_AMOUNT.search(msg.text) else amount_said(msg.text)
    if amount is not None and "amount" not in ctx.data:
        ctx.data["amount"] = str(amount)
    mentioned = ctx.data.setdefault("mentioned", [])
    mentioned += [n for n in msg.analysis.entities.accounts if n not in mentioned]
    if msg.analysis.topic is Topic.WRONG_ACCOUNT:
        ctx.data["case"] = WRONG  # «… а я номер счёта не тот вбила»


async def begin(ctx: Ctx, chosen: Account) -> None:
    case = ctx.data.get("case", MISSING)
    ctx.data["account"] = chosen.number
    if case == REFUND:
        await _refund(ctx, chosen)
        return
    t = ctx.t
    paid_on = ctx.data.get("paid_on")
    online = await online_lines(ctx, chosen.number) if case == MISSING else []
    if case == MISSING:
        summary = await account_summary(ctx, chosen)
        if summary.kind is not BalanceKind.DEBT:
            # «оплатил, а долг висит» with no debt in billing: say so, nothing to chase.
            ctx.end()
            lines = [*online, t("paid.no_debt"), "\n".join(summary_lines(ctx, summary))]
            ctx.say(
                "\n\n".join(lines), [ctx.option("menu.balance", "go:balance"), ctx.menu_option()]
            )
            return
    if case == MISSING and paid_on and _on_its_way(ctx, date.fromisoformat(paid_on)):
        ctx.end()
        arrives = _arrives_by(ctx, date.fromisoformat(paid_on))
        text = "\n\n".join([*online, t("paid.on_its_way", date=t.date(arrives))])
        ctx.say(text, [ctx.menu_option()])
        return
    if paid_on and "amount" in ctx.data:
        await _to_operator(ctx)
        return
    blocks = list(online)
    if case == MISSING:
        summary = await account_summary(ctx, chosen)
        blocks.append(t("paid.arrive", days=DAYS_TO_ARRIVE))
        history = await ctx.store.history.for_account(chosen.number, HISTORY_MONTHS)
        paid = next((entry for entry in history if entry.paid > 0), None)
        if paid is not None:
            blocks.append(
                t("paid.last_known", amount=t.money(paid.paid), period=t.period(paid.period))
            )
        else:
            blocks.append(t("paid.none_known"))
        blocks.append("\n".join(summary_lines(ctx, summary)))
        options = [ctx.option("paid.will_wait", WAIT)]
    else:
        blocks.append(t("paid.wrong_account"))
        options = []
    if paid_on:
        ctx.goto(how_much)
        blocks.append(t("paid.ask_amount"))
    else:
        ctx.goto(when)
        blocks.append(t("paid.ask_date"))
    ctx.say("\n\n".join(blocks), [*options, ctx.menu_option()])


async def online_lines(ctx: Ctx, number: str) -> list[str]:
    """«Оплата 1 572,60 ₽ от 20 ноября получена и уже на пути в расчётный центр…», per
    payment made through the bot that billing does not show yet."""
    t, days = ctx.t, ctx.config.payments.billing_days
    lines = []
    for payment in await ctx.paid_online(number):
        if payment.paid_at is None:  # succeeded payments have it
            continue
        paid_on = ctx.config.hours.local_date(payment.paid_at)
        arrives = ctx.config.hours.next_working_days(paid_on, days)[-1]
        lines.append(
            t(
                "paid.online_pending",
                amount=t.money(payment.amount),
                date=t.date(paid_on),
                arrives=t.date(arrives),
            )
        )
    return lines


def _arrives_by(ctx: Ctx, paid_on: date) -> date:
    return ctx.config.hours.next_working_days(paid_on, WORKING_DAYS_TO_ARRIVE)[-1]


def _on_its_way(ctx: Ctx, paid_on: date) -> bool:
    """Paid within the working days a payment takes to reach billing."""
    return ctx.today <= _arrives_by(ctx, paid_on)


@flow.step("when", PastDate())
async def when(ctx: Ctx, msg: Msg) -> None:
    if msg.action == WAIT:
        await ctx.menu("paid.waiting")
        return
    if not isinstance(msg.answer, date):
        await ctx.not_understood(msg)
        return
    ctx.data["paid_on"] = msg.answer.isoformat()
    ctx.data["paid_month"] = _month_only(msg)
    await _take_what_is_said(ctx, msg)  # the amount and another account, said along
    if ctx.data.get("case") == MISSING and _on_its_way(ctx, msg.answer):
        ctx.end()
        arrives = _arrives_by(ctx, msg.answer)
        ctx.say(ctx.t("paid.on_its_way", date=ctx.t.date(arrives)), [ctx.menu_option()])
        return
    await _next_question(ctx)


async def _next_question(ctx: Ctx) -> None:
    if "amount" not in ctx.data:
        ctx.goto(how_much)
        ctx.say(ctx.t("paid.ask_amount"), [ctx.cancel_option()])
    else:
        await _to_operator(ctx)


class _AmountOrAccount(Amount):
    """The amount; or the other account's number given first («на счёт 5901000018»), which is
    kept, never taken for money."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        answer = await Amount.read(self, ctx, msg)
        if answer.fit is Fit.NONE and msg.analysis.entities.accounts:
            return Answer(Fit.STRONG, None)
        return answer


@flow.step("amount", _AmountOrAccount())
async def how_much(ctx: Ctx, msg: Msg) -> None:
    mentioned = ctx.data.setdefault("mentioned", [])
    mentioned += [n for n in msg.analysis.entities.accounts if n not in mentioned]
    if msg.answer is None:
        ctx.say(ctx.t("paid.ask_amount"), [ctx.cancel_option()])
        return
    ctx.data["amount"] = str(msg.answer)
    ctx.data["amount_about"] = _HEDGED.search(msg.text) is not None  # «3000 примерно»
    await _next_question(ctx)


def _month_only(msg: Msg) -> bool:
    """«в октябре», «в конце ноября»: a month and no day, passed on as a month, never as its
    first day."""
    entities = msg.analysis.entities
    return bool(entities.months) and not entities.dates


def _when(t: Translator, ctx: Ctx, paid_on: date) -> str:
    if ctx.data.get("paid_month"):
        return t("paid.in_month", period=t.period(f"{paid_on:%Y-%m}"))
    return t("paid.on_day", date=t.date(paid_on))


def _how_much(t: Translator, ctx: Ctx) -> str:
    amount = t.money(Decimal(ctx.data["amount"]))
    return t("paid.about", amount=amount) if ctx.data.get("amount_about") else amount


async def _to_operator(ctx: Ctx) -> None:
    """The request, with what an operator needs to find the payment, in their language."""
    rub = translator(OPERATOR_LANGUAGE)
    number = ctx.data["account"]
    paid_on = date.fromisoformat(ctx.data["paid_on"])
    # The other account: one the customer named that is not the one paid for.
    where = next((n for n in ctx.data.get("mentioned", []) if n != number), "")
    params = {
        "account": mask_account(number),
        "when": _when(rub, ctx, paid_on),
        "amount": _how_much(rub, ctx),
        "where": mask_account(where) if where else for_operators("paid.where_unknown"),
    }
    case = ctx.data.get("case", MISSING)
    said = {"amount": _how_much(ctx.t, ctx), "when": _when(ctx.t, ctx, paid_on)}
    escalation = await open_escalation(ctx, for_operators(f"paid.reason_{case}", **params))
    # The queue shows masked numbers; the operator needs the whole ones to find the payment.
    full = {**params, "account": number, "where": where or params["where"]}
    note = for_operators(f"paid.reason_{case}", **full)
    await ctx.store.escalations.add_message(escalation.id, Author.BOT, note, ctx.now)
    await ctx.audit(f"payment_{case}_reported", {"account": params["account"]})
    parts = [ctx.t(f"paid.sent_{case}", **said)]
    if escalation.id is not None:
        parts.append(when_operators_answer(ctx))
    ctx.say("\n\n".join(parts))


async def _refund(ctx: Ctx, chosen: Account) -> None:
    t = ctx.t
    summary = await account_summary(ctx, chosen)
    if summary.kind is not BalanceKind.OVERPAYMENT:
        ctx.end()
        text = "\n\n".join([t("paid.no_overpayment"), *summary_lines(ctx, summary)])
        ctx.say(text, [ctx.option("menu.balance", "go:balance"), ctx.menu_option()])
        return
    ctx.goto(refund, account=chosen.number, amount=str(summary.amount))
    ctx.say(t("paid.refund_question", amount=t.money(summary.amount)), yes_no(ctx))


@flow.step("refund", Either((Amount(), YesNo()), hint="yes_no"))
async def refund(ctx: Ctx, msg: Msg) -> None:
    """Yes, no, or how much of it («не всю, 2416 руб 32 коп»)."""
    partial = msg.answer if isinstance(msg.answer, Decimal) else None
    if partial is None and not answered_yes(msg):
        await ctx.menu("paid.refund_kept")
        return
    number, amount = ctx.data["account"], Decimal(ctx.data["amount"])
    if partial is not None and 0 < partial <= amount:
        amount = partial
    reason = for_operators(
        "paid.reason_refund",
        account=mask_account(number),
        amount=translator(OPERATOR_LANGUAGE).money(amount),
    )
    await open_escalation(ctx, reason)
    await ctx.audit("refund_requested", {"account": mask_account(number)})
    ctx.say("\n\n".join([ctx.t("paid.sent_refund"), when_operators_answer(ctx)]))


account = account_step(flow, begin)
