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
    "да блин",
    "да да",
    "ну да",
    "ага давай",
    "давай",
    "конечно да",
    "да, конечно",
    "yes please",
    "yep",
    "sure",
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
    "нет блин",
    "не-не",
    "неа, не надо",
    "no thanks",
    "nope",
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
    "блин",  # a filler alone answers nothing
    "да блин нет света",
    "нет блин света",
    "передумал",  # a command (cancel), not an answer
    "назад",
]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert is_yes(text)
    assert not is_no(text)


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert is_no(text)
    assert not is_yes(text)


def test_a_refusal_that_is_also_a_cancel_command() -> None:
    """«не надо» answers no to a question and cancels anywhere else: the dialog decides by
    whether the step asked something."""
    assert is_no("не надо") and command("не надо") is Command.CANCEL


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
        # One step back.
        ("назад", Command.BACK),
        ("Назад!", Command.BACK),
        ("вернуться назад", Command.BACK),
        ("шаг назад", Command.BACK),
        ("вернись", Command.BACK),
        ("назад пожалуйста", Command.BACK),
        ("back", Command.BACK),
        ("go back", Command.BACK),
        ("previous", Command.BACK),
        ("/back", Command.BACK),
        # A change of mind cancels.
        ("стоп", Command.CANCEL),
        ("СТОП", Command.CANCEL),
        ("передумал", Command.CANCEL),
        ("передумала", Command.CANCEL),
        ("я передумал", Command.CANCEL),
        ("я передумала", Command.CANCEL),
        ("не надо", Command.CANCEL),
        ("Не надо.", Command.CANCEL),
        ("не нужно", Command.CANCEL),
        ("ничего не надо", Command.CANCEL),
        ("отбой", Command.CANCEL),
        ("хватит", Command.CANCEL),
        ("забудь", Command.CANCEL),
        ("stop", Command.CANCEL),
        ("never mind", Command.CANCEL),
        ("nevermind", Command.CANCEL),
        ("forget it", Command.CANCEL),
        ("Cancel", Command.CANCEL),
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
        # Longer sentences are analyze()'s business, even when they hold a command's words.
        "я передумал, хочу передать показания",
        "не надо больше присылать напоминания",
        "не надо мне показания",
        "верните деньги назад",
        "назад не отправляйте квитанцию",
        "хватит присылать уведомления",
        "stop sending reminders",
        "go back to the readings please",
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
