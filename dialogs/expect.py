"""What a step expects, and how much of it a message carries.

Every step declares one expectation. The engine reads the message with it before the step runs
(`msg.answer`), and decides by the fit and by what else the message asks for (engine.py has the
table): a strong fit goes to the step, a weak one only when the message asks for nothing else
clearly, and no fit lets another request through or asks again with this expectation's hint
(`expect.<kind>` in the catalogs).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Protocol

from core.accounts import normalize_account_number, normalize_phone, surname_candidates
from core.readings import LABEL_WORDS, ParsedValue, could_be_display, parse_readings
from dialogs.messages import InboundKind
from dialogs.nlu import (
    Intent,
    bill_disputed,
    clauses,
    day_reference,
    is_no,
    is_yes,
    looks_like_name,
    name_likeness,
    numbers_in_words,
)

if TYPE_CHECKING:
    from dialogs.context import Ctx
    from dialogs.flow import Msg


class Fit(IntEnum):
    NONE = 0  # nothing of what the step wants
    WEAK = 1  # it is there, among words about something else
    STRONG = 2  # the message is the answer


@dataclass(frozen=True, slots=True)
class Answer:
    fit: Fit
    value: Any = None
    action: str | None = None  # typed text that stands for one of the prompt's buttons


NO_ANSWER = Answer(Fit.NONE)


class Expectation(Protocol):
    """What a step wants; `kind` names the hint it is asked again with."""

    @property
    def kind(self) -> str: ...

    @property
    def numeric(self) -> bool:
        """Typed numbers are input here, not the numbers of the prompt's buttons."""
        ...

    async def read(self, ctx: Ctx, msg: Msg) -> Answer: ...


TextReader = Callable[["Ctx", "Msg"], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class Choice:
    """One of the prompt's buttons; `reader` may turn typed text into one of its actions
    («утром» → the morning slot, «дача» → the dacha's account)."""

    reader: TextReader | None = None
    kind: str = "choice"
    numeric: bool = False

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if self.reader is None or msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        action = await self.reader(ctx, msg)
        return NO_ANSWER if action is None else Answer(Fit.STRONG, action=action)


@dataclass(frozen=True, slots=True)
class YesNo:
    kind: str = "yes_no"
    numeric: bool = False

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT:
            return NO_ANSWER
        if is_yes(msg.text):
            return Answer(Fit.STRONG, True)
        if is_no(msg.text):
            return Answer(Fit.STRONG, False)
        if _GRUDGING_YES.search(msg.text):
            return Answer(Fit.STRONG, True)  # «ну раз надо то да»
        if _ON_SECOND_THOUGHT_NO.match(msg.text):
            return Answer(Fit.STRONG, False)  # «хотя нет, пусть пока будет»
        first = clauses(msg.text)[:1]
        if first and first[0] != msg.text.strip() and (is_yes(first[0]) or is_no(first[0])):
            # «ну да верно. а льгота у нас есть?»: the answer first, a request after it.
            return Answer(Fit.STRONG, is_yes(first[0]))
        return NO_ANSWER


_GRUDGING_YES = re.compile(r"(?<![^\W\d_])(?:то|ну|тогда|ладно|хорошо)\s+да\W*$", re.IGNORECASE)
_ON_SECOND_THOUGHT_NO = re.compile(r"^\W*(?:хотя|а|ой|нет)\W+нет(?![^\W\d_])", re.IGNORECASE)


# A message of nothing but numbers, labels and separators is a reading however it is written.
_ONLY_VALUES = re.compile(r"^[\d\s.,:;=/+\-–—()]*$")


_LIST_MARKERS = re.compile(r"(?:(?<=\s)|^)\d{1,2}\s*[).]\s+(?=[^\W\d_])")


def reading_values(ctx_numbers: tuple[str, ...], msg: Msg) -> list[ParsedValue]:
    """The readings a message holds; the customer's own account numbers and meter serials
    inside it («счётчик 41562093 показания 18400», «л/с 5901000003: 18400») are not readings."""
    text = _LIST_MARKERS.sub(" ", msg.text)  # «1) показания … 2) сколько к оплате»
    for number in ctx_numbers:
        text = text.replace(number, " ")
    if text != msg.text:
        from dialogs.nlu import analyze

        found = list(analyze(text, msg.language).entities.readings)
    else:
        found = list(msg.analysis.entities.readings)
    found = found or parse_readings(text)
    if any(value.labelled for value in found):
        # «снимала 2 или 3 дня назад, день 23500 ночь 8200»: small numbers beside labelled
        # values count days or times, not a display.
        found = [v for v in found if v.labelled or v.integer_digits > SMALL_NUMBER_DIGITS]
    return found


SMALL_NUMBER_DIGITS = 2


@dataclass(frozen=True, slots=True)
class Readings:
    """Meter values: «12480», «день 23415 ночь 8120», «шесть тысяч двести»."""

    kind: str = "readings"
    numeric: bool = True

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        # The customer's own numbers are looked up only where there are digits to mistake.
        digits = any(c.isdigit() for c in msg.text)
        values = reading_values(await ctx.own_numbers() if digits else (), msg)
        if not values or bill_disputed(msg.text):
            return NO_ANSWER  # «кстати в квитанции 18 300 а не 18 250»: a question, no value
        analysis = msg.analysis
        about_readings = analysis.intent is Intent.SUBMIT_READING or any(
            intent is Intent.SUBMIT_READING for intent, _ in analysis.alternatives[:1]
        )
        clear = about_readings or _ONLY_VALUES.match(msg.text) is not None
        return Answer(Fit.STRONG if clear else Fit.WEAK, values)


@dataclass(frozen=True, slots=True)
class AccountNumber:
    """An account number (10-11 digits, however spaced; one starting with 8 is still an
    account here, never a phone), with the surname if it came along, or a shared phone."""

    kind: str = "account"
    numeric: bool = True

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is InboundKind.CONTACT:
            return Answer(Fit.STRONG, None)
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        if _TYPED_PHONE.match(msg.text):
            return Answer(Fit.STRONG, PHONE_TYPED)  # «+7 908 555 01 04»: a phone, said so
        if BUSINESS.search(msg.text):
            return Answer(Fit.STRONG, A_BUSINESS)
        number, surname = account_and_surname(msg)
        if number is None:
            return NO_ANSWER
        return Answer(Fit.STRONG, (number, surname))


# A phone as people type one: «+7 …», or «8 9xx …» in the groups phones are written in. An
# account starting with 8 is typed as one run or in the groups of its receipt, never «8 9xx».
_TYPED_PHONE = re.compile(
    r"^\s*(?:\+\s*7|8\s*\(?\s*9\d\d\s*\)?[\s\-]+\d{3}[\s\-]+\d{2}[\s\-]+\d{2})"
)
PHONE_TYPED = "phone"
# A company, not a person: «ИНН 5904123456», «мы юрлицо», «ООО Ромашка». Linked elsewhere.
BUSINESS = re.compile(
    r"(?<![^\W\d_])(?:инн|огрн|юр\.?\s*лиц\w*|юрлиц\w*|ооо|оао|зао|пао|ип|организаци\w*|"
    r"предприяти\w*|компани[яи]\s+(?:ооо|оао)|legal\s+entity|company)(?![^\W\d_])",
    re.IGNORECASE,
)
A_BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class Surname:
    """The holder's surname (in any case, with «ё» or «е», in Latin letters too), or a new
    number with or without a surname, or a shared phone."""

    kind: str = "surname"
    numeric: bool = True

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is InboundKind.CONTACT:
            return Answer(Fit.STRONG, None)
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        if BUSINESS.search(msg.text):
            return Answer(Fit.STRONG, A_BUSINESS)  # «мы юрлицо, у нас нет фамилии»
        number, surname = account_and_surname(msg)
        if number is None and surname is None:
            # «Мальцев», or said in a sentence: «я ж написал мальцев».
            surname = msg.text if is_surname(msg.text) else _name_beside(msg.text, "")
        if number is None and surname is None:
            return NO_ANSWER
        return Answer(Fit.STRONG, (number, surname))


@dataclass(frozen=True, slots=True)
class Volumes:
    """kWh to price: «250», «250 квт», «день 200 ночь 90». Where the step has just asked for
    them (`asked`) bare numbers are the answer; elsewhere (the tariffs' menu) they may as well
    be meter readings, and a message about readings («передаю показания день 20900») is not an
    estimate at all."""

    asked: bool = True
    kind: str = "kwh"
    numeric: bool = True

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        analysis = msg.analysis
        entities = analysis.entities
        if entities.accounts and not _ONLY_VALUES.match(msg.text):
            return NO_ANSWER  # «привяжите счёт 5901000015»: no month's use (a bare number is
            # answered as one that is too large)
        if entities.kwh:
            return Answer(Fit.STRONG, None)
        if not (entities.readings or parse_readings(msg.text)):
            return NO_ANSWER
        bare = _UNLESS_ALSO.sub("", msg.text).rstrip("?!. ")  # «а 1500?»: the values alone
        if analysis.intent is Intent.SUBMIT_READING and _ONLY_VALUES.match(_unlabelled(bare)):
            # Values and zone labels only: whether they are what the customer's meter shows
            # («день 20900 ночь 9450») or a month's use («пик 50») decides.
            volumes = not await on_display(ctx, reading_values((), msg))
            return Answer(Fit.STRONG if volumes else Fit.WEAK, None)
        if analysis.intent is Intent.SUBMIT_READING:
            return Answer(Fit.WEAK, None)
        return Answer(Fit.STRONG if self.asked or analysis.topic else Fit.WEAK, None)


_UNLESS_ALSO = re.compile(r"^\W*(?:(?:а|и|ну|ещё|еще|если|за|при|тогда)\s+)+", re.IGNORECASE)
_LABELS = re.compile(
    r"(?<![^\W\d_])(?:"
    + "|".join(re.escape(w) for w in sorted(LABEL_WORDS, key=len, reverse=True))
    + r")(?![^\W\d_])",
    re.IGNORECASE,
)


async def on_display(ctx: Ctx, values: list[ParsedValue]) -> bool:
    """Whether the values are what one of the customer's meters shows now."""
    for account in await ctx.accounts():
        for meter in await ctx.meters(account.number):
            if could_be_display(meter, values):
                return True
    return False


def _unlabelled(text: str) -> str:
    return _LABELS.sub(" ", text)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def without_values(text: str) -> str:
    """The words of a message with its values and their zone labels taken out («день 23520 ночь
    8165 а тариф у меня какой» → «а тариф у меня какой»)."""
    return _NUMBER.sub(" ", _unlabelled(text))


@dataclass(frozen=True, slots=True)
class Amount:
    """Money: «2 500», «2500,50 руб», «1 300 рублей»."""

    kind: str = "amount"
    numeric: bool = True

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT:
            return NO_ANSWER
        value = amount_said(msg.text)
        return NO_ANSWER if value is None else Answer(Fit.STRONG, value)


def amount_said(text: str) -> Decimal | None:
    """The money a message names, in digits or words («три тыщи», «1,5 тыс»), beside a date."""
    return amount_besides_date(numbers_in_words(text.casefold()))


_MONEY = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?![\d])")


# An amount with its currency: «2000 р», «1 500 рублей», «2500,50 ₽».
_RUBLES = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*"
    r"(?:р\b|р\.|руб\w*|₽|rub\w*|rouble\w*)",
    re.IGNORECASE,
)


_KOPECKS = re.compile(r"\s*(\d{1,2})\s*коп", re.IGNORECASE)
# Thousands of rubles in short: «3 тыщи», «1,5 тыс.», «5 тысяч», «2 тыс 416», «3к» (the letter
# right after the digits: «850 к оплате» is no thousands). Number words are digits by now:
# «полторы тыщи» is 1500 already.
_THOUSANDS_OF = re.compile(
    r"(?<![\d.,])(\d{1,3})(?:[.,](\d{1,3}))?\s*(?:тыс\w*\.?|тыщ\w*)"
    r"(?:\s+(\d{1,3})(?![\d.,])(?!\s*(?:янв|фев|мар|апр|ма[йяе]|июн|июл|авг|сен|окт|ноя|дек|числ|-?г?о)))?"
    r"|(?<![\d.,])(\d{1,3})[кk](?![^\W\d_])",
    re.IGNORECASE,
)


def rubles_in(text: str) -> Decimal | None:
    """An amount written with its currency or in thousands, so that it is no date or account
    number («2416 руб 32 коп», «3 тыщи», «2 тыс 416 руб» too)."""
    if thousands := _THOUSANDS_OF.search(text):
        if thousands[4]:
            return Decimal(thousands[4]) * 1000 or None
        base = Decimal(f"{thousands[1]}.{thousands[2] or 0}") * 1000
        rest = Decimal(thousands[3]) if thousands[3] and not thousands[2] else Decimal(0)
        total = (base + rest).to_integral_value()
        return total if total > 0 else None
    match = _RUBLES.search(text)
    if match is None:
        return None
    whole = re.sub(r"\D", "", match[1])
    kopecks = match[2] or ""
    if not kopecks and (after := _KOPECKS.match(text, match.end())):
        kopecks = after[1].zfill(2)
    value = Decimal(f"{whole}.{kopecks}" if kopecks else whole)
    return value if value > 0 else None


# A date as people write it, to be left out when the same message names an amount too.
_DATE_WRITTEN = re.compile(
    # «12.11», «12.11.2026», «12 ноября (2026)», «25 ноя», «20-го», «1го декабря», «15 числа»,
    # «2 дня назад».
    r"(?<!\d)\d{1,2}(?:\s*[./]\s*\d{1,2}(?:\s*[./]\s*\d{2,4})?|\s*-?\s*(?:го|ого|е)\b"
    r"(?:\s+(?:янв|фев|мар|апр|ма[йяе]|июн|июл|авг|сен|окт|ноя|дек)\w*)?"
    r"|\s+(?:янв|фев|мар|апр|ма[йяе]|июн|июл|авг|сен|окт|ноя|дек|jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|oct|nov|dec)\w*(?:\s+20\d\d)?|\s+числа|\s+(?:дн\w*|недел\w*)\s+назад)",
    re.IGNORECASE,
)
# Numbers that are no amount of money: account numbers, phones, meter serials.
_LONG_NUMBER = re.compile(r"(?<![\d.,])(?:\+?\d[\d\s\-()]{8,}\d)(?![\d])")


def amount_besides_date(text: str) -> Decimal | None:
    """The amount in «платил 1 декабря, 4362,40 через сбербанк»: with its currency, or the
    number left when the date is taken out."""
    return rubles_in(text) or money_in(_LONG_NUMBER.sub(" ", _DATE_WRITTEN.sub(" ", text)))


def money_in(text: str) -> Decimal | None:
    """The first amount of money in a text, or None."""
    match = _MONEY.search(text)
    if match is None:
        return None
    whole = re.sub(r"\D", "", match[1])
    value = Decimal(f"{whole}.{match[2]}" if match[2] else whole)
    return value if value > 0 else None


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A phone shared with the messenger's button or typed."""

    kind: str = "phone"
    numeric: bool = False  # «1» presses a button: a phone number is never one or two digits

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is InboundKind.CONTACT:
            return Answer(Fit.STRONG, None)
        if msg.kind is not InboundKind.TEXT:
            return NO_ANSWER
        phone = normalize_phone(msg.text)
        if phone is not None or _DIALLED.match(msg.text):
            return Answer(Fit.STRONG, phone)  # digits here are a number dialled, maybe wrong
        phones = msg.analysis.entities.phones
        if len(set(phones)) == 1:  # «звоните на 89125550199 жене лучше»: the phone asked for
            return Answer(Fit.STRONG, phones[0])
        return NO_ANSWER


_DIALLED = re.compile(r"^\s*\+?[\d\s()\-]{3,}$")


_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^\W\d_]{2,}")


@dataclass(frozen=True, slots=True)
class Email:
    kind: str = "email"
    numeric: bool = False

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT:
            return NO_ANSWER
        found = _EMAIL.search(msg.text)
        if found is None:
            return Answer(Fit.WEAK, None) if "@" in msg.text else NO_ANSWER
        whole = msg.text.strip().strip("<>").strip()
        return Answer(Fit.STRONG if whole == found[0] else Fit.WEAK, found[0])


# A request this short that the NLU is sure of is a request, even where any text would do.
SHORT_REQUEST_WORDS = 3


@dataclass(frozen=True, slots=True)
class FreeText:
    """Anything written (a comment, an explanation for an operator)."""

    kind: str = "text"
    numeric: bool = True
    files: bool = False  # a photo or document is an answer too

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is InboundKind.FILE and self.files:
            return Answer(Fit.STRONG, None)
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        short = len(msg.text.split()) <= SHORT_REQUEST_WORDS
        numbers = any(ch.isdigit() for ch in msg.text)  # a number is an answer, not a request
        return Answer(Fit.WEAK if short and not numbers else Fit.STRONG, msg.text)


# -- what several expectations read ----------------------------------------------------------

# «5901234567 Иванова», «л/с 59 01 234 567, Иванова Мария: показания 12480»
_NAMED_SURNAME = re.compile(r"фамили[яюи]\s*[:\-—]?\s*([^\d,;]+)", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"(?<!\d)\d[\d \-]{8,20}\d(?!\d)")
# Words of the clause a number stands in: up to the punctuation that ends it (a comma before
# the number too: «Я Кузнецова Татьяна Николаевна, лицевой счёт 5901000003»).
_CLAUSE_BEFORE = re.compile(r"([^\d.;:!?()]*)$")
_CLAUSE_AFTER = re.compile(r"^[\s,;:—-]*([^\d.,;:!?()]*)")
NAME_WORDS = 3  # a surname with a first name and a patronymic
MIN_NAME = 2  # «по», «ЛС» beside a number are no names


def account_and_surname(msg: Msg) -> tuple[str | None, str | None]:
    """The account number and the surname a message carries: «5901234567 Иванова»,
    «лицевой счёт 59-01-234-567, фамилия Иванова», «мальцев сергей лицевой 5901000011 хочу
    сдать», a number alone, or (None, None)."""
    text = msg.text
    number = normalize_account_number(text)
    if number is not None:
        return number, None
    runs = [(m, normalize_account_number(m[0])) for m in _DIGIT_RUN.finditer(text)]
    found = [(m, run) for m, run in runs if run]
    if len(found) != 1:
        return None, None
    match, number = found[0]
    if named := _NAMED_SURNAME.search(text):
        surname = " ".join(_name_words(named[1])) or None
        return number, surname if surname and is_surname(surname) else None
    return number, _name_beside(text[: match.start()], text[match.end() :])


def _name_beside(before: str, after: str) -> str | None:
    """The holder's name typed next to the number, in the same clause: the words right after
    it («5901000015 шестаков павел, передать показания»), or right before («Кочергин
    59010-00017»); words about the number («лицевой», «привяжите») are not the name, and
    words that are no name («не знаю», «передать показания») are not guessed with."""
    following = _name_words(_CLAUSE_AFTER.match(after)[1])  # type: ignore[index]
    preceding = _name_words(_CLAUSE_BEFORE.search(before)[1])  # type: ignore[index]
    tries = [following[:size] for size in range(min(NAME_WORDS, len(following)), 0, -1)]
    tries += [preceding[-size:] for size in range(min(NAME_WORDS, len(preceding)), 0, -1)]
    for words in tries:
        names = [w.strip(".,:;") for w in words]
        if all(len(w) > MIN_NAME and name_likeness(w) == "name" for w in names):
            return " ".join(names)  # only words that are names: a wrong guess is a failed try
    return None


def _name_words(text: str) -> list[str]:
    """The words that may be a name: not those about the number, nor a zone's label («день»)."""
    return [
        w
        for w in text.split()
        if (word := w.strip(".,:;").casefold()) not in _NOT_SURNAMES and word not in LABEL_WORDS
    ]


_NOT_SURNAMES = frozenset(
    {
        "лицевой", "лицевого", "лицевому", "счет", "счёт", "счета", "счёта", "номер", "номера",
        "мой", "моя", "мое", "моё", "наш", "лс", "л/с", "вот", "это", "привязать", "привяжите",
        "добавить", "добавьте", "здравствуйте", "привет", "пожалуйста", "фамилия", "account",
        "number", "my", "please", "link", "сорян", "сори", "сорри", "извините", "простите", "ой",
        "блин", "упс", "так", "sorry", "oops",
    }
)  # fmt: skip


def is_surname(text: str) -> bool:
    """One to three words that can be a name (not «не знаю», not a request)."""
    return bool(surname_candidates(text)) and looks_like_name(text)


@dataclass(frozen=True, slots=True)
class Either:
    """The first of several expectations the message fits («да», or the readings anew); the
    answer's value tells which (a bool for yes/no, values for readings)."""

    options: tuple[Expectation, ...]
    hint: str = ""  # the kind whose hint the question is asked again with (the first's if "")

    @property
    def kind(self) -> str:
        return self.hint or self.options[0].kind

    @property
    def numeric(self) -> bool:
        return any(option.numeric for option in self.options)

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        best = NO_ANSWER
        for option in self.options:
            answer = await option.read(ctx, msg)
            if answer.fit > best.fit:
                best = answer
        return best


@dataclass(frozen=True, slots=True)
class PastDate:
    """A day that has been: «12.11», «12 ноября», «сегодня», «в пятницу» (the last one)."""

    kind: str = "past_date"
    numeric: bool = True

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        if msg.kind is not InboundKind.TEXT or not msg.text:
            return NO_ANSWER
        today = ctx.today
        # A question («а пени будут, если не успею до 15-го?») may name a day without being
        # the answer: it fits only weakly.
        fit = Fit.WEAK if "?" in msg.text else Fit.STRONG
        for value in msg.analysis.entities.dates:
            day = _past_day(value, today)
            if day is not None:
                return Answer(fit, day)
        months = msg.analysis.entities.months
        if months:  # «в октябре»: its first day, the month's own being all that is known
            year = today.year if months[0] <= today.month else today.year - 1
            return Answer(fit, date(year, months[0], 1))
        reference = day_reference(msg.text)
        if reference.offset is not None and reference.offset <= 0:
            return Answer(fit, today + timedelta(days=reference.offset))
        if reference.weekday is not None:
            back = (today.weekday() - reference.weekday) % 7
            return Answer(fit, today - timedelta(days=back))
        return NO_ANSWER


def _past_day(value: Any, today: date) -> date | None:
    """A date as written, placed in the past: «12.11» in December is this year's, in January
    last year's; a bare «12-го» is this month's or the last."""
    if isinstance(value, date):
        return value if value <= today else None
    day, month = value
    months = [(today.year, today.month), _month_before(today.year, today.month)]
    if month:
        months = [(today.year, month), (today.year - 1, month)]
    for year, number in months:
        try:
            candidate = date(year, number, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)
