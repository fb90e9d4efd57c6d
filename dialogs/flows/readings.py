"""Submitting meter readings: account → meter → values → checks → stored, with the estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.accounts import Account
from core.meters import Meter, VerificationState, verification_state
from core.readings import (
    AssignError,
    Reading,
    ReadingKind,
    ReadingStatus,
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
from dialogs.flow import Flow, Msg
from dialogs.flows.common import account_step, answered_no, answered_yes, start_with_account, yes_no
from dialogs.nlu import Intent

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
            [ctx.option("menu.operator", "go:operator"), ctx.option("menu.menu", "go:menu")],
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
    meters = await ctx.store.meters.for_account(ctx.data["account"])
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
            [ctx.option("readings.send_control", CONTROL), ctx.option("menu.menu", "go:menu")],
        )
        return
    await _prompt(ctx, meter)
    pending = ctx.data.pop("pending", None)
    if pending:
        await _take_values(ctx, meter, pending)


@flow.step("smart")
async def smart_step(ctx: Ctx, msg: Msg) -> None:
    if msg.action != CONTROL and not answered_yes(msg):
        await ctx.not_understood(msg)
        return
    ctx.data[CONTROL] = True
    meter = await _meter(ctx)
    ctx.goto("readings", "value")
    await _prompt(ctx, meter)


async def _prompt(ctx: Ctx, meter: Meter) -> None:
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.store.readings.for_meter(meter.account, meter.serial)
    lines = [ctx.t("readings.meter_header", serial=meter.serial)]
    for register in meter.registers:
        previous = previous_value(register.last_value, register.last_date, own, period)
        label = _what(ctx, meter, register.name)
        if previous is None:
            lines.append(ctx.t("readings.previous_none", what=label))
        else:
            lines.append(
                ctx.t(
                    "readings.previous",
                    what=label,
                    value=ctx.t.number(previous[0]),
                    date=ctx.t.date(previous[1]),
                )
            )
    current = [r for r in own if r.period == period and r.status is not ReadingStatus.REPLACED]
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
    ctx.say("\n".join(lines), [ctx.option("common.cancel", "go:menu")])


@flow.step("value", expects_input=True)
async def value_step(ctx: Ctx, msg: Msg) -> None:
    if msg.action:
        await ctx.not_understood(msg)
        return
    await _take_values(ctx, await _meter(ctx), msg.text, msg)


async def _take_values(ctx: Ctx, meter: Meter, text: str, msg: Msg | None = None) -> None:
    values = parse_readings(text)
    if not values:
        if msg is not None and _elsewhere(msg):
            await ctx.not_understood(msg)
        else:
            ctx.say(
                ctx.t("readings.not_a_number", example=_example(ctx, meter)),
                [ctx.option("common.cancel", "go:menu")],
            )
        return
    got: dict[str, Any] = ctx.data.setdefault("got", {})
    missing = tuple(r.name for r in meter.registers if r.name not in got)
    assigned = assign_to_registers(values, meter, missing)
    if isinstance(assigned, AssignError):
        ctx.say(
            ctx.t(f"readings.assign_{assigned.value}", example=_example(ctx, meter)),
            [ctx.option("common.cancel", "go:menu")],
        )
        return
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.store.readings.for_meter(meter.account, meter.serial)
    checked: dict[str, Any] = {}
    for name, parsed in assigned.items():
        register = meter.register(name)
        previous = previous_value(register.last_value, register.last_date, own, period)
        check = check_register_value(
            parsed,
            previous[0] if previous else None,
            meter.digits,
            ctx.config.readings.rollover_margin,
        )
        if check.verdict in ERRORS:
            await _refuse(ctx, meter, name, check.verdict, previous)
            return
        checked[name] = {
            "value": str(parsed.value),
            "consumption": None if check.consumption is None else str(check.consumption),
            "rollover": check.verdict is Verdict.ROLLOVER,
        }
    got.update(checked)
    remaining = [r.name for r in meter.registers if r.name not in got]
    if remaining:
        ctx.say(
            ctx.t("readings.ask_next", what=_what(ctx, meter, remaining[0])),
            [ctx.option("common.cancel", "go:menu")],
        )
        return
    await _review(ctx, meter)


async def _refuse(
    ctx: Ctx, meter: Meter, register: str, verdict: Verdict, previous: tuple[Any, Any] | None
) -> None:
    params: dict[str, Any] = {
        "what": _what(ctx, meter, register),
        "digits": meter.digits,
    }
    options = [ctx.option("common.cancel", "go:menu")]
    if previous is not None:
        params.update(previous=ctx.t.number(previous[0]), date=ctx.t.date(previous[1]))
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
        averages = [r.avg_monthly_kwh for r in meter.registers]
        meter_average = sum(averages, Decimal(0)) if all(a is not None for a in averages) else None
        limit = plausibility_limit(
            account_average([h.kwh for h in history], ctx.config.readings.history_months),
            meter_average,
            ctx.config.readings.plausibility_factor,
            ctx.config.readings.without_history_kwh,
        )
        if total > limit:
            ctx.goto("readings", "confirm")
            ctx.say(ctx.t("readings.implausible", kwh=ctx.t.number(total)), yes_no(ctx))
            return
    await _save(ctx, meter)


@flow.step("rollover")
async def rollover_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    got: dict[str, Any] = ctx.data["got"]
    pending = [name for name, v in got.items() if v["rollover"] and not v.get("confirmed")]
    if answered_yes(msg) and pending:
        got[pending[0]]["confirmed"] = True
        await _review(ctx, meter)
    elif answered_no(msg):
        await _restart(ctx, meter)
    else:
        await ctx.not_understood(msg)


@flow.step("confirm")
async def confirm_step(ctx: Ctx, msg: Msg) -> None:
    meter = await _meter(ctx)
    if answered_yes(msg):
        ctx.data["confirmed"] = True
        await _save(ctx, meter, flagged=True)
    elif answered_no(msg):
        await _restart(ctx, meter)
    else:
        await ctx.not_understood(msg)


async def _restart(ctx: Ctx, meter: Meter) -> None:
    ctx.goto("readings", "value", got={}, confirmed=False)
    ctx.say(
        ctx.t("readings.enter_again", example=_example(ctx, meter)),
        [ctx.option("common.cancel", "go:menu")],
    )


async def _save(ctx: Ctx, meter: Meter, *, flagged: bool = False) -> None:
    got: dict[str, Any] = ctx.data["got"]
    control = bool(ctx.data.get(CONTROL))
    kind = ReadingKind.CONTROL if control else ReadingKind.REGULAR
    period = period_for(ctx.today, ctx.config.readings.cutoff_day)
    own = await ctx.store.readings.for_meter(meter.account, meter.serial)
    replaced = [
        r.id
        for r in own
        if r.period == period
        and r.kind is kind
        and r.status is not ReadingStatus.REPLACED
        and r.id is not None
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
            ctx.option("menu.menu", "go:menu"),
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


async def _meter(ctx: Ctx) -> Meter:
    meters = await ctx.store.meters.for_account(ctx.data["account"])
    return next(m for m in meters if m.serial == ctx.data["serial"])


def _what(ctx: Ctx, meter: Meter, register: str) -> str:
    """«Показание» of a single-rate meter, «Показание (день, T1)» of a zone."""
    if len(meter.registers) == 1:
        return ctx.t("readings.what_single")
    zone = ctx.t(f"readings.zone.{meter.zone_of(register).value}")
    return ctx.t("readings.what_zone", zone=zone, name=register)


def _example(ctx: Ctx, meter: Meter) -> str:
    return ctx.t(f"readings.example.{meter.scheme.value}")


def _elsewhere(msg: Msg) -> bool:
    analysis = msg.analysis
    return analysis.intent not in (Intent.OTHER, Intent.SUBMIT_READING) and (
        analysis.confidence >= 0.5
    )


account_step(flow, _with_account)
