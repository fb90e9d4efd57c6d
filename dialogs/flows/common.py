"""Pieces several flows share: choosing an account, yes/no, phone input, business hours."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from core.accounts import Account, Category, normalize_phone
from core.masking import mask_account, mask_address
from core.meters import Meter
from dialogs.context import Ctx, Option
from dialogs.expect import NO_ANSWER, Answer, Choice, Fit
from dialogs.flow import Flow, Msg, Step
from dialogs.messages import InboundKind

T = TypeVar("T")
ACCOUNT = "acc:"
_WORD = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
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
# How people name a place (stems: «дача», «на даче», «дачный» all start with «дач»), and the
# words its address or billing's note on a meter has: whole words, or stems ending in «*».
PLACES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("дач", "сад", "огород", "снт", "dacha", "cottage"),
        ("снт", "днт", "тсн", "сад", "дач*", "садоводч*"),
    ),
    (("гараж", "гск", "garage"), ("гараж*", "гск", "бокс")),
    (("квартир", "flat", "apartment"), ("кв", "квартира")),
    (("бан", "bath"), ("баня", "бане", "бани")),
    (("дом", "house", "home"), ("дом", "house")),
)
# Words of a request that say nothing of the place: «за», «на», «по», «счётчик», «показания».
_NOT_PLACES = ("показан", "счетчик", "счётчик", "передат", "передаю", "квитанц", "баланс")


def account_label(account: Account) -> str:
    return f"{mask_account(account.number)}, {mask_address(account.address)}"


def account_options(accounts: list[Account]) -> list[Option]:
    return [(account_label(a), f"{ACCOUNT}{a.number}") for a in accounts]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("ё", "е"))


def place_words(text: str) -> list[str]:
    """The words of a message that may describe a place: «на пушкина» → «пушкина»."""
    short_places = tuple(name for names, _ in PLACES for name in names if len(name) < 4)
    return [
        w
        for w in _words(text)
        if (len(w) >= 4 or w.startswith(short_places)) and not w.startswith(_NOT_PLACES)
    ]


def describes(text: str, where: Iterable[str]) -> bool | None:
    """Whether the words of `text` describe a place written as `where` (an address, billing's
    note on a meter): «дача» an address in a garden partnership («СНТ»), «гараж» a garage,
    «на пушкина» one on Pushkin street. None when the text names nothing of a place."""
    words = place_words(text)
    if not words:
        return None
    seen_words = " ".join(_words(" ".join(where))).split()
    for word in words:
        marks = next((marks for names, marks in PLACES if word.startswith(names)), None)
        if marks is not None:
            if not any(_marked(w, marks) for w in seen_words):
                return False
        elif not _seen(word, seen_words):
            return False
    return True


def _seen(word: str, seen_words: list[str]) -> bool:
    return any(w.startswith(word[:5]) for w in seen_words if len(w) >= 4)


def _naming_words(text: str, places: list[list[str]]) -> str:
    """The words of a sentence that say something of one of the places («сколько я должен за
    квартиру на пушкина» → «квартиру пушкина»): the rest of a request describes none."""
    words = place_words(text)
    kept = [
        word
        for word in words
        if any(word.startswith(names) for names, _ in PLACES)
        or any(_seen(word, " ".join(_words(" ".join(where))).split()) for where in places)
    ]
    return " ".join(kept)


def _marked(word: str, marks: tuple[str, ...]) -> bool:
    return any(word.startswith(m[:-1]) if m.endswith("*") else word == m for m in marks)


def pick_by_description(text: str, items: list[T], where: Callable[[T], Iterable[str]]) -> T | None:
    """The one item whose place the text describes, or None when none or several fit."""
    naming = _naming_words(text, [list(where(item)) for item in items])
    if not naming:
        return None
    fitting = [item for item in items if describes(naming, where(item))]
    return fitting[0] if len(fitting) == 1 else None


def _account_places(account: Account) -> list[str]:
    places = [account.address]
    if account.category is Category.RURAL:
        places.append("сад")  # a rural account of a town dweller is most often the dacha
    return places


async def picked_account(ctx: Ctx, msg: Msg) -> Account | None:
    """The account a button named, or that the customer described: its number or last
    digits, «второй», «на Ленина», «дача», «квартира»."""
    accounts = await ctx.accounts()
    if msg.action and msg.action.startswith(ACCOUNT):
        number = msg.action.removeprefix(ACCOUNT)
        return next((a for a in accounts if a.number == number), None)
    return pick_account(msg.text, accounts)


def pick_account(text: str, accounts: list[Account]) -> Account | None:
    ordinal = _ORDINALS.get(text.casefold().strip(" .!"))
    if ordinal is not None:  # «второй», «2-й»
        return accounts[ordinal] if ordinal < len(accounts) else None
    for digits in _DIGITS.findall(text):
        if len(digits) >= 3:
            matches = [a for a in accounts if a.number.endswith(digits)]
            if len(matches) == 1:
                return matches[0]
    by_place = pick_by_description(text, accounts, _account_places)
    if by_place is not None:
        return by_place
    words = place_words(text)
    if any(a.category is Category.RURAL for a in accounts) and len(words) == 1:
        # «дача» alone, when no address says so: the one rural account among town flats.
        rural = [a for a in accounts if a.category is Category.RURAL]
        if len(rural) == 1 and words[0].startswith(("дач", "dach")):
            return rural[0]
    return None


def meter_named(text: str, meters: list[Meter]) -> Meter | None:
    """«счётчик 41562093», «…6093», «который кончается на 586», «гараж»: a meter by its serial,
    the serial's last digits or billing's note on where it hangs."""
    digits = "".join(ch if ch.isdigit() else " " for ch in text).split()
    for meter in meters:
        if meter.serial in digits:
            return meter
    for tail in digits:
        if 3 <= len(tail) <= 6:
            ends = [m for m in meters if m.serial.endswith(tail)]
            if len(ends) == 1:
                return ends[0]
    placed = [m for m in meters if m.location]
    return pick_by_description(text, placed, lambda m: [m.location]) if placed else None


async def account_of_meter(ctx: Ctx, text: str) -> Account | None:
    """The linked account whose meter the text names (its serial or its last digits)."""
    found = []
    for account in await ctx.accounts():
        if meter_named(text, await ctx.meters(account.number)) is not None:
            found.append(account)
    return found[0] if len(found) == 1 else None


_ONLY_DIGITS = re.compile(r"^[\d\s\-]{3,}$")


class AccountChoice(Choice):
    """One of the linked accounts, by button or description; digits alone that name none of
    them are a wrong number (asked again), not a reading."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        account = pick_account(msg.text, await ctx.accounts()) or await account_of_meter(
            ctx, msg.text
        )
        if account is not None:
            return Answer(Fit.STRONG, action=f"{ACCOUNT}{account.number}")
        return Answer(Fit.STRONG) if _ONLY_DIGITS.match(msg.text) else NO_ANSWER


async def flow_account(ctx: Ctx) -> Account | None:
    """The linked account the flow's data names («account»), if it is still linked."""
    number = ctx.data.get("account")
    return next((a for a in await ctx.accounts() if a.number == number), None)


AccountHandler = Callable[[Ctx, Account], Awaitable[None]]


async def start_with_account(ctx: Ctx, step: Step, then: AccountHandler) -> None:
    """Go on with the only account, or with the one the first message described; else ask
    which one (the flow's account step answers)."""
    accounts = await ctx.accounts()
    if len(accounts) == 1:
        await then(ctx, accounts[0])
        return
    described = ctx.data.pop("described", None)
    chosen = pick_account(described, accounts) if described else None
    if chosen is not None:
        await then(ctx, chosen)
        return
    ctx.goto(step)
    ctx.say(ctx.t("common.choose_account"), account_options(accounts))


def account_step(flow: Flow, then: AccountHandler) -> Step:
    """Declare the flow's «which account?» step: the chosen account goes on to `then`."""

    @flow.step("account", AccountChoice())
    async def choose(ctx: Ctx, msg: Msg) -> None:
        account = await picked_account(ctx, msg)
        if account is not None:
            await then(ctx, account)
        else:  # a wrong number, or a button of an account unlinked meanwhile
            ctx.say(ctx.t("common.account_not_found"), account_options(await ctx.accounts()))

    return choose


def remember_description(ctx: Ctx, msg: Msg) -> None:
    """Keep what the first message said of a place («за дачу»), for choosing the account."""
    if msg.action is None and msg.text and place_words(msg.text):
        ctx.data["described"] = msg.text


def yes_no(
    ctx: Ctx, yes_key: str = "common.answer_yes", no_key: str = "common.answer_no"
) -> list[Option]:
    return [ctx.option(yes_key, "yes"), ctx.option(no_key, "no")]


def answered_yes(msg: Msg) -> bool:
    """A yes: the button, or the yes the step's YesNo expectation read."""
    return msg.action == "yes" or (msg.action is None and msg.answer is True)


def answered_no(msg: Msg) -> bool:
    return msg.action == "no" or (msg.action is None and msg.answer is False)


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
    if isinstance(msg.answer, str):
        return msg.answer  # the phone the step's expectation found among words
    return normalize_phone(msg.text) if msg.text else None
