"""The receipt PDF read back with pypdf: its words, its bold totals, its pages, its QR."""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import pytest
from fpdf import FPDF
from pypdf import PageObject

from core.payment_qr import parse_payload
from papers.model import Row, Section, Table
from papers.receipt_pdf import MARGIN, render_receipt
from tests.papers.samples import PAYLOAD, decoded, flat, pdf_reader, receipt

PT = 25.4 / 72  # mm per point
A4_WIDTH = 210.0


def words(data: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in pdf_reader(data).pages))


def chunks(page: PageObject) -> list[tuple[str, float, str, float]]:
    """Every piece of text drawn on the page: text, x in mm, font name, size in pt."""
    found: list[tuple[str, float, str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
            found.append((text.strip(), (tm[4] + cm[4]) * PT, name, size))

    page.extract_text(visitor_text=visit)
    return found


def test_every_label_and_value_is_in_the_pdf() -> None:
    doc = receipt()
    data = render_receipt(doc)
    assert data.startswith(b"%PDF-")
    text = words(data)
    expected = [doc.title, doc.supplier, doc.qr_caption, doc.footer]
    for section in doc.sections:
        expected.append(section.title)
        for row in section.rows:
            expected += [row.label, row.value]
        if section.table is not None:
            expected += section.table.header
            expected += [cell for cells in section.table.rows for cell in cells]
    for piece in expected:
        assert flat(piece) in text, piece
    # The long address wrapped onto several lines, nothing of it lost.
    assert flat("корп. 3, кв. 217, подъезд 4, этаж 11 — адрес длиннее колонки значений") in text


def test_totals_are_bold_and_the_rest_is_not() -> None:
    page = pdf_reader(render_receipt(receipt())).pages[0]
    fonts = {text: font for text, _, font, _ in chunks(page)}
    assert fonts["Итого к оплате"].endswith("DejaVuSansBold")
    assert fonts["Начислено за ноябрь"].endswith("DejaVuSansBook")
    totals = [font for text, _, font, _ in chunks(page) if text == "1 572,60 ₽"]
    assert sorted(totals) == ["/MPDFAA+DejaVuSansBold", "/MPDFAA+DejaVuSansBook"]


def test_the_embedded_qr_reads_as_the_payload() -> None:
    reader = pdf_reader(render_receipt(receipt()))
    images = [image.image for image in reader.pages[0].images]
    assert len(images) == 1 and images[0] is not None
    assert decoded(images[0]) == [PAYLOAD]
    pairs = parse_payload(decoded(images[0])[0])
    assert pairs["Name"] == "ПАО «Пермэнергосбыт»"
    assert pairs["Sum"] == "157260"
    assert pairs["PersAcc"] == "5901000002"


def test_without_a_payload_there_is_no_image() -> None:
    data = render_receipt(receipt(qr=False))
    assert [image for page in pdf_reader(data).pages for image in page.images] == []
    assert "Итого к оплате" in words(data)


def test_many_rows_continue_on_new_pages_with_their_headings() -> None:
    doc = receipt(readings=150)
    reader = pdf_reader(render_receipt(doc))
    pages = len(reader.pages)
    assert pages >= 3
    texts = [flat(page.extract_text()) for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"{number} / {pages}" in text
        if 1 < number < pages:  # the readings' table runs over these pages
            assert "Зона Предыдущие Текущие Расход, кВт·ч" in text
            assert doc.title in text  # the continuation pages say what they continue
    everything = " ".join(texts)
    for reading in range(150):
        assert f"{41000 + reading} {41150 + reading}" in everything
    assert "Итого к оплате 1 572,60 ₽" in texts[-1]
    assert doc.footer in texts[-1]


def test_a_one_page_receipt_has_no_page_number() -> None:
    reader = pdf_reader(render_receipt(receipt()))
    assert len(reader.pages) == 1
    assert "1 / 1" not in reader.pages[0].extract_text()


def test_long_values_wrap_within_the_page() -> None:
    unbroken = "7" * 160  # no space to break at: split by characters
    long_words = " ".join(["электроснабжение"] * 30)
    doc = dataclasses.replace(
        receipt(),
        sections=(
            Section("Примечания", rows=(Row("Код", unbroken), Row(long_words, long_words))),
            Section("Таблица", table=Table(("Название", "Значение"), ((long_words, unbroken),))),
        ),
    )
    page = pdf_reader(render_receipt(doc)).pages[0]
    measure = FPDF()
    fonts = resources.files("papers") / "fonts"
    measure.add_font("dv", "", str(fonts / "DejaVuSans.ttf"))
    measure.add_font("dv", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    drawn = chunks(page)
    assert drawn
    for text, x, font, size in drawn:
        measure.set_font("dv", "B" if font.endswith("Bold") else "", size)
        assert x >= MARGIN - 0.5, text
        assert x + measure.get_string_width(text) <= A4_WIDTH - MARGIN + 0.5, text
    assert "".join(text for text, *_ in drawn).count("7") >= 2 * len(unbroken)


def test_the_same_receipt_is_the_same_file() -> None:
    assert render_receipt(receipt()) == render_receipt(receipt())
    assert render_receipt(receipt()) != render_receipt(receipt(readings=3))


def test_a_table_row_of_the_wrong_width_is_refused() -> None:
    doc = dataclasses.replace(
        receipt(), sections=(Section("Показания", table=Table(("Зона", "Расход"), (("День",),))),)
    )
    with pytest.raises(ValueError, match="row 1 has 1 cells, the header 2"):
        render_receipt(doc)


def test_english_and_a_character_beyond_the_fonts_repertoire(
    caplog: pytest.LogCaptureFixture,
) -> None:
    doc = dataclasses.replace(
        receipt(),
        title="Receipt for November 2026",
        sections=(
            Section("Payer", rows=(Row("Name", "Zoë Ångström 山田"), Row("Due", "€ 10.00"))),
        ),
        language="en",
    )
    with caplog.at_level(logging.WARNING):
        text = words(render_receipt(doc))
    assert "Receipt for November 2026" in text and "Zoë Ångström" in text and "€ 10.00" in text
    assert "山" in caplog.text  # fpdf2 names the glyph it could not draw


def test_receipts_rendered_in_threads_at_once_are_each_whole() -> None:
    docs = [receipt(readings=n) for n in (1, 2, 40, 3, 60, 4, 5, 80)]
    alone = [render_receipt(doc) for doc in docs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(render_receipt, docs * 3))
    assert together == alone * 3
