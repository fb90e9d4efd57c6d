"""How the classifier weighs evidence: typos, entities, greetings, negation, confidence."""

from __future__ import annotations

import pytest

from dialogs.nlu import Intent, Topic, analyze
from dialogs.nlu.classifier import tokenize
from dialogs.nlu.vocabulary import resolve


@pytest.mark.parametrize(
    ("typed", "lemma"),
    [
        ("показаня", "показание"),
        ("щетчик", "счетчик"),
        ("квитка", "квитанция"),
        ("квитанцыя", "квитанция"),
        ("задолжность", "задолженность"),
        ("скока", "сколько"),
        ("cчетчик", "счетчик"),  # Latin «c»
        ("опломбирывать", "опломбировать"),
    ],
)
def test_typos_and_slang_reach_the_vocabulary(typed: str, lemma: str) -> None:
    assert [token.lemma for token in tokenize(typed)] == [lemma]


def test_unknown_words_far_from_the_vocabulary_stay_as_they_are() -> None:
    assert resolve("абырвалг").lemmas != ("показание",)
    assert analyze("абырвалг шмырдяк").confidence < 0.5


def test_amount_of_energy_turns_how_much_into_an_estimate() -> None:
    plain = analyze("сколько платить")
    assert (plain.intent, plain.topic) == (Intent.BALANCE_DEBT, None)
    estimate = analyze("сколько платить за 250 квт")
    assert (estimate.intent, estimate.topic) == (Intent.TARIFF_QUESTION, Topic.ESTIMATE)


def test_price_of_one_kwh_is_a_tariff_question_not_an_estimate() -> None:
    analysis = analyze("сколько стоит 1 квт")
    assert (analysis.intent, analysis.topic) == (Intent.TARIFF_QUESTION, None)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("здравствуйте, хочу передать показания", Intent.SUBMIT_READING),
        ("добрый день! где моя квитанция", Intent.RECEIPT),
        ("привет нет света", Intent.OUTAGE_REPORT),
        ("спасибо, а как оплатить", Intent.PAYMENT),
    ],
)
def test_greeting_plus_question_is_the_question(text: str, intent: Intent) -> None:
    analysis = analyze(text)
    assert analysis.intent is intent
    assert analysis.topic is None
    assert analysis.confidence > 0.8


def test_bare_numbers() -> None:
    reading = analyze("12457")
    assert reading.intent is Intent.SUBMIT_READING and reading.confidence > 0.8
    account = analyze("5901234567")
    assert (account.intent, account.topic) == (Intent.OTHER, Topic.LINK_ACCOUNT)
    assert account.confidence > 0.8
    small = analyze("2")  # as likely a menu choice
    assert small.confidence < 0.5


def test_negated_keyword_counts_less() -> None:
    plain = analyze("нужен мастер")
    negated = analyze("не мастер")
    assert plain.intent is negated.intent is Intent.TECHNICIAN_CALL
    assert negated.confidence < plain.confidence


def test_past_payment_is_about_the_balance_not_paying() -> None:
    assert analyze("оплатила вчера а долг висит").intent is Intent.BALANCE_DEBT
    assert analyze("хочу оплатить").intent is Intent.PAYMENT


@pytest.mark.parametrize(
    "text",
    ["нет света с утра", "квитанция за май", "вызвать мастера", "соедините с оператором"],
)
def test_clear_messages_are_confident(text: str) -> None:
    assert analyze(text).confidence > 0.8


@pytest.mark.parametrize("text", ["", "   ", "???", "ну это самое", "а", "qwerty", "😀😀"])
def test_nothing_matched_is_other_with_low_confidence(text: str) -> None:
    analysis = analyze(text)
    assert analysis.intent is Intent.OTHER
    assert analysis.topic is None
    assert analysis.confidence < 0.5
    assert analysis.alternatives == ((Intent.OTHER, analysis.confidence),)


def test_weak_evidence_is_not_confident() -> None:
    assert analyze("счетчик").confidence < 0.5
    assert analyze("а что там со светом").confidence < 0.5


def test_alternatives_rank_every_scored_intent() -> None:
    analysis = analyze("почему в квитанции такая большая сумма")
    intents = [intent for intent, _ in analysis.alternatives]
    assert intents[0] is Intent.BALANCE_DEBT
    assert Intent.RECEIPT in intents
    confidences = [c for _, c in analysis.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert analysis.alternatives[0] == (analysis.intent, analysis.confidence)


def test_english() -> None:
    assert analyze("how can I pay my bill online", "en").intent is Intent.PAYMENT
    assert analyze("reading 12457", "en").intent is Intent.SUBMIT_READING


def test_text_is_kept_as_typed() -> None:
    assert analyze("  Нет СВЕТА ").text == "  Нет СВЕТА "


def test_a_wide_phrase_matches_across_commas_and_an_ordinary_one_does_not() -> None:
    from dialogs.nlu.classifier import match_entries
    from dialogs.nlu.text import normalize
    from dialogs.nlu.vocabulary import vocabulary

    def keys(text: str) -> set[str]:
        return {entry.key for entry, _ in match_entries(tokenize(normalize(text)), vocabulary())}

    assert "~включить оплатить#past" in keys("оплатила вчера, включите уже")
    assert "~включить оплатить#past" not in keys("оплатить, включите уже")  # not paid: no past
    assert "нет свет" in keys("нет света")
    assert "нет свет" not in keys("нет, свет есть")  # a comma ends the phrase's clause


@pytest.mark.parametrize(
    "text",
    [
        "за маму 31650, квитанции нет под рукой",
        "квитанции нет, показания 23415",
        "показания 12345 долга нет",
        "не квитанция а показания 12345",
        "платежки нету, вот цифры 45210",
    ],
)
def test_a_reading_beside_an_absent_thing_is_a_reading(text: str) -> None:
    analysis = analyze(text)
    assert analysis.intent is Intent.SUBMIT_READING, analysis
    assert analysis.confidence >= 0.5
    assert analysis.entities.readings


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # Without a reading, the absent thing is what the message is about.
        ("квитанции нет", Intent.RECEIPT),
        ("квитанции за май до сих пор нет", Intent.RECEIPT),
        ("света нет", Intent.OUTAGE_REPORT),
        ("долга нет?", Intent.BALANCE_DEBT),
    ],
)
def test_an_absent_thing_alone_is_the_subject(text: str, intent: Intent) -> None:
    analysis = analyze(text)
    assert analysis.intent is intent
    assert analysis.confidence > 0.8


def test_absent_is_marked_on_the_word_before_nyet_only() -> None:
    tokens = tokenize("квитанции нет под рукой")
    assert [(t.lemma, t.absent, t.negated) for t in tokens][:2] == [
        ("квитанция", True, False),
        ("нет", False, False),
    ]
    assert not tokenize("нет, квитанция есть")[1].absent  # another clause
