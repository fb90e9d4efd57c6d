"""What the papers cost: a receipt PDF (with its payment QR) and a consumption chart PNG, against
baselines in the same run.

    .venv/bin/python bench/renderers.py [--count 100] [--rows 6]

Each receipt is a different account and sum, so each has its own QR (the QR symbol cache of
papers.qr never hits, as for a first send). Times are the process's CPU (time.process_time) per
paper, and the wall median. The baselines:

- `text`: the same receipt formatted as a string (what the chat's text answer costs);
- `fpdf2 core font`: the same rows in Helvetica (no font to parse or embed, Latin-1 only, no QR);
- `fpdf2 add_font`: the same rows with the whole DejaVu added to every document the plain way
  (what the font cache of papers.receipt_pdf saves);
- `blank PNG`: a white 1080×720 image encoded, the floor under any chart.

`of which qr_png` is the payment QR alone (at the PNG's default scale): libzint's encoding and
the 1-bit PNG.

The one-off cut of the fonts (first receipt of a process) is reported apart.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as `python bench/renderers.py` from anywhere
    sys.path.insert(0, str(ROOT))

from fpdf import FPDF  # noqa: E402
from PIL import Image  # noqa: E402

from core.payment_qr import Payee, payment_payload  # noqa: E402
from papers.chart import HEIGHT, WIDTH, render_chart  # noqa: E402
from papers.model import Bar, ChartData, ReceiptDocument, Row, Section, Table  # noqa: E402
from papers.qr import qr_png  # noqa: E402
from papers.receipt_pdf import render_receipt  # noqa: E402

T = TypeVar("T")
FONTS = ROOT / "papers" / "fonts"
PAYEE = Payee(
    name="ПАО «Пермэнергосбыт»",
    personal_account="40702810049770043643",
    bank_name="ВОЛГО-ВЯТСКИЙ БАНК ПАО СБЕРБАНК",
    bic="042202603",
    correspondent_account="30101810900000000603",
    inn="5904123809",
    kpp="590401001",
)
MONTHS = ("дек", "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя")


def receipt(n: int, rows: int) -> ReceiptDocument:
    """The n-th customer's receipt: two zones, `rows` readings, a sum of its own."""
    account = f"59{n:08d}"
    due = Decimal(1000 + 37 * n) + Decimal(n % 100) / 100
    zones = ("День", "Ночь")
    readings = tuple(
        (zones[k % 2], f"{41000 + k}", f"{41150 + k}", f"{150 + k}") for k in range(rows)
    )
    return ReceiptDocument(
        title="Квитанция за ноябрь 2026 г.",
        supplier="ПАО «Пермэнергосбыт», ИНН 5904123809",
        sections=(
            Section(
                "Плательщик",
                rows=(
                    Row("Лицевой счёт", account),
                    Row("Плательщик", "И*****ва М. П."),
                    Row("Адрес", f"г. Пермь, ул. Ленина, д. {n % 90 + 1}"),
                    Row("Тариф", "городское население, газовые плиты, двухзонный"),
                ),
            ),
            Section(
                "Показания", table=Table(("Зона", "Предыдущие", "Текущие", "Расход"), readings)
            ),
            Section(
                "Начисления",
                rows=(
                    Row("Задолженность на 1 ноября", "0,00 ₽"),
                    Row("Итого к оплате", f"{due:,.2f} ₽".replace(",", " "), strong=True),
                ),
                table=Table(
                    ("Зона", "Диапазон", "Объём", "Тариф", "Сумма"),
                    (
                        ("День", "до 3 900 кВт·ч", "150", "7,18 ₽", "1 077,00 ₽"),
                        ("Ночь", "до 3 900 кВт·ч", "120", "4,13 ₽", "495,60 ₽"),
                    ),
                ),
            ),
        ),
        qr_payload=payment_payload(
            PAYEE,
            account=account,
            amount=due,
            purpose=f"Оплата электроэнергии, л/с {account}",
            period="2026-11",
        ),
        qr_caption="Отсканируйте в приложении банка",
        footer="ПАО «Пермэнергосбыт», 614990, г. Пермь, ул. Тимирязева, 37",
    )


def chart(n: int) -> ChartData:
    bars = tuple(
        Bar(
            f"{MONTHS[k]} 26",
            (Decimal(150 + (n + 37 * k) % 90), Decimal(80 + (n + 23 * k) % 60)),
            estimate=k == 11,
        )
        for k in range(12)
    )
    return ChartData(
        "Потребление электроэнергии",
        "кВт·ч",
        ("день", "ночь"),
        bars,
        Decimal(260),
        "в среднем 260 кВт·ч",
        "оценка за текущий месяц",
    )


def as_text(doc: ReceiptDocument) -> str:
    lines = [doc.supplier, doc.title]
    for section in doc.sections:
        lines.append(section.title)
        lines += [f"{row.label}: {row.value}" for row in section.rows]
        if section.table is not None:
            lines += [" | ".join(cells) for cells in (section.table.header, *section.table.rows)]
    return "\n".join(lines)


def _plain_pdf(doc: ReceiptDocument, pdf: FPDF, family: str, latin: bool) -> bytes:
    pdf.add_page()
    pdf.set_font(family, "", 9.5)
    for line in as_text(doc).splitlines():
        if latin:
            line = line.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 4.6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_creation_date(datetime(2000, 1, 1, tzinfo=UTC))
    return bytes(pdf.output())


def core_font_pdf(doc: ReceiptDocument) -> bytes:
    return _plain_pdf(doc, FPDF(), "helvetica", latin=True)


def add_font_pdf(doc: ReceiptDocument) -> bytes:
    pdf = FPDF()
    pdf.add_font("dejavu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    return _plain_pdf(doc, pdf, "dejavu", latin=False)


def blank_png(_: ChartData) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255)).save(out, format="PNG", compress_level=3)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    cpu_ms: float
    wall_ms: float
    size: int


def measure(name: str, render: Callable[[T], bytes | str], inputs: list[T]) -> Result:
    cpu, wall, size = [], [], 0
    for item in inputs:
        started, started_cpu = time.perf_counter(), time.process_time()
        out = render(item)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        size += len(out)
    return Result(
        name, statistics.fmean(cpu) * 1000, statistics.median(wall) * 1000, size // len(inputs)
    )


def table(title: str, results: list[Result], base: Result) -> None:
    print(f"{title:<26} {'CPU ms':>8} {'wall p50 ms':>12} {'bytes':>9} {'× ' + base.name:>14}")
    for result in results:
        ratio = result.cpu_ms / base.cpu_ms if base.cpu_ms else float("inf")
        print(
            f"  {result.name:<24} {result.cpu_ms:>8.2f} {result.wall_ms:>12.2f}"
            f" {result.size:>9} {ratio:>14.1f}"
        )


def run(count: int, rows: int) -> None:
    started = time.process_time()
    render_receipt(receipt(-1, rows))  # cuts the fonts: once per process
    first = (time.process_time() - started) * 1000
    receipts = [receipt(n, rows) for n in range(count)]
    charts = [chart(n) for n in range(count)]
    for warm in range(3):  # imports, Pillow's and fpdf2's own first-use work
        render_chart(chart(-1 - warm))
        core_font_pdf(receipts[warm])
    # Payloads of other accounts: the receipts' own must not be in the QR cache before them.
    payloads = [receipt(count + n, rows).qr_payload or "" for n in range(count)]
    receipt_results = [
        measure("text", as_text, receipts),
        measure("fpdf2 core font", core_font_pdf, receipts),
        measure("fpdf2 add_font", add_font_pdf, receipts),
        measure("render_receipt", render_receipt, receipts),
        measure("  of which qr_png", qr_png, payloads),
    ]
    chart_results = [
        measure("blank PNG", blank_png, charts),
        measure("render_chart", render_chart, charts),
    ]
    table("receipt", receipt_results, receipt_results[1])
    table("chart", chart_results, chart_results[0])
    print(f"first receipt of the process (fonts cut): {first:.0f} ms CPU")
    print(f"({count} of each, {rows} reading rows, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--rows", type=int, default=6, help="readings in each receipt's table")
    args = parser.parse_args()
    run(args.count, args.rows)


if __name__ == "__main__":
    main()
