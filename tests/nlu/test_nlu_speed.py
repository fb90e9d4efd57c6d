"""NLU speed, printed (pytest -s shows it); the timing is not asserted, the results are."""

from __future__ import annotations

import time

from dialogs.nlu import Intent, analyze
from dialogs.nlu.classifier import RECENT, _recent

SAMPLE: list[tuple[str, Intent]] = [
    ("скока платить за свет", Intent.BALANCE_DEBT),
    ("показаня 12457", Intent.SUBMIT_READING),
    ("нет света с утра", Intent.OUTAGE_REPORT),
    ("соедините с человеком", Intent.OPERATOR_REQUEST),
    ("квитка", Intent.RECEIPT),
    ("здравствуйте хочу передать показания день 23415 ночь 8120", Intent.SUBMIT_READING),
    ("сколько будет за 250 квт", Intent.TARIFF_QUESTION),
    ("поменять телефон на +7 912 345-67-89", Intent.CHANGE_CONTACTS),
    ("как оплатить через сбп", Intent.PAYMENT),
    ("нужно заменить щетчик", Intent.TECHNICIAN_CALL),
    ("5901234567", Intent.OTHER),
    ("почему так много начислили по среднему за май", Intent.BALANCE_DEBT),
]


def test_speed_after_warm_up() -> None:
    for text, _ in SAMPLE:
        analyze(text)  # warm-up: dictionaries, caches
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        _recent.clear()  # a new message is not one of its turn's last few
        results = [analyze(text).intent for text, _ in SAMPLE]
    elapsed = time.perf_counter() - started
    per_message_ms = elapsed / (rounds * len(SAMPLE)) * 1000
    print(f"\nNLU: {per_message_ms:.3f} ms per message after warm-up")
    assert results == [intent for _, intent in SAMPLE]


def test_speed_of_unseen_words() -> None:
    """Fresh words miss the caches: morphology and fuzzy lookup run for each of them."""
    alphabet = "абвгдежзиклмнопрстуфхцчшщыэюя"
    texts = [
        f"{_typo('показания', i, alphabet)} {_typo('квитанция', i + 3, alphabet)} {10000 + i}"
        for i in range(200)
    ]
    started = time.perf_counter()
    results = [analyze(text) for text in texts]
    elapsed = time.perf_counter() - started
    print(f"\nNLU: {elapsed / len(texts) * 1000:.3f} ms per message of unseen words")
    assert all(result.entities.readings for result in results)
    assert len({text.split()[0] for text in texts}) > 150  # the words really are new


def _typo(word: str, seed: int, alphabet: str) -> str:
    """One letter of `word` replaced, a different replacement for every seed."""
    position = seed % len(word)
    letter = alphabet[(seed // len(word)) % len(alphabet)]
    return word[:position] + letter + word[position + 1 :]


def test_a_message_read_again_in_its_turn_is_analysed_once() -> None:
    """The router and a flow's steps read the same message: with digits too (never kept for
    long), the analysis of one of the last few messages is the same object."""
    text = "показания день 23415 ночь 8120"
    first = analyze(text)
    assert analyze(text) is first
    for n in range(RECENT):
        analyze(f"показания {n}")
    assert len(_recent) == RECENT
    again = analyze(text)
    assert again is not first and again == first
