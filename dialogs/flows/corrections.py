"""What a readings message says beside its values: a correction of this period's
(«ой ночь не так сказала, там 8135»: only that zone changes, the others keep what was sent), a
dispute of a billed month's («в ноябре ошиблась»: a control reading, not this month's value), or
doubt («мама говорит 31650, но она плохо видит»: asked about before anything is stored)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import permutations
from typing import Any

from core.meters import Meter, Zone
from core.readings import (
    AssignError,
    ParsedValue,
    Reading,
    ReadingKind,
    RegisterCheck,
    Verdict,
    assign_to_registers,
    check_register_value,
    period_for,
    previous_value,
    zone_named,
    zones_named,
)
from dialogs.context import Ctx

# A guessed zone must be this many times closer to its value sent before than any other zone.
CLEARLY_CLOSER = 10

# «я в ноябре ошиблась», «в прошлом месяце неправильно записали», «было не 23415 а 23315».
_MISTAKE = re.compile(
    r"ошиб|исправ|неправил|неверн|не\s+так|перепута|не\s+правил|оспор|спорн|не\s+соглас|"
    r"wrong|mistake|correct|dispute",
    re.IGNORECASE,
)
_EARLIER = re.compile(
    r"прошл\w*\s+(?:месяц|раз)|тогда|в\s+прошлый|last\s+(?:month|time)|(?<![^\W\d_])в\s+"
    r"(?P<month>январ|феврал|март|апрел|ма[ея]|июн|июл|август|сентябр|октябр|ноябр|декабр)",
    re.IGNORECASE,
)
# «поменяйте ночное на 8290», «замените день на 23610»: this period's zone to be changed. Not
# part of _MISTAKE: «в прошлом месяце поменяли счётчик» disputes no billed reading.
_CHANGE = re.compile(
    r"помен[яи]|замени|измени|поправ|перепиш|скорректир|"
    r"(?<![^\W\d_])(?:change|fix|update|replace)",
    re.IGNORECASE,
)
MONTH_STEMS = (
    "январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр",
    "ноябр", "декабр",
)  # fmt: skip


# «вроде», «примерно», «плохо видит», «с чем-то»: the customer is not sure of the value.
_UNSURE = re.compile(
    r"вроде|примерно|приблизительно|где-?\s*то|около|кажется|наверн|не\s+уверен|не\s+точно|"
    r"плохо\s+вид|не\s+разгляд|не\s+вижу|с\s+чем-?\s*то|с\s+копейк|about|approximately|maybe|"
    r"not\s+sure|roughly",
    re.IGNORECASE,
)
# «8105 или 8150»: two values, one of them the right one («2 или 3 дня назад» is no value).
_EITHER_OR = re.compile(r"\d{3}\s*(?:или|либо|то\s+ли|or)\s*\d{3}", re.IGNORECASE)
# «не 56390 а 56309»: the first value withdrawn, the second meant; «8285 а не 8280»: the second
# withdrawn; «вместо 30545 надо 30540»: the first.
# A value as the parser reads it: «23 610» (thousands apart) is one number.
_NUMBER = r"(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d+)?"
_NOT_BUT = re.compile(
    rf"(?<![^\W\d_])не\s+(?P<old>{_NUMBER})\s*,?\s+а\s+(?P<new>{_NUMBER})", re.IGNORECASE
)
_WITHDRAWALS = (
    _NOT_BUT,
    re.compile(rf"(?P<new>{_NUMBER})\s*,?\s+а\s+не\s+(?P<old>{_NUMBER})", re.IGNORECASE),
    re.compile(
        rf"(?<![^\W\d_])вместо\s+(?P<old>{_NUMBER})(?:\s+(?:надо|нужно|будет|на)\s*|\s*[-–—:]\s*"
        rf"|\s+)?(?P<new>{_NUMBER})?",
        re.IGNORECASE,
    ),
)
# «это не показания», «31640 это пенсия», «это номер квитанции»: the number is something else.
_NOT_A_READING = re.compile(
    r"не\s+(?:показани|сч[её]тчик)|(?<![^\W\d_])это\s+(?:(?:я\s+)?сумм|пенси|номер|телефон|"
    r"зарплат|цен)|not\s+(?:a\s+)?(?:reading|meter)",
    re.IGNORECASE,
)


def unsure(text: str) -> bool:
    """The customer doubts the value they send: it is asked about before it is stored."""
    return _UNSURE.search(text) is not None


def not_a_reading(text: str) -> bool:
    """The customer says the number is no reading («нет, 31640 это пенсия»)."""
    return _NOT_A_READING.search(text) is not None


def either_or(text: str) -> bool:
    """Two values offered as alternatives: only the exact one is taken."""
    return _EITHER_OR.search(text) is not None


def previous(
    ctx: Ctx, meter: Meter, register: str, own: list[Reading], period: str
) -> tuple[Decimal, date | None] | None:
    """The value a new one of `register` is checked against (billing's or an earlier period's)."""
    billing = meter.register(register)
    zone = [r for r in own if r.register == register]  # a meter's zones are saved together
    return previous_value(billing.last_value, billing.last_date, zone, period, ctx.config.hours.tz)


def check(
    ctx: Ctx, meter: Meter, parsed: ParsedValue, before: tuple[Decimal, Any] | None
) -> RegisterCheck:
    return check_register_value(
        parsed,
        before[0] if before else None,
        meter.digits,
        ctx.config.readings.rollover_margin,
    )


def disputes_a_billed_reading(ctx: Ctx, text: str) -> bool:
    """A reading of an earlier, billed period said to be wrong: not one to submit now."""
    mistake = _MISTAKE.search(text) or _NOT_BUT.search(text)
    earlier = _EARLIER.search(text)
    if not (mistake and earlier):
        return False
    named = earlier.group("month")
    if named is None:
        return True
    month = next(i for i, stem in enumerate(MONTH_STEMS, 1) if named.casefold().startswith(stem))
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    return month != int(period[5:7])  # this period's own reading may still be corrected


def corrects(text: str) -> bool:
    """The message corrects a value sent («ошиблась», «поменяйте ночь на», «не 8280 а 8290»)."""
    return bool(withdrawn(text)) or any(p.search(text) for p in (_MISTAKE, _CHANGE))


def withdrawn(text: str) -> set[Decimal]:
    """The values a message takes back: «не 8050 а 8030», «8030 а не 8050», «вместо 8050»."""
    return {_decimal(found["old"]) for found in _withdrawals(text)}


def _withdrawals(text: str) -> list[re.Match[str]]:
    return sorted(
        (found for pattern in _WITHDRAWALS for found in pattern.finditer(text)),
        key=lambda found: found.start(),
    )


def _decimal(digits: str) -> Decimal:
    return Decimal(re.sub(r"\s", "", digits).replace(",", "."))


def zones_corrected(text: str) -> dict[Decimal, Zone]:
    """The zone each correction names right before it for its new value: «ночь не 7108 а 7110,
    пик не 10299 а 10302» — 7110 the night's, 10302 the peak's; «пик 10302 и ночь не 7108 а
    7110» — 7110 the night's."""
    zones: dict[Decimal, Zone] = {}
    since = 0
    for found in _withdrawals(text):
        named = zones_named(text[since : found.start()])
        if found["new"] and named and named[-1] is not Zone.ALL:
            zones[_decimal(found["new"])] = named[-1]
        since = found.end()
    return zones


def values_named(
    meter: Meter, values: list[ParsedValue], text: str, *, by_the_words: bool = True
) -> list[ParsedValue]:
    """The values a message gives without the one it withdraws («не 8050 а 8030»), each with
    the zone its corrections name («ночь не 7108 а 7110, пик не 10299 а 10302») and, with
    `by_the_words`, a lone value with the one zone the message names («ночь не так, там
    8030»)."""
    if wrong := withdrawn(text):
        values = [value for value in values if value.value not in wrong]
    if len(meter.registers) > 1 and (zones := zones_corrected(text)):
        values = [
            replace(value, zone=zones[value.value])
            if not value.labelled and value.value in zones
            else value
            for value in values
        ]
    return _labelled_by_the_words(meter, values, text) if by_the_words else values


def changes(text: str) -> bool:
    """The message asks for a value to be changed or taken back («поменяйте день на 23610»,
    «не 23600 а 23610»), not only says a word about mistakes («день я не ошиблась»)."""
    return bool(withdrawn(text)) or _CHANGE.search(text) is not None


def zone_withdrawn(
    values: list[ParsedValue], text: str, sent: Mapping[str, Decimal]
) -> list[ParsedValue]:
    """One unnamed value in place of one withdrawn («ой не 6096 а 6094»): the zone the value
    withdrawn was given for, when exactly one zone has it."""
    if len(values) != 1 or values[0].labelled:
        return values
    wrong = withdrawn(text)
    zones = [name for name, value in sent.items() if value in wrong]
    return [replace(values[0], register=zones[0])] if len(zones) == 1 else values


async def values_meant(
    ctx: Ctx, meter: Meter, values: list[ParsedValue], text: str, kind: ReadingKind
) -> list[ParsedValue]:
    """The values a message gives, with the zone its words name («ой ночь не так, там 8180»),
    and — when it corrects this period's readings of a meter with zones — the zones it leaves
    out keeping what was sent before, so that only the zone corrected changes."""
    values = values_named(meter, values, text)
    if len(meter.registers) < 2 or not values or not corrects(text):
        return values
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.readings(meter, locked=True)
    sent = {
        r.register: r.value
        for r in own
        if r.period == period and r.kind is kind and r.status.counts
    }
    if not sent:
        return values
    values = zone_withdrawn(values, text, sent)
    if len(values) == 1 and not values[0].labelled:
        register = closest_register(ctx, meter, values[0], sent, own, period)
        if register is None:
            return values  # which zone is meant is asked as usual
        values = [replace(values[0], register=register)]
    if not all(value.labelled for value in values):
        return values
    named = assign_to_registers(values, meter)
    if isinstance(named, AssignError):
        return values
    kept = [
        _as_parsed(register.name, sent[register.name])
        for register in meter.registers
        if register.name not in named and register.name in sent
    ]
    return values + kept


def in_the_order_they_fit(
    ctx: Ctx,
    meter: Meter,
    values: list[ParsedValue],
    missing: tuple[str, ...],
    own: list[Reading],
    period: str,
) -> list[ParsedValue]:
    """Unlabelled values for several zones, in the one order every zone takes them in
    («6650 и 15900» for day 15 802 and night 6 611 are night and day); as they came when that
    order already fits, or when none or several do (the checks then say what is wrong)."""
    if len(missing) < 2 or len(values) != len(missing) or any(v.labelled for v in values):
        return values

    def fits(order: tuple[ParsedValue, ...]) -> bool:
        return all(
            check(ctx, meter, value, previous(ctx, meter, name, own, period)).verdict is Verdict.OK
            for name, value in zip(missing, order, strict=True)
        )

    if fits(tuple(values)):
        return values
    fitting = [order for order in permutations(values) if fits(order)]
    if len(fitting) != 1:
        return values
    return [replace(value, register=name) for name, value in zip(missing, fitting[0], strict=True)]


def _labelled_by_the_words(meter: Meter, values: list[ParsedValue], text: str) -> list[ParsedValue]:
    """On a meter with zones, one unlabelled value in a message that names one zone far from it
    is that zone's («ой ночь не так, там 8180 было»)."""
    if len(meter.registers) < 2 or len(values) != 1 or values[0].labelled:
        return values
    zone = zone_named(text)
    return values if zone in (None, Zone.ALL) else [replace(values[0], zone=zone)]


def closest_register(
    ctx: Ctx,
    meter: Meter,
    value: ParsedValue,
    sent: dict[str, Decimal],
    own: list[Reading],
    period: str,
) -> str | None:
    """The zone an unnamed corrected value belongs to: the one it may be a value of and whose
    value sent this period it is clearly closest to (8135 after «день 23480 ночь 8150»)."""
    distances = sorted(
        (abs(value.value - sent[register.name]), register.name)
        for register in meter.registers
        if register.name in sent
        and check(ctx, meter, value, previous(ctx, meter, register.name, own, period)).verdict
        is Verdict.OK
    )
    if not distances:
        return None
    if len(distances) > 1 and distances[0][0] * CLEARLY_CLOSER >= distances[1][0]:
        return None
    return distances[0][1]


# A value this close to one just sent (relatively) is that zone's, typed again (23600 → 23610).
NEARLY = Decimal("0.02")


def zone_questioned(
    ctx: Ctx,
    meter: Meter,
    value: ParsedValue,
    got: Mapping[str, Mapping[str, Any]],
    own: list[Reading],
    period: str,
) -> str | None:
    """The zone an unnamed value said at «всё верно?» or the rollover question replaces, among
    those it is a valid reading of: the one whose value it is with a digit dropped (74450 →
    7445, «часто это лишняя цифра»); else the one it nearly repeats; else the one the question
    is about (the roll past zero asked about, or the largest use); else the one it is clearly
    closest to. None when nothing says."""
    sent = {name: Decimal(entry["value"]) for name, entry in got.items()}
    fits = [
        name
        for name in sent
        if check(ctx, meter, value, previous(ctx, meter, name, own, period)).verdict is Verdict.OK
    ]
    dropped = [name for name in fits if _digit_dropped(sent[name], value.value)]
    near = [name for name in fits if abs(value.value - sent[name]) <= abs(sent[name]) * NEARLY]
    for found in (dropped, near):
        if len(found) == 1:
            return found[0]
    asked = _asked_about(got)
    if asked in fits:
        return asked
    return closest_register(ctx, meter, value, sent, own, period)


def _digit_dropped(sent: Decimal, value: Decimal) -> bool:
    """`value` is `sent` with one digit of its whole part left out (74450 → 7445)."""
    whole, shorter = str(int(sent)), str(int(value))
    return len(whole) == len(shorter) + 1 and any(
        whole[:i] + whole[i + 1 :] == shorter for i in range(len(whole))
    )


def _asked_about(got: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The zone of the roll past zero asked about, else the one with the largest use."""
    rolled = [
        name for name, entry in got.items() if entry["rollover"] and not entry.get("confirmed")
    ]
    if rolled:
        return rolled[0]
    used = {
        name: Decimal(entry["consumption"])
        for name, entry in got.items()
        if entry["consumption"] is not None
    }
    return max(used, key=lambda name: used[name]) if used else None


def _as_parsed(register: str, value: Decimal) -> ParsedValue:
    """A value sent before, as if typed again with its register's label."""
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return ParsedValue(None, value, len(str(abs(int(value)))), decimals, register=register)
