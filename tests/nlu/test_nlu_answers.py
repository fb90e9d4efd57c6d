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


@pytest.mark.parametrize(
    "text",
    [
        "ну да перешел",
        "да да всё верно, котел второй включили",
        "да квитанцию пришлите",
        "ага, это я ошибся в прошлый раз",
    ],
)
def test_a_yes_that_leads_a_reason(text: str) -> None:
    assert is_yes(text) and not is_no(text)


@pytest.mark.parametrize(
    "text",
    [
        "да нет",
        "да, но у меня вопрос",
        "да не то",
        "да а где квитанция",
        "да перешел?",  # a question back is no answer
        "да блин нет света",
        "ну да ну да, конечно, так я и поверил, а потом что",  # too long for an answer
    ],
)
def test_a_yes_taken_back_or_asked_is_no_yes(text: str) -> None:
    assert not is_yes(text)


@pytest.mark.parametrize(
    "text",
    ["не надо мастера", "ненадо мастера", "не нужно больше ничего", "ненадо", "не хочу заявку"],
)
def test_a_refusal_that_leads_a_reason(text: str) -> None:
    assert is_no(text) and not is_yes(text)


@pytest.mark.parametrize(
    "text",
    ["нет света", "нет света третий день", "не надо, а хотя давайте", "не надо? а почему"],
)
def test_not_a_leading_refusal(text: str) -> None:
    assert not is_no(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("отмеа", Command.CANCEL),  # one letter wrong
        ("отменв", Command.CANCEL),
        ("оператр", Command.OPERATOR),
        ("назвд", Command.BACK),
        ("отмена, уже не надо", Command.CANCEL),  # one command in parts
        ("стоп. передумал", Command.CANCEL),
        ("меню, меню", Command.MENU),
        ("ненадо", Command.CANCEL),
    ],
)
def test_commands_with_a_typo_or_in_parts(text: str, expected: Command) -> None:
    assert command(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "отмена, меню",  # two different commands: no guess
        "отмена заявки",  # a request, for analyze()
        "передумала, потом передам",
        "начал",  # one letter from «начать», but a restart is never guessed
        "мена",  # too short to correct
    ],
)
def test_no_command_guessed(text: str) -> None:
    assert command(text) is None
