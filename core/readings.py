"""Meter readings: parsing what people type, validating it, and the period it counts for."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum

from core.meters import REGISTER_ZONES, Meter, Scheme, Zone


class ReadingStatus(StrEnum):
    ACCEPTED = "accepted"
    FLAGGED = "flagged"  # implausible, confirmed by the customer: an operator checks it
    REPLACED = "replaced"  # corrected later in the same period
    REJECTED = "rejected"  # an operator refused it (the customer was told why)

    @property
    def counts(self) -> bool:
        """Whether the reading stands: neither corrected since nor refused."""
        return self in (ReadingStatus.ACCEPTED, ReadingStatus.FLAGGED)


class ReadingKind(StrEnum):
    REGULAR = "regular"
    CONTROL = "control"  # sent for a smart meter, which is read automatically


@dataclass(frozen=True, slots=True)
class Reading:
    account: str
    serial: str
    register: str
    value: Decimal
    consumption_kwh: Decimal | None  # None for a first reading with nothing before it
    period: str  # YYYY-MM
    submitted_at: datetime  # aware
    channel: str
    status: ReadingStatus
    kind: ReadingKind = ReadingKind.REGULAR
    customer_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedValue:
    zone: Zone | None  # None when the customer gave no label, or labelled a register (т1)
    value: Decimal
    integer_digits: int
    decimals: int
    # «т1»/«т2»/«т3» name a register, not a zone: which zone that is depends on the scheme.
    register: str | None = None

    @property
    def labelled(self) -> bool:
        return self.zone is not None or self.register is not None


# Labels as people type them (data, not user-visible text). Longer forms first.
_ZONE_LABELS: dict[str, Zone] = {
    **dict.fromkeys(
        ("полупиковый", "полупиковая", "полупиковое", "полупик", "semi-peak", "semipeak"),
        Zone.SEMIPEAK,
    ),
    **dict.fromkeys(("пиковый", "пиковая", "пиковое", "пик", "peak"), Zone.PEAK),
    **dict.fromkeys(
        (
            "дневной",
            "дневная",
            "дневное",
            "дневные",
            "день",
            "днём",
            "днем",
            "дню",
            "дн",
            "д",
            "day",
        ),
        Zone.DAY,
    ),
    **dict.fromkeys(
        ("ночной", "ночная", "ночное", "ночные", "ночью", "ночь", "ночи", "ноч", "н", "night"),
        Zone.NIGHT,
    ),
}
# Written apart or abbreviated: «полу пик», «полу-пик», «п/пик» are the semi-peak.
_SEMIPEAK_SPELLINGS = re.compile(r"(?<![^\W\d_])(?:полу[\s\-‐–]+|п\s*[/.\-]\s*)пик", re.IGNORECASE)
# Words that may stand between a label and its number: «ночь на самом деле 12055», «дневной
# тариф 16100». Any other word drops the label («день рождения, показания 12345»).
_GAP_WORDS = frozenset(
    {
        "тариф",
        "тарифу",
        "зона",
        "зоне",
        "на",
        "самом",
        "деле",
        "по",
        "было",
        "стало",
        "сейчас",
        "теперь",
        "примерно",
        "около",
        "ровно",
        "показания",
        "показание",
        "счетчик",
        "счётчик",
    }
)
_MAX_GAP_WORDS = 3
_REGISTER_LABELS: dict[str, str] = {
    "t1": "T1",
    "т1": "T1",
    "t2": "T2",
    "т2": "T2",
    "t3": "T3",
    "т3": "T3",
}

# Every word that labels a register, for the NLU's reading detection («п/пик» is normalised).
LABEL_WORDS: tuple[str, ...] = (*_ZONE_LABELS, *_REGISTER_LABELS, "п/пик")

_LETTER = r"[^\W\d_]"
_WORD_LABEL = "|".join(re.escape(w) for w in sorted(_ZONE_LABELS, key=len, reverse=True))
_REGISTER_LABEL = "|".join(re.escape(w) for w in _REGISTER_LABELS)
_GROUP_SEP = "[ \u00a0\u2009\u202f]"
_TOKENS = re.compile(
    # A word label may touch its number («день23415»); a register label may not («т14521»).
    rf"(?P<label>(?<!{_LETTER})(?:(?:{_WORD_LABEL})(?!{_LETTER})|(?:{_REGISTER_LABEL})(?![^\W_])))"
    # Dates and times are skipped so that «26.11.2025» or «10:30» are not taken for readings.
    r"|(?P<skip>(?<![0-9])(?:[0-9]{1,2}[./][0-9]{1,2}[./][0-9]{2,4}|[0-9]{1,2}:[0-9]{2})(?![0-9]))"
    # «12 345» is grouped only as 1-3 digits then groups of exactly 3: «4521 1877» is two numbers.
    rf"|(?P<number>(?<![0-9])(?P<int>[0-9]{{1,3}}(?:{_GROUP_SEP}[0-9]{{3}})+(?![0-9])|[0-9]+)"
    # A comma is a decimal separator only when a digit follows it: «200, ночь 90» is punctuation.
    r"(?:[.,](?P<frac>[0-9]+))?)"
    # What may stand between a label and its number.
    r"|(?P<glue>[\s:=.\-–—]+)",
    re.IGNORECASE,
)
_GROUPING = re.compile(_GROUP_SEP)
# «Добрый день. Счётчик 31710» greets; its «день» labels nothing. The greeting is replaced by a
# word that is neither a label nor a gap word, so a label before it is dropped as usual.
_GREETING = re.compile(
    rf"(?<!{_LETTER})(?:добр(?:ый|ого)\s+(?:день|дня)|день\s+добрый)(?!{_LETTER})", re.IGNORECASE
)


def _without_greeting(text: str) -> str:
    return _GREETING.sub("здравствуйте", text) if "добр" in text.casefold() else text


def _ascii_digits(text: str) -> str:
    """Other scripts' decimal digits (Arabic-Indic, full-width) as ASCII, so Decimal sees 0-9."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def parse_readings(text: str) -> list[ParsedValue]:
    """Every value in a message, with its zone label if one precedes it.

    Accepts «12345», «12 345», «12 345,6», «12345.6», «день 23415 ночь 8120»,
    «т1 4521 т2 1877», «пик 3201 полупик 2890 ночь 1502». Never raises: returns [] when
    there is no number.
    """
    values: list[ParsedValue] = []
    zone: Zone | None = None
    register: str | None = None
    position = 0
    source = _without_greeting(_SEMIPEAK_SPELLINGS.sub("полупик", _ascii_digits(text)))
    for match in _TOKENS.finditer(source):
        if match.start() != position and not _gap_keeps_label(source[position : match.start()]):
            # Some other word stood between a label and a number: the label is lost.
            zone = register = None
        position = match.end()
        if match.group("label") is not None:
            word = match.group("label").casefold()
            zone, register = _ZONE_LABELS.get(word), _REGISTER_LABELS.get(word)
        elif match.group("number") is not None:
            integer = _GROUPING.sub("", match.group("int"))
            fraction = match.group("frac") or ""
            number = Decimal(f"{integer}.{fraction}" if fraction else integer)
            values.append(ParsedValue(zone, number, len(integer), len(fraction), register))
            zone = register = None
        elif match.group("skip") is not None:
            zone = register = None
    return values


def _gap_keeps_label(gap: str) -> bool:
    words = re.findall(r"[^\W\d_]+", gap.casefold())
    return 0 < len(words) <= _MAX_GAP_WORDS and all(w in _GAP_WORDS for w in words)


class AssignError(StrEnum):
    NO_VALUES = "no_values"
    TOO_MANY = "too_many"  # more values than registers
    UNKNOWN_ZONE = "unknown_zone"  # a label the meter does not have (e.g. «ночь» on single-rate)
    DUPLICATE_ZONE = "duplicate_zone"
    MIXED = "mixed"  # some values labelled, some not


def assign_to_registers(
    values: list[ParsedValue], meter: Meter, missing: tuple[str, ...] | None = None
) -> dict[str, ParsedValue] | AssignError:
    """Map parsed values to register names.

    Labelled values go to the register of their zone (т1/т2/т3 name registers directly; день
    and пик mean T1, ночь T2 of a two-zone and of a three-zone meter, полупик T3). Unlabelled
    values fill `missing` (default: all registers) in register order. Fewer values than
    registers is fine: the caller asks for the rest.
    """
    if not values:
        return AssignError.NO_VALUES
    order = _register_order(meter)
    labelled = [v for v in values if v.labelled]
    if labelled and len(labelled) != len(values):
        return AssignError.MIXED
    if not labelled:
        wanted = order if missing is None else [r for r in order if r in missing]
        if len(values) > len(wanted):
            return AssignError.TOO_MANY
        return dict(zip(wanted, values, strict=False))
    assigned: dict[str, ParsedValue] = {}
    for value in values:
        register = _register_for(value, meter.scheme)
        if register is None or register not in order:
            return AssignError.UNKNOWN_ZONE
        if register in assigned:
            return AssignError.DUPLICATE_ZONE
        assigned[register] = value
    return {r: assigned[r] for r in order if r in assigned}


def _register_order(meter: Meter) -> list[str]:
    names = {r.name for r in meter.registers} or set(REGISTER_ZONES[meter.scheme])
    return sorted(names)


def _register_for(value: ParsedValue, scheme: Scheme) -> str | None:
    if value.register is not None:
        return value.register
    by_zone = {zone: name for name, zone in REGISTER_ZONES[scheme].items()}
    # People call the dearest zone «день» or «пик» whatever the meter's scheme calls it.
    dearest = by_zone.get(Zone.DAY) or by_zone.get(Zone.PEAK)
    if dearest is not None:
        by_zone[Zone.DAY] = by_zone[Zone.PEAK] = dearest
    return by_zone.get(value.zone) if value.zone is not None else None


class Verdict(StrEnum):
    OK = "ok"
    BELOW_PREVIOUS = "below_previous"
    ROLLOVER = "rollover"  # the display went over 10^digits: needs the customer's confirmation
    TOO_MANY_DIGITS = "too_many_digits"  # probably a skipped decimal comma
    TOO_MANY_DECIMALS = "too_many_decimals"  # displays have at most 2 red digits


_MAX_DECIMALS = 2  # red digits on a display


@dataclass(frozen=True, slots=True)
class RegisterCheck:
    verdict: Verdict
    consumption: Decimal | None  # for OK and ROLLOVER; None without a previous value


def check_register_value(
    value: ParsedValue, previous: Decimal | None, digits: int, rollover_margin: Decimal
) -> RegisterCheck:
    """Validate one register's new value against the previous one.

    Rollover: previous >= (1 - margin) * 10^digits and value <= margin * 10^digits; the
    consumption is then 10^digits - previous + value. Any other value below the previous one
    is BELOW_PREVIOUS. A value equal to the previous one is OK with zero consumption.
    """
    if value.decimals > _MAX_DECIMALS:
        return RegisterCheck(Verdict.TOO_MANY_DECIMALS, None)
    if value.integer_digits > digits:
        return RegisterCheck(Verdict.TOO_MANY_DIGITS, None)
    if previous is None:
        return RegisterCheck(Verdict.OK, None)
    if value.value >= previous:
        return RegisterCheck(Verdict.OK, value.value - previous)
    modulus = Decimal(10) ** digits
    if previous >= (1 - rollover_margin) * modulus and value.value <= rollover_margin * modulus:
        return RegisterCheck(Verdict.ROLLOVER, modulus - previous + value.value)
    return RegisterCheck(Verdict.BELOW_PREVIOUS, None)


def account_average(history_kwh: list[Decimal], months: int = 6) -> Decimal | None:
    """Mean monthly kWh of the most recent `months` periods (newest first); None if none > 0."""
    recent = history_kwh[: max(months, 0)]
    if not any(kwh > 0 for kwh in recent):
        return None
    return sum(recent, Decimal(0)) / len(recent)


def plausibility_limit(
    history_average: Decimal | None,
    meter_average: Decimal | None,
    factor: Decimal,
    without_history_kwh: Decimal,
) -> Decimal:
    """Largest consumption accepted without «are you sure?».

    factor x the account's history average; else factor x billing's average for the meter
    (sum of its registers); else the fixed limit for accounts without history.
    """
    for average in (history_average, meter_average):
        if average is not None and average > 0:
            return factor * average
    return without_history_kwh


def period_for(local_day: date, cutoff_day: int) -> str:
    """The billing period (YYYY-MM) a reading made on local_day counts for.

    Up to and including the cut-off day: this month; after it: the next month.
    """
    year, month = local_day.year, local_day.month
    if local_day.day > cutoff_day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


def in_submission_window(local_day: date, window_start_day: int, cutoff_day: int) -> bool:
    """The recommended days of the month for sending readings (23rd-25th by default)."""
    return window_start_day <= local_day.day <= cutoff_day


def previous_value(
    billing_value: Decimal | None,
    billing_date: date | None,
    own_readings: list[Reading],
    period: str,
    tz: tzinfo = UTC,
) -> tuple[Decimal, date | None] | None:
    """The value a new reading for `period` is checked against, and its local date if known.

    The newer of billing's last value and the latest non-replaced reading of an earlier period
    (readings of `period` itself are about to be corrected and do not count). A billing value
    without a date counts as older than any of our readings; a billing value equal to one of our
    own readings of `period` is that reading re-imported, and must not become the baseline of its
    own correction. Our readings' dates are taken in `tz`, the company's zone.
    """
    earlier = [r for r in own_readings if r.status.counts and r.period < period]
    own = max(earlier, key=lambda r: r.submitted_at, default=None)
    own_day = own.submitted_at.astimezone(tz).date() if own is not None else None
    # Re-imported: billing's value is one of ours of this period, dated on or after we took it.
    # It must not become the baseline of its own correction: our earlier reading is, or else
    # the value ours was checked against (its value less its consumption).
    reimported = next(
        (
            r
            for r in own_readings
            if billing_value is not None
            and billing_date is not None
            and r.period >= period
            and r.value == billing_value
            and billing_date >= r.submitted_at.astimezone(tz).date()
        ),
        None,
    )
    if reimported is not None:
        if own is not None:
            return own.value, own_day
        consumption = reimported.consumption_kwh
        if consumption is not None and reimported.value >= consumption:
            return reimported.value - consumption, None
    if billing_value is not None:
        if own_day is None:
            return billing_value, billing_date
        # On the same day billing's value wins: it is most likely our reading, as billed.
        if billing_date is not None and billing_date >= own_day:
            return billing_value, billing_date
    if own is None:
        return None
    return own.value, own_day


# A value more than this many months of a register's average above its last one is not taken for
# that meter's display when guessing which meter an unexplained number belongs to.
GUESS_MONTHS = 12
GUESS_AVERAGE = Decimal(300)  # kWh a month, where billing gave no average


def could_be_display(meter: Meter, values: list[ParsedValue]) -> bool:
    """Whether the values could be what this meter shows now: as many as its registers (or
    one), each at most its display's digits and above its last value by less than a year of
    its average («23520 8165» for a meter at 23 415 / 8 120 — not a month's kWh to price)."""
    if len(values) not in (1, len(meter.registers)):
        return False
    assigned = assign_to_registers(values, meter)
    if isinstance(assigned, AssignError):
        return False
    for name, value in assigned.items():
        register = meter.register(name)
        if value.integer_digits > meter.digits or register.last_value is None:
            return False
        average = register.avg_monthly_kwh or GUESS_AVERAGE
        if not register.last_value <= value.value <= register.last_value + GUESS_MONTHS * average:
            return False
    return True


_LONG_LABELS = {word: zone for word, zone in _ZONE_LABELS.items() if len(word) > 2}
_ZONE_WORD = re.compile(
    r"(?<![^\W\d_])(" + "|".join(sorted(map(re.escape, _LONG_LABELS), key=len, reverse=True)) + r")"
    r"(?![^\W\d_])",
    re.IGNORECASE,
)


def zone_named(text: str) -> Zone | None:
    """The one zone a message names in words, wherever it stands («ой ночь не так, там 8180
    было»); None when it names none or several."""
    zones = set(zones_named(text))
    return zones.pop() if len(zones) == 1 else None


def zones_named(text: str) -> list[Zone]:
    """The zones a text names in words, in the order it names them."""
    return [
        _LONG_LABELS[m.casefold()]
        for m in _ZONE_WORD.findall(_without_greeting(_SEMIPEAK_SPELLINGS.sub("полупик", text)))
    ]
