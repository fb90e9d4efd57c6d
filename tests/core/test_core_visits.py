from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.visits import (
    TransitionError,
    Visit,
    VisitStatus,
    VisitType,
    check_transition,
    visit_number,
)

S = VisitStatus


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.NEW, S.SCHEDULED),
        (S.NEW, S.CANCELLED),
        (S.SCHEDULED, S.SCHEDULED),
        (S.SCHEDULED, S.DONE),
        (S.SCHEDULED, S.CANCELLED),
    ],
)
def test_allowed_transitions(current: VisitStatus, new: VisitStatus) -> None:
    check_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.NEW, S.DONE),
        (S.NEW, S.NEW),
        (S.DONE, S.CANCELLED),
        (S.DONE, S.SCHEDULED),
        (S.CANCELLED, S.SCHEDULED),
        (S.SCHEDULED, S.NEW),
    ],
)
def test_refused_transitions(current: VisitStatus, new: VisitStatus) -> None:
    with pytest.raises(TransitionError):
        check_transition(current, new)


def test_visit_number() -> None:
    assert visit_number(42, datetime(2026, 11, 3, 10, 0, tzinfo=UTC)) == "2611-00042"
    assert visit_number(123456, datetime(2026, 1, 1, tzinfo=UTC)) == "2601-123456"


def test_visit_number_uses_utc_month() -> None:
    perm = timezone(timedelta(hours=5))
    # 1 December 03:00 in Perm is still 30 November in UTC.
    assert visit_number(7, datetime(2026, 12, 1, 3, 0, tzinfo=perm)) == "2611-00007"


def test_visit_number_property() -> None:
    visit = Visit(
        account="5901234567",
        customer_id=1,
        type=VisitType.CONTROL_READING,
        preferred_date=date(2026, 3, 2),
        slot="08:00-12:00",
        phone="+79123456789",
        comment="",
        status=S.NEW,
        created_at=datetime(2026, 2, 27, 12, tzinfo=UTC),
        id=5,
    )
    assert visit.number == "2602-00005"
