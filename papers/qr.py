"""The payment QR as a PNG: what the customer scans from the phone's screen or a printed receipt."""

from __future__ import annotations

import functools
import struct
import zlib

import zint

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks; scanners need it
DEFAULT_SCALE = 8  # px a module: a ГОСТ payload (version 12–16) comes out 520–680 px wide

# One mask pattern for every code. ISO/IEC 18004 lets an encoder use any of the eight (the
# symbol says which) and scanners read each; scoring all eight to pick the «best» is work a
# balance answer would pay for nothing (the tests decode every code they make).
MASK = 2
_LEVEL_M = 2  # zint's option_1 for a QR code: 1 L, 2 M, 3 Q, 4 H
_MASK_OPTION = (MASK + 1) << 8  # zint's option_3: the mask to use, plus one, in the second byte
_REVERSED = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))  # zint packs module 0 lowest
_PNG = b"\x89PNG\r\n\x1a\n"


def qr_png(payload: str, *, scale: int = DEFAULT_SCALE) -> bytes:
    """The QR code of `payload` as a black-and-white PNG, `scale` pixels per module.

    Error correction M (15 %), what the banks' own receipts use: a larger level makes the code
    denser for the same text and harder to read from a small screen. The ГОСТ Р 56042 header
    says encoding 2, UTF-8, so the text goes as its UTF-8 bytes without an ECI marker (the
    banks' scanners read the encoding from the header and some refuse an ECI).
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1 pixel per module, not {scale}")
    return _png(payload, scale)


@functools.lru_cache(maxsize=256)
def _png(payload: str, scale: int) -> bytes:
    """Kept for a while: a customer asking the balance again, or for the receipt after it, gets
    the same code without drawing it again."""
    rows = dark_modules(payload)
    side = len(rows) + 2 * QUIET_ZONE
    quiet = [0] * QUIET_ZONE
    return _bilevel_png([*quiet, *(row << QUIET_ZONE for row in rows), *quiet], side, scale)


def dark_modules(payload: str) -> list[int]:
    """The symbol's rows, top down, each an int whose bits are its modules, the leftmost
    highest: 1 dark, 0 light. zint (C) encodes the UTF-8 bytes as they are, without an ECI:
    byte segments, and numeric or alphanumeric ones where a run of digits or capitals comes
    out shorter that way (ISO/IEC 18004 allows mixing them; decoders read the whole as one
    byte string — the tests check that ZXing reads the text back as UTF-8). Level M, the
    fixed mask."""
    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.QRCODE  # input mode left at DATA: the bytes as given
    symbol.option_1 = _LEVEL_M
    symbol.option_3 = _MASK_OPTION
    symbol.encode(payload.encode("utf-8"))
    size = symbol.width
    packed = symbol.encoded_data  # zint's whole array: its first `size` rows, 8 modules a byte
    _, stride = packed.shape or (0, 0)
    data = packed.tobytes()
    used = (size + 7) // 8
    spare = used * 8 - size
    return [
        int.from_bytes(data[y * stride : y * stride + used].translate(_REVERSED)) >> spare
        for y in range(size)
    ]


def _bilevel_png(rows: list[int], side: int, scale: int) -> bytes:
    """A 1-bit greyscale PNG of `side`×`side` modules (`rows` as from dark_modules), each
    `scale`×`scale` pixels. Written here rather than through Pillow: its PNG encoder spends
    about 1 ms on a 700-pixel bilevel image that zlib compresses in a tenth of that."""
    width = side * scale
    line_bytes = (width + 7) // 8
    spare = -side % 8  # modules to a whole byte; their pixels fall past the width
    all_light = (1 << side) - 1
    spread = _spread(scale)
    lines = []
    for dark in rows:
        light = ((all_light ^ dark) << spare).to_bytes((side + spare) // 8)  # PNG: 1 is white
        line = b"\0" + b"".join([spread[b] for b in light])[:line_bytes]  # filter type 0
        lines.append(line * scale)
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)  # 1 bit grey, no interlace
    # zlib's fastest level: ~3 kB instead of ~1.5 kB, at a third of the CPU.
    pixels = zlib.compress(b"".join(lines), 1)
    return _PNG + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


@functools.cache
def _spread(scale: int) -> tuple[bytes, ...]:
    """For each byte of 8 modules, its `scale` bytes of pixels (each module `scale` bits)."""
    table = []
    for byte in range(256):
        bits = "".join(bit * scale for bit in f"{byte:08b}")
        table.append(int(bits, 2).to_bytes(scale))
    return tuple(table)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
