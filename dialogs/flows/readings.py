"""Submitting meter readings: account → meter → values → checks → stored, with the estimate."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from core.accounts import Account
from core.meters import Meter, VerificationState, Zone, verification_state
from core.readings import (
    AssignError,
    ParsedValue,
    Reading,
    ReadingKind,
    ReadingStatus,
    Verdict,
    account_average,
    assign_to_registers,
    could_be_display,
    period_for,
    plausibility_limit,
    zone_named,
)
from core.tariffs import NoTariff, estimate, rows_valid_on
from dialogs.context import Ctx
from dialogs.engine import ctx_inbound
from dialogs.expect import Answer, Choice, Either, Fit, Readings, YesNo, reading_values
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows import corrections
from dialogs.flows.common import (
    account_step,
    answered_yes,
    meter_named,
    pick_account,
    remember_description,
    start_with_account,
    yes_no,
)
from dialogs.flows.corrections import (
    changes,
    corrects,
    disputes_a_billed_reading,
    either_or,
    in_the_order_they_fit,
    not_a_reading,
    unsure,
    values_meant,
    values_named,
    zone_withdrawn,
    zones_corrected,
)
from dialogs.messages import InboundKind
from dialogs.nlu import Intent, bill_disputed, is_yes, money_beside_numbers

flow = Flow(
    "readings",
    needs_account=True,
    intents=(Intent.SUBMIT_READING,),
    menu=MenuEntry("menu.readings", 10),
    resume_question="readings.resume",
)

METER = "meter:"
CONTROL = "control"
ERRORS: dict[Verdict, str] = {
    Verdict.TOO_MANY_DECIMALS: "readings.too_many_decimals",
    Verdict.TOO_MANY_DIGITS: "readings.too_many_digits",
    Verdict.BELOW_PREVIOUS: "readings.below_previous",
}


@flow.start
async def begin(ctx: Ctx, msg: Msg) -> None:
    if msg.action is None and disputes_a_billed_reading(ctx, msg.text):
        _billed_already(ctx)
        return
    remember_description(ctx, msg)
    typed = bool(msg.text) and not msg.action and not bill_disputed(msg.text)
    if typed and await values_in(ctx, msg.text):
        ctx.data["pending"] = msg.text
        ctx.data["offered"] = not _clearly_readings(msg)
    await start_with_account(ctx, account, _with_account)


_SAYS_NO = re.compile(r"^\W*(?:нет|неа|не|no|nope)(?![^\W\d_])", re.IGNORECASE)
_HYPOTHETICAL = re.compile(r"(?<![^\W\d_])(?:если|what\s+if|if)(?![^\W\d_])", re.IGNORECASE)
# Another intent this likely besides readings makes values worth a question before they count.
RIVAL = 0.3


def _clearly_readings(msg: Msg) -> bool:
    """«показания 12480», «день 23415 ночь 8120», «12480»: values sent as readings. A message
    that may be about something else too («за маму 31650, квитанции нет под рукой») is asked
    about before anything is stored (greetings and linking words do not count against it)."""
    analysis = msg.analysis
    if analysis.intent is not Intent.SUBMIT_READING or _HYPOTHETICAL.search(msg.text):
        return False  # «а если 61600»: a what-if, not a value to store
    if zones_corrected(msg.text) or (
        corrects(msg.text)
        and (
            any(value.labelled for value in analysis.entities.readings)
            or zone_named(msg.text) not in (None, Zone.ALL)
        )
    ):
        return True  # «исправьте пик на 9203», «пик не 10299 а 10302»: not the peak's tariff
    return all(
        confidence < RIVAL
        for intent, confidence in analysis.alternatives
        if intent not in (Intent.SUBMIT_READING, Intent.OTHER)
    )


async def values_in(ctx: Ctx, text: str) -> list[ParsedValue]:
    """Readings in a text; account numbers, serials, phones and dates around them are not."""
    msg = Msg(ctx_inbound(ctx, text), language=ctx.language)
    return reading_values(await ctx.own_numbers(), msg)


async def _with_account(ctx: Ctx, account: Account) -> None:
    meters = await ctx.meters(account.number)
    ctx.goto(meter_step, account=account.number)
    if not meters:
        ctx.end()
        ctx.say(ctx.t("readings.no_meters"), [ctx.operator_option(), ctx.menu_option()])
        return
    chosen = meters[0] if len(meters) == 1 else await _meter_meant(ctx, meters)
    if chosen is not None:
        await _with_meter(ctx, chosen)
        return
    options = [
        ctx.option(
            "readings.meter_option",
            f"{METER}{m.serial}",
            serial=m.serial,
            scheme=ctx.t(f"readings.scheme.{m.scheme.value}"),
            place=_place(ctx, m),
        )
        for m in meters
    ]
    ctx.say(ctx.t("readings.choose_meter"), options)


def _place(ctx: Ctx, meter: Meter) -> str:
    return ctx.t("readings.meter_place", place=meter.location) if meter.location else ""


async def _meter_meant(ctx: Ctx, meters: list[Meter]) -> Meter | None:
    """The meter the first message named (its serial, its place) or whose display its values
    fit; None when that does not decide it."""
    text = " ".join(filter(None, (ctx.data.get("pending"), ctx.data.get("described"))))
    if not text:
        return None
    named = meter_named(text, meters)
    if named is not None:
        return named
    values = await values_in(ctx, ctx.data.get("pending", ""))
    fitting = [meter for meter in meters if values and could_be_display(meter, values)]
    return fitting[0] if len(fitting) == 1 else None


async def _meter_action(ctx: Ctx, msg: Msg) -> str | None:
    meters = await ctx.meters(ctx.data.get("account", ""))
    chosen = meter_named(msg.text, meters)
    return f"{METER}{chosen.serial}" if chosen else None


@flow.step("meter", Choice(_meter_action))
async def meter_step(ctx: Ctx, msg: Msg) -> None:
    meters = await ctx.meters(ctx.data.get("account", ""))
    serial = (msg.action or "").removeprefix(METER)
    chosen = next((m for m in meters if m.serial == serial), None)
    if chosen is None:
        await ctx.not_understood(msg)
        return
    await _with_meter(ctx, chosen)


async def _with_meter(ctx: Ctx, meter: Meter) -> None:
    if ctx.data.get("serial") not in (None, meter.serial):
        ctx.data.pop(CONTROL, None)  # a control value was for the meter left behind
    ctx.goto(value_step, serial=meter.serial, got={})
    if meter.smart and ctx.data.get("pending") and await _controlled_this_period(ctx, meter):
        ctx.data[CONTROL] = True  # «ой ночь не так, там 5430» right after a control reading
    if meter.smart and not ctx.data.get(CONTROL):
        ctx.goto(smart_step)
        ctx.say(
            ctx.t("readings.smart", serial=meter.serial),
            [ctx.option("readings.send_control", CONTROL), ctx.menu_option()],
        )
        return
    pending = ctx.data.pop("pending", None)
    if pending and ctx.data.pop("offered", False):
        await _offer(ctx, meter, pending, "readings.offered")
        return
    if pending and either_or(pending):
        await _prompt(ctx, meter)
        ctx.say(ctx.t("readings.one_value"), [ctx.cancel_option()])
        return
    if pending and unsure(pending):
        await _offer(ctx, meter, pending, "readings.unsure")
        return
    await _prompt(ctx, meter, values_given=bool(pending))
    if pending:
        values = await _meant(ctx, meter, await values_in(ctx, pending), pending)
        await _take_values(ctx, meter, values)


async def _controlled_this_period(ctx: Ctx, meter: Meter) -> bool:
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.readings(meter, locked=True)
    return any(
        r.period == period and r.kind is ReadingKind.CONTROL and r.status.counts for r in own
    )


async def _offer(ctx: Ctx, meter: Meter, text: str, key: str) -> None:
    """Ask before the values of `text` count: «31 650 — это показание счётчика № …?»."""
    values = await values_in(ctx, text)
    ctx.goto(offered_step, pending=text)
    ctx.say(ctx.t(key, values=_shown(ctx, meter, values, text), serial=meter.serial), yes_no(ctx))


def _shown(ctx: Ctx, meter: Meter, values: list[ParsedValue], text: str) -> str:
    """The values a question is about, each with the zone it goes to on a meter with zones
    («9 203 (пик)»), the one a correction withdraws left out."""
    zoned = len(meter.registers) > 1
    if zoned:
        values = values_named(meter, values, text) or values
    shown = []
    for value in values:
        number = ctx.t.number(value.value)
        named = assign_to_registers([value], meter) if zoned and value.labelled else None
        if isinstance(named, dict):
            zone = ctx.t(f"readings.zone.{meter.zone_of(next(iter(named))).value}")
            number = ctx.t("readings.value_of_zone", value=number, zone=zone)
        shown.append(number)
    return ", ".join(shown)


@flow.step("offered", Either((Readings(), YesNo()), hint="yes_no_or_readings"))
async def offered_step(ctx: Ctx, msg: Msg) -> None:
    """«31650 — это показание счётчика № …?» — yes, no, or the exact value instead («не, это я
    примерно, точно 4637,2»)."""
    meter = await _meter(ctx)
    if meter is None:
        await _meter_gone(ctx)
        return
    pending = ctx.data.pop("pending", "")
    if isinstance(msg.answer, list):
        offered = {value.value for value in await values_in(ctx, pending)}
        if any(v.value not in offered for v in msg.answer) and not not_a_reading(msg.text):
            # «не, это я примерно, точно 4637,2»: the exact value
            await _prompt(ctx, meter, values_given=True)
            await _take_values(ctx, meter, await _meant(ctx, meter, msg.answer, msg.text))
            return
        # The value offered said again: a yes, unless said with a no («нет, 31640 — пенсия»).
        msg.answer = not (_SAYS_NO.match(msg.text) or not_a_reading(msg.text))
    if not answered_yes(msg):
        await ctx.menu("readings.not_offered")  # «нет, это пенсия»: nothing about readings
        return
    await _prompt(ctx, meter, values_given=True)
    values = await _meant(ctx, meter, await values_in(ctx, pending), pending)
    await _take_values(ctx, meter, values)


class _SmartAnswer(Readings):
    """At «no submission needed» a yes, or «контрольное», asks for the control value; values
    are that value."""

    async def read(self, ctx: Ctx, msg: Msg) -> Answer:
        answer = await Readings.read(self, ctx, msg)
        typed = answer.fit is Fit.NONE and msg.kind is InboundKind.TEXT
        if typed and (is_yes(msg.text) or _CONTROL_WORDS.search(msg.text)):
            return Answer(Fit.STRONG, CONTROL)
        return answer


_CONTROL_WORDS = re.compile(r"контрольн|control", re.IGNORECASE)


@flow.step("smart", _SmartAnswer(kind="readings"))
async def smart_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    if meter is None:
        await _meter_gone(ctx)
        return
    if msg.action is not None and msg.action != CONTROL:
        await ctx.not_understood(msg)
        return
    ctx.data[CONTROL] = True
    ctx.goto(value_step)
    if isinstance(msg.answer, list):  # values sent straight away are the control values
        await _take_values(ctx, meter, await _meant(ctx, meter, msg.answer, msg.text))
    else:
        await _prompt(ctx, meter)


async def _prompt(ctx: Ctx, meter: Meter, *, values_given: bool = False) -> None:
    """Ask for the meter's values, with the last ones and what the customer should know. With
    `values_given` they came with the request («показания день 23500 ночь 8200»): nothing is
    asked — the answer to them follows — and only the meter's verification, if due, is said."""
    ctx.goto(value_step)
    verification = _verification_line(ctx, meter)
    if values_given:
        if verification:
            ctx.say(verification)
        return
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.readings(meter, locked=True)
    lines = [ctx.t("readings.meter_header", serial=meter.serial)]
    for register in meter.registers:
        previous = corrections.previous(ctx, meter, register.name, own, period)
        label = _what(ctx, meter, register.name, "prev")
        if previous is None:
            lines.append(ctx.t("readings.previous_none", what=label))
        elif previous[1] is None:
            lines.append(
                ctx.t("readings.previous_undated", what=label, value=ctx.t.number(previous[0]))
            )
        else:
            lines.append(
                ctx.t(
                    "readings.previous",
                    what=label,
                    value=ctx.t.number(previous[0]),
                    date=ctx.t.date(previous[1]),
                )
            )
    current = [r for r in own if r.period == period and r.status.counts]
    if current:
        lines.append(ctx.t("readings.will_replace", period=ctx.t.period(period)))
    if ctx.today.day > ctx.config.readings.cutoff_day:
        lines.append(
            ctx.t(
                "readings.after_cutoff",
                day=ctx.config.readings.cutoff_day,
                period=ctx.t.period(period),
            )
        )
    if verification:
        lines.append(verification)
    ask = "readings.ask_single" if len(meter.registers) == 1 else "readings.ask_zones"
    lines.append(ctx.t(ask, example=_example(ctx, meter)))
    ctx.say("\n".join(lines), [ctx.cancel_option()])


def _verification_line(ctx: Ctx, meter: Meter) -> str | None:
    """The meter's verification when it is due soon or overdue, else None."""
    state = verification_state(
        meter.verification_due, ctx.today, ctx.config.readings.verification_warn_months
    )
    if state is VerificationState.OK or not meter.verification_due:
        return None
    return ctx.t(f"readings.verification_{state.value}", date=ctx.t.date(meter.verification_due))


@flow.step("value", Readings())
async def value_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    if meter is None:
        await _meter_gone(ctx)
    elif disputes_a_billed_reading(ctx, msg.text):
        _billed_already(ctx)
    elif not ctx.data.get("got") and await _another_meter(ctx, msg, meter):
        return
    elif not_a_reading(msg.text):
        await ctx.not_understood(msg)  # «нет, это не показания, это номер квитанции 23650»
    elif either_or(msg.text):
        ctx.say(ctx.t("readings.one_value"), [ctx.cancel_option()])
    elif unsure(msg.text) and not ctx.data.get("got"):
        await _offer(ctx, meter, msg.text, "readings.unsure")
    else:
        await _take_values(ctx, meter, await _meant(ctx, meter, msg.answer, msg.text))


def _billed_already(ctx: Ctx) -> None:
    """Readings already billed are corrected by a control reading, not by sending others."""
    ctx.end()
    ctx.say(
        ctx.t("readings.billed_already"),
        [
            ctx.option("readings.control_visit", "go:visits"),
            ctx.operator_option(),
            ctx.menu_option(),
        ],
    )


async def _meant(ctx: Ctx, meter: Meter, values: list[ParsedValue], text: str) -> list[ParsedValue]:
    kind = ReadingKind.CONTROL if ctx.data.get(CONTROL) else ReadingKind.REGULAR
    if ctx.data.get("got"):
        # The rest of a reading given zone by zone, or a zone given already said again
        # («ночь не 8280 а 8290», «ой день не 23600 а 23610»): the zone a change or a withdrawal
        # names replaces its value; a zone named in passing is context («8280, день я не
        # ошиблась»).
        if not corrects(text):
            return values
        given = {name: Decimal(entry["value"]) for name, entry in ctx.data["got"].items()}
        named = values_named(meter, values, text, by_the_words=changes(text))
        return zone_withdrawn(named, text, given)
    return await values_meant(ctx, meter, values, text, kind)


async def _another_meter(ctx: Ctx, msg: Msg, meter: Meter) -> bool:
    """«показания за дачу 4150» at the flat's question: the values go to the meter named."""
    if msg.answer and could_be_display(meter, msg.answer):
        return False  # «квартира 27400, а на даче завтра гляну»: the values are this meter's
    accounts = await ctx.accounts()
    named = pick_account(msg.text, accounts) if len(accounts) > 1 else None
    if named is not None and named.number != meter.account:
        ctx.goto(meter_step, pending=msg.text, offered=False)
        await _with_account(ctx, named)
        return True
    meters = await ctx.meters(meter.account)
    other = meter_named(msg.text, meters) if len(meters) > 1 else None
    if other is not None and other.serial != meter.serial:
        ctx.data.update(pending=msg.text, offered=False)
        await _with_meter(ctx, other)
        return True
    return False


async def _take_values(ctx: Ctx, meter: Meter, values: list[ParsedValue]) -> None:
    got: dict[str, Any] = ctx.data.setdefault("got", {})
    missing = tuple(r.name for r in meter.registers if r.name not in got)
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.readings(meter, locked=True)
    values = in_the_order_they_fit(ctx, meter, values, missing, own, period)
    assigned = assign_to_registers(values, meter, missing)
    if isinstance(assigned, AssignError):
        ctx.say(
            ctx.t(f"readings.assign_{assigned.value}", example=_example(ctx, meter)),
            [ctx.cancel_option()],
        )
        return
    refused = False
    for name, parsed in assigned.items():
        previous = corrections.previous(ctx, meter, name, own, period)
        check = corrections.check(ctx, meter, parsed, previous)
        if check.verdict in ERRORS:
            # The other zones of the message are kept: only the refused ones are asked again.
            await _refuse(ctx, meter, name, check.verdict, previous)
            refused = True
            continue
        got[name] = {
            "value": str(parsed.value),
            "digits": parsed.integer_digits,
            "decimals": parsed.decimals,
            "consumption": None if check.consumption is None else str(check.consumption),
            "rollover": check.verdict is Verdict.ROLLOVER,
        }
    remaining = [r.name for r in meter.registers if r.name not in got]
    if remaining and (not refused or got):
        zone = meter.zone_of(remaining[0])
        ctx.say(
            ctx.t(
                "readings.ask_again" if refused else "readings.ask_next",
                zone=ctx.t(f"readings.zone.{zone.value}"),
                name=remaining[0],
                kept=", ".join(_what(ctx, meter, name, "kept") for name in got),
            ),
            [ctx.cancel_option()],
        )
    elif not remaining:
        await _review(ctx, meter)


async def _refuse(
    ctx: Ctx, meter: Meter, register: str, verdict: Verdict, previous: tuple[Any, Any] | None
) -> None:
    params: dict[str, Any] = {
        "what": _what(ctx, meter, register),
        "digits": meter.digits,
    }
    options = [ctx.cancel_option()]
    if previous is not None:
        params["previous"] = ctx.t.number(previous[0])
        params["date"] = (
            ctx.t("readings.on_date", date=ctx.t.date(previous[1])) if previous[1] else ""
        )
    if verdict is Verdict.BELOW_PREVIOUS:
        options.insert(0, ctx.option("readings.control_visit", "go:visits"))
    ctx.say(ctx.t(ERRORS[verdict], **params), options)


async def _review(ctx: Ctx, meter: Meter) -> None:
    got: dict[str, Any] = ctx.data["got"]
    rollover = [name for name, v in got.items() if v["rollover"] and not v.get("confirmed")]
    if rollover:
        ctx.goto(rollover_step)
        name = rollover[0]
        period = period_for(ctx.today, ctx.config.readings.cutoff_day)
        own = await ctx.readings(meter, locked=True)
        before = corrections.previous(ctx, meter, name, own, period)
        ctx.say(
            ctx.t(
                "readings.rollover",
                what=_what(ctx, meter, name),
                value=ctx.t.number(Decimal(got[name]["value"])),
                previous=ctx.t.number(before[0]) if before else "—",
                consumption=ctx.t.number(Decimal(got[name]["consumption"])),
            ),
            yes_no(ctx),
        )
        return
    total = _total(got)
    if total is not None and not ctx.data.get("confirmed"):
        history = await ctx.store.history.for_account(
            meter.account, ctx.config.readings.history_months
        )
        limit = plausibility_limit(
            account_average([h.kwh for h in history], ctx.config.readings.history_months),
            meter.avg_monthly_kwh,
            ctx.config.readings.plausibility_factor,
            ctx.config.readings.without_history_kwh,
        )
        if total > limit:
            ctx.goto(confirm_step)
            text = ctx.t("readings.implausible", kwh=ctx.t.number(total))
            # Each value and its kWh: which zone looks wrong, and — when the values came with
            # the request and no prompt was shown — what the question is about.
            text += "\n" + "\n".join(
                ctx.t(
                    "readings.line",
                    what=_what(ctx, meter, name),
                    value=ctx.t.number(Decimal(entry["value"])),
                    kwh=ctx.t.number(Decimal(entry["consumption"])),
                )
                for name, entry in got.items()
            )
            ctx.say(text, yes_no(ctx))
            return
    await _save(ctx, meter)


# «да», «нет», or the readings anew instead of an answer.
_CONFIRMATION = Either((YesNo(), Readings()), hint="yes_no_or_readings")


@flow.step("rollover", _CONFIRMATION)
async def rollover_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    if meter is None:
        await _meter_gone(ctx)
        return
    got: dict[str, Any] = ctx.data.get("got", {})
    pending = [name for name, v in got.items() if v["rollover"] and not v.get("confirmed")]
    if await _corrected(ctx, meter, msg):
        return
    if answered_yes(msg) and pending:
        got[pending[0]]["confirmed"] = True
        await _review(ctx, meter)
    else:
        await _not_confirmed(ctx, meter, msg)


@flow.step("confirm", _CONFIRMATION)
async def confirm_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    if meter is None:
        await _meter_gone(ctx)
    elif await _corrected(ctx, meter, msg):
        return
    elif answered_yes(msg) and ctx.data.get("got"):
        ctx.data["confirmed"] = True
        await _save(ctx, meter, flagged=True)
    else:
        await _not_confirmed(ctx, meter, msg)


async def _corrected(ctx: Ctx, meter: Meter, msg: Msg) -> bool:
    """A yes or no said with another value than those asked about («да точнее 12480», «да но
    ночь 8030»): the value said now is meant. Only a number that is a valid reading of one of
    the meter's registers counts — «да, 3 месяца не передавала», «да, 11069 кВт» stay answers.
    False when the answer holds no such value."""
    if isinstance(msg.answer, list) or msg.kind is not InboundKind.TEXT:
        return False  # values alone are new values: the caller's no-branch takes them
    if not any(c.isdigit() for c in msg.text):
        return False
    got: dict[str, Any] = ctx.data.get("got", {})
    asked = {Decimal(v["value"]) for v in got.values()}
    said = await values_in(ctx, msg.text)
    new = [v for v in said if v.value not in asked and await _a_reading_of(ctx, meter, v)]
    if not new:
        return False
    await _replace_in_submission(ctx, meter, new, msg.text)
    return True


async def _replace_in_submission(
    ctx: Ctx, meter: Meter, values: list[ParsedValue], text: str
) -> None:
    """Values said at «всё верно?» or the rollover question in place of those of this
    submission: a zone named («да, но ночь 8030», «ночь не 8050 а 8030») or clearly meant
    (corrections.zone_questioned: «ой там 7445» after «день 74450» is the day's) replaces that
    zone only, the others keep what was just sent (never an earlier submission's); values that
    fit no zone alone start the meter's values again."""
    got: dict[str, Any] = ctx.data.get("got", {})
    sent = {name: Decimal(entry["value"]) for name, entry in got.items()}
    values = zone_withdrawn(values_named(meter, values, text), text, sent)
    if len(values) == 1 and not values[0].labelled and len(meter.registers) > 1:
        period = period_for(ctx.today, ctx.config.readings.cutoff_day)
        own = await ctx.readings(meter, locked=True)
        register = corrections.zone_questioned(ctx, meter, values[0], got, own, period)
        if register is not None:
            values = [replace(values[0], register=register)]
    named = assign_to_registers(values, meter, tuple(r.name for r in meter.registers))
    if values and all(v.labelled for v in values) and not isinstance(named, AssignError):
        kept = {name: entry for name, entry in got.items() if name not in named}
    else:
        kept = {}
    ctx.goto(value_step, got=kept, confirmed=False)
    await _take_values(ctx, meter, values)


async def _a_reading_of(ctx: Ctx, meter: Meter, value: ParsedValue) -> bool:
    """Whether `value` passes the checks as a reading of a register it may be (its zone's, if
    named): not lower than the last one, not a roll past zero, not too long for the display."""
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.readings(meter, locked=True)
    names = [r.name for r in meter.registers]
    if value.labelled:
        named = assign_to_registers([value], meter, tuple(names))
        if isinstance(named, AssignError):
            return False
        names = list(named)
    return any(
        corrections.check(
            ctx, meter, value, corrections.previous(ctx, meter, name, own, period)
        ).verdict
        is Verdict.OK
        for name in names
    )


async def _not_confirmed(ctx: Ctx, meter: Meter, msg: Msg) -> None:
    """«No», or new values instead of an answer: never lose the flow."""
    if isinstance(msg.answer, list):
        await _replace_in_submission(ctx, meter, msg.answer, msg.text)
    else:
        await _restart(ctx, meter)


async def _restart(ctx: Ctx, meter: Meter) -> None:
    ctx.goto(value_step, got={}, confirmed=False)
    ctx.say(
        ctx.t("readings.enter_again", example=_example(ctx, meter)),
        [ctx.cancel_option()],
    )


async def _meter_gone(ctx: Ctx) -> None:
    """The meter left billing's data while the customer was typing (a re-import)."""
    await ctx.menu("readings.meter_gone")


async def _save(ctx: Ctx, meter: Meter, *, flagged: bool = False) -> None:
    got: dict[str, Any] = ctx.data["got"]
    control = bool(ctx.data.get(CONTROL))
    kind = ReadingKind.CONTROL if control else ReadingKind.REGULAR
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.readings(meter, locked=True)
    # The answers may have taken a while: check again against what is stored now (a family
    # member's reading, midnight of the cut-off day) before anything is written.
    for register in meter.registers:
        entry = got[register.name]
        previous = corrections.previous(ctx, meter, register.name, own, period)
        check = corrections.check(ctx, meter, _parsed(entry), previous)
        if check.verdict in ERRORS:
            ctx.goto(value_step, got={}, confirmed=False)
            await _refuse(ctx, meter, register.name, check.verdict, previous)
            return
        if check.verdict is Verdict.ROLLOVER and not entry.get("confirmed"):
            entry.update(rollover=True, consumption=str(check.consumption))
            await _review(ctx, meter)
            return
        entry["consumption"] = None if check.consumption is None else str(check.consumption)
    replaced = [
        r.id
        for r in own
        if r.period == period and r.kind is kind and r.status.counts and r.id is not None
    ]
    if replaced:
        await ctx.store.readings.set_status(replaced, ReadingStatus.REPLACED)
    status = ReadingStatus.FLAGGED if flagged else ReadingStatus.ACCEPTED
    lines = [
        ctx.t(
            "readings.control_saved" if control else "readings.saved",
            serial=meter.serial,
            period=ctx.t.period(period),
        )
    ]
    saved: list[Reading] = []
    for register in meter.registers:
        entry = got[register.name]
        consumption = None if entry["consumption"] is None else Decimal(entry["consumption"])
        saved.append(
            Reading(
                account=meter.account,
                serial=meter.serial,
                register=register.name,
                value=Decimal(entry["value"]),
                consumption_kwh=consumption,
                period=period,
                submitted_at=ctx.now,
                channel=ctx.conversation.channel,
                status=status,
                kind=kind,
                customer_id=ctx.customer.id,
            )
        )
        label = _what(ctx, meter, register.name)
        value = ctx.t.number(Decimal(entry["value"]))
        if consumption is None:
            lines.append(ctx.t("readings.line_first", what=label, value=value))
        else:
            lines.append(
                ctx.t("readings.line", what=label, value=value, kwh=ctx.t.number(consumption))
            )
    await ctx.store.readings.add_all(saved)
    ctx.forget_readings(meter)
    if replaced:
        lines.append(ctx.t("readings.replaced"))
    if flagged:
        lines.append(ctx.t("readings.flagged"))
    cost = await _estimate_line(ctx, meter, got)
    if cost:
        lines.append(cost)
    ctx.end()
    ctx.say(
        "\n".join(lines),
        [
            ctx.option("readings.more", "go:readings"),
            ctx.option("menu.balance", "go:balance"),
            ctx.menu_option(),
        ],
    )


async def _estimate_line(ctx: Ctx, meter: Meter, got: dict[str, Any]) -> str | None:
    if any(v["consumption"] is None for v in got.values()):
        return None
    linked = await ctx.accounts()  # read this turn already
    account = next((a for a in linked if a.number == meter.account), None)
    if account is None:
        return None
    rows = rows_valid_on(
        await ctx.store.tariffs.of(account.category, meter.scheme),
        account.category,
        meter.scheme,
        ctx.today,
    )
    zone_kwh = {meter.zone_of(name): Decimal(v["consumption"]) for name, v in got.items()}
    try:
        result = estimate(
            rows, zone_kwh, large_family=account.large_family, split=ctx.config.zone_split
        )
    except NoTariff:
        return None
    return ctx.t(
        "readings.estimate", amount=ctx.t.money(result.total), date=ctx.t.date(result.tariff_date)
    )


def _total(got: dict[str, Any]) -> Decimal | None:
    if any(v["consumption"] is None for v in got.values()):
        return None
    return sum((Decimal(v["consumption"]) for v in got.values()), Decimal(0))


async def _meter(ctx: Ctx) -> Meter | None:
    number, serial = ctx.data.get("account"), ctx.data.get("serial")
    if number is None or serial is None:
        return None
    meters = await ctx.meters(number)
    return next((m for m in meters if m.serial == serial), None)


def _parsed(entry: dict[str, Any]) -> ParsedValue:
    """A value kept in the state, as the parser first saw it."""
    return ParsedValue(None, Decimal(entry["value"]), entry["digits"], entry["decimals"])


def _what(ctx: Ctx, meter: Meter, register: str, form: str = "what") -> str:
    """«Показание» of a single-rate meter, «Показание (день, T1)» of a zone; form "prev" gives
    «Предыдущее показание (день, T1)»."""
    if len(meter.registers) == 1:
        return ctx.t(f"readings.{form}_single")
    zone = ctx.t(f"readings.zone.{meter.zone_of(register).value}")
    return ctx.t(f"readings.{form}_zone", zone=zone, name=register)


def _example(ctx: Ctx, meter: Meter) -> str:
    return ctx.t(f"readings.example.{meter.scheme.value}")


async def offer_leftover(ctx: Ctx, msg: Msg) -> bool:
    """A reading that came with another request («за маму 31650, квитанции нет под рукой»),
    offered once that request is answered: «31650 — это показание счётчика № …?»."""
    if msg.kind is not InboundKind.TEXT or not msg.analysis.entities.readings:
        return False
    if money_beside_numbers(msg.text) or bill_disputed(msg.text) or not await ctx.accounts():
        return False  # «я плачу по 2000 каждый месяц»: an amount of money, no reading
    values = await values_in(ctx, msg.text)
    if not values or not any(v.labelled or v.integer_digits >= 4 for v in values):
        return False
    accounts = await ctx.accounts()
    candidates: list[Meter] = []
    named = pick_account(msg.text, accounts)
    for linked in [named] if named else accounts:
        meters = await ctx.meters(linked.number)
        # A smart meter's values are not offered: billing reads that meter itself.
        candidates += [m for m in meters if could_be_display(m, values) and not m.smart]
    if len(candidates) != 1:
        return False
    meter = candidates[0]
    ctx.goto(offered_step, account=meter.account, serial=meter.serial, got={}, pending=msg.text)
    shown = _shown(ctx, meter, values, msg.text)
    ctx.say(ctx.t("readings.offered", values=shown, serial=meter.serial), yes_no(ctx))
    return True


flow.leftover = offer_leftover
account = account_step(flow, _with_account)
