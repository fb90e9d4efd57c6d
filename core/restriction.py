"""Restriction or suspension of supply for debt (Правила № 354, пп. 114–122).

Possible when the overdue debt exceeds `norm_months` months' amount at the standard
(норматив) for the household, priced at its category's single-rate range I tariff. The
supplier first sends a notice (in the receipt, by message, call or letter); the restriction
comes no earlier than `notice_days` after it, and a restriction before a suspension where the
equipment allows. Paying the debt, or agreeing an instalment plan, before that date avoids it;
after it the supply returns within `supply_back_days` of payment and the debtor pays for the
suspension and reconnection, at most `reconnection_cap` rub with VAT (since 27 Dec 2025,
Постановление № 2075). Never for a debt disputed in court, nor for not submitting readings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from core.accounts import Category
from core.balance import BalanceSummary
from core.meters import Scheme, Zone
from core.money import to_rubles
from core.tariffs import NoTariff, TariffRow, rows_valid_on

# Monthly standard per household, kWh (demo values: the real ones depend on the rooms and
# the residents and come from the regional tariff authority).
DEMO_NORM_KWH: Mapping[Category, Decimal] = {
    Category.URBAN_GAS: Decimal(130),
    Category.URBAN_ELECTRIC: Decimal(160),
    Category.RURAL: Decimal(190),
}


@dataclass(frozen=True, slots=True)
class RestrictionRules:
    norm_kwh: Mapping[Category, Decimal] = field(default_factory=lambda: dict(DEMO_NORM_KWH))
    norm_months: int = 2  # the debt must exceed this many months at the standard
    notice_days: int = 20  # no restriction earlier than this many days after the notice
    reconnection_cap: Decimal = Decimal(5000)  # rub with VAT, paid by the debtor
    supply_back_days: int = 2  # after the debt is paid


@dataclass(frozen=True, slots=True)
class RestrictionCheck:
    possible: bool  # the overdue debt is above the threshold
    overdue_amount: Decimal  # the summary's: unpaid bills past their due dates
    threshold: Decimal  # norm_months × norm_kwh × price, rounded to kopecks
    norm_kwh: Decimal  # the household's monthly standard
    norm_months: int
    price: Decimal  # the category's single-rate range I price valid on the day
    tariff_date: date  # that price's valid_from
    notice_days: int
    reconnection_cap: Decimal
    supply_back_days: int


def restriction_check(
    summary: BalanceSummary,
    category: Category,
    tariffs: Sequence[TariffRow],
    today: date,
    rules: RestrictionRules,
) -> RestrictionCheck:
    """Whether the supplier may restrict supply for this debt (after a notice).

    Only debt past its due date counts; penalties do not. Raises NoTariff when no
    single-rate range I price of the category is valid today, KeyError when the rules
    have no standard for the category.
    """
    threshold, norm, row = restriction_threshold(category, tariffs, today, rules)
    return RestrictionCheck(
        possible=summary.overdue_amount > threshold,
        overdue_amount=summary.overdue_amount,
        threshold=threshold,
        norm_kwh=norm,
        norm_months=rules.norm_months,
        price=row.price,
        tariff_date=row.valid_from,
        notice_days=rules.notice_days,
        reconnection_cap=rules.reconnection_cap,
        supply_back_days=rules.supply_back_days,
    )


def restriction_threshold(
    category: Category, tariffs: Sequence[TariffRow], today: date, rules: RestrictionRules
) -> tuple[Decimal, Decimal, TariffRow]:
    """The overdue debt above which supply may be restricted: (threshold, the household's
    monthly standard, the price row it is priced at). Raises as restriction_check does."""
    norm = rules.norm_kwh[category]
    row = next(
        (
            r
            for r in rows_valid_on(list(tariffs), category, Scheme.SINGLE, today)
            if r.zone == Zone.ALL and r.range == 1
        ),
        None,
    )
    if row is None:
        raise NoTariff(f"no single-rate range I price for {category} on {today}")
    return to_rubles(rules.norm_months * norm * row.price), norm, row


def earliest_restriction(notice_sent: date, rules: RestrictionRules) -> date:
    """The first day supply may be restricted after a notice sent on `notice_sent`."""
    return notice_sent + timedelta(days=rules.notice_days)
