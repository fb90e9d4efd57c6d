"""What a paper shows, already worded and formatted in the customer's language: the flows fill
these from billing's data and the catalogs; the renderers only lay them out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value: str
    strong: bool = False  # the totals


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    rows: tuple[Row, ...] = ()
    table: Table | None = None


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    """A receipt (ЕПД-like): a title, sections of rows and tables, the payment QR."""

    title: str  # «Квитанция за ноябрь 2026 г.»
    supplier: str  # the supplier's name, printed at the head
    sections: tuple[Section, ...]
    qr_payload: str | None  # ГОСТ Р 56042 text (core.payment_qr); None: no QR
    qr_caption: str  # «Отсканируйте в приложении банка»
    footer: str = ""  # the supplier's contacts
    language: str = "ru"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # the month, short («ноя 26»)
    parts: tuple[Decimal, ...]  # kWh per series (zone), in ChartData.series order
    estimate: bool = False  # the current month, estimated: drawn apart


@dataclass(frozen=True, slots=True)
class ChartData:
    """Monthly consumption: stacked bars by zone, the customer's average as a line."""

    title: str
    unit: str  # «кВт·ч»
    series: tuple[str, ...]  # zone names («день», «ночь»); one series for a single-rate meter
    bars: tuple[Bar, ...]  # oldest first
    average: Decimal | None
    average_label: str  # «в среднем 214 кВт·ч»
    estimate_label: str  # «оценка за текущий месяц»
