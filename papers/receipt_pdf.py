"""The receipt as an A4 PDF (ЕПД-like): the head with the payment QR, sections of label/value rows
and tables, totals in bold, the supplier's contacts at the foot.

fpdf2's add_font parses a TrueType font anew for every document (~40 ms for DejaVu's two faces
of 6 000 glyphs) and subsets it when writing (~25 ms). Here the fonts are cut once per process
(~0.35 s, on the first receipt) to the characters a Russian or English receipt uses (Latin,
Cyrillic, punctuation, ₽, №, arrows, a few signs; ~900 glyphs), their metrics read once and
shared, and the glyph boxes not recomputed on writing: a receipt costs ~40 ms of CPU, its QR
code well under 1 ms of it (bench/renderers.py). A character beyond the repertoire prints as a box
(and fpdf2 logs it), never an error.
"""

from __future__ import annotations

import copy
import functools
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, WrapMode
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.util import Padding

from papers.model import ReceiptDocument, Row, Section, Table
from papers.qr import qr_png

FAMILY = "dejavu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# What a receipt may hold: Latin with its accents, Cyrillic (with the supplement: Tatar, Bashkir,
# Komi letters of names and addresses), punctuation (« » — … №), currency (₽), arrows and the
# signs of tariffs (− ≈ ≤ ≥), geometric bullets.
_REPERTOIRE = (
    (0x0020, 0x017F),
    (0x0400, 0x052F),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2190, 0x2199),
    (0x2212, 0x2212),
    (0x2248, 0x2248),
    (0x2260, 0x2265),
    (0x25A0, 0x25CF),
)
# A receipt says when it was issued on its face; the file's own date is fixed so that the same
# receipt sent twice is the same file (and its /ID, a hash of the content, too).
FIXED_CREATION_DATE = datetime(2000, 1, 1, tzinfo=UTC)

MARGIN = 15.0  # mm
QR_SIZE = 40.0  # mm: ~0.5 mm a module for a ГОСТ payload, readable printed and on a screen
QR_SCALE = 4  # pixels a module in the embedded PNG: ~200 dpi at 40 mm, sharp when printed
GAP = 6.0
BODY_PT = 9.5
SMALL_PT = 7.5
LINE = 4.6  # mm a line of body text
PADDING = (1.0, 1.5)  # mm: top/bottom, left/right inside a table cell
INK = (0, 0, 0)
MUTED = (90, 90, 90)
RULE = (175, 175, 175)
SHADE = (232, 236, 241)  # section titles and table headings
LABEL_SHARE = 0.55  # of the width, for a row's label; the value takes the rest
MIN_COLUMN = 14.0  # mm: a table column is never squeezed below this


def render_receipt(doc: ReceiptDocument) -> bytes:
    """The receipt as PDF bytes: A4, DejaVu Sans (Cyrillic), as many pages as its rows need."""
    pdf = _ReceiptPDF(doc.title)
    pdf.set_title(doc.title)
    pdf.set_author(doc.supplier)
    pdf.set_lang(doc.language)
    pdf.set_creation_date(FIXED_CREATION_DATE)
    pdf.add_page()
    qr_bottom = _head(pdf, doc)
    for number, section in enumerate(doc.sections):
        if number == 0 and qr_bottom is not None and _fits_beside(pdf, section, qr_bottom):
            # The first section (the payer) goes beside the QR, in the space under the title:
            # the page then has room for the bank details at its foot.
            _section(pdf, section, width=pdf.epw - QR_SIZE - GAP)
            _rule(pdf, max(pdf.get_y(), qr_bottom + GAP / 2))
            continue
        if number == 0 and qr_bottom is not None:
            _rule(pdf, qr_bottom + GAP / 2)
        _section(pdf, section)
    if doc.footer:
        pdf.ln(GAP / 2)
        pdf.set_font(FAMILY, "", SMALL_PT)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, SMALL_PT * 0.5, doc.footer, new_x="LMARGIN", new_y="NEXT")
    _page_numbers(pdf)
    return bytes(pdf.output())


class _ReceiptPDF(FPDF):
    """A4 in millimetres with the shipped fonts; continuation pages repeat the title."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._title_text = title
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 3)
        for style in _FONT_FILES:
            self.fonts[f"{FAMILY}{style}"] = _font_for(self, style)

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font(FAMILY, "", SMALL_PT)
            self.set_text_color(*MUTED)
            self.cell(0, SMALL_PT * 0.5, self._title_text, new_x="LMARGIN", new_y="NEXT")
            self.ln(2)


def _font_for(pdf: FPDF, style: str) -> TTFFont:
    """A font object of this document's own, from the metrics read once per process.

    What fpdf2 changes while it writes (the glyphs used, the subset it cuts from the font
    tables, the descriptor it numbers) is made anew, so documents rendered in several threads
    at once stay apart; the metrics it only reads are shared. Parsing them costs ~7 ms a
    document, the copy ~0.1 ms."""
    template = _font_template(style)
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.ttfont = _open(style)
    font.cw = template.cw.copy()  # a defaultdict: even reading a missing width writes it
    font.desc = copy.copy(template.desc)  # fpdf2 numbers and names it when writing
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    return font


@functools.cache
def _font_template(style: str) -> TTFFont:
    key = f"{FAMILY}{style}"
    # fpdf2's add_font takes only a path; the cut font lives in memory, so the font object is
    # made the way add_font makes it.
    return TTFFont(FPDF(), io.BytesIO(_cut_font(style)), key, style)  # type: ignore[arg-type]


def _open(style: str) -> TTFont:
    # Lazy: fpdf2's subsetter reads only the tables it needs. No bounding boxes recomputed on
    # saving: the cut font's are right, and recomputing them would decode and re-encode every
    # glyph (~40 % of a receipt's time).
    return TTFont(
        io.BytesIO(_cut_font(style)), lazy=True, recalcTimestamp=False, recalcBBoxes=False
    )


@functools.cache
def _cut_font(style: str) -> bytes:
    """The shipped font cut to the receipt's repertoire (once per process; ~0.15 s)."""
    data = (resources.files("papers") / "fonts" / _FONT_FILES[style]).read_bytes()
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    options = subset.Options(
        notdef_outline=True, recommended_glyphs=True, glyph_names=True, name_IDs=["*"]
    )
    options.layout_features = []  # no shaping: fpdf2 draws glyph by glyph
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM", "hdmx", "kern", "MATH"]
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=[code for low, high in _REPERTOIRE for code in range(low, high + 1)])
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _head(pdf: FPDF, doc: ReceiptDocument) -> float | None:
    """Supplier and title on the left, the QR with its caption on the right; the bottom of the
    QR's block, or None without a QR (the head is then ruled off here)."""
    top = pdf.get_y()
    text_width = pdf.epw - (QR_SIZE + GAP if doc.qr_payload else 0)
    pdf.set_font(FAMILY, "B", 10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(text_width, 5, doc.supplier, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 15)
    pdf.set_text_color(*INK)
    pdf.multi_cell(text_width, 7, doc.title, new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    if not doc.qr_payload:
        _rule(pdf, bottom + GAP / 2)
        return None
    left = pdf.l_margin + pdf.epw - QR_SIZE
    pdf.image(io.BytesIO(qr_png(doc.qr_payload, scale=QR_SCALE)), x=left, y=top, w=QR_SIZE)
    pdf.set_xy(left, top + QR_SIZE + 1)
    pdf.set_font(FAMILY, "", SMALL_PT)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(QR_SIZE, SMALL_PT * 0.45, doc.qr_caption, align="C")
    qr_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin, bottom + GAP / 2)
    return float(qr_bottom)


def _fits_beside(pdf: FPDF, section: Section, qr_bottom: float) -> bool:
    """Whether the section beside the QR ends higher than it would below the QR, on this page
    (rows only: a table needs the whole width)."""
    if section.table is not None:
        return False
    beside = pdf.get_y() + _section_height(pdf, section, pdf.epw - QR_SIZE - GAP)
    below = qr_bottom + GAP + _section_height(pdf, section, pdf.epw)
    return beside < below and beside < pdf.page_break_trigger


def _section_height(pdf: FPDF, section: Section, width: float) -> float:
    """The height a section of rows takes at `width`: its title, each row as tall as its
    label or value wrapped in their columns, the gap after it."""
    height = 6.5 + 1 + GAP / 2
    for row in section.rows:
        if row.strong:
            pdf.set_font(FAMILY, "B", BODY_PT + 1)
        else:
            pdf.set_font(FAMILY, "", BODY_PT)
        lines = max(
            _line_count(pdf, column - 2 * PADDING[1], text)
            for column, text in (
                (width * LABEL_SHARE, row.label),
                (width * (1 - LABEL_SHARE), row.value),
            )
        )
        height += lines * LINE + 2 * PADDING[0]
    return height


def _line_count(pdf: FPDF, width: float, text: str) -> int:
    lines = pdf.multi_cell(width, LINE, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return len(lines)


def _rule(pdf: FPDF, y: float) -> None:
    """A hairline across the page at `y`; what follows starts below it."""
    pdf.set_xy(pdf.l_margin, y)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, y, pdf.l_margin + pdf.epw, y)
    pdf.ln(GAP / 2)


def _section(pdf: FPDF, section: Section, width: float | None = None) -> None:
    """Its title on a shaded band, then its rows and its table; `width` from the left margin
    (the whole width when None)."""
    if not section.rows and section.table is None:
        return  # a title over nothing is never printed
    # A title alone at the foot of a page goes to the next one with its first rows.
    if pdf.will_page_break(LINE * 4):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(*SHADE)
    pdf.multi_cell(
        width or 0,
        6.5,
        section.title,
        fill=True,
        padding=Padding.new((0, PADDING[1])),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_fill_color(255)  # fpdf2's tables fill their cells with the current fill colour
    pdf.ln(1)
    if section.rows:
        _rows(pdf, section.rows, width or pdf.epw)
    if section.table is not None:
        if section.rows:
            pdf.ln(2)
        _table(pdf, section.table)
    pdf.ln(GAP / 2)


def _rows(pdf: FPDF, rows: Sequence[Row], width: float) -> None:
    """Label on the left, value on the right; long ones wrap within their column."""
    pdf.set_font(FAMILY, "", BODY_PT)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    with pdf.table(
        col_widths=(LABEL_SHARE, 1 - LABEL_SHARE),
        width=width,
        align="LEFT",
        first_row_as_headings=False,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        text_align=("LEFT", "RIGHT"),
        v_align="TOP",  # a label stays beside the first line of a long value
        line_height=LINE,
        padding=PADDING,
        wrapmode=WrapMode.WORD,
    ) as table:
        for row in rows:
            style = FontFace(emphasis="B", size_pt=BODY_PT + 1) if row.strong else None
            line = table.row(style=style)
            line.cell(row.label)
            line.cell(row.value)


def _table(pdf: FPDF, table: Table) -> None:
    """A grid with shaded headings repeated on every page; the first column names, the others
    are figures, right-aligned."""
    columns = len(table.header)
    for number, cells in enumerate(table.rows, start=1):
        if len(cells) != columns:
            raise ValueError(f"table row {number} has {len(cells)} cells, the header {columns}")
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    widths = _column_widths(pdf, table)
    pdf.set_font(FAMILY, "", BODY_PT)
    align = ("LEFT",) + ("RIGHT",) * (columns - 1)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        headings_style=FontFace(emphasis="B", size_pt=BODY_PT - 0.5, fill_color=SHADE),
        text_align=align,
        line_height=LINE,
        padding=PADDING,
        wrapmode=WrapMode.WORD,
        repeat_headings=1,
    ) as grid:
        heading = grid.row()
        for text, side in zip(table.header, align, strict=True):
            # Headings are words, centred over figures reads better than pushed right.
            heading.cell(text, align="LEFT" if side == "LEFT" else "CENTER")
        for cells in table.rows:
            line = grid.row()
            for text in cells:
                line.cell(text)


def _column_widths(pdf: FPDF, table: Table) -> tuple[float, ...]:
    """Each column as wide as its longest text; the spare width goes to the first (the names),
    a lack of it is taken from every column in proportion (their text then wraps)."""
    pad = 2 * PADDING[1] + 1
    pdf.set_font(FAMILY, "B", BODY_PT - 0.5)
    natural = [pdf.get_string_width(text) + pad for text in table.header]
    pdf.set_font(FAMILY, "", BODY_PT)
    for cells in table.rows:
        for index, text in enumerate(cells):
            longest = max(pdf.get_string_width(line) for line in text.split("\n"))
            natural[index] = max(natural[index], longest + pad)
    total = sum(natural)
    if total <= pdf.epw:
        natural[0] += pdf.epw - total
        return tuple(natural)
    squeezed = [max(MIN_COLUMN, width * pdf.epw / total) for width in natural]
    scale = pdf.epw / sum(squeezed)
    return tuple(width * scale for width in squeezed)


def _page_numbers(pdf: FPDF) -> None:
    """«2 / 3» at the foot of every page, once the count is known (only when there are several)."""
    pages = pdf.pages_count
    if pages < 2:
        return
    last = pdf.page
    pdf.set_auto_page_break(auto=False)
    for number in range(1, pages + 1):
        pdf.page = number
        # The font is set on each page's own content (fpdf2 writes a font only when it
        # changes: the number would otherwise take whatever that page last used).
        pdf.set_font(FAMILY, "B", SMALL_PT)
        pdf.set_font(FAMILY, "", SMALL_PT)
        pdf.set_text_color(*MUTED)
        pdf.set_xy(pdf.l_margin, pdf.h - MARGIN + 2)
        pdf.cell(0, SMALL_PT * 0.5, f"{number} / {pages}", align="R")
    pdf.page = last
