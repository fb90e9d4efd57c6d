from datetime import date
from decimal import Decimal

import pytest

from core.meters import Meter, Register, Scheme, VerificationState, Zone, verification_state

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (None, VerificationState.OK),
        (date(2026, 3, 14), VerificationState.EXPIRED),
        (date(2020, 1, 1), VerificationState.EXPIRED),
        (date(2026, 3, 15), VerificationState.SOON),
        (date(2026, 9, 14), VerificationState.SOON),
        (date(2026, 9, 15), VerificationState.OK),
        (date(2030, 1, 1), VerificationState.OK),
    ],
)
def test_verification_state(due: date | None, state: VerificationState) -> None:
    assert verification_state(due, TODAY) is state


def test_verification_warning_months_clamp_to_month_end() -> None:
    # 31 Aug + 6 months = 28 Feb (not 3 March).
    assert verification_state(date(2027, 2, 27), date(2026, 8, 31)) is VerificationState.SOON
    assert verification_state(date(2027, 2, 28), date(2026, 8, 31)) is VerificationState.OK


def test_warning_months_are_a_setting() -> None:
    assert verification_state(date(2026, 5, 1), TODAY, warn_months=1) is VerificationState.OK
    assert verification_state(date(2026, 4, 1), TODAY, warn_months=1) is VerificationState.SOON


def test_zone_of_register() -> None:
    meter = Meter(
        account="5901234567",
        serial="A1",
        scheme=Scheme.THREE_ZONE,
        digits=6,
        smart=False,
        verification_due=None,
        registers=tuple(Register(name, Decimal(0), None, None) for name in ("T1", "T2", "T3")),
    )
    assert meter.zone_of("T1") is Zone.PEAK
    assert meter.zone_of("T3") is Zone.SEMIPEAK
    assert meter.register("T2").name == "T2"


def test_billing_average_repeated_on_every_register_is_the_meters() -> None:
    from datetime import date
    from decimal import Decimal as D

    from core.meters import Meter, Register, Scheme

    def meter(*averages: str | None) -> Meter:
        registers = tuple(
            Register(f"T{n}", D(100), date(2026, 10, 1), None if a is None else D(a))
            for n, a in enumerate(averages, 1)
        )
        return Meter("5901234567", "S", Scheme.TWO_ZONE, 6, False, None, registers)

    assert meter("150", "150").avg_monthly_kwh == D(150)
    assert meter("120", "60").avg_monthly_kwh == D(180)
    assert meter("120", None).avg_monthly_kwh is None
