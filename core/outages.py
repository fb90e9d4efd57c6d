"""Supply interruptions (плановые и аварийные отключения) and the addresses they reach.

The grid company's schedule names a settlement, a street and a houses field; accounts carry one
free-text address. Both sides are normalised the same way and compared:

- **Settlement**: lower case, ё→е, its type word («г.», «с.», «д.», «пос.», «пгт»...) dropped; the
  region and district («Пермский край», «Пермский р-н», «...муниципальный округ») are not part of
  it. An address without a settlement matches nothing.
- **Street**: the name without its type word, and the type canonicalised separately («пр-т»,
  «проспект», «пр.» are one type). Streets are the same when the names are equal and the types
  equal or one of them missing: «ул. Ленина» = «Ленина» = «улица Ленина» = «Ленина ул.»,
  «Комсомольский пр-т» = «Комсомольский проспект», but «ул. Гагарина» ≠ «б-р Гагарина». Names are
  compared exactly (no stemming, no fuzzy matching), so «Ленина» never matches «Ленинская».
- **House**: the number with its letter, fraction, корпус and строение in one canonical form
  («12а», «7/1», «12 к2», «12 с1»). See `HouseSpec` for how a houses field matches one.

Everything here is pure: parse the schedule once (`Outage`, `HouseSpec`), index it
(`OutageIndex`) and run every account's address through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache


class OutageKind(StrEnum):
    PLANNED = "planned"
    EMERGENCY = "emergency"


class Parity(StrEnum):
    EVEN = "even"
    ODD = "odd"


def _parity(number: int) -> Parity:
    return Parity.EVEN if number % 2 == 0 else Parity.ODD


# --- text --------------------------------------------------------------------------------------

_CHARS = {
    "ё": "е",
    "–": "-",
    "—": "-",
    "‑": "-",
    "−": "-",
    "\u00a0": " ",
    "«": " ",
    "»": " ",
    '"': " ",
    "„": " ",
    "“": " ",
    "”": " ",
    "'": " ",
    "№": " ",
}
# A regular expression, not str.translate: translating non-ASCII text costs ten times more, and
# most addresses have none of these characters.
_ODD_CHARS = re.compile("[" + "".join(_CHARS) + "]")
# Dotted abbreviations of several letters would fall apart into one-letter tokens.
_ABBREVIATIONS = (
    (re.compile(r"\bп\.\s*г\.\s*т\b\.?|\bпоселок городского типа\b"), " пгт "),
    (re.compile(r"\bр\.\s*п\b\.?|\bрабочий поселок\b"), " рп "),
    (re.compile(r"\b[мг]\.\s*о\b\.?"), " округ "),
)
# Substrings without which none of them can be there: cheaper to look for than \b patterns.
_ABBREVIATION_HINTS = ("п.", "р.", "г.о", "г. о", "м.о", "м. о", "поселок")
# A marker glued to its number: «д64», «кв17», «к2» (not «12к2», which is one house).
_GLUED = re.compile(r"(дом|д|кв|корп|стр|лит|к|с)(\d.*)")
_TOKEN = re.compile(r"[0-9a-zа-я]+(?:[-/][0-9a-zа-я]+)*|[,;]")


def _odd_char(match: re.Match[str]) -> str:
    return _CHARS[match.group()]


def _prepare(text: str) -> str:
    """Lower case, ё→е, one kind of dash, no quotes: what both sides of a comparison go through."""
    text = text.lower()
    return _ODD_CHARS.sub(_odd_char, text) if _ODD_CHARS.search(text) else text


def _tokens(text: str) -> list[str]:
    """Words and numbers without their dots; «,» and «;» kept as boundaries (both become «,»)."""
    prepared = _prepare(text)
    if any(hint in prepared for hint in _ABBREVIATION_HINTS):
        for pattern, replacement in _ABBREVIATIONS:
            prepared = pattern.sub(replacement, prepared)
    tokens: list[str] = []
    for token in _TOKEN.findall(prepared):
        if token[0] in "дклс" and (glued := _GLUED.fullmatch(token)):
            tokens.extend(glued.groups())
        else:
            tokens.append("," if token == ";" else token)
    return tokens


# --- houses ------------------------------------------------------------------------------------

# A Latin letter typed for its Cyrillic twin («12A», «12B» on an English keyboard layout).
_LATIN_TWINS = str.maketrans("abcehkmoptxy", "авсенкмортху")

_HOUSE_NUMBER = re.compile(r"\s*(\d+)")
_HOUSE_PARTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s*/\s*(\d+)"), "/{}"),
    (re.compile(r"\s*(?:корпус|корп|к)\.?\s*(\d+)"), " к{}"),
    (re.compile(r"\s*(?:строение|стр|с)\.?\s*(\d+)"), " с{}"),
    (re.compile(r"\s*(?:литера|литер|лит)\.?\s*([а-яa-z])(?![а-яa-z](?!\d))"), "{}"),
    # A letter: «12а», «12 а», «12-а», «12ак1»; never the start of a word («12 кв»).
    (re.compile(r"\s*-?\s*([а-яa-z])(?![а-яa-z](?!\d))"), "{}"),
)
_LETTER_PARTS = frozenset({"{}"})  # templates of a letter: two in a row are no house («12 а б»)


@dataclass(frozen=True, slots=True)
class House:
    """A house: its leading number and the rest in canonical form («а», «/1», « к2», « с1»)."""

    number: int
    suffix: str = ""

    def __str__(self) -> str:
        return f"{self.number}{self.suffix}"


def parse_house(text: str) -> House | None:
    """«64», «12 А», «7/1», «12 корп. 2», «12к2», «5 стр 1» as a House; None if it is not one.

    Canonical forms read back as themselves: str(parse_house(s)) is a fixed point.
    """
    return _parse_house(_prepare(text).strip().rstrip("."))


@lru_cache(maxsize=4096)  # the same few hundred house numbers recur across a million addresses
def _parse_house(text: str) -> House | None:
    head = _HOUSE_NUMBER.match(text)
    if head is None:
        return None
    number = int(head.group(1))
    parts: list[str] = []
    position = head.end()
    letter = False
    while position < len(text):
        for pattern, template in _HOUSE_PARTS:
            part = pattern.match(text, position)
            if part is not None:
                if letter and template in _LETTER_PARTS:
                    return None  # «12аа» would not read back as one letter
                letter = template in _LETTER_PARTS
                parts.append(template.format(part.group(1).translate(_LATIN_TWINS)))
                position = part.end()
                break
        else:
            rest = text[position:]
            if rest.strip(" ."):
                return None
            break
    return House(number, "".join(parts))


_PARITY_WORD = (
    r"(?P<odd>нечет(?:н(?:ые|ая|ый|ое|ых)?)?|odd)|(?P<even>чет(?:н(?:ые|ая|ый|ое|ых)?)?|even)"
)
# A side of the street at the end of an element: «2-20 чётные», «1-9 (нечет.)», «чётная сторона».
_PARITY_TAIL = re.compile(
    rf"(?:^|(?<=[\s\d(]))\(?\s*(?:{_PARITY_WORD})\.?(?:\s*сторона)?\s*\)?\s*$"
)
_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)")
_RANGE_LIKE = re.compile(r"[^\s-]+(?:\s*-\s*[^\s-]+)+")
_HOUSE_PREFIX = re.compile(r"(?:дома|дом|д)\.?\s*(?=\d)")
_SPEC_HELP = (
    "expected a house (12, 12а, 7/1, 12 к2), a range (1-15, 2-20 чётные) "
    "or a side of the street (чётные, нечётные)"
)


class HouseSpecError(ValueError):
    """A houses field that cannot be read: the part at fault (None: the field as a whole) and
    what is wrong with it."""

    def __init__(self, spec: str, part: str | None, problem: str) -> None:
        self.spec, self.part, self.problem = spec.strip(), part, problem
        where = f"{part!r}: " if part is not None else ""
        super().__init__(f"houses {self.spec!r}: {where}{problem}")


@dataclass(frozen=True, slots=True)
class HouseSpec:
    """A houses field of the schedule: «1-15,17,2-20 чётные», «1-9 нечетные», «5а, 7/1, 12 к2».

    Empty means the whole street. Elements are separated by commas (or semicolons):

    - a range «1-15» (inclusive), optionally of one side: «2-20 чётные», «1-9 нечет.», «odd»;
    - a side alone, «чётные» / «нечётная сторона»: every house of that side;
    - a house. A plain number «17» covers 17 and every house numbered 17 with a letter,
      fraction or корпус («17а», «17/1», «17 к2»): they stand on the same plot. A house with a
      suffix «5а» covers only «5а» itself (canonical forms compared: «5 А» is «5а»).

    A house with a suffix falls into a range or a side by its leading number: «12а» is in «1-15»
    and is even. The schedules name plots by number; a letter or корпус is a building on the plot
    and is fed from the same line, so being left out would be the worse mistake.
    """

    text: str
    whole_street: bool = False
    ranges: tuple[tuple[int, int, Parity | None], ...] = ()
    numbers: frozenset[int] = frozenset()
    houses: frozenset[str] = frozenset()
    sides: frozenset[Parity] = frozenset()

    @classmethod
    def parse(cls, text: str) -> HouseSpec:
        """The spec, or HouseSpecError (a ValueError) naming the part that cannot be read."""
        prepared = _prepare(text).strip()
        if not prepared:
            return cls(text, whole_street=True)
        ranges: list[tuple[int, int, Parity | None]] = []
        numbers: set[int] = set()
        houses: set[str] = set()
        sides: set[Parity] = set()

        def bad(element: str, problem: str) -> HouseSpecError:
            return HouseSpecError(text, element.strip(), problem)

        # The original text split alike, so that a message quotes what the schedule says.
        for element, prepared_element in zip(
            re.split(r"[,;]", text), re.split(r"[,;]", prepared), strict=True
        ):
            rest = _HOUSE_PREFIX.sub("", prepared_element.strip(), count=1)
            if not rest:
                continue  # «1-5,,7» or a trailing comma: nothing lost
            side: Parity | None = None
            tail = _PARITY_TAIL.search(rest)
            if tail is not None:
                side = Parity.ODD if tail.group("odd") else Parity.EVEN
                rest = rest[: tail.start()].strip()
                if not rest:
                    sides.add(side)
                    continue
            span = _RANGE.fullmatch(rest)
            if span is not None:
                low, high = int(span.group(1)), int(span.group(2))
                if low == 0:
                    raise bad(element, "house numbers start at 1")
                if low > high:
                    raise bad(element, f"the range runs backwards ({low} > {high})")
                if side is not None and low == high and _parity(low) is not side:
                    raise bad(element, f"{low} is not {side}")
                ranges.append((low, high, side))
                continue
            house = parse_house(rest)
            if house is None:
                if _RANGE_LIKE.fullmatch(rest):
                    raise bad(element, "a range goes between two plain numbers, like 1-15")
                raise bad(element, _SPEC_HELP)
            if house.number == 0:
                raise bad(element, "house numbers start at 1")
            if side is not None and house.suffix:
                raise bad(element, "a side of the street qualifies a range or a plain number")
            if side is not None and _parity(house.number) is not side:
                raise bad(element, f"{house.number} is {_parity(house.number)}, not {side}")
            if house.suffix:
                houses.add(str(house))
            else:
                numbers.add(house.number)
        if not (ranges or numbers or houses or sides):
            raise HouseSpecError(text, None, f"no houses in it ({_SPEC_HELP})")
        return cls(
            text,
            ranges=tuple(ranges),
            numbers=frozenset(numbers),
            houses=frozenset(houses),
            sides=frozenset(sides),
        )

    def matches(self, house: House | str | None) -> bool:
        """Whether the house is covered; an unknown house (None, unreadable) only by a whole
        street."""
        if self.whole_street:
            return True
        if isinstance(house, str):
            house = parse_house(house)
        if house is None:
            return False
        number = house.number
        if number in self.numbers or (house.suffix and str(house) in self.houses):
            return True
        if self.sides and _parity(number) in self.sides:
            return True
        return any(
            low <= number <= high and (side is None or _parity(number) is side)
            for low, high, side in self.ranges
        )


# --- addresses ---------------------------------------------------------------------------------

_SETTLEMENT_TYPES = frozenset(
    {
        "г",
        "гор",
        "город",
        "с",
        "село",
        "д",
        "дер",
        "деревня",
        "п",
        "пос",
        "поселок",
        "пгт",
        "рп",
        "х",
        "хут",
        "хутор",
        "ст-ца",
        "станица",
    }
)
_STREET_TYPES = {
    "ул": "ул",
    "улица": "ул",
    "пр-т": "пр-т",
    "пр-кт": "пр-т",
    "пр": "пр-т",
    "просп": "пр-т",
    "проспект": "пр-т",
    "пер": "пер",
    "переулок": "пер",
    "ш": "ш",
    "шоссе": "ш",
    "б-р": "б-р",
    "бул": "б-р",
    "бульв": "б-р",
    "бульвар": "б-р",
    "пл": "пл",
    "площадь": "пл",
    "наб": "наб",
    "набережная": "наб",
    "тракт": "тракт",
    "пр-д": "проезд",
    "проезд": "проезд",
    "туп": "туп",
    "тупик": "туп",
    "мкр": "мкр",
    "мкрн": "мкр",
    "мкр-н": "мкр",
    "микрорайон": "мкр",
    "кв-л": "кв-л",
    "квартал": "кв-л",
    "аллея": "аллея",
}
# Type words that are also street names in their own right: «ул. Набережная», «Набережная ул.».
_NAMEABLE = frozenset({"набережная", "площадь", "аллея", "тракт", "шоссе", "бульвар", "проспект"})
_REGION = frozenset(
    {
        "край",
        "кр",
        "обл",
        "область",
        "респ",
        "республика",
        "р-н",
        "р-он",
        "район",
        "округ",
        "ао",
        "россия",
        "рф",
    }
)
_HOUSE_WORDS = frozenset({"д", "дом", "вл", "владение"})
# Parts of a house (flat, office, entrance, floor): dropped up to the next comma or marker.
_FLAT_WORDS = frozenset(
    [
        "кв",
        "квартира",
        "оф",
        "офис",
        "ком",
        "комн",
        "комната",
        "пом",
        "помещение",
        "под",
        "подъезд",
        "эт",
        "этаж",
    ]
)
_SUFFIX_WORDS = frozenset({"корп", "корпус", "стр", "строение", "лит", "литер", "литера"})
_NOT_NAMES = _SETTLEMENT_TYPES | _REGION | _HOUSE_WORDS | _FLAT_WORDS | _SUFFIX_WORDS
_HONORIFICS = frozenset({"им", "имени"})
_POSTCODE = re.compile(r"\d{6}")
_FLAT_AFTER_HOUSE = re.compile(r"(\d+[а-я]?(?:/\d+[а-я]?)?)-\d+")  # «64-17»: house 64, flat 17
_ORDINALS = (
    (re.compile(r"(\d+)-?(?:ая|я)"), r"\1-я"),
    (re.compile(r"(\d+)-?(?:ый|ой|ий|й)"), r"\1-й"),
)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address reduced to what outages are matched on (see the module's docstring).

    `house` is canonical («12а», «12 к2») when it could be read, the text found where the house
    should be otherwise, "" when there was none. `street_type` is canonical («ул», «пр-т») or "".
    """

    settlement: str
    street: str
    house: str
    street_type: str = ""


def _numberish(token: str) -> bool:
    return token[:1].isdigit()


def _name_word(token: str) -> bool:
    return token[:1].isalpha() and token not in _NOT_NAMES


def _houseish(token: str) -> bool:
    return _numberish(token) or len(token) == 1 or token in _SUFFIX_WORDS


def _split_house(tokens: list[str]) -> tuple[list[str], list[str]]:
    """A part's words and the house that ends it: «ленина 64 а» → «ленина», «64 а»; «25 октября»
    stays a name (a number followed by a word is part of it)."""
    for start in range(1, len(tokens)):
        if _numberish(tokens[start]) and all(_houseish(t) for t in tokens[start:]):
            return tokens[:start], tokens[start:]
    return tokens, []


def _street_name(tokens: list[str]) -> str:
    words = []
    for token in tokens:
        if token in _HONORIFICS:
            continue  # «ул. им. Ленина» is «ул. Ленина»
        for pattern, replacement in _ORDINALS:
            token = pattern.sub(replacement, token) if pattern.fullmatch(token) else token
        words.append(token)
    return " ".join(words)


def _house_text(tokens: list[str]) -> str:
    if not tokens:
        return ""
    first = _FLAT_AFTER_HOUSE.fullmatch(tokens[0])
    if first is not None:
        tokens = [first.group(1), *tokens[1:]]
    house = parse_house(" ".join(tokens)) or parse_house(tokens[0])  # «64 17»: the flat after it
    return str(house) if house is not None else " ".join(tokens)


@dataclass(slots=True)
class _Part:
    kind: str  # "settlement", "street", "house" or "loose" (no marker said what it is)
    tokens: list[str] = field(default_factory=list)
    street_type: str = ""


class _AddressReader:
    """Cuts the tokens into parts at commas and at the markers («г.», «ул.», «д. 5», «кв.»).

    Without commas the markers alone decide: «г Пермь ул Ленина 64-17». A type word after its
    name («Комсомольский пр-т», «Пермь г.») turns the words before it into that part.
    """

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.parts: list[_Part] = []
        self.current: _Part | None = self._open("loose")
        self.started = False  # a word or number taken: a postcode is no longer in front

    def _open(self, kind: str, street_type: str = "") -> _Part:
        part = _Part(kind, street_type=street_type)
        self.parts.append(part)
        self.current = part
        return part

    def _at(self, index: int) -> str:
        return self.tokens[index] if index < len(self.tokens) else ""

    def read(self) -> list[_Part]:
        for index, token in enumerate(self.tokens):
            if token == ",":
                self._open("loose")
            elif not self._marker(index, token):
                self._add(token)
        return self.parts

    def _add(self, token: str) -> None:
        if self.current is None:  # in a flat or a region: dropped
            return
        if not self.started:
            if _POSTCODE.fullmatch(token):
                return  # the postcode in front
            self.started = True
        self.current.tokens.append(token)

    def _marker(self, index: int, token: str) -> bool:
        """Act on a marker; False when the token is an ordinary word here."""
        current = self.current
        if current is not None and current.kind in ("street", "settlement") and not current.tokens:
            return False  # the first word of a name, even «П.» in «ул. П. Осипенко»
        following = self._at(index + 1)
        if token in _FLAT_WORDS:
            self.current = None
            return True
        if token in _HOUSE_WORDS and (_numberish(following) or following == "б/н"):
            self._open("house")
            return True
        if token in _SUFFIX_WORDS or (token in ("к", "с") and _numberish(following)):
            return self._house_suffix(token)
        if token in _SETTLEMENT_TYPES:
            if _name_word(following):
                self._open("settlement")
                return True
            if (
                current is not None
                and current.kind == "loose"
                and current.tokens
                and not any(_numberish(t) for t in current.tokens)  # «Пермь г.», not «64 г»
            ):
                current.kind = "settlement"
                self._open("loose")
                return True
            return False
        if token in _STREET_TYPES:
            return self._street_type(index, token, following)
        if token in _REGION:
            if current is not None and current.kind == "loose":
                current.tokens.clear()  # «Пермский» of «Пермский край»
            self.current = None
            return True
        return False

    def _street_type(self, index: int, token: str, following: str) -> bool:
        street_type = _STREET_TYPES[token]
        after = self._at(index + 2)
        current = self.current
        # Words before it that it can be the type of: «Комсомольский» of «Комсомольский пр-т».
        named = current is not None and (
            (current.kind == "loose" and bool(current.tokens))
            or (current.kind == "settlement" and len(current.tokens) >= 2)
        )
        prefix = (
            (_name_word(following) and not (token in _NAMEABLE and following in _STREET_TYPES))
            or (_numberish(following) and _name_word(after) and len(after) > 1)  # «ул. 25 Октября»
            or (len(following) == 1 and following.isalpha() and _name_word(after))  # «ул. П. …»
            or (not named and _numberish(following))  # «ул. 8 Марта» cut short: «ул. 8, д. 3»
        )
        if prefix:
            self._open("street", street_type)
            return True
        if current is None or not named:
            return False
        if current.kind == "loose":
            current.kind, current.street_type = "street", street_type
            return True
        # «г Пермь Комсомольский пр-т 32»: the street's name is the word before its type.
        name = current.tokens.pop()
        self._open("street", street_type).tokens.append(name)
        return True

    def _house_suffix(self, token: str) -> bool:
        current = self.current
        if current is not None and current.tokens and _houseish(current.tokens[-1]):
            current.tokens.append(token)  # «д. 12 корп. 2», «Ленина 12 к 2»
            return True
        houses = [part for part in self.parts if part.kind == "house"]
        if houses:  # «д. 12, корп. 2»: back to the house
            self.current = houses[-1]
            houses[-1].tokens.append(token)
            return True
        return False


def parse_address(text: str) -> ParsedAddress:
    """An account's free-text address reduced to settlement, street and house.

    Reads «Пермский край, г. Пермь, ул. Ленина, д. 64, кв. 17», «Комсомольский пр-т, д. 32»,
    «Пермский р-н, с. Лобаново, ул. Центральная, д. 3», «г Пермь ул Ленина 64-17», «Пермь г,
    Ленина ул, 64», «614000, Пермь, Ленина 64»... Never raises: what cannot be found is "".
    «д.» before a number is the house, before a word a деревня. Without commas and without any
    type word («Пермь Ленина 64») settlement and street cannot be told apart: all of it is taken
    as the street, so such an address matches nothing rather than a wrong street.
    """
    parts = _AddressReader(_tokens(text)).read()
    settlement: list[str] | None = None
    street: tuple[list[str], str, int] | None = None
    house: list[str] | None = None
    loose: list[tuple[int, list[str]]] = []
    housed: list[tuple[int, list[str]]] = []  # unmarked parts ending in a house: «Ленина 64»
    marked_street = any(part.kind == "street" and part.tokens for part in parts)

    for index, part in enumerate(parts):
        if not part.tokens:
            continue
        if part.kind == "house":
            house = house or part.tokens
            continue
        words: list[str]
        if part.kind == "loose" and _numberish(part.tokens[0]) and all(map(_houseish, part.tokens)):
            words, tail = [], part.tokens  # a part that is only a house: «64», «12 к 2»
        else:
            words, tail = _split_house(part.tokens)
        if tail:
            house = house or tail
        if not words:
            continue
        if part.kind == "settlement":
            if tail and len(words) >= 2 and not marked_street:
                # «г Пермь Ленина 64»: no street type, so the last word before the house.
                words, street_words = words[:-1], words[-1:]
                housed.append((index, street_words))
            settlement = words  # the last one is the most specific («г. Пермь, п. Новые Ляды»)
        elif part.kind == "street":
            street = street or (words, part.street_type, index)
        elif tail:
            housed.append((index, words))
        else:
            loose.append((index, words))

    if street is None and housed:
        street = (housed[-1][1], "", housed[-1][0])
    if street is None and loose:
        if settlement is not None or len(loose) >= 2:
            street = (loose[-1][1], "", loose[-1][0])
        else:
            settlement = loose[0][1]  # «Лобаново, 5»: a settlement without streets
    if settlement is None and street is not None:
        before = [words for index, words in loose if index < street[2]]
        if before:
            settlement = before[-1]

    return ParsedAddress(
        settlement=" ".join(settlement or ()),
        street=_street_name(street[0]) if street else "",
        house=_house_text(house or []),
        street_type=street[1] if street else "",
    )


def settlement_key(text: str) -> str:
    """A settlement as the schedule names it («Пермь», «г. Пермь», «Лобаново с.», «Пермский
    край, г. Пермь») normalised: the last comma-separated part that is not a region or district,
    without its type word."""
    groups: list[list[str]] = [[]]
    for token in _tokens(text):
        if token == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    places = [group for group in groups if group and _REGION.isdisjoint(group)]
    tokens = places[-1] if places else []
    if len(tokens) == 1 and tokens[0] in _SETTLEMENT_TYPES:
        return ""  # «г.» alone names no settlement
    if len(tokens) >= 2 and tokens[0] in _SETTLEMENT_TYPES:
        tokens = tokens[1:]
    elif len(tokens) >= 2 and tokens[-1] in _SETTLEMENT_TYPES:
        tokens = tokens[:-1]
    return " ".join(tokens)


def street_key(text: str) -> tuple[str, str]:
    """A street as the schedule names it («ул. Ленина», «Комсомольский проспект») as (name,
    canonical type or "")."""
    tokens = [token for token in _tokens(text) if token != ","]
    street_type = ""
    if (
        len(tokens) >= 2
        and tokens[0] in _STREET_TYPES
        and not (tokens[0] in _NAMEABLE and tokens[1] in _STREET_TYPES)
    ):
        street_type, tokens = _STREET_TYPES[tokens[0]], tokens[1:]
    elif len(tokens) >= 2 and tokens[-1] in _STREET_TYPES:
        street_type, tokens = _STREET_TYPES[tokens[-1]], tokens[:-1]
    return _street_name(tokens), street_type


def same_street_type(one: str, other: str) -> bool:
    """A missing type agrees with any: «Ленина» is «ул. Ленина» and «пер. Ленина» alike."""
    return not one or not other or one == other


# --- outages -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outage:
    """One interruption of the schedule. Construction checks it: ValueError says what is wrong
    (times without an offset, an end not after the start, a houses field that cannot be read)."""

    settlement: str
    street: str
    houses: str  # the schedule's text; "" is the whole street
    starts_at: datetime
    ends_at: datetime
    kind: OutageKind
    reason: str = ""
    spec: HouseSpec = field(init=False, repr=False, compare=False)
    place: tuple[str, str] = field(init=False, repr=False, compare=False)  # (settlement, street)
    street_type: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, moment in (("starts_at", self.starts_at), ("ends_at", self.ends_at)):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime: {moment.isoformat()}")
        if self.ends_at <= self.starts_at:
            raise ValueError(
                f"the outage must end after it starts: {self.starts_at.isoformat()} .. "
                f"{self.ends_at.isoformat()}"
            )
        settlement = settlement_key(self.settlement)
        if not settlement:
            raise ValueError(f"no settlement in {self.settlement!r}")
        name, street_type = street_key(self.street)
        # Frozen: the parsed forms are set once here, so matching never parses the schedule again.
        object.__setattr__(self, "kind", OutageKind(self.kind))
        object.__setattr__(self, "spec", HouseSpec.parse(self.houses))
        object.__setattr__(self, "place", (settlement, name))
        object.__setattr__(self, "street_type", street_type)

    def covers(self, address: str | ParsedAddress) -> bool:
        """Whether the outage reaches the address: same settlement and street, house in the
        spec (an address without a readable house only by a whole-street outage)."""
        parsed = address if isinstance(address, ParsedAddress) else parse_address(address)
        return (
            (parsed.settlement, parsed.street) == self.place
            and same_street_type(parsed.street_type, self.street_type)
            and self.spec.matches(parsed.house or None)
        )


_LETTERS = re.compile(r"[а-яa-z]+")


class OutageIndex:
    """Outages by (settlement, street), for running every account's address through them.

    Parsing a text address costs tens of microseconds, so a text address is first looked for a
    word of an indexed street's name (a set lookup per word) and only those that have one are
    parsed. The word is one the name keeps as written, so the shortcut never hides a match. Pass
    ParsedAddress values to skip parsing altogether (addresses parsed once and kept).
    """

    __slots__ = ("_by_place", "_needles", "_outages")

    def __init__(self, outages: Iterable[Outage]) -> None:
        self._outages = tuple(outages)
        self._by_place: dict[tuple[str, str], list[Outage]] = {}
        needles: set[str | None] = set()
        for outage in self._outages:
            self._by_place.setdefault(outage.place, []).append(outage)
            needles.add(_needle(outage.place[1]) or _needle(outage.place[0]))
        # A place without letters to look for (a street named «8») turns the shortcut off.
        self._needles: frozenset[str] | None = None
        if None not in needles:
            self._needles = frozenset(n for n in needles if n is not None)

    def __len__(self) -> int:
        return len(self._outages)

    @property
    def outages(self) -> tuple[Outage, ...]:
        return self._outages

    def matching(self, address: str | ParsedAddress) -> list[Outage]:
        """The outages that reach the address, in the order they were given."""
        if isinstance(address, str):
            words = _LETTERS.findall(_prepare(address))
            if self._needles is not None and self._needles.isdisjoint(words):
                return []
            address = parse_address(address)
        candidates = self._by_place.get((address.settlement, address.street))
        if not candidates:
            return []
        house = address.house or None
        return [
            outage
            for outage in candidates
            if same_street_type(address.street_type, outage.street_type)
            and outage.spec.matches(house)
        ]


def _needle(name: str) -> str | None:
    """The longest run of letters of a name as written («красноармейская» of «1-я
    красноармейская»); ordinals are left out because they are rewritten («1-ая» → «1-я»)."""
    words = [
        run for token in name.split() if not _numberish(token) for run in _LETTERS.findall(token)
    ]
    return max(words, key=len) if words else None
