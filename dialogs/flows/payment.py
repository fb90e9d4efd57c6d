"""How to pay: a payment link per account — the company's page, or (payments.provider
yookassa) a payment of the amount due or of another amount, at a signed link this turn writes —
and the bank details; never card data in chat.

The turn never calls the acquirer: it holds the conversation's lock (and on SQLite the only
writer). It writes a `created` payment; opening the link creates the acquirer's payment."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from core.accounts import Account
from core.masking import mask_account
from core.payments import (
    AmountProblem,
    OnlinePayment,
    PaymentStatus,
    Provider,
    amount_problem,
    link_token,
)
from dialogs.context import Ctx
from dialogs.expect import Amount, Answer, Fit, amount_said, rubles_in
from dialogs.flow import Flow, Msg
from dialogs.flows.balance import payment_qr
from dialogs.flows.billing import (
    account_summary,
    amount_to_pay,
    bank_lines,
    payable,
    payment_link,
    summary_lines,
)
from dialogs.flows.common import account_step, start_with_account
from dialogs.flows.paid import online_lines
from dialogs.messages import Attachment, InboundKind
from dialogs.nlu import Intent

# No account needed: anyone may ask how to pay; a linked account gets its own link.
flow = Flow(
    "payment",
    intents=(Intent.PAYMENT,),
    links_named_account=True,
    # After the link nothing is asked: another request goes where it asks to.
    informational=True,
    # «1000,505» is one (bad) amount, not «1000» and a reading «505».
    takes_whole_message=True,
)

OTHER = "other"  # «Другую сумму»
# «-500», «минус 500»: a negative amount; «0», «0,00»: nothing to pay.
_NEGATIVE = re.compile(r"(?:^|\s)(?:-|−|минус\s)\s*\d", re.IGNORECASE)
_ZERO = re.compile(r"(?<![\d.,])0+(?:[.,]0+)?(?![\d.,])")
# «500,555»: more than kopecks («1 572,60» and «1.500» in thousands are read as they are).
_FRACTION = re.compile(r"\d[.,]\d{3,}(?!\d)")
_CURRENCY = re.compile(r"\d\s*(?:р\b|р\.|руб|₽|rub|roub)", re.IGNORECASE)
# The request's own number is money only right after the verb: «оплатить 500», «pay 1000»;
# «оплатить за ноябрь 2026», «сразу 2 месяца», «в 8 утра» name no amount.
_AFTER_VERB = re.compile(
    r"(?:^|[^\w])(?:о?плат|заплат|плач|внест|внес|перевест|перевед|pay)\w*[ \u00a0]+"
    r"(?P<number>(?:-|−|минус\s)?\s*(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d+)?)",
    re.IGNORECASE,
)
# What makes the number after the verb no money: a count of months, a time, a date, a flat.
_NOT_MONEY_AFTER = re.compile(
    r"\s*(?::\d|-?г?о\b|(?:мес|год|лет|г\b|г\.|час|утр|вечер|дн|ноч|числ|недел|квартир|раз"
    r"|янв|фев|мар|апр|ма[йяе]|июн|июл|авг|сен|окт|ноя|дек"
    r"|month|year|hour|day|week|time|am\b|pm\b|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    re.IGNORECASE,
)


# «оплатить только просроченное», «погасить просрочку»: the overdue part, not the current bill.
_OVERDUE_ONLY = re.compile(r"просроч|overdue", re.IGNORECASE)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    accounts = await ctx.accounts()
    if not accounts:
        _unlinked(ctx)
        return
    said = _stated_amount(msg.text) if msg.action is None and msg.text else None
    if ctx.config.payments.provider is Provider.LINK:
        await _template_links(ctx, accounts, said if isinstance(said, Decimal) else None)
        return
    if said is not None:
        ctx.data["amount"] = str(said) if isinstance(said, Decimal) else said.value
    elif msg.action is None and msg.text and _OVERDUE_ONLY.search(msg.text):
        ctx.data["overdue_only"] = True
    await start_with_account(ctx, account, begin)


def _stated_amount(text: str) -> Decimal | AmountProblem | None:
    """The amount a request to pay names, only when it is clearly money: with its currency
    («500 руб», «3 тыщи»), or right after the verb and not a count, a time or a date."""
    if rubles_in(text.casefold()) is not None:
        return _amount_in(text)
    found = _AFTER_VERB.search(text)
    if found is None or _NOT_MONEY_AFTER.match(text, found.end()):
        return None
    number = found["number"]
    if _NEGATIVE.search(number) or _FRACTION.search(number):
        return _amount_in(number)
    # Read on from the number: «590 123 45 67» is an account number, no amount.
    value = amount_said(text[found.start("number") :])
    if value is None and _ZERO.fullmatch(number.strip()):
        return AmountProblem.NOT_POSITIVE
    return value


def _unlinked(ctx: Ctx) -> None:
    t = ctx.t
    parts = [t("payment.intro_unlinked", website=ctx.config.company.website)]
    bank = bank_lines(ctx)
    if bank:
        parts.append("\n".join([t("balance.bank_title"), *bank]))
    parts += [t("payment.link_for_yours"), t("payment.no_card_data")]
    ctx.end()
    ctx.say("\n\n".join(parts), [ctx.option("payment.link", "go:link"), ctx.menu_option()])


async def _template_links(ctx: Ctx, accounts: list[Account], named: Decimal | None) -> None:
    """payments.provider link: the company's page per account, with the amount named or else
    the amount due where its template takes one ({amount}); an amount named for a template
    without one is entered on the page, and the customer is told so."""
    t = ctx.t
    links = []
    takes_amount = "{amount}" in ctx.config.company.payment_url
    qr, caption = None, None
    for chosen in accounts:
        amount = named
        if named is None and (takes_amount or len(accounts) == 1):
            summary = await account_summary(ctx, chosen)
            amount = await amount_to_pay(ctx, chosen, summary)
            if len(accounts) == 1:  # one account: the QR of what is due, for a banking app
                qr, caption = payment_qr(ctx, chosen, summary, amount)
            amount = amount if takes_amount else None
        url = payment_link(ctx, chosen.number, amount) or ""
        links.append(t("payment.link_line", account=mask_account(chosen.number), url=url))
    parts = ["\n".join([t("payment.intro"), *links])]
    if caption:
        parts.append(caption)
    if named is not None and not takes_amount:
        parts.append(t("payment.amount_on_page", amount=t.money(named)))
    bank = bank_lines(ctx)
    if bank:
        parts.append("\n".join([t("balance.bank_title"), *bank]))
    parts.append(t("payment.no_card_data"))
    ctx.end()
    options = [
        ctx.option("menu.balance", "go:balance"),
        ctx.option("balance.receipt", "go:receipt"),
        ctx.menu_option(),
    ]
    ctx.say("\n\n".join(parts), options, attachment=qr)


async def begin(ctx: Ctx, chosen: Account) -> None:
    """The chosen account: the amount named, else the amount due, else ask how much."""
    named = ctx.data.pop("amount", None)
    if named is not None:
        problem = _problem_of(ctx, named)
        if problem is None:
            await _give_link(ctx, chosen, Decimal(named))
        else:
            _ask_amount(ctx, chosen, problem)
        return
    t = ctx.t
    summary = await account_summary(ctx, chosen)
    due = await amount_to_pay(ctx, chosen, summary)
    if ctx.data.pop("overdue_only", False) and due is not None and summary.overdue_amount > 0:
        due = min(due, summary.overdue_amount)  # «только просроченное»: the bills past due
    problem = amount_problem(due, ctx.config.payments) if due is not None else None
    if due is not None and problem is None:
        # The amount due: its QR too, for a banking app («скиньте куар код для оплаты»).
        qr, caption = payment_qr(ctx, chosen, summary, due)
        lead = summary_lines(ctx, summary) + ([caption] if caption else [])
        await _give_link(ctx, chosen, due, lead=lead, qr=qr)
        return
    if problem is not None and problem is not AmountProblem.TOO_LARGE:
        _ask_amount(ctx, chosen, problem)  # a debt below the least online payment
        return
    ctx.goto(how_much, account=chosen.number)  # «напишите сумму» was said: any number is one
    if due is not None:  # more than one payment takes: in parts
        limit = t.money(ctx.config.payments.max_amount)
        blocks = ["\n".join(summary_lines(ctx, summary)), t("payment.in_parts", max=limit)]
    else:
        lines = [t("payment.nothing_due", account=mask_account(chosen.number))]
        # Paid through the bot and on its way: that, rather than a debt billing still shows.
        lines += await online_lines(ctx, chosen.number) if payable(summary) else []
        lines += [] if payable(summary) else summary_lines(ctx, summary)
        blocks = ["\n".join(lines), t("payment.advance")]
    ctx.say("\n\n".join(blocks), [ctx.option("payment.other_amount", OTHER), ctx.menu_option()])


async def _give_link(
    ctx: Ctx,
    chosen: Account,
    amount: Decimal,
    lead: list[str] | None = None,
    qr: Attachment | None = None,
) -> None:
    t, rules = ctx.t, ctx.config.payments
    payment = await _payment_for(ctx, chosen.number, amount)
    url = f"{rules.public_url}/pay/{link_token(rules.link_key, payment.public_id)}"
    parts = []
    if lead:
        parts.append("\n".join(lead))
    parts.append(
        t(
            "payment.pay_link",
            account=mask_account(chosen.number),
            amount=t.money(amount),
            url=url,
            hours=int(rules.link_lifetime.total_seconds() // 3600),
        )
    )
    parts.append(t("payment.billing_days", count=rules.billing_days))
    parts.append(t("payment.no_card_data"))
    ctx.goto(offered, account=chosen.number)
    await ctx.audit("payment_link", {"account": mask_account(chosen.number)})
    ctx.say(
        "\n\n".join(parts),
        [ctx.option("payment.other_amount", OTHER), ctx.menu_option()],
        attachment=qr,
    )


async def _payment_for(ctx: Ctx, number: str, amount: Decimal) -> OnlinePayment:
    """The customer's unopened link for this account and amount if it has most of its life
    left («как оплатить» asked twice gives one link), else a new one."""
    rules = ctx.config.payments
    for payment in await ctx.store.online_payments.of_account(number, [PaymentStatus.CREATED]):
        if (
            payment.customer_id == ctx.customer.id
            and payment.amount == amount
            and payment.expires_at - ctx.now > rules.link_lifetime / 2
        ):
            return payment
    return await ctx.store.online_payments.add(
        OnlinePayment(
            public_id=uuid.uuid4().hex,
            idempotence_key=str(uuid.uuid4()),
            account=number,
            amount=amount,
            status=PaymentStatus.CREATED,
            created_at=ctx.now,
            expires_at=ctx.now + rules.link_lifetime,
            customer_id=ctx.customer.id,
            conversation_id=ctx.conversation.id,
        )
    )


@dataclass(frozen=True, slots=True)
class _PayAmount(Amount):
    """The amount to pay, or what is wrong with the one written (its AmountProblem).

    `explicit`: only money said as money («700 руб», «оплатить 700») — after a link nothing was
    asked, and a bare «12480» then is rather a meter reading."""

    explicit: bool = False

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT:
            return Answer(Fit.NONE, None)
        if self.explicit and not (
            _CURRENCY.search(msg.text) or msg.analysis.intent is Intent.PAYMENT
        ):
            return Answer(Fit.NONE, None)
        said = _amount_in(msg.text)
        return Answer(Fit.NONE, None) if said is None else Answer(Fit.STRONG, said)


def _amount_in(text: str) -> Decimal | AmountProblem | None:
    if _NEGATIVE.search(text):
        return AmountProblem.NOT_POSITIVE
    if _FRACTION.search(text):
        return AmountProblem.KOPECKS
    value = amount_said(text)
    if value is None and _ZERO.search(text):
        return AmountProblem.NOT_POSITIVE
    return value


def _problem_of(ctx: Ctx, named: str) -> AmountProblem | None:
    if named in AmountProblem.__members__.values():
        return AmountProblem(named)
    return amount_problem(Decimal(named), ctx.config.payments)


def _ask_amount(ctx: Ctx, chosen: Account | str, problem: AmountProblem | None = None) -> None:
    t, rules = ctx.t, ctx.config.payments
    number = chosen if isinstance(chosen, str) else chosen.number
    ctx.goto(how_much, account=number)
    limits = {"min": t.money(rules.min_amount), "max": t.money(rules.max_amount)}
    text = t("payment.ask_amount", **limits)
    if problem is not None:
        text = "\n\n".join([t(f"payment.amount_{problem.value}", **limits), text])
    ctx.say(text, [ctx.cancel_option()])


@flow.step("offered", _PayAmount(explicit=True))
async def offered(ctx: Ctx, msg: Msg) -> None:
    """After a link: «другую сумму», or an amount typed at once."""
    if msg.action == OTHER or msg.answer is None:
        _ask_amount(ctx, ctx.data["account"])
        return
    await _amount_given(ctx, msg)


@flow.step("amount", _PayAmount())
async def how_much(ctx: Ctx, msg: Msg) -> None:
    if msg.answer is None:
        _ask_amount(ctx, ctx.data["account"])
        return
    await _amount_given(ctx, msg)


async def _amount_given(ctx: Ctx, msg: Msg) -> None:
    number = ctx.data["account"]
    given = msg.answer
    problem = (
        given if isinstance(given, AmountProblem) else amount_problem(given, ctx.config.payments)
    )
    if problem is not None:
        _ask_amount(ctx, number, problem)
        return
    chosen = next((a for a in await ctx.accounts() if a.number == number), None)
    if chosen is None:  # unlinked meanwhile
        await ctx.menu()
        return
    await _give_link(ctx, chosen, given)


account = account_step(flow, begin)
