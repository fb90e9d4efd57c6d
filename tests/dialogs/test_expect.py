"""Expectations read answers out of messy text: money in short forms, the holder's name next to the
account number, a phone among words."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dialogs.expect import account_and_surname, amount_said
from dialogs.flow import Msg
from dialogs.messages import Inbound, InboundKind


def typed(text: str) -> Msg:
    return Msg(
        Inbound(
            channel="test",
            user_id="1",
            event_id="e",
            kind=InboundKind.TEXT,
            time=datetime(2026, 12, 7, tzinfo=UTC),
            text=text,
        )
    )


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("я ж писал 20 ноября, 3 тыщи", Decimal(3000)),
        ("1,5 тыщи", Decimal(1500)),
        ("полторы тыщи", Decimal(1500)),
        ("3к", Decimal(3000)),
        ("5 тыс. руб", Decimal(5000)),
        ("платил 1 декабря, 4362,40 через сбербанк", Decimal("4362.40")),
        ("20 ноября", None),
        ("оплатила 25.11 к вечеру 3000 руб", Decimal(3000)),  # «к» is a preposition here
        ("в квитанции было 850 к оплате", Decimal(850)),
        ("заплатила 2 тыс 416 руб 1 декабря", Decimal(2416)),
        ("я заплатил 3 тыщи 20 ноября", Decimal(3000)),  # the 20 is the day
    ],
)
def test_money_in_its_short_forms(text: str, amount: Decimal | None) -> None:
    assert amount_said(text) == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5901000001 Иванова", ("5901000001", "Иванова")),
        ("Кочергин 59010-00017", ("5901000017", "Кочергин")),
        ("5901000015 шестаков павел, передать показания", ("5901000015", "шестаков павел")),
        (
            "это мальцев сергей александрович лицевой 5901000011 хочу сдать показания",
            ("5901000011", "мальцев сергей александрович"),
        ),
        ("многодетные мы, 5901000008 зырянов. сколько будет", ("5901000008", "зырянов")),
        ("счет 5901000018 белоусова, там 4210 вроде", ("5901000018", "белоусова")),
        ("5901000001 передайте показания 12480", ("5901000001", None)),
        ("5901000001 день 23415 ночь 8120", ("5901000001", None)),  # «день» is a zone
        ("привяжите 5901000001 пожалуйста", ("5901000001", None)),
        (
            "Я Кузнецова Татьяна Николаевна, лицевой счет 5901000003",
            ("5901000003", "Кузнецова Татьяна Николаевна"),
        ),
        # Words beside the number that are no names are never tried as a surname.
        (
            "добрый день мальцев сергей ЛС 5901000011 по гаражу показания 4521",
            ("5901000011", "мальцев сергей"),
        ),
        ("а сорян 5901000014", ("5901000014", None)),
    ],
)
def test_the_holder_s_name_next_to_the_number(
    text: str, expected: tuple[str | None, str | None]
) -> None:
    assert account_and_surname(typed(text)) == expected
