from decimal import Decimal

from core.money import to_rubles


def test_rounds_half_up_to_kopecks() -> None:
    assert to_rubles(Decimal("1.005")) == Decimal("1.01")
    assert to_rubles(Decimal("1.004")) == Decimal("1.00")
    assert str(to_rubles(Decimal("1572.6"))) == "1572.60"
