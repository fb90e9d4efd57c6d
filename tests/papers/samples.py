"""Documents the tests render: worded as the flows word them, in Russian, with a payment QR."""

from __future__ import annotations

import io
from decimal import Decimal

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from core.payment_qr import Payee, payment_payload
from papers.model import Bar, ChartData, ReceiptDocument, Row, Section, Table

PAYEE = Payee(
    name="ПАО «Пермэнергосбыт»",
    personal_account="40702810049770043643",
    bank_name="ВОЛГО-ВЯТСКИЙ БАНК ПАО СБЕРБАНК",
    bic="042202603",
    correspondent_account="30101810900000000603",
    inn="5904123809",
    kpp="590401001",
)
PAYLOAD = payment_payload(
    PAYEE,
    account="5901000002",
    amount=Decimal("1572.60"),
    purpose="Оплата электроэнергии, л/с 5901000002, ноябрь 2026",
    period="2026-11",
)
ADDRESS = (
    "г. Пермь, ул. Героев Хасана, д. 105, корп. 3, кв. 217, подъезд 4, этаж 11 — "
    "адрес длиннее колонки значений, чтобы перенестись на несколько строк"
)


def receipt(*, readings: int = 2, qr: bool = True) -> ReceiptDocument:
    """A month's receipt; `readings` rows in the readings table (many: several pages)."""
    zones = ("День", "Ночь", "Пик")
    rows = tuple(
        (zones[n % 3], f"{41000 + n}", f"{41150 + n}", f"{150 + n % 7}") for n in range(readings)
    )
    return ReceiptDocument(
        title="Квитанция за ноябрь 2026 г.",
        supplier="ПАО «Пермэнергосбыт», ИНН 5904123809, КПП 590401001",
        sections=(
            Section(
                "Плательщик",
                rows=(
                    Row("Лицевой счёт", "5901000002"),
                    Row("Плательщик", "И*****ва М. П."),
                    Row("Адрес", ADDRESS),
                    Row("Тариф", "городское население, газовые плиты, двухзонный"),
                ),
            ),
            Section(
                "Показания",
                table=Table(("Зона", "Предыдущие", "Текущие", "Расход, кВт·ч"), rows),
            ),
            Section(
                "Начисления",
                rows=(
                    Row("Задолженность на 1 ноября", "0,00 ₽"),
                    Row("Начислено за ноябрь", "1 572,60 ₽"),
                    Row("Итого к оплате", "1 572,60 ₽", strong=True),
                ),
                table=Table(
                    ("Зона", "Диапазон", "Объём, кВт·ч", "Тариф", "Сумма"),
                    (
                        ("День", "до 3 900 кВт·ч", "150", "7,18 ₽", "1 077,00 ₽"),
                        ("Ночь", "до 3 900 кВт·ч", "120", "4,13 ₽", "495,60 ₽"),
                    ),
                ),
            ),
        ),
        qr_payload=PAYLOAD if qr else None,
        qr_caption="Отсканируйте в приложении банка",
        footer="ПАО «Пермэнергосбыт», 614990, г. Пермь, ул. Тимирязева, 37. Тел. 8 800 300-00-00",
    )


def chart(*, series: tuple[str, ...] = ("день", "ночь"), months: int = 13) -> ChartData:
    """Monthly bars, the last one estimated; parts differ month to month."""
    bars = tuple(
        Bar(
            f"м{n + 1:02d}",
            tuple(Decimal(100 + (37 * n + 23 * k) % 90) for k in range(len(series))),
            estimate=n == months - 1,
        )
        for n in range(months)
    )
    return ChartData(
        title="Потребление электроэнергии",
        unit="кВт·ч",
        series=series,
        bars=bars,
        average=Decimal("214.5"),
        average_label="в среднем 215 кВт·ч",
        estimate_label="оценка за текущий месяц",
    )


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def flat(text: str) -> str:
    """Words joined by single spaces: wrapped lines and no-break spaces read as one space."""
    return " ".join(text.split())


def decoded(image: Image.Image) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image.convert("L"))]
