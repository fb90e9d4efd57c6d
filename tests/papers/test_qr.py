"""The payment QR image: decoded by ZXing back to the exact ГОСТ text, Cyrillic included."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from core.payment_qr import parse_payload
from papers.qr import MASK, QUIET_ZONE, qr_png
from tests.papers.samples import PAYLOAD


def _decoded(png: bytes, text_mode: zxingcpp.TextMode = zxingcpp.TextMode.HRI) -> zxingcpp.Barcode:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()  # every chunk's CRC checked
    found = zxingcpp.read_barcodes(image.convert("L"), text_mode=text_mode)
    assert len(found) == 1
    return found[0]


def test_the_png_decodes_to_the_payload_with_cyrillic() -> None:
    found = _decoded(qr_png(PAYLOAD))
    assert found.text == PAYLOAD
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.ec_level == "M"
    assert found.extra["DataMask"] == MASK
    pairs = parse_payload(found.text)
    assert pairs["Name"] == "ПАО «Пермэнергосбыт»"
    assert pairs["Purpose"] == "Оплата электроэнергии, л/с 5901000002, ноябрь 2026"


def test_the_text_goes_as_utf8_bytes_without_an_eci() -> None:
    """The header's «2» says UTF-8; an ECI designator in front makes some banks refuse it."""
    found = _decoded(qr_png(PAYLOAD), zxingcpp.TextMode.HexECI)
    # ]Q1: a QR code without ECI (]Q2 would be with one); then the payload's own bytes.
    assert found.symbology_identifier == "]Q1"
    assert found.bytes == PAYLOAD.encode("utf-8")


@pytest.mark.parametrize("scale", [1, 2, 3, 5, 8])
def test_size_is_the_modules_with_the_quiet_zone_times_the_scale(scale: int) -> None:
    png = qr_png(PAYLOAD, scale=scale)
    found = _decoded(png)
    assert found.text == PAYLOAD
    modules = 17 + 4 * int(found.extra["Version"])  # ISO/IEC 18004: a version's side
    image = Image.open(io.BytesIO(png))
    assert image.mode == "1"
    assert image.size == ((modules + 2 * QUIET_ZONE) * scale,) * 2
    # The quiet zone is white all round, and the code starts right after it: the finder
    # pattern's dark corner module is the first dark pixel of its row and column.
    grey = image.convert("L")
    band = QUIET_ZONE * scale
    for box in (
        (0, 0, grey.width, band),
        (0, grey.height - band, grey.width, grey.height),
        (0, 0, band, grey.height),
        (grey.width - band, 0, grey.width, grey.height),
    ):
        assert grey.crop(box).getextrema() == (255, 255)
    assert grey.getpixel((band, band)) == 0
    assert grey.getpixel((grey.width - band - 1, band)) == 0
    assert grey.getpixel((band, grey.height - band - 1)) == 0


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=300))
def test_any_text_comes_back_from_its_code(text: str) -> None:
    found = _decoded(qr_png(text, scale=2), zxingcpp.TextMode.HexECI)
    assert found.bytes == text.encode("utf-8")


def test_a_text_too_long_for_any_qr_code_is_refused() -> None:
    with pytest.raises(RuntimeError, match="too long"):
        qr_png("Ж" * 3000)


def test_a_scale_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        qr_png(PAYLOAD, scale=0)
