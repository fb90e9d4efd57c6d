"""Numbers written in words, as digits: «шесть тысяч двести» → «6200».

Customers dictate readings to their phone's keyboard or simply spell them out: «двадцать три
тысячи четыреста пятнадцать», «12 тыс 480», «двенадцать тысяч четыреста восемьдесят и пять
десятых», «six thousand two hundred». numbers_in_words() rewrites such a number as digits in
place and leaves the rest of the text as it was, so that the entity rules read it like a typed
one («двести пятьдесят киловатт» becomes an amount of energy, «день двадцать тысяч сто» a day
reading).

It is conservative, because small number words are ordinary words far more often than numbers:
- a lone number below 20 stays a word («один раз», «одна квитанция», «в два раза», «три дня»),
  unless a register label stands right before it («т1 пять»);
- ordinals are not numbers, and neither is a cardinal that leads into one («первый», «двадцать
  первого мая», «в две тысячи двадцать шестом году»);
- digits with a thousands word become one number only when more digits or words follow
  («23 тысячи 415», «12 тыс 480»): «оплатила 5 тыс» stays an amount of money;
- words are joined only across spaces and hyphens («двадцать-пять»), never across punctuation.

Forms: every case of the Russian cardinals, soft signs left out («пятсот», «шездесят» is too
far), «тыс», «тыщ», «полторы тысячи», «полтысячи»; fractions «и пять десятых», «целых пять
десятых», «запятая пять», English «point five»; English cardinals with «and» after a hundred or a
thousand.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.readings import LABEL_WORDS

# value: the forms people write it in (lower case, «е» for «ё»)
_UNITS: dict[int, tuple[str, ...]] = {
    0: ("ноль", "нуль", "ноля", "нуля", "нолю", "нулю", "нолем", "нулем", "zero"),
    1: ("один", "одна", "одно", "одного", "одной", "одному", "одним", "одном", "одну", "one"),
    2: ("два", "две", "двух", "двум", "двумя", "two"),
    3: ("три", "трех", "трем", "тремя", "three"),
    4: ("четыре", "четырех", "четырем", "четырьмя", "four"),
    5: ("пять", "пяти", "пятью", "five"),
    6: ("шесть", "шести", "шестью", "six"),
    7: ("семь", "семи", "семью", "seven"),
    8: ("восемь", "восьми", "восемью", "восьмью", "eight"),
    9: ("девять", "девяти", "девятью", "nine"),
}
_TEENS: dict[int, tuple[str, ...]] = {
    10: ("десять", "десяти", "десятью", "ten"),
    11: ("одиннадцать", "одинадцать", "eleven"),
    12: ("двенадцать", "twelve"),
    13: ("тринадцать", "thirteen"),
    14: ("четырнадцать", "fourteen"),
    15: ("пятнадцать", "fifteen"),
    16: ("шестнадцать", "sixteen"),
    17: ("семнадцать", "seventeen"),
    18: ("восемнадцать", "eighteen"),
    19: ("девятнадцать", "nineteen"),
}
_TENS: dict[int, tuple[str, ...]] = {
    20: ("двадцать", "twenty"),
    30: ("тридцать", "thirty"),
    40: ("сорок", "сорока", "forty", "fourty"),
    50: ("пятьдесят", "пятидесяти", "пятьюдесятью", "fifty"),
    60: ("шестьдесят", "шестидесяти", "шестьюдесятью", "sixty"),
    70: ("семьдесят", "семидесяти", "семьюдесятью", "seventy"),
    80: ("восемьдесят", "восьмидесяти", "восемьюдесятью", "eighty"),
    90: ("девяносто", "девяноста", "ninety"),
}
_HUNDREDS: dict[int, tuple[str, ...]] = {
    100: ("сто", "ста", "сотня", "сотню"),
    200: ("двести", "двухсот", "двумстам", "двумястами", "двухстах"),
    300: ("триста", "трехсот", "тремстам", "тремястами", "трехстах"),
    400: ("четыреста", "четырехсот", "четыремстам", "четырьмястами", "четырехстах"),
    500: ("пятьсот", "пятисот", "пятистам", "пятьюстами", "пятистах"),
    600: ("шестьсот", "шестисот", "шестистам", "шестьюстами", "шестистах"),
    700: ("семьсот", "семисот", "семистам", "семьюстами", "семистах"),
    800: ("восемьсот", "восьмисот", "восьмистам", "восемьюстами", "восьмистах"),
    900: ("девятьсот", "девятисот", "девятистам", "девятьюстами", "девятистах"),
}
_THOUSAND = (
    "тысяча",
    "тысячи",
    "тысяч",
    "тысячу",
    "тысячей",
    "тысячам",
    "тысячами",
    "тысячах",
    "тыс",
    "тыща",
    "тыщи",
    "тыщу",
    "тыщ",
    "thousand",
    "thousands",
)
_HUNDRED_EN = ("hundred", "hundreds")
_ONE_AND_A_HALF = ("полтора", "полторы", "полутора")
_HALF_THOUSAND = ("полтысячи",)
# Fractions: «и пять десятых», «целых пять десятых», «запятая пять», «point five».
_AND = ("и", "and")
_WHOLE = ("целых", "целая", "целые", "целой")
_DENOMINATORS: dict[str, int] = {
    **dict.fromkeys(("десятых", "десятая", "десятые", "десятой"), 1),
    **dict.fromkeys(("сотых", "сотая", "сотые", "сотой"), 2),
    **dict.fromkeys(("тысячных", "тысячная", "тысячные"), 3),
}
_POINT = ("запятая", "запятой", "point")
# Ordinals end a number's reading: «двадцать первого», «две тысячи двадцать шестом».
_ORDINAL = re.compile(
    r"(?:перв|втор|трет|четв[её]рт|пят|шест|седьм|восьм|девят|десят|\w+надцат|\w+десят|"
    r"двадцат|тридцат|сороков|девяност|сот|\w+сот|тысячн)"
    r"(?:ый|ий|ой|ого|его|ому|ему|ом|ем|ым|им|ая|яя|ую|юю|ое|ее|ые|ие|ых|их|ыми|ими|ья|ье|ьи|"
    r"ьего|ьей|ьему|ьем|ью|ьих|ьим|ьими)$"
    r"|first|second|third|(?:four|fif|six|seven|eigh|nin|ten|eleven|twelf|\w+teen|\w+tie)th"
)
# Labels that make even a small number a reading: «т1 пять», «день девятнадцать».
_LABELLED = re.compile(
    r"(?<![а-яa-z0-9])(?:"
    + "|".join(
        re.escape(label) for label in sorted(LABEL_WORDS, key=len, reverse=True) if len(label) > 1
    )
    + r")[ \t\u00a0]*[:=\-]?[ \t\u00a0]*$"
)
SMALLEST_ALONE = 20  # a number in words below this stays words unless labelled
# The entity rules look at a message's first 32 numbers only (entities.MAX_NUMBERS): more
# conversions would be work for nothing.
MAX_CONVERSIONS = 32

_TOKEN = re.compile(r"\d+|[а-яa-z]+")
# What may stand between the words of one number: spaces, a hyphen; a dot after «тыс».
_JOIN = re.compile(r"[ \t\u00a0]*(?:-[ \t\u00a0]*)?")


def _table(*tables: dict[int, tuple[str, ...]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for table in tables:
        for value, forms in table.items():
            for form in forms:
                found.setdefault(form, value)
                # «пятсот», «шестдесят», «восемсот»: the soft sign left out.
                found.setdefault(form.replace("ь", ""), value)
    return found


UNITS = _table(_UNITS)
TEENS = _table(_TEENS)
TENS = _table(_TENS)
HUNDREDS = _table(_HUNDREDS)
THOUSANDS = frozenset(_THOUSAND)
# Words that can start or continue a number: the quick test of whether a text has any.
NUMBER_WORDS = frozenset(
    {*UNITS, *TEENS, *TENS, *HUNDREDS, *THOUSANDS, *_HUNDRED_EN, *_ONE_AND_A_HALF}
    | set(_HALF_THOUSAND)
)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    gap_before: str  # the text between the previous token and this one


@dataclass(frozen=True, slots=True)
class _Number:
    end: int  # index of the first token after it
    value: Decimal
    digits: bool  # some of it was typed in digits
    thousands: bool  # it has a thousands word
    remainder: bool  # something follows the thousands word
    words: int  # number words in it


MAX_PASSES = 3


@functools.lru_cache(maxsize=256)
def numbers_in_words(text: str) -> str:
    """`text` with the numbers written in words replaced by digits (see the module docstring).

    Expects lower case («ё» as «е»), as dialogs.nlu.text.normalize() gives; other text is
    returned unchanged."""
    # Once more while a pass changed something: a multiplier left over after a number was read
    # («0 тысяч 0 тысяч 0») is read with the digits before it the second time.
    for _ in range(MAX_PASSES):
        converted = _convert(text)
        if converted == text:
            break
        text = converted
    return text


def _convert(text: str) -> str:
    if not NUMBER_WORDS.intersection(re.findall(r"[а-яa-z]+", text)):
        return text
    tokens = _tokens(text)
    pieces: list[str] = []
    position = 0
    index = 0
    converted = 0
    while index < len(tokens) and converted < MAX_CONVERSIONS:
        number = _number(tokens, index)
        if number is None:
            index += 1
            continue
        if _worth_converting(text, tokens, index, number):
            pieces.append(text[position : tokens[index].start])
            pieces.append(_digits(number.value))
            position = tokens[number.end - 1].end
            converted += 1
        index = number.end
    pieces.append(text[position:])
    return "".join(pieces)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    previous = 0
    for match in _TOKEN.finditer(text):
        tokens.append(_Token(match[0], match.start(), match.end(), text[previous : match.start()]))
        previous = match.end()
    return tokens


def _joined(tokens: Sequence[_Token], index: int) -> bool:
    """Token `index` continues the number the token before it is part of."""
    if index >= len(tokens):
        return False
    gap = tokens[index].gap_before
    if tokens[index - 1].text in ("тыс", "тыщ") and gap.strip() == ".":
        return True
    return _JOIN.fullmatch(gap) is not None


def _group(tokens: Sequence[_Token], index: int) -> tuple[int, int, int] | None:
    """A number below 1000 in words from token `index`: (next index, value, words used)."""
    value, used, at = 0, 0, index

    def word(k: int) -> str | None:
        return tokens[k].text if k < len(tokens) and (k == index or _joined(tokens, k)) else None

    if (w := word(at)) in HUNDREDS:
        value, used, at = HUNDREDS[w], used + 1, at + 1
    elif w in UNITS and word(at + 1) in _HUNDRED_EN and UNITS[w] > 0:  # «six hundred»
        value, used, at = UNITS[w] * 100, used + 2, at + 2
        if word(at) in _AND and (
            word(at + 1) in TENS or word(at + 1) in TEENS or word(at + 1) in UNITS
        ):
            at += 1  # «two hundred and five»
    w = word(at)
    if w in TEENS:
        return at + 1, value + TEENS[w], used + 1
    if w in TENS:
        value, used, at = value + TENS[w], used + 1, at + 1
        w = word(at)
    if w in UNITS and (UNITS[w] > 0 or used == 0):
        return at + 1, value + UNITS[w], used + 1
    return (at, value, used) if used else None


def _number(tokens: Sequence[_Token], index: int) -> _Number | None:
    """The number that starts at token `index`, if one does."""
    first = tokens[index].text
    digits = first.isdigit()
    thousands = remainder = False
    if first in _HALF_THOUSAND:
        at, value, used, thousands = index + 1, 500, 1, True
    elif first in _ONE_AND_A_HALF:
        if not (_joined(tokens, index + 1) and tokens[index + 1].text in THOUSANDS):
            return None
        at, value, used, thousands = index + 2, 1500, 2, True
    elif digits:
        # Digits start a number only before a thousands word: «23 тысячи 415».
        if len(first) > 3 or not (
            _joined(tokens, index + 1) and tokens[index + 1].text in THOUSANDS
        ):
            return None
        at, value, used, thousands = index + 2, int(first) * 1000, 1, True
    elif first in THOUSANDS and first not in ("тыс", "тыщ", "thousand", "thousands"):
        at, value, used, thousands = index + 1, 1000, 1, True  # «тысяча двести»
    else:
        group = _group(tokens, index)
        if group is None:
            return None
        at, value, used = group
        if _joined(tokens, at) and tokens[at].text in THOUSANDS:
            if value == 0:
                return None
            at, value, used, thousands = at + 1, value * 1000, used + 1, True
    if thousands and _joined(tokens, at):
        if (
            tokens[at].text == "and"
            and _group(tokens, at + 1) is not None
            and _joined(tokens, at + 1)
        ):
            at += 1  # «two thousand and five»
        following = tokens[at].text
        if following.isdigit() and len(following) <= 3 and not _joined(tokens, at + 1):
            at, value, remainder, digits = at + 1, value + int(following), True, True
        elif (group := _group(tokens, at)) is not None:
            at, value, used, remainder = group[0], value + group[1], used + group[2], True
    whole = Decimal(value)
    at, fraction = _fraction(tokens, at)
    return _Number(at, whole + fraction, digits, thousands, remainder, used)


def _fraction(tokens: Sequence[_Token], at: int) -> tuple[int, Decimal]:
    """«и пять десятых», «целых двадцать пять сотых», «запятая пять», «point five» after the
    whole part: (next index, the fraction), or (at, 0) when there is none."""
    if not _joined(tokens, at):
        return at, Decimal(0)
    start = at
    word = tokens[at].text
    if word in _POINT:
        decimals = ""
        at += 1
        while _joined(tokens, at) and tokens[at].text in UNITS:
            decimals += str(UNITS[tokens[at].text])
            at += 1
        if not decimals and (group := _group(tokens, at)) is not None and _joined(tokens, at):
            at, decimals = group[0], str(group[1])
        return (at, Decimal("0." + decimals)) if decimals else (start, Decimal(0))
    if word in _WHOLE or word in _AND:
        at += 1
        if word in _AND and _joined(tokens, at) and tokens[at].text in _WHOLE:
            at += 1
        if not _joined(tokens, at):
            return start, Decimal(0)
        group = _group(tokens, at)
        if group is None or not _joined(tokens, group[0]):
            return start, Decimal(0)
        places = _DENOMINATORS.get(tokens[group[0]].text) if group[0] < len(tokens) else None
        if places is None or group[1] >= 10**places:
            return start, Decimal(0)
        return group[0] + 1, Decimal(group[1]).scaleb(-places)
    return at, Decimal(0)


def _worth_converting(text: str, tokens: Sequence[_Token], index: int, number: _Number) -> bool:
    after = number.end
    if after < len(tokens) and _joined(tokens, after) and _ORDINAL.match(tokens[after].text):
        return False  # «двадцать первого», «две тысячи двадцать шестом году»
    if number.digits:
        return number.thousands and number.remainder  # «23 тысячи 415»; not «5 тыс»
    if number.value >= SMALLEST_ALONE or number.value != number.value.to_integral_value():
        return True
    return _LABELLED.search(text, 0, tokens[index].start) is not None


def _digits(value: Decimal) -> str:
    return format(value.normalize() if value == value.to_integral_value() else value, "f")
