"""Tariffs and the bill estimate: my tariff, zone hours, ranges, «how much for N kWh»."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal

from core.accounts import Account, Category
from core.masking import mask_account
from core.meters import REGISTER_ZONES, Meter, Scheme, Zone
from core.readings import ParsedValue, parse_readings
from core.tariffs import Estimate, NoTariff, TariffRow, estimate, rows_valid_on
from dialogs.context import Ctx, Option
from dialogs.flow import Flow, Msg
from dialogs.nlu import TariffQuestion, tariff_question_kind

flow = Flow("tariffs")

MINE = "tar:mine"
ESTIMATE = "tar:estimate"
ZONES = "tar:zones"
RANGES = "tar:ranges"
LARGE = "tar:large"

# Nobody's flat uses this much in a month: more likely an account number or a meter display.
MAX_KWH = Decimal(100_000)
ZONE_ORDER = list(Zone)
THREE_ZONE_LABELS = frozenset({Zone.PEAK, Zone.SEMIPEAK})


def _menu_options(ctx: Ctx) -> list[Option]:
    return [
        ctx.option("tariffs.my_tariff", MINE),
        ctx.option("tariffs.estimate", ESTIMATE),
        ctx.option("tariffs.zone_hours", ZONES),
        ctx.option("tariffs.ranges", RANGES),
        ctx.option("tariffs.large_family", LARGE),
        ctx.menu_option(),
    ]


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    if msg.action is None and msg.text:
        values = _amounts_in(msg)
        if values:
            await _estimate(ctx, values)
            return
        kind = tariff_question_kind(msg.text)
        if kind is not None:
            await HANDLERS[QUESTIONS[kind]](ctx)
            return
    ctx.goto("tariffs", "menu")
    ctx.say(ctx.t("tariffs.intro"), _menu_options(ctx))


def _amounts_in(msg: Msg) -> list[ParsedValue]:
    """Volumes named at the start: «250 квт» or zone-labelled values («день 200 ночь 90»)."""
    entities = msg.analysis.entities
    labelled = [v for v in entities.readings if v.labelled]
    if labelled:
        return labelled
    if entities.kwh:
        return [_plain(kwh) for kwh in entities.kwh[:1]]
    return []


def _plain(kwh: Decimal) -> ParsedValue:
    integer, _, fraction = format(kwh, "f").partition(".")
    return ParsedValue(None, Decimal(kwh), len(integer.lstrip("-")), len(fraction))


@flow.step("menu")
async def menu(ctx: Ctx, msg: Msg) -> None:
    handler = HANDLERS.get(msg.action or "")
    if handler is not None:
        await handler(ctx)
        return
    values = _amounts_in(msg) if msg.action is None else []
    if values:
        await _estimate(ctx, values)
        return
    await ctx.not_understood(msg)


# -- the estimate ------------------------------------------------------------------------------


async def ask_estimate(ctx: Ctx) -> None:
    ctx.goto("tariffs", "estimate")
    ctx.say(ctx.t("tariffs.estimate_prompt"), [ctx.menu_option()])


@flow.step("estimate", expects_input=True)
async def estimate_step(ctx: Ctx, msg: Msg) -> None:
    if msg.action in (MINE, ESTIMATE, ZONES, RANGES, LARGE):
        await menu(ctx, msg)
        return
    values = parse_readings(msg.text) if msg.action is None else []
    if not values:
        await ctx.not_understood(msg)
        return
    # «250 квт за ноябрь 2026» names one volume; the year is not a zone.
    labelled = [v for v in values if v.labelled]
    kwh = msg.analysis.entities.kwh
    if not labelled and len(kwh) == 1:
        values = [_plain(kwh[0])]
    await _estimate(ctx, values)


def zone_volumes(
    values: Sequence[ParsedValue], meter_scheme: Scheme | None
) -> tuple[Scheme, dict[Zone, Decimal]] | str:
    """The scheme the values imply and the kWh per zone, or the key of what is wrong."""
    labelled = [v for v in values if v.labelled]
    if labelled and len(labelled) != len(values):
        return "tariffs.estimate_mixed"
    if not labelled:
        schemes = {1: Scheme.SINGLE, 2: Scheme.TWO_ZONE, 3: Scheme.THREE_ZONE}
        scheme = schemes.get(len(values))
        if scheme is None:
            return "tariffs.estimate_too_many"
        zones = list(REGISTER_ZONES[scheme].values())  # register order T1, T2, T3
        return scheme, {zone: v.value for zone, v in zip(zones, values, strict=True)}
    registers = {v.register for v in values if v.register}
    zones_named = {v.zone for v in values if v.zone}
    three = "T3" in registers or bool(zones_named & THREE_ZONE_LABELS)
    # т1/т2 name registers: on a three-zone meter they are peak and night.
    three = three or bool(registers and meter_scheme is Scheme.THREE_ZONE)
    scheme = Scheme.THREE_ZONE if three else Scheme.TWO_ZONE
    volumes: dict[Zone, Decimal] = {}
    for value in values:
        if value.register:
            zone = REGISTER_ZONES[scheme][value.register]
        else:
            assert value.zone is not None
            zone = value.zone
        # People call the dearest zone «день» or «пик» whatever the scheme calls it.
        if scheme is Scheme.THREE_ZONE and zone is Zone.DAY:
            zone = Zone.PEAK
        if zone in volumes:
            return "tariffs.estimate_duplicate"
        volumes[zone] = value.value
    return scheme, volumes


async def _household(ctx: Ctx) -> tuple[Account | None, Meter | None]:
    """The first linked account and its first meter: they decide category and scheme."""
    accounts = await ctx.accounts()
    if not accounts:
        return None, None
    meters = await ctx.store.meters.for_account(accounts[0].number)
    return accounts[0], (meters[0] if meters else None)


async def _estimate(ctx: Ctx, values: Sequence[ParsedValue]) -> None:
    t = ctx.t
    account, meter = await _household(ctx)
    meter_scheme = meter.scheme if meter else None
    implied = zone_volumes(values, meter_scheme)
    retry = [ctx.option("tariffs.my_tariff", MINE), ctx.menu_option()]
    ctx.goto("tariffs", "estimate")
    if isinstance(implied, str):
        ctx.say(t(implied), retry)
        return
    scheme, volumes = implied
    total_kwh = sum(volumes.values(), Decimal(0))
    if total_kwh <= 0:
        ctx.say(t("tariffs.estimate_zero"), retry)
        return
    if total_kwh > MAX_KWH:
        ctx.say(t("tariffs.estimate_too_big", kwh=t.number(total_kwh)), retry)
        return
    category = account.category if account else Category.URBAN_GAS
    large = bool(account and account.large_family)
    rows = rows_valid_on(await ctx.store.tariffs.all(), category, scheme, ctx.today)
    try:
        result = estimate(rows, volumes, large_family=large, split=ctx.config.zone_split)
    except NoTariff:
        ctx.say(t("tariffs.no_tariff"), [ctx.operator_option(), ctx.menu_option()])
        return
    parts = [_estimate_text(ctx, result, large)]
    if meter_scheme is not None and meter_scheme is not scheme:
        parts.append(t(f"tariffs.estimate_your_scheme.{meter_scheme.value}"))
    parts.append(t("tariffs.estimate_again"))
    ctx.say("\n\n".join(parts), retry)


def _estimate_text(ctx: Ctx, result: Estimate, large_family: bool) -> str:
    t = ctx.t
    head = t(
        "tariffs.estimate_head",
        kwh=t.number(result.kwh),
        category=t(f"tariffs.category.{result.category.value}"),
        scheme=t(f"tariffs.scheme.{result.scheme.value}"),
    )
    lines = []
    for line in result.lines:
        params = {
            "range": t(f"tariffs.range.{line.range}"),
            "kwh": t.number(line.kwh),
            "price": t.money(line.price),
            "amount": t.money(line.amount),
        }
        if line.zone is Zone.ALL:
            lines.append(t("tariffs.estimate_line_single", **params))
        else:
            zone = capitalized(t(f"tariffs.zone.{line.zone.value}"))
            lines.append(t("tariffs.estimate_line", zone=zone, **params))
    blocks = [head, "\n".join(lines), t("tariffs.estimate_total", amount=t.money(result.total))]
    if large_family:
        blocks.append(t("tariffs.large_family_applied"))
    blocks.append(t("tariffs.tariff_date", date=t.date(result.tariff_date)))
    return "\n".join(blocks)


# -- information -------------------------------------------------------------------------------


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _by_range(rows: list[TariffRow]) -> list[TariffRow]:
    return sorted(rows, key=lambda r: (r.range, r.valid_from))


def price_lines(ctx: Ctx, rows: list[TariffRow]) -> list[str]:
    """One line per zone: the prices of ranges I / II / III."""
    t = ctx.t
    lines = []
    zones = sorted({row.zone for row in rows}, key=ZONE_ORDER.index)
    for zone in zones:
        prices = " / ".join(t.money(row.price) for row in _by_range(rows) if row.zone is zone)
        name = capitalized(t(f"tariffs.zone.{zone.value}"))
        lines.append(t("tariffs.price_line", zone=name, prices=prices))
    return lines


def range_limits(ctx: Ctx, rows: list[TariffRow]) -> str:
    """«I — до 1 000 кВт·ч, II — от 1 000 до 6 000 кВт·ч, III — свыше 6 000 кВт·ч»."""
    t = ctx.t
    limits: dict[int, tuple[Decimal, Decimal | None]] = {}
    for row in _by_range(rows):
        limits[row.range] = (row.range_from_kwh, row.range_to_kwh)
    parts = []
    for number, (low, high) in sorted(limits.items()):
        name = t(f"tariffs.range.{number}")
        if high is None:
            parts.append(t("tariffs.range_above", range=name, low=t.number(low)))
        elif low == 0:
            parts.append(t("tariffs.range_upto", range=name, high=t.number(high)))
        else:
            parts.append(
                t("tariffs.range_between", range=name, low=t.number(low), high=t.number(high))
            )
    return ", ".join(parts)


async def _current_rows(ctx: Ctx, category: Category, scheme: Scheme) -> list[TariffRow]:
    return rows_valid_on(await ctx.store.tariffs.all(), category, scheme, ctx.today)


def _info(ctx: Ctx, text: str, extra: Sequence[Option] = ()) -> None:
    """Information stays in the tariffs menu so the next item is one tap away."""
    ctx.goto("tariffs", "menu")
    ctx.say(text, [*extra, *_menu_options(ctx)])


async def my_tariff(ctx: Ctx) -> None:
    t = ctx.t
    accounts = await ctx.accounts()
    if not accounts:
        blocks = [t("tariffs.general_head", category=t("tariffs.category.urban_gas"))]
        limits = ""
        for scheme in Scheme:
            rows = await _current_rows(ctx, Category.URBAN_GAS, scheme)
            if rows:
                blocks.append(
                    "\n".join([t(f"tariffs.scheme_title.{scheme.value}"), *price_lines(ctx, rows)])
                )
                limits = limits or range_limits(ctx, rows)
        if len(blocks) == 1:
            ctx.say(t("tariffs.no_tariff"), _menu_options(ctx))
            ctx.goto("tariffs", "menu")
            return
        if limits:
            blocks.append(t("tariffs.range_limits", limits=limits))
        blocks.append(t("tariffs.link_for_yours"))
        _info(ctx, "\n\n".join(blocks), [ctx.option("tariffs.link", "go:link")])
        return
    blocks = []
    for account in accounts:
        meters = await ctx.store.meters.for_account(account.number)
        scheme = meters[0].scheme if meters else Scheme.SINGLE
        rows = await _current_rows(ctx, account.category, scheme)
        head = t(
            "tariffs.mine_head",
            account=mask_account(account.number),
            category=t(f"tariffs.category.{account.category.value}"),
            scheme=t(f"tariffs.scheme.{scheme.value}"),
        )
        if not rows:
            blocks.append("\n".join([head, t("tariffs.no_tariff")]))
            continue
        lines = [head, t("tariffs.prices_title"), *price_lines(ctx, rows)]
        lines.append(t("tariffs.range_limits", limits=range_limits(ctx, rows)))
        if scheme is not Scheme.SINGLE:
            lines.append(t(f"tariffs.hours.{scheme.value}"))
        lines.append(
            t("tariffs.large_family_applied")
            if account.large_family
            else t("tariffs.large_family_short")
        )
        since = max(row.valid_from for row in rows)
        lines.append(t("tariffs.valid_since", date=t.date(since)))
        blocks.append("\n".join(lines))
    _info(ctx, "\n\n".join(blocks))


async def zone_hours(ctx: Ctx) -> None:
    t = ctx.t
    text = "\n".join(
        [
            t("tariffs.hours_title"),
            t("tariffs.hours.two_zone"),
            t("tariffs.hours.three_zone"),
            t("tariffs.hours_note"),
        ]
    )
    _info(ctx, text)


async def ranges(ctx: Ctx) -> None:
    t = ctx.t
    rows = await ctx.store.tariffs.all()
    lines = [t("tariffs.ranges_intro")]
    for category in Category:
        current = rows_valid_on(rows, category, Scheme.SINGLE, ctx.today)
        if current:
            lines.append(
                t(
                    "tariffs.ranges_category",
                    category=capitalized(t(f"tariffs.category.{category.value}")),
                    limits=range_limits(ctx, current),
                )
            )
    if len(lines) == 1:
        lines.append(t("tariffs.no_tariff"))
    lines.append(t("tariffs.large_family_short"))
    _info(ctx, "\n".join(lines))


async def large_family(ctx: Ctx) -> None:
    _info(ctx, ctx.t("tariffs.large_family_text"), [ctx.operator_option()])


QUESTIONS: dict[TariffQuestion, str] = {
    TariffQuestion.PRICES: MINE,
    TariffQuestion.ZONE_HOURS: ZONES,
    TariffQuestion.RANGES: RANGES,
    TariffQuestion.LARGE_FAMILY: LARGE,
}
HANDLERS: dict[str, Callable[[Ctx], Awaitable[None]]] = {
    MINE: my_tariff,
    ESTIMATE: ask_estimate,
    ZONES: zone_hours,
    RANGES: ranges,
    LARGE: large_family,
}
