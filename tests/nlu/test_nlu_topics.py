"""Topics that refine an intent (labels.REFINES): the intent stays one of DOMAIN's, the topic
says the finer question, and only when the topic's words carry the message."""

from __future__ import annotations

import pytest

from dialogs.nlu import Intent, Topic, analyze
from dialogs.nlu.labels import REFINES

B = Intent.BALANCE_DEBT
P = Intent.PAYMENT


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Restricted or cut off for a debt, or the notice of it.
        ("когда отключат свет за долги", Topic.DEBT_RESTRICTION),
        ("а свет когда отключат за неуплату", Topic.DEBT_RESTRICTION),
        ("могут ли отключить за неуплату", Topic.DEBT_RESTRICTION),
        ("пришло уведомление об ограничении", Topic.DEBT_RESTRICTION),
        ("отключили за долг как подключить", Topic.DEBT_RESTRICTION),
        ("will you cut off my power for debt", Topic.DEBT_RESTRICTION),
        ("i got a restriction notice", Topic.DEBT_RESTRICTION),
        # Why the bill is what it is.
        ("почему такой большой счёт", Topic.BILL_EXPLAIN),
        ("откуда такая сумма", Topic.BILL_EXPLAIN),
        ("почему начислили по среднему", Topic.BILL_EXPLAIN),
        ("почему начислили по нормативу", Topic.BILL_EXPLAIN),
        ("счёт вырос в два раза", Topic.BILL_EXPLAIN),
        ("why is my bill so high", Topic.BILL_EXPLAIN),
        # Paid, and it does not show.
        ("оплатил, а долг висит", Topic.PAYMENT_MISSING),
        ("деньги не дошли", Topic.PAYMENT_MISSING),
        ("оплата не отразилась", Topic.PAYMENT_MISSING),
        ("my payment is not showing", Topic.PAYMENT_MISSING),
        # An overpayment back.
        ("верните переплату", Topic.REFUND),
        ("как вернуть переплату", Topic.REFUND),
        ("переплата, хочу деньги назад", Topic.REFUND),
        ("can i get a refund of the overpayment", Topic.REFUND),
        # A debt in parts.
        ("можно рассрочку", Topic.INSTALMENT),
        ("оплатить долг частями", Topic.INSTALMENT),
        ("реструктуризация долга", Topic.INSTALMENT),
        ("can i pay the debt in instalments", Topic.INSTALMENT),
        # Paid to someone else's account.
        ("оплатил не на тот счёт", Topic.WRONG_ACCOUNT),
        ("перевёл по ошибке на чужой лицевой", Topic.WRONG_ACCOUNT),
        ("ошибся номером счёта при оплате", Topic.WRONG_ACCOUNT),
        ("i paid to the wrong account", Topic.WRONG_ACCOUNT),
        # The customer's own kWh month by month.
        ("история потребления", Topic.CONSUMPTION),
        ("сколько я тратил", Topic.CONSUMPTION),
        ("покажи расход за год", Topic.CONSUMPTION),
        ("график потреблния", Topic.CONSUMPTION),
        ("how much did i use", Topic.CONSUMPTION),
        ("show my consumption history", Topic.CONSUMPTION),
    ],
)
def test_topics_refine_their_intent(text: str, topic: Topic) -> None:
    analysis = analyze(text)
    assert (analysis.intent, analysis.topic) == (REFINES[topic], topic), analysis
    assert analysis.confidence >= 0.5, analysis


def test_every_new_topic_refines_balance_or_payment() -> None:
    assert {topic for topic, intent in REFINES.items() if intent is B} >= {
        Topic.DEBT_RESTRICTION,
        Topic.BILL_EXPLAIN,
        Topic.PAYMENT_MISSING,
        Topic.REFUND,
        Topic.INSTALMENT,
    }
    assert REFINES[Topic.WRONG_ACCOUNT] is P


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # The intent's own words, no finer question.
        ("баланс", B),
        ("какой у меня долг", B),
        ("сколько платить", B),
        ("у меня переплата?", B),
        ("сколько я оплатил в прошлом месяце", B),
        ("хочу оплатить долг", P),
        ("как оплатить картой", P),
        # A negated topic word does not carry the message.
        ("не рассрочку, а просто сумму долга скажите", B),
    ],
)
def test_no_topic_without_its_words(text: str, intent: Intent) -> None:
    analysis = analyze(text)
    assert (analysis.intent, analysis.topic) == (intent, None), analysis


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # A planned or emergency outage is not a debt matter.
        ("когда дадут свет", Intent.OUTAGE_REPORT),
        ("нет света", Intent.OUTAGE_REPORT),
        ("отключат свет 12 декабря на нашей улице", Intent.OUTAGE_REPORT),
        ("когда вернут свет", Intent.OUTAGE_REPORT),
        # Paid after the cut-off and wants the supply back: a reconnection visit.
        (
            "меня отключили за неуплату я всё оплатил когда подключат обратно",
            Intent.TECHNICIAN_CALL,
        ),
        ("долг погасила, подключите электричество", Intent.TECHNICIAN_CALL),
    ],
)
def test_neighbours_of_the_topics_keep_their_intent(text: str, intent: Intent) -> None:
    analysis = analyze(text)
    assert analysis.intent is intent, analysis
    assert analysis.topic is None, analysis


@pytest.mark.parametrize(
    "text",
    [
        "даю согласие",
        "согласие",
        "даю согласие на обработку персональных данных",
        "согласна на обработку данных",
        "i consent",
        "какие персональные данные вы храните",
    ],
)
def test_consent_given_is_not_a_wish_to_delete_data(text: str) -> None:
    assert analyze(text).topic is not Topic.DELETE_DATA


@pytest.mark.parametrize(
    "text",
    [
        "удалите мои данные",
        "отзываю согласие на обработку",
        "удалить мой аккаунт",
        "удалите мой профиль",
        "хочу удалить свои персональные данные",
        "withdraw my consent",
        "delete my account",
    ],
)
def test_only_a_clear_request_deletes_data(text: str) -> None:
    analysis = analyze(text)
    assert (analysis.intent, analysis.topic) == (Intent.OTHER, Topic.DELETE_DATA), analysis
