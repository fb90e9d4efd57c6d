"""Tariffs and the bill estimate: my tariff, zone hours, ranges, «how much for N kWh»."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.accounts import Account, Category
from core.masking import mask_account
from core.meters import REGISTER_ZONES, Scheme, Zone
from core.readings import ParsedValue, parse_readings
from core.tariffs import Estimate, NoTariff, TariffRow, estimate, rows_valid_on
from dialogs.context import Ctx, Option
from dialogs.expect import Choice, Either, Volumes, on_display, without_values
from dialogs.flow import Flow, MenuEntry, Msg
from dialogs.flows.common import pick_account
from dialogs.nlu import (
    Intent,
    TariffQuestion,
    Topic,
    clauses,
    negative_amount,
    tariff_category,
    tariff_question_kind,
)

flow = Flow(
    "tariffs",
    intents=(Intent.TARIFF_QUESTION,),
    topics=(Topic.ESTIMATE,),
    menu=MenuEntry("menu.tariffs", 40),
    informational=True,
    links_named_account=True,
)

MINE = "tar:mine"
ESTIMATE = "tar:estimate"
ZONES = "tar:zones"
RANGES = "tar:ranges"
LARGE = "tar:large"
CATEGORY = "tar:cat:"  # the general prices of a category: tar:cat:rural

# Nobody's flat uses this much in a month: more likely an account number or a meter display.
MAX_KWH = Decimal(100_000)
# How zones are listed: the dearest first, the night last (пик, полупик, ночь; день, ночь).
ZONE_ORDER = (Zone.ALL, Zone.DAY, Zone.PEAK, Zone.SEMIPEAK, Zone.NIGHT)
THREE_ZONE_LABELS = frozenset({Zone.PEAK, Zone.SEMIPEAK})


def zone_rank(zone: Zone) -> int:
    return ZONE_ORDER.index(zone)


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
        stated = _stated_category(ctx, msg)
        values = _amounts_in(msg)
        question = msg.text
        if (
            values
            and not msg.analysis.entities.kwh
            and await _readings_not_volumes(ctx, msg, values)
        ):
            # «день 23520 ночь 8165 а тариф у меня какой»: the customer's meter readings, not
            # a month to price; the question is answered and the readings offered after it.
            values = []
            question = without_values(msg.text)
            if tariff_question_kind(question) is None:
                await my_tariff(ctx)
                return
        if values:
            await _estimate(ctx, msg, values)
            return
        if msg.analysis.topic is Topic.ESTIMATE and question == msg.text:
            await ask_estimate(ctx)  # «рассчитать стоимость»
            return
        kind = tariff_question_kind(question)
        if stated is not None and kind in (None, TariffQuestion.PRICES):
            await general_prices(ctx, stated)  # «сельский тариф», «цены для электроплит»
            return
        if kind is not None:
            await HANDLERS[QUESTIONS[kind]](ctx)
            return
    ctx.goto(menu)
    ctx.say(ctx.t("tariffs.intro"), _menu_options(ctx))


# A month's volume of one zone, written without «кВт·ч», stays below this many integer digits;
# values this long with zone labels are a meter's display («день 7390 ночь 3010»).
DISPLAY_DIGITS = 4


async def _readings_not_volumes(ctx: Ctx, msg: Msg, values: list[ParsedValue]) -> bool:
    """Values that are the customer's meter readings rather than volumes to price: they fit the
    linked meter's display, or — the estimate not asked for — they are as long as readings."""
    if await on_display(ctx, values):
        return True
    asked = _PRICE_ASKED.search(msg.text) is not None
    return not asked and any(v.integer_digits >= DISPLAY_DIGITS for v in values)


# «сколько будет», «посчитайте», «во что обойдётся»: a price asked for the values.
_PRICE_ASKED = re.compile(
    r"сколько|посчита|подсчита|рассчита|расч[её]т|стоим|обойд|выйд|заплач|how\s+much|cost|"
    r"estimat|calculat",
    re.IGNORECASE,
)


def _stated_category(ctx: Ctx, msg: Msg) -> Category | None:
    """The category the customer named now or earlier in this flow («у меня электроплита»)."""
    named = tariff_category(msg.text) if msg.action is None and msg.text else None
    if named is not None:
        ctx.data["category"] = named.value
        return named
    if ctx.state.flow == "tariffs" and ctx.data.get("category") in set(Category):
        return Category(ctx.data["category"])
    return None


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


async def _question_named(ctx: Ctx, msg: Msg) -> str | None:
    """«а для сельских?», «часы зон»: a category or a question typed at the menu (numbers with
    zone words are volumes or readings, not a question about the zones)."""
    if msg.analysis.entities.readings or msg.analysis.entities.kwh:
        return None
    named = tariff_category(msg.text)
    if named is not None:
        return f"{CATEGORY}{named.value}"
    kind = tariff_question_kind(msg.text)
    return QUESTIONS[kind] if kind is not None else None


@flow.step("menu", Either((Choice(_question_named), Volumes(asked=False))))
async def menu(ctx: Ctx, msg: Msg) -> None:
    if msg.action and msg.action.startswith(CATEGORY):
        chosen = msg.action.removeprefix(CATEGORY)
        if chosen in set(Category):
            await general_prices(ctx, Category(chosen))
            return
    handler = HANDLERS.get(msg.action or "")
    if handler is not None:
        await handler(ctx)
        return
    values = _volumes_typed(msg) if msg.action is None else []
    if values:  # the expectation took them for volumes: «250», «день 200 ночь 90»
        await _estimate(ctx, msg, values)
        return
    named = tariff_category(msg.text) if msg.action is None and msg.text else None
    if named is not None:  # «а для сельских?»
        await general_prices(ctx, named)
        return
    await ctx.not_understood(msg)


# -- the estimate ------------------------------------------------------------------------------


async def ask_estimate(ctx: Ctx) -> None:
    ctx.goto(estimate_step)
    ctx.say(ctx.t("tariffs.estimate_prompt"), [ctx.menu_option()])


@flow.step("estimate", Either((Volumes(asked=True), Choice(_question_named))))
async def estimate_step(ctx: Ctx, msg: Msg) -> None:
    if msg.action in HANDLERS or (msg.action or "").startswith(CATEGORY):
        await menu.handler(ctx, msg)
        return
    values = _volumes_typed(msg) if msg.action is None else []
    if not values:
        await ctx.not_understood(msg)
        return
    await _estimate(ctx, msg, values)


_BARE_NUMBERS = re.compile(r"\s*\d+(?:[.,]\d+)?(?:\s+\d+(?:[.,]\d+)?){1,2}\s*")
# A month's volume written with a thousands space stays below this: «1 500» is one number,
# «200 100» is day 200 and night 100 (nobody's flat uses 200 100 kWh a month).
GROUPED_BELOW = Decimal(10_000)


def _volumes_typed(msg: Msg) -> list[ParsedValue]:
    """The values of an estimate, number words read: «250 квт за ноябрь 2026» is one volume
    (the year is not a zone), and bare numbers apart are apart unless they read as «1 500»."""
    text = msg.text
    entities = msg.analysis.entities
    values = list(entities.readings) or parse_readings(text)
    labelled = any(v.labelled for v in values)
    if not labelled and len(entities.kwh) == 1:
        return [_plain(entities.kwh[0])]
    if labelled:
        return values  # all of them: an unlabelled one among labels is asked about
    if _BARE_NUMBERS.fullmatch(text) and any(v.value >= GROUPED_BELOW for v in values):
        separate = [_plain(Decimal(n.replace(",", "."))) for n in text.split()]
        if len(separate) > len(values):
            return separate
    return values


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


@dataclass(frozen=True, slots=True)
class _Household:
    account: Account
    scheme: Scheme | None  # of the account's first meter


@dataclass(frozen=True, slots=True)
class _Basis:
    """What an estimate is priced by."""

    category: Category
    large_family: bool
    meter_scheme: Scheme | None  # the meter whose registers т1/т2 name
    account: Account | None  # the linked account whose category it is, if one
    matching: int = 1  # how many linked meters have the zones given


async def _households(ctx: Ctx) -> list[_Household]:
    households = []
    for account in await ctx.accounts():
        meters = await ctx.meters(account.number)
        households.append(_Household(account, meters[0].scheme if meters else None))
    return households


def _the_one_named(msg: Msg, households: list[_Household]) -> list[_Household]:
    """«на даче 3250 квт, а в квартире пока не смотрел»: the account the volumes are said for."""
    if len(households) < 2 or msg.action is not None:
        return households
    accounts = [h.account for h in households]
    for part in clauses(msg.text):
        named = pick_account(part, accounts) if any(ch.isdigit() for ch in part) else None
        if named is not None:
            return [h for h in households if h.account.number == named.number]
    return households


def _basis(
    households: Sequence[_Household], values: Sequence[ParsedValue], stated: Category | None
) -> _Basis:
    """The account whose meter's scheme matches the zones given decides the category; when none
    or several do, a category the customer named wins, then the first account's."""
    pool = [h for h in households if stated is None or h.account.category is stated]
    matching = [h for h in pool if h.scheme is not None and _implied_scheme(values, h) is h.scheme]
    if len(matching) == 1:
        chosen = matching[0]
        return _Basis(
            chosen.account.category, chosen.account.large_family, chosen.scheme, chosen.account
        )
    candidates = matching or pool or list(households)
    if not candidates:
        return _Basis(stated or Category.URBAN_GAS, False, None, None)
    fallback = candidates[0]
    account = fallback.account
    if stated is not None and account.category is not stated:
        # A category nobody's account has: its prices, without anyone's benefits.
        return _Basis(stated, False, None, None)
    return _Basis(account.category, account.large_family, fallback.scheme, account, len(matching))


def _implied_scheme(values: Sequence[ParsedValue], household: _Household) -> Scheme | None:
    implied = zone_volumes(values, household.scheme)
    return None if isinstance(implied, str) else implied[0]


async def _estimate(ctx: Ctx, msg: Msg, values: Sequence[ParsedValue]) -> None:
    t = ctx.t
    retry = [ctx.option("tariffs.my_tariff", MINE), ctx.menu_option()]
    stated = _stated_category(ctx, msg)
    ctx.goto(estimate_step)
    if negative_amount(msg.text):
        ctx.say(t("tariffs.estimate_negative"), retry)
        return
    households = _the_one_named(msg, await _households(ctx))
    basis = _basis(households, values, stated)
    implied = zone_volumes(values, basis.meter_scheme)
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
    rows = rows_valid_on(
        await ctx.store.tariffs.of(basis.category, scheme), basis.category, scheme, ctx.today
    )
    try:
        result = estimate(
            rows, volumes, large_family=basis.large_family, split=ctx.config.zone_split
        )
    except NoTariff:
        ctx.say(t("tariffs.no_tariff"), [ctx.operator_option(), ctx.menu_option()])
        return
    parts = []
    if len(households) > 1 and basis.account is not None:
        # Several accounts: say whose tariff it is, and why when no meter decided it.
        key = {0: "estimate_no_match", 1: "estimate_for_account"}.get(
            basis.matching, "estimate_several_match"
        )
        parts.append(t(f"tariffs.{key}", account=mask_account(basis.account.number)))
    parts.append(_estimate_text(ctx, result, basis.large_family))
    missing = _missing_zones(values, scheme, volumes)
    if missing:
        zones = ", ".join(t(f"tariffs.zone.{zone.value}") for zone in missing)
        parts.append(t("tariffs.estimate_missing", zones=zones))
    meter_scheme = basis.meter_scheme
    if len(households) == 1 and meter_scheme is not None and meter_scheme is not scheme:
        parts.append(t(f"tariffs.estimate_your_scheme.{meter_scheme.value}"))
    parts.append(t("tariffs.estimate_again"))
    # The answer is given: the tariffs' menu, where other figures are priced again but the
    # customer's own meter display is a reading (the estimate question is not held open).
    ctx.goto(menu)
    ctx.say("\n\n".join(parts), retry)


def _missing_zones(
    values: Sequence[ParsedValue], scheme: Scheme, volumes: dict[Zone, Decimal]
) -> list[Zone]:
    """Zones of a labelled estimate left out: «день 180» alone has no night."""
    if not any(v.labelled for v in values):
        return []
    return sorted(set(REGISTER_ZONES[scheme].values()) - volumes.keys(), key=zone_rank)


def _estimate_text(ctx: Ctx, result: Estimate, large_family: bool) -> str:
    t = ctx.t
    head = t(
        "tariffs.estimate_head",
        kwh=t.number(result.kwh),
        category=t(f"tariffs.category.{result.category.value}"),
        scheme=t(f"tariffs.scheme.{result.scheme.value}"),
    )
    lines = []
    for line in sorted(result.lines, key=lambda line: (zone_rank(line.zone), line.range)):
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
    zones = sorted({row.zone for row in rows}, key=zone_rank)
    for zone in zones:
        prices = " / ".join(t.money(row.price) for row in _by_range(rows) if row.zone is zone)
        name = capitalized(t(f"tariffs.zone.{zone.value}"))
        lines.append(t("tariffs.price_line", zone=name, prices=prices))
    return lines


def range_limits(ctx: Ctx, rows: list[TariffRow]) -> str:
    """«I — до 1 000 кВт·ч, II — свыше 1 000 до 6 000 кВт·ч, III — свыше 6 000 кВт·ч»: a range
    covers consumption above its lower limit."""
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
    return rows_valid_on(await ctx.store.tariffs.of(category, scheme), category, scheme, ctx.today)


def _info(ctx: Ctx, text: str, extra: Sequence[Option] = ()) -> None:
    """Information stays in the tariffs menu so the next item is one tap away."""
    ctx.goto(menu)
    ctx.say(text, [*extra, *_menu_options(ctx)])


async def my_tariff(ctx: Ctx) -> None:
    t = ctx.t
    accounts = await ctx.accounts()
    if not accounts:
        stated = ctx.data.get("category")
        await general_prices(ctx, Category(stated) if stated in set(Category) else None)
        return
    blocks = []
    for account in accounts:
        meters = await ctx.meters(account.number)
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


async def general_prices(ctx: Ctx, category: Category | None) -> None:
    """The prices of a category for every scheme (gas stoves unless named), with buttons for
    the other categories: whoever has no account linked sees every price list."""
    t = ctx.t
    category = category or Category.URBAN_GAS
    blocks = [t("tariffs.general_head", category=t(f"tariffs.category.{category.value}"))]
    limits = ""
    for scheme in Scheme:
        rows = await _current_rows(ctx, category, scheme)
        if rows:
            blocks.append(
                "\n".join([t(f"tariffs.scheme_title.{scheme.value}"), *price_lines(ctx, rows)])
            )
            limits = limits or range_limits(ctx, rows)
    others = [
        ctx.option(f"tariffs.category_button.{other.value}", f"{CATEGORY}{other.value}")
        for other in Category
        if other is not category
    ]
    linked = bool(await ctx.accounts())
    if len(blocks) == 1:
        blocks.append(t("tariffs.no_tariff"))
    elif limits:
        blocks.append(t("tariffs.range_limits", limits=limits))
    if not linked:
        blocks.append(t("tariffs.link_for_yours"))
        others.append(ctx.option("tariffs.link", "go:link"))
    _info(ctx, "\n\n".join(blocks), others)
    ctx.data["category"] = category.value


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
