"""Consent to personal-data processing and linking an account (number + surname, or phone)."""

from __future__ import annotations

import re
from datetime import timedelta

from core.accounts import (
    Account,
    is_latin,
    link_locked,
    normalize_account_number,
    normalize_phone,
    surname_candidates,
    surname_matches,
)
from core.masking import mask_account
from dialogs.context import Ctx
from dialogs.expect import (
    A_BUSINESS,
    NO_ANSWER,
    PHONE_TYPED,
    AccountNumber,
    Answer,
    Fit,
    Surname,
    YesNo,
)
from dialogs.flow import Flow, Msg
from dialogs.flows.common import account_label
from dialogs.flows.settings import offer_notices, unchosen
from dialogs.messages import InboundKind
from dialogs.nlu import Topic

flow = Flow("link", topics=(Topic.LINK_ACCOUNT,), resume_question="link.resume")

# «я согласна», «согласен на обработку данных», «даю согласие»; any «не», «нет» or «отзываю»
# makes it something else («не даю согласие», «согласие отзываю», «я не согласна»).
_AGREES = re.compile(
    r"^(?!.*\b(?:не|нет|против|отзыв\w*)\b).*\b(?:соглас(?:ен|на|ны|ие)|даю\s+согласие|agree)\b"
    r"|^\W*(?:даю|согл\w*)\W*$"  # «даю», «согл»: the button's words, cut short
)
_REFUSES = re.compile(r"\b(?:не\s+(?:соглас\w*|даю|дам)|против|отзыв\w*|disagree)\b")


class _Consent(YesNo):
    """«да», «согласна», «даю согласие», their opposites — or the account number typed before
    the answer (kept, and the question asked again)."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is InboundKind.CONTACT:
            return Answer(Fit.STRONG, None)  # the phone, shared before the answer: kept
        if msg.kind is not InboundKind.TEXT:
            return NO_ANSWER
        number = await AccountNumber().read(ctx, msg)
        if number.fit is not Fit.NONE and isinstance(number.value, tuple):
            return number
        text = msg.text.casefold()
        if _REFUSES.search(text):
            return Answer(Fit.STRONG, False)
        if _AGREES.search(text):
            return Answer(Fit.STRONG, True)
        return await YesNo.read(self, ctx, msg)


def _parts(msg: Msg) -> tuple[str | None, str | None]:
    """The account number and the surname the message that started linking carries."""
    if msg.kind is InboundKind.START:  # a deep link, e.g. the QR code on a receipt
        return normalize_account_number(msg.inbound.payload), None
    if isinstance(msg.answer, tuple):
        return msg.answer
    return None, None  # including a typed phone


def _consent_question(ctx: Ctx, key: str) -> None:
    ctx.goto(consent)
    ctx.say(
        ctx.t(key, website=ctx.config.company.website),
        [ctx.option("link.agree", "yes"), ctx.option("link.disagree", "no")],
    )


@flow.start
async def begin(ctx: Ctx, msg: Msg) -> None:
    if msg.kind is InboundKind.TEXT and msg.action is None:
        msg.answer = (await AccountNumber().read(ctx, msg)).value
    number, surname = _parts(msg)
    if number:
        ctx.data["number"] = number
        if surname:
            ctx.data["surname"] = surname
    if msg.kind is InboundKind.CONTACT:
        ctx.data["contact"] = {"phone": msg.inbound.phone, "own": msg.inbound.own_contact}
    if not await ctx.store.consents.has(ctx.customer.id, ctx.config.consent_version):
        _consent_question(ctx, "link.consent")
        return
    await _after_consent(ctx)


@flow.step("consent", _Consent())
async def consent(ctx: Ctx, msg: Msg) -> None:
    if isinstance(msg.answer, tuple):  # the number came before the answer: keep it, ask again
        number, surname = msg.answer
        ctx.data.update(number=number, surname=surname)
        _consent_question(ctx, "link.consent_again")
    elif msg.action == "yes" or msg.answer is True:
        await ctx.store.consents.record(
            ctx.customer.id, ctx.config.consent_version, ctx.conversation.channel, ctx.now
        )
        await ctx.audit("consent_given", {"version": ctx.config.consent_version})
        await _after_consent(ctx)
    elif msg.action == "no" or msg.answer is False:
        await ctx.menu("link.consent_refused")
    elif msg.kind is InboundKind.CONTACT:
        ctx.data["contact"] = {"phone": msg.inbound.phone, "own": msg.inbound.own_contact}
        _consent_question(ctx, "link.consent_again")
    else:
        await ctx.not_understood(msg)


async def _after_consent(ctx: Ctx) -> None:
    contact = ctx.data.pop("contact", None)
    if contact:
        await _link_by_phone(ctx, contact["phone"], contact["own"])
    elif ctx.data.get("number") and ctx.data.get("surname"):
        # The name read beside the number in the first message: one try, however many words.
        await _attempt(ctx, ctx.data.pop("surname"), guessed=True)
    elif ctx.data.get("number"):
        _ask_surname(ctx)
    else:
        _ask_number(ctx)


def _ask_number(ctx: Ctx, key: str = "link.ask_number") -> None:
    ctx.goto(number_step)
    if ctx.customer.channel not in ctx.config.verified_phone_channels:
        # Nothing here can prove a phone is the customer's own: the number and surname only.
        ctx.say(ctx.t("link.ask_number_only"), [ctx.cancel_option()])
        return
    ctx.say(ctx.t(key), [ctx.cancel_option()], request_phone=True)


def _ask_surname(ctx: Ctx) -> None:
    ctx.goto(surname_step)
    ctx.say(ctx.t("link.ask_surname"), [ctx.cancel_option()])


@flow.step("number", AccountNumber())
async def number_step(ctx: Ctx, msg: Msg) -> None:
    await _take_input(ctx, msg, known_number=None)


@flow.step("surname", Surname())
async def surname_step(ctx: Ctx, msg: Msg) -> None:
    await _take_input(ctx, msg, known_number=ctx.data.get("number"))


@flow.step("retry", Surname())
async def retry_step(ctx: Ctx, msg: Msg) -> None:
    """After a failure: a new number starts over, a word is another try at the surname."""
    await _take_input(ctx, msg, known_number=ctx.data.get("failed_number"))


async def _take_input(ctx: Ctx, msg: Msg, *, known_number: str | None) -> None:
    """A shared phone, «number surname», a number alone, or a surname for the known number."""
    if msg.kind is InboundKind.CONTACT:
        await _link_by_phone(ctx, msg.inbound.phone, msg.inbound.own_contact)
        return
    if msg.answer == A_BUSINESS:
        company = ctx.config.company
        await ctx.menu("link.business", website=company.website, phone=company.phone)
        return
    if msg.answer == PHONE_TYPED:  # a typed phone proves nothing: the account number, please
        key = (
            "link.phone_typed"
            if ctx.customer.channel in ctx.config.verified_phone_channels
            else "link.phone_typed_only"
        )
        ctx.goto(number_step)
        ctx.say(ctx.t(key), [ctx.cancel_option()], request_phone=key == "link.phone_typed")
        return
    number, surname = _parts(msg)
    if ctx.state.resume == "readings" and msg.text and msg.analysis.entities.readings:
        ctx.state.resume_text = msg.text  # «5901234567 Иванова 12480»: the reading comes along
    if number and surname:
        ctx.data["number"] = number
        await _attempt(ctx, surname)
    elif number:
        ctx.data["number"] = number
        _ask_surname(ctx)
    elif known_number and surname:
        ctx.data["number"] = known_number
        await _attempt(ctx, surname)
    else:
        _ask_number(ctx, "link.ask_number_again")


async def _attempt(ctx: Ctx, surname: str, *, guessed: bool = False) -> None:
    number: str = ctx.data["number"]
    if any(a.number == number for a in await ctx.accounts()):
        await _linked(ctx, [], already=True)
        return
    limits = ctx.config.link_limits
    attempts = ctx.store.link_attempts
    by_customer = await attempts.failures_by_customer(
        ctx.customer.id, ctx.now - timedelta(hours=limits.per_customer_window_hours)
    )
    by_account = await attempts.failures_by_account(
        number, ctx.now - timedelta(hours=limits.per_account_window_hours)
    )
    if link_locked(limits, by_customer, by_account):
        await ctx.audit("link_refused_locked", {"account": mask_account(number)})
        await _locked(ctx, by_customer, by_account)
        return
    account = await ctx.store.accounts.get(number)
    candidates = surname_candidates(surname)
    success = account is not None and any(surname_matches(c, account.surname) for c in candidates)
    # Every surname tried counts: «Петрова Сидорова Иванова» is three guesses, not one (a name
    # read from a first message is one try: the customer was not asked for a surname yet).
    tried = 1 if success or guessed else len(candidates)
    for _ in range(tried):
        await attempts.add(ctx.customer.id, number, success, ctx.now)
    if not success or account is None:
        # One answer whether the account is unknown or the surname wrong: nothing leaks. The
        # count is by the number typed, so a lockout reveals nothing either.
        if link_locked(limits, by_customer + tried, by_account + tried):
            await _locked(ctx, by_customer + tried, by_account + tried)
            return
        ctx.data.pop("number", None)
        ctx.data["failed_number"] = number
        ctx.goto(retry_step)
        key = "link.failed_latin" if is_latin(surname) else "link.failed"
        ctx.say(ctx.t(key), [ctx.cancel_option()])
        return
    await ctx.store.accounts.link(ctx.customer.id, number, "surname", ctx.now)
    await _linked(ctx, [account])


async def _link_by_phone(ctx: Ctx, phone: str, own: bool) -> None:
    if not own:
        _ask_number(ctx, "link.not_own_contact")
        return
    normalized = normalize_phone(phone)
    accounts = await ctx.store.accounts.by_phone(normalized) if normalized else []
    known = {a.number for a in await ctx.accounts()}
    fresh = [a for a in accounts if a.number not in known]
    for account in fresh:
        await ctx.store.accounts.link(ctx.customer.id, account.number, "phone", ctx.now)
    if fresh:
        await _linked(ctx, fresh)
    elif accounts:
        await _linked(ctx, [], already=True)
    else:
        _ask_number(ctx, "link.phone_unknown")


async def _linked(ctx: Ctx, accounts: list[Account], *, already: bool = False) -> None:
    # The customer's first account (the list read before linking): the question about
    # notices comes once, unless they have chosen about notices before.
    first = not already and bool(accounts) and not await ctx.accounts()
    if already:
        ctx.say(ctx.t("link.already"))
    else:
        for account in accounts:
            await ctx.audit("account_linked", {"account": mask_account(account.number)})
        labels = "\n".join(f"• {account_label(a)}" for a in accounts)
        ctx.say(ctx.t("link.done", count=len(accounts), accounts=labels))
    done = len(ctx.drafts)
    ctx.forget_accounts()
    ctx.end()
    ask = first and await unchosen(ctx)
    # The task linking was for goes first; the question comes after it or beside it.
    resumed = await ctx.engine.resume(ctx)
    if ask:
        offer_notices(ctx, after=done)
    elif not resumed:
        await ctx.menu("link.what_next")


async def _locked(ctx: Ctx, by_customer: int, by_account: int) -> None:
    limits = ctx.config.link_limits
    hours = (
        limits.per_account_window_hours
        if by_account >= limits.per_account
        else limits.per_customer_window_hours
    )
    await ctx.menu("link.locked", count=hours)
