"""Consent to personal-data processing and linking an account (number + surname, or phone)."""

from __future__ import annotations

import re
from datetime import timedelta

from core.accounts import (
    Account,
    link_locked,
    normalize_account_number,
    normalize_phone,
    surname_candidates,
    surname_matches,
)
from core.masking import mask_account
from dialogs.context import Ctx
from dialogs.flow import CONFIDENT, Flow, Msg
from dialogs.flows.common import account_label, answered_no, answered_yes
from dialogs.messages import InboundKind
from dialogs.nlu import looks_like_name

flow = Flow("link")

# «5901234567 Иванова», «л/с 59 01 234 567, Иванова Мария: показания 12480»
_NUMBER_THEN_WORDS = re.compile(
    r"(?<!\d)(\d[\d \-]{8,20}\d)(?!\d)\s*[,;:]?\s*((?:[^\W\d_]+(?:-[^\W\d_]+)*[\s.,]*){1,3})"
)
# «я согласна», «согласен на обработку данных», «даю согласие»; any «не», «нет» or «отзываю»
# makes it something else («не даю согласие», «согласие отзываю», «я не согласна»).
_AGREES = re.compile(
    r"^(?!.*\b(?:не|нет|против|отзыв\w*)\b).*\b(?:соглас(?:ен|на|ны)|даю\s+согласие)\b"
)
_REFUSES = re.compile(r"\b(?:не\s+(?:соглас\w*|даю|дам)|против|отзыв\w*)\b")
_NAMED_SURNAME = re.compile(r"фамили[яюи]\s*[:\-—]?\s*([^\d,;]+)", re.IGNORECASE)


def _parts(msg: Msg) -> tuple[str | None, str | None]:
    """The account number and the surname a message carries: «5901234567 Иванова»,
    «лицевой счёт 59-01-234-567, фамилия Иванова», a number alone, or a surname alone."""
    if msg.kind is InboundKind.START:  # a deep link, e.g. the QR code on a receipt
        return normalize_account_number(msg.inbound.payload), None
    if msg.action or not msg.text:
        return None, None
    text = msg.text
    number = normalize_account_number(text) or next(iter(msg.analysis.entities.accounts), None)
    surname: str | None = None
    if named := _NAMED_SURNAME.search(text):
        surname = named[1]
    elif (typed := _NUMBER_THEN_WORDS.search(text)) and normalize_account_number(typed[1]):
        number, surname = normalize_account_number(typed[1]), typed[2]
    elif number is None:
        surname = text
    if surname is not None and not (surname_candidates(surname) and looks_like_name(surname)):
        surname = None  # «не знаю», «передать показания»: not a guess at the surname
    return number, surname


def _consent_question(ctx: Ctx, key: str) -> None:
    ctx.goto("link", "consent")
    ctx.say(
        ctx.t(key, website=ctx.config.company.website),
        [ctx.option("link.agree", "yes"), ctx.option("link.disagree", "no")],
    )


@flow.start
async def begin(ctx: Ctx, msg: Msg) -> None:
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
    await _after_consent(ctx, msg)


@flow.step("consent")
async def consent(ctx: Ctx, msg: Msg) -> None:
    number, surname = _parts(msg)
    if number:  # the number came before the answer: keep it, ask again
        ctx.data.update(number=number, surname=surname)
        _consent_question(ctx, "link.consent_again")
    elif answered_yes(msg) or (msg.action is None and _AGREES.search(msg.text.casefold())):
        await ctx.store.consents.record(
            ctx.customer.id, ctx.config.consent_version, ctx.conversation.channel, ctx.now
        )
        await ctx.audit("consent_given", {"version": ctx.config.consent_version})
        await _after_consent(ctx, msg)
    elif answered_no(msg) or (msg.action is None and _REFUSES.search(msg.text.casefold())):
        await ctx.menu("link.consent_refused")
    elif msg.kind is not InboundKind.TEXT or msg.asks_for_something_else(threshold=CONFIDENT):
        await ctx.not_understood(msg)
    else:
        _consent_question(ctx, "link.consent_again")


async def _after_consent(ctx: Ctx, msg: Msg) -> None:
    contact = ctx.data.pop("contact", None)
    if contact:
        await _link_by_phone(ctx, contact["phone"], contact["own"])
    elif ctx.data.get("number") and ctx.data.get("surname"):
        await _attempt(ctx, ctx.data.pop("surname"))
    elif ctx.data.get("number"):
        _ask_surname(ctx)
    else:
        _ask_number(ctx)


def _ask_number(ctx: Ctx, key: str = "link.ask_number") -> None:
    ctx.goto("link", "number")
    if ctx.customer.channel not in ctx.config.verified_phone_channels:
        # Nothing here can prove a phone is the customer's own: the number and surname only.
        ctx.say(ctx.t("link.ask_number_only"), [ctx.cancel_option()])
        return
    ctx.say(ctx.t(key), [ctx.cancel_option()], request_phone=True)


def _ask_surname(ctx: Ctx) -> None:
    ctx.goto("link", "surname")
    ctx.say(ctx.t("link.ask_surname"), [ctx.cancel_option()])


@flow.step("number", expects_input=True)
async def number_step(ctx: Ctx, msg: Msg) -> None:
    await _take_input(ctx, msg, known_number=None, reask="link.bad_number")


@flow.step("surname", expects_input=True)
async def surname_step(ctx: Ctx, msg: Msg) -> None:
    await _take_input(ctx, msg, known_number=ctx.data.get("number"), reask="link.bad_surname")


@flow.step("retry", expects_input=True)
async def retry_step(ctx: Ctx, msg: Msg) -> None:
    """After a failure: a new number starts over, a word is another try at the surname."""
    await _take_input(
        ctx, msg, known_number=ctx.data.get("failed_number"), reask="link.ask_number_again"
    )


async def _take_input(ctx: Ctx, msg: Msg, *, known_number: str | None, reask: str) -> None:
    """A shared phone, «number surname», a number alone, or a surname for the known number."""
    if msg.kind is InboundKind.CONTACT:
        await _link_by_phone(ctx, msg.inbound.phone, msg.inbound.own_contact)
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
    elif known_number and surname:  # one to three words of letters: a surname, not a request
        ctx.data["number"] = known_number
        await _attempt(ctx, surname)
    elif msg.asks_for_something_else():
        await ctx.not_understood(msg)
    elif reask == "link.ask_number_again":
        _ask_number(ctx, reask)
    else:
        ctx.say(ctx.t(reask), [ctx.cancel_option()])


async def _attempt(ctx: Ctx, surname: str) -> None:
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
    # Every surname tried counts: «Петрова Сидорова Иванова» is three guesses, not one.
    for _ in range(1 if success else len(candidates)):
        await attempts.add(ctx.customer.id, number, success, ctx.now)
    if not success or account is None:
        # One answer whether the account is unknown or the surname wrong: nothing leaks. The
        # count is by the number typed, so a lockout reveals nothing either.
        tried = len(candidates)
        if link_locked(limits, by_customer + tried, by_account + tried):
            await _locked(ctx, by_customer + tried, by_account + tried)
            return
        ctx.data.pop("number", None)
        ctx.data["failed_number"] = number
        ctx.goto("link", "retry")
        ctx.say(ctx.t("link.failed"), [ctx.cancel_option()])
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
    if already:
        ctx.say(ctx.t("link.already"))
    else:
        for account in accounts:
            await ctx.audit("account_linked", {"account": mask_account(account.number)})
        labels = "\n".join(f"• {account_label(a)}" for a in accounts)
        ctx.say(ctx.t("link.done", count=len(accounts), accounts=labels))
    ctx.forget_accounts()
    ctx.end()
    if not await ctx.engine.resume(ctx):
        await ctx.menu("link.what_next")


async def _locked(ctx: Ctx, by_customer: int, by_account: int) -> None:
    limits = ctx.config.link_limits
    hours = (
        limits.per_account_window_hours
        if by_account >= limits.per_account
        else limits.per_customer_window_hours
    )
    await ctx.menu("link.locked", count=hours)
