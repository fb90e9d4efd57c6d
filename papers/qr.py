"""The payment QR as a PNG: what the customer scans from the phone's screen or a printed receipt."""

from __future__ import annotations

import functools
import io

import segno
from PIL import Image

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks; scanners need it
_GREY = bytes([255, 0]) + bytes(254)  # module value → grey: 0 white, 1 black
DEFAULT_SCALE = 8  # px a module: a ГОСТ payload (version 12–16) comes out 520–680 px wide


def qr_png(payload: str, *, scale: int = DEFAULT_SCALE) -> bytes:
    """The QR code of `payload` as a black-and-white PNG, `scale` pixels per module.

    Error correction M (15 %), what the banks' own receipts use: a larger level makes the code
    denser for the same text and harder to read from a small screen. The ГОСТ Р 56042 header
    says encoding 2, UTF-8, so the text goes as UTF-8 bytes, without an ECI marker (the banks'
    scanners read the encoding from the header and some refuse an ECI).
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1 pixel per module, not {scale}")
    return _png(payload, scale)


@functools.lru_cache(maxsize=256)
def _png(payload: str, scale: int) -> bytes:
    """Kept for a while: a customer asking the balance again, or for the receipt after it, gets
    the same code (~4 ms of pure-Python encoding saved)."""
    # segno's own PNG writer is pure Python (~10 ms at scale 8); Pillow scales and encodes in C.
    matrix = _code(payload).matrix  # rows of 0 (light) and 1 (dark) modules
    side = len(matrix) + 2 * QUIET_ZONE
    margin = bytes(QUIET_ZONE)
    modules = bytes(side * QUIET_ZONE) + b"".join(margin + row + margin for row in matrix)
    modules += bytes(side * QUIET_ZONE)
    image = Image.frombytes("L", (side, side), modules.translate(_GREY))
    image = image.convert("1", dither=Image.Dither.NONE).resize(
        (side * scale, side * scale), Image.Resampling.NEAREST
    )
    out = io.BytesIO()
    # 1 bit a pixel: a few kB; the fastest zlib level costs ~0.7 kB and saves a quarter ms.
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


# One mask pattern for every code. ISO/IEC 18004 lets an encoder use any of the eight (the
# symbol says which); scoring all eight to pick the best costs ~20 ms of pure Python a code —
# most of a balance answer's CPU — for a symbol that scanners read either way (the tests decode
# every code they make).
MASK = 2


@functools.lru_cache(maxsize=64)
def _code(payload: str) -> segno.QRCode:
    """The symbol, kept for a while: the same payload is drawn twice when a customer gets both
    the receipt and the QR image."""
    return segno.make_qr(
        payload, error="m", mode="byte", encoding="utf-8", boost_error=False, mask=MASK
    )
