"""The ГОСТ Р 56042-2014 payment text: its fields, sums in kopecks, and what it refuses."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.payment_qr import Payee, PayeeError, parse_payload, payment_payload

PAYEE = Payee(
    name="ПАО «Пермэнергосбыт»",
    personal_account="40702810049770043643",
    bank_name="ВОЛГО-ВЯТСКИЙ БАНК ПАО СБЕРБАНК",
    bic="042202603",
    correspondent_account="30101810900000000603",
    inn="5904123809",
    kpp="590401001",
)


def test_the_text_is_the_standards_header_then_its_fields_in_order() -> None:
    text = payment_payload(
        PAYEE,
        account="5901000002",
        amount=Decimal("1572.6"),
        purpose="Оплата электроэнергии",
        period="2026-11",
    )
    assert text == (
        "ST00012|Name=ПАО «Пермэнергосбыт»|PersonalAcc=40702810049770043643"
        "|BankName=ВОЛГО-ВЯТСКИЙ БАНК ПАО СБЕРБАНК|BIC=042202603"
        "|CorrespAcc=30101810900000000603|PayeeINN=5904123809|KPP=590401001"
        "|PersAcc=5901000002|Sum=157260|Purpose=Оплата электроэнергии"
        "|PaymPeriod=112026|TechCode=02"
    )


@pytest.mark.parametrize(
    ("amount", "kopecks"),
    [
        (Decimal("0.01"), "1"),
        (Decimal("0.005"), "1"),  # half a kopeck rounds up, as the bill does
        (Decimal("0.004"), None),  # rounds to nothing: no sum, the payer types it
        (Decimal("1572.60"), "157260"),
        (Decimal("1E+3"), "100000"),
        (Decimal(0), None),
        (Decimal("-15.00"), None),  # an overpayment: nothing to pay
        (None, None),
    ],
)
def test_the_sum_is_in_kopecks_or_absent(amount: Decimal | None, kopecks: str | None) -> None:
    pairs = parse_payload(payment_payload(PAYEE, account="1", amount=amount, purpose="x"))
    assert pairs.get("Sum") == kopecks


def test_optional_fields_are_left_out_when_unknown() -> None:
    payee = dataclasses.replace(PAYEE, inn="", kpp="")
    pairs = parse_payload(payment_payload(payee, account="1", amount=None, purpose="x"))
    assert not {"PayeeINN", "KPP", "Sum", "PaymPeriod"} & pairs.keys()
    assert pairs["TechCode"] == "02"


names = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"])
    | st.sampled_from("|\n\t="),
    min_size=1,
    max_size=200,
).filter(lambda name: name[:160].strip())


@given(
    name=names,
    account=st.text(min_size=0, max_size=30),
    purpose=st.text(max_size=300),
    kopecks=st.integers(min_value=1, max_value=10**12),
    period=st.tuples(st.integers(2000, 2099), st.integers(1, 12)),
)
@example(
    name="ООО «Свет | Тепло»", account="59|01", purpose="за | ноябрь", kopecks=1, period=(2026, 1)
)
def test_any_payment_round_trips_through_the_parser(
    name: str, account: str, purpose: str, kopecks: int, period: tuple[int, int]
) -> None:
    payee = dataclasses.replace(PAYEE, name=name[:160])
    amount = Decimal(kopecks) / 100
    text = payment_payload(
        payee,
        account=account,
        amount=amount,
        purpose=purpose,
        period=f"{period[0]:04d}-{period[1]:02d}",
    )
    pairs = parse_payload(text)
    # A value keeps its words; `|`, which nothing could escape, becomes «/»; runs of
    # whitespace (a line break in the settings) one space.
    assert pairs["Name"] == " ".join(name[:160].replace("|", "/").split())
    assert pairs["PersAcc"] == " ".join(account.replace("|", "/").split())
    assert pairs["Purpose"] == " ".join(purpose[:210].replace("|", "/").split())
    assert Decimal(pairs["Sum"]) / 100 == amount
    assert pairs["PaymPeriod"] == f"{period[1]:02d}{period[0]:04d}"
    assert pairs["BIC"] == PAYEE.bic and pairs["PersonalAcc"] == PAYEE.personal_account
    assert text.count("|") == len(pairs)  # no value brought a separator of its own


def test_payee_problems_name_each_field_and_why() -> None:
    assert PAYEE.problems() == []
    blank = Payee(name=" ", personal_account="", bank_name="", bic="", correspondent_account="")
    assert blank.problems() == [
        "recipient: missing",
        "account: missing",
        "bank: missing",
        "bik: missing",
        "correspondent_account: missing",
    ]
    wrong = Payee(
        name="Я" * 161,
        personal_account="4070281004977004364",  # 19 digits
        bank_name="Б" * 46,
        bic="04220260A",
        correspondent_account="٣" * 20,  # Arabic-Indic digits: not what a bank reads
        inn="12345",
        kpp="5904010011",
    )
    assert wrong.problems() == [
        "recipient: at most 160 characters",
        "account: 20 digits expected",
        "bank: at most 45 characters",
        "bik: 9 digits expected",
        "correspondent_account: 20 digits expected",
        "inn: 10 or 12 digits expected",
        "kpp: 9 digits expected",
    ]
    assert dataclasses.replace(PAYEE, inn="590412380912").problems() == []


def test_unusable_details_make_no_payload() -> None:
    with pytest.raises(PayeeError, match="bik: 9 digits expected"):
        payment_payload(
            dataclasses.replace(PAYEE, bic="123"), account="1", amount=None, purpose="x"
        )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ST00011|Name=x", "starts with 'ST00011'"),
        ("ST00012|Name", "not a Key=Value pair"),
        ("ST00012|Name=x|PersonalAcc=1|BankName=b|BIC=1", "required CorrespAcc missing"),
    ],
)
def test_the_parser_refuses_what_is_not_a_payment(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_payload(text)
