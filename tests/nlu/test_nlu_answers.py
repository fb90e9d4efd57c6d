"""Short answers and commands typed as whole messages."""

from __future__ import annotations

import pytest

from dialogs.nlu import Command, command, is_no, is_yes

YES = [
    "да",
    "Да!",
    "ДА",
    "дааа",
    "ага",
    "угу",
    "конечно",
    "верно",
    "все верно",
    "подтверждаю",
    "согласен",
    "согласна",
    "ок",
    "Ok",
    "окей",
    "yes",
    "y",
    "+",
    "👍",
    "да, всё правильно",
    "да конечно",
    "да, хочу",
]
NO = [
    "нет",
    "Нет.",
    "нееет",
    "неа",
    "не надо",
    "не нужно",
    "нет, не надо",
    "нет спасибо",
    "неверно",
    "не верно",
    "не согласна",
    "no",
    "n",
    "-",
    "👎",
]
NEITHER = [
    "",
    "   ",
    "отмена",
    "да нет",
    "наверное",
    "хочу",
    "не знаю",
    "да, но у меня вопрос по квитанции за май и еще по долгу",
    "нет света",
    "12457",
]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert is_yes(text)
    assert not is_no(text)


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert is_no(text)
    assert not is_yes(text)


@pytest.mark.parametrize("text", NEITHER)
def test_neither_yes_nor_no(text: str) -> None:
    assert not is_yes(text)
    assert not is_no(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", Command.START),
        ("/start ref_42", Command.START),
        ("/start@energobot", Command.START),
        ("start", Command.START),
        ("/menu", Command.MENU),
        ("меню", Command.MENU),
        ("Меню!", Command.MENU),
        ("главное меню", Command.MENU),
        ("в начало", Command.MENU),
        ("меню пожалуйста", Command.MENU),
        ("menu", Command.MENU),
        ("отмена", Command.CANCEL),
        ("Отменить", Command.CANCEL),
        ("стоп", Command.CANCEL),
        ("/cancel", Command.CANCEL),
        ("cancel", Command.CANCEL),
        ("оператор", Command.OPERATOR),
        ("/operator", Command.OPERATOR),
        ("человек", Command.OPERATOR),
        ("живой человек", Command.OPERATOR),
        ("operator", Command.OPERATOR),
        ("/help", Command.HELP),
        ("помощь", Command.HELP),
        ("help", Command.HELP),
    ],
)
def test_commands(text: str, expected: Command) -> None:
    assert command(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "позовите оператора",  # a request: analyze() makes it OPERATOR_REQUEST
        "оператор, у меня вопрос по долгу",
        "хочу в меню посмотреть тарифы",
        "/menu now",
        "/unknown",
        "да",
        "нет света",
    ],
)
def test_not_commands(text: str) -> None:
    assert command(text) is None


@pytest.mark.parametrize("text", ["нет, ошибся", "ой, нет", "нет — там лишняя цифра", "Нет!"])
def test_a_leading_no_decides(text: str) -> None:
    assert is_no(text) and not is_yes(text)


@pytest.mark.parametrize("text", ["7702-000-119", "- 5", "лишняя цифра", "не знаю, да"])
def test_not_a_no(text: str) -> None:
    assert not is_no(text)


@pytest.mark.parametrize(
    "text", ["да, всё верно, грели дом", "да, так и есть", "правильно, зима же", "да, отопление"]
)
def test_a_leading_yes_with_an_explanation(text: str) -> None:
    assert is_yes(text) and not is_no(text)


def test_a_leading_short_no_with_an_explanation() -> None:
    assert is_no("не, лишнюю цифру нажал") and not is_yes("не, лишнюю цифру нажал")
