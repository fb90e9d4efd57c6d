"""The months a receipt request names, and the receipts sent for them."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.flows.receipt_months import MAX_MONTHS, Asked, asked_in
from tests.dialogs.conftest import Customer, linked
from tests.dialogs.papers_read import attachments, pdf_text

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "named", "months", "year"),
    [
        ("квитанция за 10.2026", (), ((10, 2026),), None),
        ("квитанция 10/2026", (), ((10, 2026),), None),
        ("квитанцию за позапрошлый месяц", (), ((10, 2026),), None),
        ("квитанцию за прошлый месяц", (), ((11, 2026),), None),
        ("receipt for the month before last", (), ((10, 2026),), None),
        ("за декабрь прошлого года", (12,), ((12, 2025),), None),
        ("квитанцию за сентябрь и октябрь", (9, 10), ((9, None), (10, None)), None),
        ("квитанцию за прошлый год", (), (), 2025),
        ("квитанцию за 2025 год", (), (), 2025),
        ("квитанция", (), (), None),
        # A month by its number (a player's «9 месяц»); «за 2 месяца» is a span, no month.
        ("квитанцыя за 9 месяц", (), ((9, None),), None),
        ("квитанция за 11-й месяц", (), ((11, None),), None),
        ("квитанции за 2 месяца сразу", (), (), None),
    ],
)
def test_months_asked(
    text: str, named: tuple[int, ...], months: tuple[tuple[int, int | None], ...], year: int | None
) -> None:
    asked = asked_in(text, named, TODAY)
    assert (asked.months, asked.year) == (months, year)
    assert Asked.load(asked.dump()) == asked


def test_january_less_two_months_is_last_november() -> None:
    assert asked_in("за позапрошлый месяц", (), date(2027, 1, 10)).months == ((11, 2026),)


def test_more_months_than_sent_are_not_dropped_silently() -> None:
    asked = asked_in("за май, июнь, июль и август", (5, 6, 7, 8), TODAY)
    assert len(asked.months) == MAX_MONTHS and asked.more


async def test_two_months_asked_come_as_two_pdfs(customer: Customer) -> None:
    await linked(customer)
    await customer.send("квитанцию за сентябрь и октябрь")
    files = attachments(customer.last)
    assert [f.filename for f in files] == [
        "kvitanciya-4567-2026-09.pdf",
        "kvitanciya-4567-2026-10.pdf",
    ]
    assert "Квитанция за сентябрь 2026" in pdf_text(files[0])
    assert "Квитанция за октябрь 2026" in pdf_text(files[1])


async def test_a_followup_month_right_after_a_receipt(customer: Customer) -> None:
    await linked(customer)
    await customer.send("квитанция за май")
    await customer.send("а за июнь")
    assert [f.filename for f in attachments(customer.last)] == ["kvitanciya-4567-2026-06.pdf"]
    await customer.send("а за март")  # billing's history here starts in May
    assert "Квитанции за март 2026 у меня нет" in customer.text()
    await customer.send("сколько платить")  # anything else goes where it asks
    assert "Квитанция" not in customer.text() and "1 250,40" in customer.text()
