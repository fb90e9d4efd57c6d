"""The payment QR image: decoded by ZXing back to the exact ГОСТ text, Cyrillic included."""

from __future__ import annotations

import io

import pytest
import segno
import zxingcpp
from PIL import Image

from core.payment_qr import parse_payload
from papers.qr import QUIET_ZONE, qr_png
from tests.papers.samples import PAYLOAD


def test_the_png_decodes_to_the_payload_with_cyrillic() -> None:
    image = Image.open(io.BytesIO(qr_png(PAYLOAD)))
    assert image.format == "PNG"
    found = zxingcpp.read_barcodes(image.convert("L"))
    assert [code.text for code in found] == [PAYLOAD]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    assert found[0].ec_level == "M"
    pairs = parse_payload(found[0].text)
    assert pairs["Name"] == "ПАО «Пермэнергосбыт»"
    assert pairs["Purpose"] == "Оплата электроэнергии, л/с 5901000002, ноябрь 2026"


def test_size_is_the_modules_with_the_quiet_zone_times_the_scale() -> None:
    modules = segno.make_qr(PAYLOAD, error="m", mode="byte", encoding="utf-8").symbol_size(
        scale=1, border=0
    )[0]
    for scale in (2, 8):
        image = Image.open(io.BytesIO(qr_png(PAYLOAD, scale=scale)))
        assert image.size == ((modules + 2 * QUIET_ZONE) * scale,) * 2
        # The quiet zone is white all round: the first and last rows hold no dark pixel.
        grey = image.convert("L")
        assert grey.crop((0, 0, grey.width, QUIET_ZONE * scale)).getextrema() == (255, 255)
        assert grey.crop((0, grey.height - scale, grey.width, grey.height)).getextrema() == (
            255,
            255,
        )


def test_a_scale_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        qr_png(PAYLOAD, scale=0)
