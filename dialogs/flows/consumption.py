"""«История потребления»: the customer's kWh over the last twelve billed months as a chart (by
zone where the month's readings split it) and as text, with their average."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date

from core.accounts import Account
from core.balance import HistoryEntry
from core.bills import split_volume
from core.masking import mask_account
from core.meters import Meter, Zone
from dialogs.context import Ctx
from dialogs.flow import Flow, Msg
from dialogs.flows.billing import latest_readings
from dialogs.flows.common import (
    account_label,
    account_step,
    remember_description,
    start_with_account,
)
from dialogs.flows.receipt_document import short_number
from dialogs.flows.receipt_months import Asked, asked_in
from dialogs.flows.tariffs import zone_rank
from dialogs.messages import PNG, Attachment
from dialogs.nlu import Topic
from papers.model import Bar, ChartData

log = logging.getLogger(__name__)

flow = Flow("consumption", needs_account=True, topics=(Topic.CONSUMPTION,))

MONTHS = 12
_KWH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Month:
    period: str  # YYYY-MM
    kwh: Decimal  # billing's volume
    zones: dict[Zone, Decimal] | None  # billing's volume shared as the readings measured it


# «летом», «за 2 года»: spans the answer does not cut out; it says what it shows instead.
_SEASON = re.compile(
    r"(?<![^\W\d_])(?:лет[оау]м?|зим[аеуыой]+|осен\w*|весн\w*|summer|winter|autumn|spring)"
    r"(?![^\W\d_])",
    re.IGNORECASE,
)
_LONGER = re.compile(
    r"(?<![^\W\d_])(?:\d+|дв[ае]|тр[иоё]\w*|несколько|пару|все|всё)\s+(?:год\w*|лет)(?![^\W\d_])"
    r"|вс[её]\s+врем\w*|\d+\s+years|all\s+time",
    re.IGNORECASE,
)


@flow.start
async def start(ctx: Ctx, msg: Msg) -> None:
    if msg.action is None and msg.text:
        # «сколько потратила в марте»: that month; «летом», «за 2 года»: said what is shown.
        asked = asked_in(msg.text, msg.analysis.entities.months, ctx.today)
        if asked.months:
            ctx.data["asked"] = asked.dump()
        elif _SEASON.search(msg.text):
            ctx.data["span"] = "season"
        elif _LONGER.search(msg.text):
            ctx.data["span"] = "longer"
    remember_description(ctx, msg)
    await start_with_account(ctx, account, show)


async def months_of(ctx: Ctx, account: Account, history: Sequence[HistoryEntry]) -> list[Month]:
    """The months oldest first; a multi-zone meter's month split by zone when its readings
    measured every register (billing's kWh shared in their proportion, so the parts add up to
    what was billed). An account with several meters is billed on their sum: no zones."""
    meters = await ctx.meters(account.number)
    meter: Meter | None = meters[0] if len(meters) == 1 and len(meters[0].registers) > 1 else None
    months = []
    for entry in sorted(history, key=lambda e: e.period):
        zones = None
        if meter is not None:
            used = {
                meter.zone_of(register): reading.consumption_kwh
                for register, reading in (await latest_readings(ctx, meter, entry.period)).items()
                if reading.consumption_kwh is not None
            }
            if len(used) == len(meter.registers) and sum(used.values(), Decimal(0)) > 0:
                zones = split_volume(entry.kwh, used)
        months.append(Month(entry.period, entry.kwh, zones))
    return months


def average(months: Sequence[Month]) -> Decimal | None:
    if not months:
        return None
    total = sum((month.kwh for month in months), Decimal(0))
    return (total / len(months)).quantize(_KWH, ROUND_HALF_UP)


def chart_data(ctx: Ctx, account: Account, months: Sequence[Month]) -> ChartData:
    """Stacked bars by zone when some month is split (the months that are not go in a series
    of their own), else one series of billing's kWh."""
    t = ctx.t
    zones = sorted({zone for m in months if m.zones for zone in m.zones}, key=zone_rank)
    unsplit = any(m.zones is None for m in months)
    series = [t(f"tariffs.zone.{zone.value}") for zone in zones]
    if not zones:
        series = [t("consumption.series_total")]
    elif unsplit:
        series.append(t("consumption.series_unsplit"))
    bars = []
    for month in months:
        if not zones:
            parts: tuple[Decimal, ...] = (month.kwh,)
        else:
            split = month.zones or {}
            parts = tuple(split.get(zone, Decimal(0)) for zone in zones)
            if unsplit:
                parts += (Decimal(0) if month.zones else month.kwh,)
        bars.append(Bar(_short_month(ctx, month.period), parts))
    mean = average(months)
    return ChartData(
        title=t("consumption.chart_title", account=mask_account(account.number)),
        unit=t("consumption.unit"),
        series=tuple(series),
        bars=tuple(bars),
        average=mean,
        average_label=t("consumption.average_label", kwh=t.number(mean or Decimal(0))),
        estimate_label=t("consumption.estimate_label"),
    )


def _short_month(ctx: Ctx, period: str) -> str:
    """«нояб. 26»: the month's short name from the locale data, as t.period takes the long one."""
    day = date(int(period[:4]), int(period[5:7]), 1)
    return format_date(day, "LLL yy", locale=ctx.t.language)


def chart_attachment(ctx: Ctx, account: Account, months: Sequence[Month]) -> Attachment | None:
    """The chart as a PNG; None (logged) when it cannot be drawn: the numbers are in the text."""
    try:
        # Imported on first use: the renderer brings Pillow, which few turns need.
        from papers.chart import render_chart

        data = render_chart(chart_data(ctx, account, months))
    except Exception:
        log.exception("the consumption chart could not be drawn")
        return None
    return Attachment.of(f"potreblenie-{short_number(account.number)}.png", PNG, data)


def month_line(ctx: Ctx, month: Month) -> str:
    t = ctx.t
    if not month.zones:
        return t("consumption.row", period=t.period(month.period), kwh=t.number(month.kwh))
    zones = ", ".join(
        t(
            "consumption.zone_part",
            zone=t(f"tariffs.zone.{zone.value}"),
            kwh=t.number(month.zones[zone]),
        )
        for zone in sorted(month.zones, key=zone_rank)
    )
    return t(
        "consumption.row_zones", period=t.period(month.period), kwh=t.number(month.kwh), zones=zones
    )


def _month_answer(
    ctx: Ctx, months: Sequence[Month], history: Sequence[HistoryEntry], asked: Asked
) -> list[str]:
    """Each month asked: its kWh (by zone where known) and billing's charge; or that the twelve
    months do not have it."""
    t = ctx.t
    lines = []
    for month_number, year in asked.months:
        found = next(
            (
                m
                for m in reversed(months)  # newest first: «в марте» is the latest March
                if int(m.period[5:7]) == month_number and year in (None, int(m.period[:4]))
            ),
            None,
        )
        if found is None:
            period = f"{year or ctx.today.year:04d}-{month_number:02d}"
            lines.append(
                t(
                    "consumption.month_missing",
                    period=t.period(period),
                    first=t.period(months[0].period),
                    last=t.period(months[-1].period),
                )
            )
            continue
        entry = next(e for e in history if e.period == found.period)
        lines.append(
            t("consumption.month", line=month_line(ctx, found), charged=t.money(entry.charged))
        )
    return lines


async def show(ctx: Ctx, account: Account) -> None:
    t = ctx.t
    asked = Asked.load(ctx.data.get("asked"))
    span = ctx.data.get("span")
    ctx.end()
    history = await ctx.store.history.for_account(account.number, MONTHS)
    options = [
        ctx.option("menu.balance", "go:balance"),
        ctx.option("balance.receipt", "go:receipt"),
        ctx.option("balance.readings", "go:readings"),
        ctx.menu_option(),
    ]
    if not history:
        ctx.say(t("consumption.no_history", account=account_label(account)), options)
        return
    months = await months_of(ctx, account, history)
    mean = average(months)
    average_line = t("consumption.average", kwh=t.number(mean or Decimal(0)), count=len(months))
    if asked.months:
        parts = [
            t("consumption.month_header", account=account_label(account)),
            "\n".join(_month_answer(ctx, months, history, asked)),
            average_line,
        ]
    else:
        parts = [
            t("consumption.header", account=account_label(account), count=len(months)),
            "\n".join(month_line(ctx, month) for month in reversed(months)),  # newest first
            average_line,
        ]
        if span:
            parts.insert(0, t(f"consumption.span_{span}", count=len(months)))
    chart = chart_attachment(ctx, account, months)
    if chart is not None:
        parts.append(t("consumption.chart_attached"))
    ctx.say("\n\n".join(parts), options, attachment=chart)


account = account_step(flow, show)
