"""Entities in a message: meter readings, account and phone numbers, dates, months, kWh.

Numbers written in words become digits first (dialogs.nlu.numbers: «шесть тысяч двести» is 6200,
«один раз» stays words). Then numbers are claimed in a fixed order, each claim masking its span
for the next: phones, then meter serial numbers, account numbers, kWh amounts, money, dates and
other counted things («3 дня», «кв 5», «10:30»); what is left goes to
core.readings.parse_readings.

Phone or account? A run of 11 digits starting with 7 or 8 is a phone when it carries «+7»,
brackets, a mobile (9…) or toll-free (800) code after the prefix, the grouping of a phone
number («8 342 200-00-00»), or a phone word before it («тел», «сотовый»…); otherwise it is left
to the account rule. A bare 10-digit run starting with 9 is a phone only after a phone word.

Account or readings? A run of digit groups separated by single spaces or dashes, with no decimal
separator, is an account when it has 10-11 digits in all — except exactly two groups of four or
more digits each («23415 18120»), which read as two register values unless an account word
(«лс», «лицевой», «счет»…) is in the message. A single group of 10-11 digits is always an
account: no meter display has that many digits.

Digit groups: a group of 1-3 digits followed by a space and exactly 3 digits is one number with
a thousands separator («9 876» is 9876, «12 345,6» is 12345.6); after phones and accounts have
claimed their spaced runs, such groups are joined, so every later rule sees one number. Numbers
after address words («кв 12», «д. 5», «ул ленина 45»), amounts of money, times («в 9», «с 9 до
18»), negative numbers, «1e10» and the like are claimed as not-readings. «День» as an ordinary
word («на сегодняшний день», «в день») labels no reading. Only the first MAX_NUMBERS numbers of a
message are looked at: a message of more is junk, and the cap bounds the work.

Dates are `datetime.date` when the year is given («23.05.2026»), else `(day, month)` tuples;
month 0 means the customer named only the day («с 23 по 25», «до 25-го», «25 числа»). Months
named without a day («за май») go to `months` only.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from core.accounts import normalize_account_number, normalize_phone
from core.readings import ParsedValue, parse_readings, zones_named
from dialogs.nlu.lexicon import (
    ACCOUNT_CONTEXT,
    ACCOUNT_LABELS,
    KWH_UNIT,
    MAY_PREPOSITIONS,
    METER_LABELS,
    MONTH_ABBREVIATIONS,
    MONTH_STEMS,
    PHONE_CONTEXT,
    READING_BEFORE_METER,
    SERIAL_LABELS,
    ZONE_LABELS,
)
from dialogs.nlu.numbers import numbers_in_words

log = logging.getLogger(__name__)
_T = TypeVar("_T")

DateValue = date | tuple[int, int]


@dataclass(frozen=True, slots=True)
class Entities:
    readings: tuple[ParsedValue, ...] = ()
    accounts: tuple[str, ...] = ()  # digits only
    phones: tuple[str, ...] = ()  # +7XXXXXXXXXX
    months: tuple[int, ...] = ()  # 1-12, named without a day
    dates: tuple[DateValue, ...] = ()  # see the module docstring
    kwh: tuple[Decimal, ...] = ()
    serials: tuple[str, ...] = ()  # meters' serial numbers (заводской номер), digits only


@dataclass(slots=True)
class NumberSignals:
    """What the leftover numbers say about the message, for the classifier."""

    reading_like: int = 0  # labelled by a zone, or 4+ integer digits
    weak: int = 0  # other numbers (could be a reading of a young meter, or anything)
    money: int = 0  # amounts of money («1500 руб», «8 тысяч»)
    # «ночь не 7108 а 7110», «пик 10302 а не 10299», «вместо 30545 ночь 30540»: a 4+ digit value
    # taken back for another beside a zone's name — correcting readings («в квитанции 18300 а не
    # 18250», «начислили не 7500 а 8000» name no zone: a bill, an amount).
    corrected: bool = False


@dataclass(slots=True)
class Extraction:
    entities: Entities
    numbers: NumberSignals = field(default_factory=NumberSignals)


_DIGIT = re.compile(r"\d")
_MASK = "\x1f"
_MASKS = re.compile(_MASK + "+")

_PHONE = re.compile(r"(?<![\d+])(\+\s*7|8|7)((?:[ \-()]*\d){10})(?!\d)")
# «8 342 200-00-00», «8 342 2000000»: grouped the way phone numbers are written.
_PHONE_SHAPE = re.compile(r"[78][ \-]\d{3}[ \-]\d{3}(?:[ \-]\d{2}[ \-]\d{2}|[ \-]?\d{4})")
_BARE_MOBILE = re.compile(r"(?<![\d+])9(?:[ \-()]*\d){9}(?!\d)")
_GROUPS = re.compile(r"(?<![\d.,+])\d+(?:[ \-]\d+)*(?!\d|[.,]\d)")
_INT = r"(\d{1,3}(?:[ ]\d{3})+|\d+)"
_KWH = re.compile(rf"(?<![\d.,]){_INT}(?:[.,](\d+))?\s*-?\s*{KWH_UNIT}")
# After a kWh amount, more amounts each followed by a zone word: «180 квт днем и 70 ночью».
_ZONE_WORD = r"(?:днем|дн[её]м|дневн\w*|день|ночью|ночн\w*|ночь|(?:в\s+)?(?:полу)?пик\w*)"
_KWH_MORE = re.compile(
    rf"\s*(?:{_ZONE_WORD}\s*)?(?:[,;]\s*)?(?:(?:и|а|плюс|\+)\s+)?"
    rf"(\d+)(?:[.,](\d+))?\s+(?:{KWH_UNIT}\s*)?{_ZONE_WORD}(?![а-я])"
)
# Two zone-labelled amounts with the unit once, at the end: «днем 200 а ночью 90 квт».
_KWH_ZONES = re.compile(
    rf"(?<![а-яa-z]){_ZONE_WORD}\s*[:\-]?\s*(\d+)(?:[.,](\d+))?\s*(?:[,;]\s*)?"
    rf"(?:(?:и|а|плюс|\+)\s+)?{_ZONE_WORD}\s*[:\-]?\s*(\d+)(?:[.,](\d+))?\s*-?\s*{KWH_UNIT}"
)
# «6000 за свет»: what a bill comes to, not a display (unless the message is about readings).
_MONEY_FOR = re.compile(
    rf"(?<![\d.,]){_INT}(?:[.,]\d+)?\s+за\s+(?:свет|электричеств\w*|электроэнерги\w*)(?![а-я])"
)
_ABOUT_READINGS = re.compile(r"показан|показат|сч[её]тчик|reading|meter")
_MONEY = re.compile(
    rf"(?<![\d.,]){_INT}(?:[.,]\d+)?\s*(?:руб\w*|р\b\.?|₽|rub\w*|коп\w*|тыс\w*|тыщ\w*|тр\b|т\.р\.?)"
)
_MONTH_WORD = "|".join(stem + r"[а-я]*" for stem, _ in MONTH_STEMS if not stem.startswith("ма"))
_MONTH_WORD = rf"(?:{_MONTH_WORD}|март[а-я]*|ма[йяею]\b|may\b)"
_ORD = r"(?:-?(?:го|ого|е|ое))?"
_DAY_MONTH = re.compile(
    rf"(?<![\d.,])(\d{{1,2}}){_ORD}(?:\s*(?:-|по|до)\s*(\d{{1,2}}){_ORD})?\s+"
    rf"({_MONTH_WORD}|числ[аоу]\b)(?:\s+((?:19|20)\d{{2}})(?!\d|[.,]\d))?"
)
_NUMERIC_DATE = re.compile(r"(?<![\d.,])(\d{1,2})[./](\d{2})(?:[./](\d{4}|\d{2}))?(?![\d]|[.,]\d)")
_DAY_RANGE = re.compile(rf"\bс\s+(\d{{1,2}}){_ORD}\s+по\s+(\d{{1,2}}){_ORD}(?!\d|[.,]\d)")
_ORDINAL_DAY = re.compile(r"(?<![\d.,])(\d{1,2})-?(?:го|ого)\b")
# A message with more numbers than this is junk («9 9 9 …»); the rest is not looked at.
MAX_NUMBERS = 32
AFTER_LAST_NUMBER = 40  # characters kept after the last number looked at: its unit, its month
_NUMBER_RUN = re.compile(r"\d+")
# No meter, account or phone has this many digits in a row: junk, blanked before any rule.
_LONG_RUN = re.compile(r"\d{17,}")
# «3 4 5 6 7»: single digits a space apart, four to seven of them, are one number.
_SPACED_DIGITS = re.compile(r"(?<![\d.,])\d(?: \d){3,6}(?![\d]|[.,]\d)")
# «9 876», «12 345,6»: one number; see the module docstring.
_THOUSANDS = re.compile(r"(?<![\w.,])\d{1,3}(?: \d{3})+(?!\d)")  # «т1 200» is no 1 200
# Address words before a number; «д» alone is also the day label, so only before a house-sized
# number («д 5», not «д 23415»).
_ADDRESS = re.compile(
    r"(?:(?<![а-яa-z])(?:кв|квартир\w*|дом\w*|д\.|корп\w*|подъезд\w*|под\.|этаж\w*|эт\.|"
    r"офис\w*|оф|стр|уч|участ\w*|заявк\w*|комн\w*|строени\w*)|№)\.?\s*№?\s*\d{1,6}"
    r"(?:[а-я]\b|/\d{1,4})?(?!\d|[.,]\d)"
    # «ул ленина 45», «пр. мира, д 5/2»: a street, its name, the house number.
    r"|(?<![а-яa-z])(?:ул|улиц\w*|пр|пр-т|просп\w*|пер|переул\w*|бул\w*|б-р|ш|шоссе|пл|"
    r"площад\w*|мкр|микрорайон\w*|наб\w*|тракт\w*)(?![а-я])\.?\s*[а-я][а-я\-]+,?\s*"
    r"(?:(?:д|дом)\.?\s*)?\d{1,4}(?:[а-я]\b|/\d{1,4})?(?![\d.,])"
)
# «д 5»: a house, unless another zone is named («д 120 н 80»).
_HOUSE = re.compile(r"(?<![а-яa-z])д\s*\d{1,3}(?:[а-я]\b|/\d{1,4})?(?![\d.,])")
_OTHER_NUMBERS = (
    re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)?\s*%"),
    # «1e10», «0x1f»: notation, not a meter display.
    re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)?e[+\-]?\d+|(?<![\d.,])0x[0-9a-f]+"),
    # «-5», «день -20»: below zero, no meter shows it (the flows refuse it separately).
    re.compile(r"(?:^|(?<=[\s(;,:=]))-\d+(?:[.,]\d+)?"),
    re.compile(r"(?<!\d)\d{1,2}:\d{2}"),
    # «с 9 утра», «в 7 вечера»: an hour of the day.
    re.compile(r"(?<![\d.,])\d{1,2}\s*(?:утра|вечера|ночи|дня)\b"),
    re.compile(r"\bс\s+\d{1,2}\s+до\s+\d{1,2}\b(?![.,]\d)"),
    # «в 9», «к 10», «после 18»: an hour, when nothing but a word follows it.
    re.compile(
        r"(?<![а-яa-z])(?:в|к|после|около|часов\s+в)\s+(?:[01]?\d|2[0-4])(?:[.:]\d{2})?"
        r"(?:\s*(?:ч|час\w*)\b\.?)?(?![\d.,]|\s*[\d%₽]|\s*(?:руб|р\b|коп|тыс|квт|кв))"
    ),
    re.compile(r"(?<!\d)(?:19|20)\d{2}\s*(?:г\b\.?|год\w*)"),
    # «квитанция за 10.2026», «10/2026»: a month and its year (no meter shows four decimals).
    re.compile(r"(?<![\d.,/])(?:0?[1-9]|1[0-2])[./](?:19|20)\d{2}(?!\d|[.,]\d)"),
    re.compile(
        r"(?<![\d.,])\d+(?:[.,]\d+)?\s*-?\s*(?:х\s+)?(?:дн(?:я|ей)\b|сут\w*|недел\w*|месяц\w*|"
        r"мес\b\.?|час\w*|минут\w*|лет\b|год\w*|раз\b|раза\b|человек\w*|чел\b|квартир\w*|"
        r"комнат\w*|этаж\w*|подъезд\w*|вольт\w*|v\b|вт\b|ватт\w*|ампер\w*|шт\b|штук\w*)"
    ),
)
# Numbers that are something else, claimed by one group of the pattern: the year after a month
# («счет за август 2026»), an error code («Err 3», «ошибка 5»), a count after its word («лет 30»).
# Each with the substrings one of which a message needs for the pattern to be worth a search.
_NOT_READING_GROUPS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(rf"{_MONTH_WORD}\s*,?\s*(?P<n>199\d|20[0-3]\d)(?![\d.,]\d|\d)"),
        ("199", "20"),
    ),
    (
        re.compile(
            r"(?<![а-яa-z])(?:err|error|ошибк\w*|код\w*(?:\s+ошибк\w*)?)\s*[-:№#]?\s*"
            r"(?P<n>[a-z]?\d{1,3})(?![\d.,]\d|\d)"
        ),
        ("err", "ошибк", "код"),
    ),
    (
        re.compile(
            r"(?<![а-яa-z])(?:лет|года|годов|месяцев|недель|дней|суток|часов|минут)\s+"
            r"(?:уже\s+)?(?P<n>\d{1,3})(?![\d.,]\d|\d|\s*(?:руб|р\b|квт|кв|тыс))"
        ),
        ("лет", "год", "месяц", "недел", "дней", "сут", "час", "минут"),
    ),
)
_SERIAL_WORDS = ("номер", "№", "s/n", "sn", "serial", "зав", "meter", "сч")
_ACCOUNT_WORDS = ("лс", "л/с", "л.", "лицев", "абонент", "account")
_KWH_WORDS = ("кв", "kw", "киловат")
_MONEY_FOR_WORDS = ("за св", "за эл")
# «на сегодняшний день», «на текущий день», «в день»: the word «день», not the day zone. After a
# bare preposition («в день 23415») it is the zone when another zone is named too («… в ночь 8120»).
_DAY_FORMS = r"(?:день|дня|дню|днем)"
_ORDINARY_DAY = re.compile(
    r"(?<![а-яa-z])(?:(?:на|в|за|к)\s+)?(?:сегодняшн\w*|текущ\w*|эт(?:от|ого|ом|им|у)|данн\w*|"
    r"нынешн\w*|кажд\w*|один|одного|одном|целый|целого|весь|всего|рабоч\w*|выходн\w*|"
    r"следующ\w*|прошл\w*|вчерашн\w*|завтрашн\w*|любой|любого|какой|какого|тот|того|"
    rf"предыдущ\w*|последн\w*|нужн\w*|определенн\w*)\s+{_DAY_FORMS}(?![а-яa-z])"
    rf"|(?<![а-яa-z])(?P<weak>(?:в|за|на|по|через|раз\s+в)\s+{_DAY_FORMS})(?![а-яa-z])"
    rf"|(?<![а-яa-z]){_DAY_FORMS}\s+(?:в|на)\s+{_DAY_FORMS}(?![а-яa-z])"
    rf"|(?<![а-яa-z])(?:день|дня)\s+(?:рождени\w*|открыт\w*|приема|приёма|оплаты|платежа)"
)
_OTHER_ZONE = re.compile(
    r"(?<![а-яa-z])(?:ноч\w*|н|полупик\w*|пик\w*|t[123]|т[123])\s*[:=\-]?\s*\d"
)
_LABEL_ALT = "|".join(re.escape(label) for label in sorted(ZONE_LABELS, key=len, reverse=True))
LABELLED_NUMBER = re.compile(rf"(?<![а-яa-z0-9])(?:{_LABEL_ALT})\s*[:=\-]?\s*(?=\d)")
_LEFTOVER_NUMBER = re.compile(r"\d+(?:[ ]\d{3}(?!\d))*(?:[.,]\d+)?")
_MONTH_TOKEN = re.compile(r"[a-zа-я]+")
_MONTH_STARTS = frozenset(
    [stem[:3] for stem, _ in MONTH_STEMS] + [short[:3] for short in MONTH_ABBREVIATIONS] + ["may"]
)
_PHONE_CONTEXT = re.compile("|".join(PHONE_CONTEXT))
# Spaces only: «\s» would also match the mask of a claimed number.
_GAP = r"[ \t\u00a0]*"
_SERIAL_NUMBER = rf"\.?{_GAP}[:№#\-]?{_GAP}(\d{{4,16}})(?!\d|[.,]\d)"
_SERIAL = re.compile(r"(?<![а-яa-z])(?:" + "|".join(SERIAL_LABELS) + ")" + _SERIAL_NUMBER)
_METER_NUMBER = re.compile(
    r"(?<![а-яa-z/])(?P<label>" + "|".join(METER_LABELS) + ")" + _SERIAL_NUMBER
)
_READING_BEFORE_METER = re.compile(r"(?<![а-яa-z])(?:" + "|".join(READING_BEFORE_METER) + r")\s+$")
_ACCOUNT_BEFORE = re.compile(r"(?<![а-яa-z])(?:" + "|".join(ACCOUNT_CONTEXT) + r"|заявк)")
_AFTER_ACCOUNT_LABEL = re.compile(
    r"(?<![а-яa-z])(?:"
    + "|".join(ACCOUNT_LABELS)
    + rf")\.?{_GAP}[:№#\-]?{_GAP}\d{{1,16}}(?![\d.,]\d|\d)"
)
SERIAL_DIGITS = 8  # more integer digits than any meter display: a serial after a meter word
SERIAL_AFTER_NUMBER_SIGN = 6  # «№ 0112345»: a serial, not a flat or a request number
_ACCOUNT_CONTEXT = re.compile(r"(?<![а-яa-z])(?:" + "|".join(ACCOUNT_CONTEXT) + ")")


class _Masked:
    """The message with claimed spans blanked out, so that no number is claimed twice."""

    def __init__(self, text: str) -> None:
        self.text = text

    def claim(self, start: int, end: int) -> None:
        self.text = self.text[:start] + _MASK * (end - start) + self.text[end:]

    def for_readings(self) -> str:
        return _MASKS.sub(" ; ", self.text)


def extract(text: str) -> Extraction:
    """Entities of an already normalised message (see dialogs.nlu.text.normalize)."""
    text = _first_numbers(numbers_in_words(text))
    if _DIGIT.search(text) is None:  # most messages: only months to look for
        return Extraction(Entities(months=_unique(_months(text))))
    masked = _Masked(text)
    phones = _phones(masked)
    serials = _labelled_serials(masked)
    accounts = _accounts(masked)
    # «лс 12345678»: a mistyped account number, still no reading.
    if _has(masked.text, _ACCOUNT_WORDS):
        for match in _AFTER_ACCOUNT_LABEL.finditer(masked.text):
            masked.claim(*match.span())
    # «3 4 5 6 7»: a display read out digit by digit.
    masked.text = _SPACED_DIGITS.sub(lambda match: match[0].replace(" ", ""), masked.text)
    masked.text = _THOUSANDS.sub(lambda match: match[0].replace(" ", ""), masked.text)
    kwh = _kwh(masked)
    money = 0
    for match in _MONEY.finditer(masked.text):
        masked.claim(*match.span())
        money += 1
    if _has(masked.text, _MONEY_FOR_WORDS) and _ABOUT_READINGS.search(masked.text) is None:
        for match in _MONEY_FOR.finditer(masked.text):
            masked.claim(*match.span())
    dates = _dates(masked)
    other_zone = _OTHER_ZONE.search(masked.text) is not None
    for pattern in (_ADDRESS,) if other_zone else (_ADDRESS, _HOUSE):
        for match in pattern.finditer(masked.text):
            masked.claim(*match.span())
    for pattern in _OTHER_NUMBERS:
        for match in pattern.finditer(masked.text):
            masked.claim(*match.span())
    for pattern, needs in _NOT_READING_GROUPS:
        if not _has(masked.text, needs):
            continue
        for match in pattern.finditer(masked.text):
            masked.claim(*match.span("n"))
    months = _months(masked.text)
    for match in _ORDINARY_DAY.finditer(masked.text):
        if match["weak"] is None or not other_zone:
            masked.claim(*match.span())
    # Last, when only would-be readings are left: is a number after a meter word one of them?
    serials = sorted(serials + _meter_serials(masked))
    remainder = masked.for_readings()
    entities = Entities(
        readings=_readings(remainder),
        accounts=_unique(accounts),
        phones=_unique(phones),
        months=_unique(months),
        dates=_unique(dates),
        kwh=tuple(kwh),
        serials=_unique([number for _, number in serials]),
    )
    signals = _number_signals(remainder)
    signals.money = money
    return Extraction(entities, signals)


def _first_numbers(text: str) -> str:
    """The text up to its MAX_NUMBERS-th run of digits (and a little after, for its unit)."""
    last_end = None
    for count, match in enumerate(_NUMBER_RUN.finditer(text), 1):
        if count > MAX_NUMBERS:
            text = text[: match.start()]
            break
        last_end = match.end() if count == MAX_NUMBERS else None
    if last_end is not None:
        text = text[: last_end + AFTER_LAST_NUMBER]
    return _LONG_RUN.sub(lambda match: _MASK * len(match[0]), text)


def _has(text: str, parts: tuple[str, ...]) -> bool:
    """Whether any of the substrings is in the text: a cheap test before a costly pattern."""
    return _any_of(parts).search(text) is not None


@functools.cache
def _any_of(parts: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(part) for part in parts))


def _unique(items: list[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def _phones(masked: _Masked) -> list[str]:
    found: list[tuple[int, str]] = []
    for match in _PHONE.finditer(masked.text):
        prefix, rest = match[1], match[2]
        digits = re.sub(r"\D", "", rest)
        start = match.start()
        if (
            prefix.startswith("+")
            or "(" in rest
            or ")" in rest
            or digits.startswith(("9", "800"))
            or _PHONE_SHAPE.fullmatch(match[0])
            or _phone_context(masked.text, start)
        ):
            phone = normalize_phone(match[0])
            if phone:
                found.append((start, phone))
                masked.claim(*match.span())
    for match in _BARE_MOBILE.finditer(masked.text):
        if _phone_context(masked.text, match.start()):
            phone = normalize_phone(match[0])
            if phone:
                found.append((match.start(), phone))
                masked.claim(*match.span())
    return [phone for _, phone in sorted(found)]


def _phone_context(text: str, start: int) -> bool:
    return _PHONE_CONTEXT.search(text, max(0, start - 30), start) is not None


def _labelled_serials(masked: _Masked) -> list[tuple[int, str]]:
    """Serial numbers after a serial label («заводской номер 0112345», «s/n …»): before the
    account rule, which would take a 10-digit serial for an account."""
    found: list[tuple[int, str]] = []
    if not _has(masked.text, _SERIAL_WORDS):
        return found
    for match in _SERIAL.finditer(masked.text):
        found.append((match.start(), match[1]))
        masked.claim(*match.span(1))
    return found


def _meter_serials(masked: _Masked) -> list[tuple[int, str]]:
    """Numbers after a meter word that cannot be its reading (see lexicon.METER_LABELS): the
    other rules have claimed what is not a reading, so a number after it is one."""
    found: list[tuple[int, str]] = []
    if not _has(masked.text, _SERIAL_WORDS):
        return found
    for match in _METER_NUMBER.finditer(masked.text):
        number, start = match[2], match.start()
        label = match["label"]
        if label == "№":
            serial = len(number) >= SERIAL_AFTER_NUMBER_SIGN and not _ACCOUNT_BEFORE.search(
                masked.text, max(0, start - 25), start
            )
        elif _READING_BEFORE_METER.search(masked.text, max(0, start - 25), start):
            serial = False  # «показания счетчика 23456»: the reading of the meter
        elif label.startswith("сч") and not label.startswith("сче") and len(number) in (10, 11):
            serial = False  # «сч 5901234567»: «сч» is the account («счёт») as often
        else:
            later = masked.text[match.end() :]
            serial = len(number) >= SERIAL_DIGITS or _LATER_READING.search(later) is not None
        if serial:
            found.append((start, number))
            masked.claim(*match.span(2))
    return found


# A reading named after a meter's number: «счетчик 0112345 показания 4521», «… показания: день
# 12345». («счетчик 23456 ночь 1234» names none: 23456 is the first register's value.)
_LATER_READING = re.compile(
    r"(?<![а-яa-z])(?:показан\w*|показат\w*|данн\w*|reading\w*|пок\b\.?)[^\d\x1f]{0,30}?\d{3,}"
)


def _accounts(masked: _Masked) -> list[str]:
    found: list[str] = []
    account_words = _ACCOUNT_CONTEXT.search(masked.text) is not None
    for match in _GROUPS.finditer(masked.text):
        groups = re.split(r"[ \-]", match[0])
        offset = match.start()
        whole = normalize_account_number(match[0])
        if whole is not None and not (
            len(groups) == 2 and min(map(len, groups)) >= 4 and not account_words
        ):
            found.append(whole)
            masked.claim(*match.span())
            continue
        # A long run may hold an account next to other numbers: «5901234567 12457».
        position = offset
        for group in groups:
            if len(group) in (10, 11):
                found.append(group)
                masked.claim(position, position + len(group))
            position += len(group) + 1
    return found


def _kwh(masked: _Masked) -> list[Decimal]:
    found: list[tuple[int, Decimal]] = []
    for pair in _KWH_ZONES.finditer(masked.text) if _has(masked.text, _KWH_WORDS) else ():
        for group in (1, 3):
            amount = _decimal(pair[group], pair[group + 1])
            if amount is not None:
                found.append((pair.start(group), amount))
        masked.claim(*pair.span())
    position = 0
    while (match := _KWH.search(masked.text, position)) is not None:
        position = match.end()
        amount = _decimal(match[1].replace(" ", ""), match[2])
        if amount is None:
            continue
        found.append((match.start(), amount))
        masked.claim(*match.span())
        end = match.end()
        while (more := _KWH_MORE.match(masked.text, end)) is not None:
            amount = _decimal(more[1], more[2])
            if amount is None:
                break
            found.append((more.start(1), amount))
            masked.claim(more.start(1), more.end())
            end = position = more.end()
    return [amount for _, amount in sorted(found, key=lambda item: item[0])]


def _decimal(integer: str, fraction: str | None) -> Decimal | None:
    try:
        return Decimal(f"{integer}.{fraction}" if fraction else integer)
    except InvalidOperation:  # digits only, so not expected; skip rather than fail
        return None


def _dates(masked: _Masked) -> list[DateValue]:
    found: list[tuple[int, DateValue]] = []
    for match in _NUMERIC_DATE.finditer(masked.text):
        day, month = int(match[1]), int(match[2])
        year = _year(match[3])
        value = _date_value(day, month, year)
        if value is not None:
            found.append((match.start(), value))
            masked.claim(*match.span())
    for match in _DAY_MONTH.finditer(masked.text):
        named = 0 if match[3].startswith("числ") else _month_of(match[3])
        if named is None:
            continue
        year = _year(match[4])
        days = [int(match[1])] + ([int(match[2])] if match[2] else [])
        values = [_date_value(day, named, year) for day in days]
        if all(v is not None for v in values):
            found.extend((match.start(), v) for v in values if v is not None)
            masked.claim(*match.span())
    for pattern in (_DAY_RANGE, _ORDINAL_DAY):
        for match in pattern.finditer(masked.text):
            values = [_date_value(int(day), 0, None) for day in match.groups() if day]
            if values and all(v is not None for v in values):
                found.extend((match.start(), v) for v in values if v is not None)
                masked.claim(*match.span())
    return [value for _, value in sorted(found, key=lambda item: item[0])]


def _year(text: str | None) -> int | None:
    if not text:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _date_value(day: int, month: int, year: int | None) -> DateValue | None:
    if not 1 <= day <= 31 or not 0 <= month <= 12:
        return None
    if year is None or month == 0:
        if (month in (4, 6, 9, 11) and day > 30) or (month == 2 and day > 29):
            return None
        return (day, month)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_of(word: str) -> int | None:
    if word in MONTH_ABBREVIATIONS:
        return MONTH_ABBREVIATIONS[word]
    if word == "may":
        return 5
    for stem, month in MONTH_STEMS:
        if word.startswith(stem):
            return month
    return None


def _months(text: str) -> list[int]:
    found: list[int] = []
    previous = ""
    for match in _MONTH_TOKEN.finditer(text):
        word = match[0]
        if word[:3] not in _MONTH_STARTS:
            month = None  # most words: one set lookup instead of a walk over every stem
        elif word == "may":
            month = 5 if previous in MAY_PREPOSITIONS else None
        elif word.startswith("ма") and not word.startswith("март"):
            month = 5 if word in ("май", "мая", "мае", "маю") else None
        else:
            month = _month_of(word)
        if month is not None:
            found.append(month)
        previous = word
    return found


def _readings(remainder: str) -> tuple[ParsedValue, ...]:
    if _DIGIT.search(remainder) is None:
        return ()
    try:
        return tuple(parse_readings(remainder))
    except Exception:  # the NLU never fails a message; a parser bug must still be seen
        log.exception("parse_readings failed")
        return ()


_CORRECTED = re.compile(
    r"(?<![^\W\d_])не\s+\d{4,}(?:[.,]\d+)?\s*,?\s+а\s+\d{4,}|\d{4,}(?:[.,]\d+)?\s*,?\s+а\s+не\s+\d{4,}"
    r"|(?<![^\W\d_])вместо\s+\d{4,}",
    re.IGNORECASE,
)


def _number_signals(remainder: str) -> NumberSignals:
    corrected = _CORRECTED.search(remainder) is not None and bool(zones_named(remainder))
    signals = NumberSignals(corrected=corrected)
    labelled_at = {match.end() for match in LABELLED_NUMBER.finditer(remainder)}
    for match in _LEFTOVER_NUMBER.finditer(remainder):
        integer_digits = sum(ch.isdigit() for ch in re.split(r"[.,]", match[0])[0])
        if match.start() in labelled_at or integer_digits >= 4:
            signals.reading_like += 1
        else:
            signals.weak += 1
    return signals
