"""Short answers and commands: «да», «нет», «меню», «/start»."""

from __future__ import annotations

import re

from dialogs.nlu.labels import Command
from dialogs.nlu.lexicon import (
    ANSWER_FILLERS,
    COMMAND_POLITENESS,
    COMMANDS,
    NO_AFTER_NE,
    NO_WORDS,
    YES_COMPANIONS,
    YES_WORDS,
)
from dialogs.nlu.text import normalize

# A yes or no is a few words; anything longer is a sentence for analyze().
MAX_ANSWER_WORDS = 6
MAX_COMMAND_WORDS = 4
_TOKEN = re.compile(r"[a-zа-я]+|[+\-]|[^\w\s.,!?;:()\"'«»…+\-]")
_LEADING_NO = re.compile(r"^\W*(?:(?:ой|ах|ну)\W+)?(?:нет|неа|не|no)\s*[,.!;:—–-]")
_LEADING_YES = re.compile(
    r"^\W*(?:(?:ну)\W+)?(?:да|ага|угу|верно|правильно|так и есть|вс[её] верно|yes)\s*[,.!;:—–-]"
)
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_VARIATION_SELECTORS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_VARIATION_SELECTORS.sub("", normalize(text)))


def is_yes(text: str) -> bool:
    """«да», «ага», «угу», «конечно», «верно», «подтверждаю», «согласна», «ок», «yes», «+», 👍."""
    tokens = _tokens(text)
    if not tokens or len(tokens) > MAX_ANSWER_WORDS:
        return False
    if any(t in YES_WORDS for t in tokens) and all(
        t in YES_WORDS or t in ANSWER_FILLERS or t in YES_COMPANIONS for t in tokens
    ):
        return True
    # «да, всё верно, грели дом», «правильно, зима же»: a yes set apart by punctuation decides.
    return _LEADING_YES.match(normalize(text)) is not None and not is_no(text)


def is_no(text: str) -> bool:
    """«нет», «неа», «не надо», «неверно», «no», «-», 👎 — but not «отмена», which is a command."""
    tokens = _tokens(text)
    if not tokens or len(tokens) > MAX_ANSWER_WORDS:
        return False
    if any(ch.isdigit() for ch in text):  # «7702-000-119» is a number, not a «-»
        return False
    said_no = False
    previous = ""
    for token in tokens:
        negated = previous == "не"  # «не надо», «не верно»
        if token in NO_WORDS or (negated and (token in NO_AFTER_NE or token in YES_WORDS)):
            said_no = True
        elif token not in ANSWER_FILLERS:
            # «нет, ошибся», «ой, нет — лишняя цифра»: a «нет» set apart by punctuation decides
            # («нет света» does not).
            return _LEADING_NO.match(normalize(text)) is not None
        previous = token
    return said_no


def command(text: str) -> Command | None:
    """A command typed as the whole message; longer requests are analyze()'s business."""
    normal = normalize(text).strip()
    if normal.startswith("/"):
        name = normal.split(maxsplit=1)[0].split("@", 1)[0]
        found = COMMANDS.get(name)
        # «/start <payload>» comes from deep links; other commands take no arguments.
        if found is Command.START or (found is not None and name == normal):
            return found
        return None
    words = [w for w in _EDGES.sub("", normal).split() if w not in COMMAND_POLITENESS]
    if not words or len(words) > MAX_COMMAND_WORDS:
        return None
    return COMMANDS.get(" ".join(words))
