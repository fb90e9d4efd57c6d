"""Submitting meter readings: account → meter → values → checks → stored, with the estimate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core.accounts import Account
from core.meters import Meter, VerificationState, verification_state
from core.readings import (
    AssignError,
    ParsedValue,
    Reading,
    ReadingKind,
    ReadingStatus,
    RegisterCheck,
    Verdict,
    account_average,
    assign_to_registers,
    check_register_value,
    parse_readings,
    period_for,
    plausibility_limit,
    previous_value,
)
from core.tariffs import NoTariff, estimate, rows_valid_on
from dialogs.context import Ctx
from dialogs.flow import CONFIDENT, Flow, Msg
from dialogs.flows.common import account_step, answered_no, answered_yes, start_with_account, yes_no
from dialogs.nlu import Intent, analyze

flow = Flow("readings", needs_account=True)

METER = "meter:"
CONTROL = "control"
ERRORS: dict[Verdict, str] = {
    Verdict.TOO_MANY_DECIMALS: "readings.too_many_decimals",
    Verdict.TOO_MANY_DIGITS: "readings.too_many_digits",
    Verdict.BELOW_PREVIOUS: "readings.below_previous",
}


@flow.start
async def begin(ctx: Ctx, msg: Msg) -> None:
    if msg.text and not msg.action and msg.analysis.entities.readings:
        ctx.goto("readings", "account", pending=msg.text)
    await start_with_account(ctx, "readings", _with_account)


async def _with_account(ctx: Ctx, account: Account) -> None:
    meters = await ctx.store.meters.for_account(account.number)
    ctx.goto("readings", "meter", account=account.number)
    if not meters:
        ctx.end()
        ctx.say(
            ctx.t("readings.no_meters"),
            [ctx.operator_option(), ctx.menu_option()],
        )
    elif len(meters) == 1:
        await _with_meter(ctx, meters[0])
    else:
        options = [
            ctx.option(
                "readings.meter_option",
                f"{METER}{m.serial}",
                serial=m.serial,
                scheme=ctx.t(f"readings.scheme.{m.scheme.value}"),
            )
            for m in meters
        ]
        ctx.say(ctx.t("readings.choose_meter"), options)


@flow.step("meter")
async def meter_step(ctx: Ctx, msg: Msg) -> None:
    meters = await ctx.store.meters.for_account(ctx.data.get("account", ""))
    serial = msg.action.removeprefix(METER) if msg.action else msg.text
    chosen = next((m for m in meters if m.serial.casefold() == serial.casefold()), None)
    if chosen is None:
        await ctx.not_understood(msg)
        return
    await _with_meter(ctx, chosen)


async def _with_meter(ctx: Ctx, meter: Meter) -> None:
    ctx.goto("readings", "value", serial=meter.serial, got={})
    if meter.smart and not ctx.data.get(CONTROL):
        ctx.goto("readings", "smart")
        ctx.say(
            ctx.t("readings.smart", serial=meter.serial),
            [ctx.option("readings.send_control", CONTROL), ctx.menu_option()],
        )
        return
    await _prompt(ctx, meter)
    pending = ctx.data.pop("pending", None)
    if pending:
        await _take_values(ctx, meter, pending)


@flow.step("smart")
async def smart_step(ctx: Ctx, msg: Msg) -> None:
    typed = msg.action is None and bool(_values_in(msg.text, ctx.customer.language))
    if msg.action != CONTROL and not answered_yes(msg) and not typed:
        await ctx.not_understood(msg)
        return
    meter = await _meter(ctx)
    if meter is None:
        await _meter_gone(ctx)
        return
    ctx.data[CONTROL] = True
    ctx.goto("readings", "value")
    if typed:  # values sent straight away are taken as the control values they can only be
        await _take_values(ctx, meter, msg.text, msg)
    else:
        await _prompt(ctx, meter)


async def _prompt(ctx: Ctx, meter: Meter) -> None:
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.store.readings.for_meter(meter.account, meter.serial)
    lines = [ctx.t("readings.meter_header", serial=meter.serial)]
    for register in meter.registers:
        previous = _previous(ctx, meter, register.name, own, period)
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
    state = verification_state(
        meter.verification_due, ctx.today, ctx.config.readings.verification_warn_months
    )
    if state is not VerificationState.OK and meter.verification_due:
        lines.append(
            ctx.t(f"readings.verification_{state.value}", date=ctx.t.date(meter.verification_due))
        )
    ask = "readings.ask_single" if len(meter.registers) == 1 else "readings.ask_zones"
    lines.append(ctx.t(ask, example=_example(ctx, meter)))
    ctx.say("\n".join(lines), [ctx.cancel_option()])


@flow.step("value", expects_input=True)
async def value_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    if msg.action:
        await ctx.not_understood(msg)
    elif meter is None:
        await _meter_gone(ctx)
    else:
        await _take_values(ctx, meter, msg.text, msg)


def _values_in(text: str, language: str) -> list[ParsedValue]:
    """Readings in a message; account numbers, phones and dates around them are not readings."""
    found = list(analyze(text, language).entities.readings)
    return found or parse_readings(text)  # «12480 квт» is a reading here, not an amount


async def _take_values(ctx: Ctx, meter: Meter, text: str, msg: Msg | None = None) -> None:
    values = _values_in(text, ctx.customer.language)
    if not values and msg is not None and msg.analysis.intent is Intent.SUBMIT_READING:
        await _prompt(ctx, meter)  # «передать показания» again: the question again
        return
    if not values:
        if msg is not None and msg.asks_for_something_else(Intent.SUBMIT_READING, CONFIDENT):
            await ctx.not_understood(msg)
        else:
            ctx.say(
                ctx.t("readings.not_a_number", example=_example(ctx, meter)),
                [ctx.cancel_option()],
            )
        return
    got: dict[str, Any] = ctx.data.setdefault("got", {})
    missing = tuple(r.name for r in meter.registers if r.name not in got)
    assigned = assign_to_registers(values, meter, missing)
    if isinstance(assigned, AssignError):
        ctx.say(
            ctx.t(f"readings.assign_{assigned.value}", example=_example(ctx, meter)),
            [ctx.cancel_option()],
        )
        return
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.store.readings.for_meter(meter.account, meter.serial)
    refused = False
    for name, parsed in assigned.items():
        previous = _previous(ctx, meter, name, own, period)
        check = _check(ctx, meter, parsed, previous)
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
        ctx.goto("readings", "rollover")
        name = rollover[0]
        ctx.say(
            ctx.t(
                "readings.rollover",
                what=_what(ctx, meter, name),
                value=ctx.t.number(Decimal(got[name]["value"])),
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
            ctx.goto("readings", "confirm")
            text = ctx.t("readings.implausible", kwh=ctx.t.number(total))
            if len(meter.registers) > 1:  # which zone looks wrong: each value and its kWh
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


@flow.step("rollover")
async def rollover_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    if meter is None:
        await _meter_gone(ctx)
        return
    got: dict[str, Any] = ctx.data.get("got", {})
    pending = [name for name, v in got.items() if v["rollover"] and not v.get("confirmed")]
    if answered_yes(msg) and pending:
        got[pending[0]]["confirmed"] = True
        await _review(ctx, meter)
    else:
        await _not_confirmed(ctx, meter, msg)


@flow.step("confirm")
async def confirm_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    if meter is None:
        await _meter_gone(ctx)
    elif answered_yes(msg) and ctx.data.get("got"):
        ctx.data["confirmed"] = True
        await _save(ctx, meter, flagged=True)
    else:
        await _not_confirmed(ctx, meter, msg)


async def _not_confirmed(ctx: Ctx, meter: Meter, msg: Msg) -> None:
    """«No», new values instead of an answer, or something else: never lose the flow."""
    if answered_no(msg):
        await _restart(ctx, meter)
    elif msg.action is None and _values_in(msg.text, ctx.customer.language):
        ctx.goto("readings", "value", got={}, confirmed=False)
        await _take_values(ctx, meter, msg.text, msg)
    elif msg.action or msg.asks_for_something_else(Intent.SUBMIT_READING, CONFIDENT):
        await ctx.not_understood(msg)
    else:
        ctx.say(ctx.t("readings.yes_or_no"), yes_no(ctx))


async def _restart(ctx: Ctx, meter: Meter) -> None:
    ctx.goto("readings", "value", got={}, confirmed=False)
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
    await ctx.store.meters.lock(meter.account, meter.serial)
    own = await ctx.store.readings.for_meter(meter.account, meter.serial)
    # The answers may have taken a while: check again against what is stored now (a family
    # member's reading, midnight of the cut-off day) before anything is written.
    for register in meter.registers:
        entry = got[register.name]
        previous = _previous(ctx, meter, register.name, own, period)
        check = _check(ctx, meter, _parsed(entry), previous)
        if check.verdict in ERRORS:
            ctx.goto("readings", "value", got={}, confirmed=False)
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
    for register in meter.registers:
        entry = got[register.name]
        consumption = None if entry["consumption"] is None else Decimal(entry["consumption"])
        await ctx.store.readings.add(
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
    account = await ctx.store.accounts.get(meter.account)
    if account is None:
        return None
    rows = rows_valid_on(await ctx.store.tariffs.all(), account.category, meter.scheme, ctx.today)
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
    meters = await ctx.store.meters.for_account(number)
    return next((m for m in meters if m.serial == serial), None)


def _previous(
    ctx: Ctx, meter: Meter, register: str, own: list[Reading], period: str
) -> tuple[Decimal, date | None] | None:
    billing = meter.register(register)
    return previous_value(billing.last_value, billing.last_date, own, period, ctx.config.hours.tz)


def _check(
    ctx: Ctx, meter: Meter, parsed: ParsedValue, previous: tuple[Decimal, Any] | None
) -> RegisterCheck:
    return check_register_value(
        parsed,
        previous[0] if previous else None,
        meter.digits,
        ctx.config.readings.rollover_margin,
    )


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


account_step(flow, _with_account)
