"""Pieces several flows share: choosing an account, yes/no, phone input, business hours."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from core.accounts import Account, normalize_phone
from core.masking import mask_account, mask_address
from dialogs.context import Ctx, Option
from dialogs.flow import Flow, Msg
from dialogs.messages import InboundKind
from dialogs.nlu import is_no, is_yes

ACCOUNT = "acc:"
_WORD = re.compile(r"[^\W\d_]+")
_ORDINALS = {
    word: n
    for n, words in enumerate(
        (
            ("первый", "первый счёт", "первый счет", "1-й", "first"),
            ("второй", "второй счёт", "второй счет", "2-й", "second"),
            ("третий", "третий счёт", "третий счет", "3-й", "third"),
        )
    )
    for word in words
}


def account_label(account: Account) -> str:
    return f"{mask_account(account.number)}, {mask_address(account.address)}"


def account_options(accounts: list[Account]) -> list[Option]:
    return [(account_label(a), f"{ACCOUNT}{a.number}") for a in accounts]


async def ask_account(ctx: Ctx, flow: str, step: str = "account") -> Account | None:
    """The only linked account, or None after asking which one (the answer comes to `step`)."""
    accounts = await ctx.accounts()
    if len(accounts) == 1:
        return accounts[0]
    ctx.goto(flow, step)
    ctx.say(ctx.t("common.choose_account"), account_options(accounts))
    return None


async def picked_account(ctx: Ctx, msg: Msg) -> Account | None:
    """The account a button named, or whose number (or its last digits) the customer typed."""
    accounts = await ctx.accounts()
    if msg.action and msg.action.startswith(ACCOUNT):
        number = msg.action.removeprefix(ACCOUNT)
        return next((a for a in accounts if a.number == number), None)
    ordinal = _ORDINALS.get(msg.text.casefold().strip(" .!"))
    if ordinal is not None:  # «второй», «2-й»
        return accounts[ordinal] if ordinal < len(accounts) else None
    digits = "".join(ch for ch in msg.text if ch.isdigit())
    if len(digits) >= 4:
        matches = [a for a in accounts if a.number.endswith(digits)]
    else:  # «на Ленина», «дача»: words of one account's address only
        words = [w for w in _WORD.findall(msg.text.casefold().replace("ё", "е")) if len(w) >= 4]
        matches = [
            a
            for a in accounts
            if words and all(w in a.address.casefold().replace("ё", "е") for w in words)
        ]
    return matches[0] if len(matches) == 1 else None


async def flow_account(ctx: Ctx) -> Account | None:
    """The linked account the flow's data names («account»), if it is still linked."""
    number = ctx.data.get("account")
    return next((a for a in await ctx.accounts() if a.number == number), None)


AccountHandler = Callable[[Ctx, Account], Awaitable[None]]


async def start_with_account(ctx: Ctx, flow: str, then: AccountHandler) -> None:
    """Go on with the only account, or ask which one (the flow's «account» step answers)."""
    account = await ask_account(ctx, flow)
    if account is not None:
        await then(ctx, account)


def account_step(flow: Flow, then: AccountHandler) -> None:
    """Register the flow's «account» step: the chosen account goes on to `then`."""

    @flow.step("account")
    async def choose(ctx: Ctx, msg: Msg) -> None:
        account = await picked_account(ctx, msg)
        if account is not None:
            await then(ctx, account)
        elif msg.asks_for_something_else() and not any(ch.isdigit() for ch in msg.text):
            await ctx.not_understood(msg)
        else:  # «Ленина» when both accounts are on Lenin street, a wrong number: ask again
            ctx.goto(flow.name, "account")
            ctx.say(ctx.t("common.account_not_found"), account_options(await ctx.accounts()))


def yes_no(
    ctx: Ctx, yes_key: str = "common.answer_yes", no_key: str = "common.answer_no"
) -> list[Option]:
    return [ctx.option(yes_key, "yes"), ctx.option(no_key, "no")]


def answered_yes(msg: Msg) -> bool:
    return msg.action == "yes" or (msg.action is None and is_yes(msg.text))


def answered_no(msg: Msg) -> bool:
    return msg.action == "no" or (msg.action is None and is_no(msg.text))


def hours_params(ctx: Ctx) -> dict[str, str]:
    """The operators' working days and hours for a text: days «пн–пт», opens «08:00», closes."""
    hours = ctx.config.hours
    return {
        "days": ctx.t.weekdays(hours.weekdays),
        "opens": ctx.t.time(hours.opens),
        "closes": ctx.t.time(hours.closes),
    }


def foreign_contact(msg: Msg) -> bool:
    """Someone else's contact card (forwarded, from the address book): refused everywhere."""
    return msg.kind is InboundKind.CONTACT and not msg.inbound.own_contact


def phone_from(msg: Msg) -> str | None:
    """A phone shared with the contact button or typed; None if neither (or not their own)."""
    if msg.kind is InboundKind.CONTACT:
        return normalize_phone(msg.inbound.phone) if msg.inbound.own_contact else None
    return normalize_phone(msg.text) if msg.text else None
