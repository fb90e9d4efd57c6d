"""message_language(): the language to answer a message in, from the script of its words."""

from __future__ import annotations

import pytest

from dialogs.nlu import message_language


@pytest.mark.parametrize(
    "text",
    [
        "how can I pay my bill",
        "no power since morning",
        "hello",
        "please",
        "Thanks!",
        "my meter",  # two Latin words
        "pokazaniya peredat 12345",  # Russian in Latin letters: answered in English
        "kak oplatit",
        "thank you спасибо",  # more Latin words than Cyrillic
        "readings",  # a plural of a known word
    ],
)
def test_latin_words_are_english(text: str) -> None:
    assert message_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "показания 12345",
        "да",
        "нет света",
        "хочу pdf квитанцию",
        "привет hello",  # a tie goes to Russian
        "новый адрес почты ivanov@mail.ru",
        "cчетчик",  # a Latin «c» in a Russian word
        "Привет!!!",
    ],
)
def test_cyrillic_words_are_russian(text: str) -> None:
    assert message_language(text) == "ru"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",
        "😀👍",
        "ok",
        "OK!",
        "ок",
        "окей",
        "/start",
        "/start ref_42",
        "yes",  # short: anyone types it
        "no",
        "y",
        "privet",  # one Latin word that is no English word
        "pdf",
        "ivanov@mail.ru",
        "https://energo.example.ru/pay",
        "+7 912 345-67-89",
    ],
)
def test_nothing_to_tell_by(text: str) -> None:
    assert message_language(text) is None
