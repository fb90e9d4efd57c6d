"""Property tests: the NLU takes any text without raising and keeps its own invariants."""

from __future__ import annotations

import logging

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dialogs.nlu import (
    Intent,
    analyze,
    command,
    is_no,
    is_yes,
    message_language,
    numbers_in_words,
)
from dialogs.nlu.labels import REFINES

# Text that looks like what customers send: words of the domain, digits, separators, noise.
_PIECES = st.sampled_from(
    [
        "показания",
        "день",
        "ночь",
        "т1",
        "квт",
        "лс",
        "+7",
        "8",
        "(",
        ")",
        "-",
        ",",
        ".",
        "/",
        "с",
        "по",
        "мая",
        "числа",
        "руб",
        "нет",
        "света",
        "не",
        "сколько",
        "№",
        "%",
        ":",
        " ",
        "ё",
        "\u00a0",
        "двадцать",
        "пять",
        "сто",
        "тысяч",
        "тыс",
        "и",
        "десятых",
        "целых",
        "первого",
        "six",
        "hundred",
    ]
)
_NUMBERS = st.integers(min_value=0, max_value=10**12).map(str)
customer_like = st.lists(st.one_of(_PIECES, _NUMBERS, st.text(max_size=5)), max_size=30).map(
    " ".join
)
any_text = st.one_of(st.text(), customer_like)


class _Errors(logging.Handler):
    """analyze() swallows its own failures (and logs them): the test must still see them."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_errors = _Errors()
logging.getLogger("dialogs.nlu").addHandler(_errors)


@settings(max_examples=400, deadline=None)
@given(any_text, st.sampled_from(["ru", "en", "xx"]))
def test_analyze_never_raises_and_is_consistent(text: str, language: str) -> None:
    before = len(_errors.records)
    analysis = analyze(text, language)
    assert len(_errors.records) == before, _errors.records[-1].getMessage()
    assert analysis.text == text
    assert 0.0 <= analysis.confidence <= 1.0
    assert analysis.alternatives[0] == (analysis.intent, analysis.confidence)
    scores = [confidence for _, confidence in analysis.alternatives]
    assert all(0.0 <= c <= 1.0 for c in scores)
    assert len({intent for intent, _ in analysis.alternatives}) == len(analysis.alternatives)
    if analysis.topic in REFINES:
        assert analysis.intent is REFINES[analysis.topic]
    elif analysis.topic is not None:
        assert analysis.intent is Intent.OTHER
    entities = analysis.entities
    assert all(a.isdigit() and len(a) in (10, 11) for a in entities.accounts)
    assert all(p.startswith("+7") and len(p) == 12 for p in entities.phones)
    assert all(1 <= m <= 12 for m in entities.months)
    assert all(s.isdigit() for s in entities.serials)
    assert not set(entities.serials) & set(entities.accounts)


@settings(max_examples=400, deadline=None)
@given(any_text)
def test_short_answers_and_commands_never_raise(text: str) -> None:
    yes, no = is_yes(text), is_no(text)
    assert not (yes and no)
    found = command(text)
    assert found is None or found in set(found.__class__)
    assert message_language(text) in (None, "ru", "en")


@settings(max_examples=400, deadline=None)
@given(any_text)
@example(text="0ТЫСЯЧ0ТЫСЯЧ0")  # a multiplier left over after the first number: a second pass
def test_number_words_once_are_number_words_for_good(text: str) -> None:
    from dialogs.nlu.text import normalize

    normal = normalize(text)
    converted = numbers_in_words(normal)
    assert numbers_in_words(converted) == converted
    if converted != normal:
        assert any(ch.isdigit() for ch in converted)
