"""Money and quantities: always Decimal, rounded the way billing rounds."""

from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")


def to_rubles(value: Decimal) -> Decimal:
    """Round to kopecks, half up, as receipts show."""
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)
