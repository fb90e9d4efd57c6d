"""Short answers and commands: «да», «нет», «меню», «/start»."""

from __future__ import annotations

import functools
import re

from rapidfuzz.distance import Levenshtein

from dialogs.nlu.labels import Command
from dialogs.nlu.lexicon import (
    ANSWER_FILLERS,
    BUT_WORDS,
    COMMAND_POLITENESS,
    COMMANDS,
    NO_AFTER_NE,
    NO_WORDS,
    REFUSALS,
    YES_COMPANIONS,
    YES_WORDS,
)
from dialogs.nlu.text import normalize

# A yes or no is a few words; anything longer is a sentence for analyze().
MAX_ANSWER_WORDS = 6
# A yes or a refusal that leads a short reason: «ну да перешел», «не надо мастера».
MAX_LEADING_ANSWER_WORDS = 10
MAX_COMMAND_WORDS = 4
# A one-word command typed with one letter wrong («отмеа»): only words this long.
MIN_FUZZY_COMMAND = 5
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
    """«да», «ага», «угу», «конечно», «верно», «подтверждаю», «согласна», «ок», «yes», «+», 👍;
    also a yes that leads a short reason with no «но», «нет» or question in it: «ну да
    перешел», «да да всё верно, котел включили»."""
    tokens = _tokens(text)
    if not tokens or len(tokens) > MAX_LEADING_ANSWER_WORDS:
        return False
    if len(tokens) <= MAX_ANSWER_WORDS and (
        any(t in YES_WORDS for t in tokens)
        and all(t in YES_WORDS or t in ANSWER_FILLERS or t in YES_COMPANIONS for t in tokens)
    ):
        return True
    lead = 0
    while lead < len(tokens) and (tokens[lead] in YES_WORDS or tokens[lead] in ANSWER_FILLERS):
        lead += 1
    if not any(t in YES_WORDS for t in tokens[:lead]) or "?" in text:
        return False
    # «да, всё верно, грели дом», «ну да перешел»: a yes first decides, unless what follows
    # takes it back («да нет», «да, но …», «да не то»).
    return not any(t in NO_WORDS or t in BUT_WORDS or t == "ни" for t in tokens[lead:])


def is_no(text: str) -> bool:
    """«нет», «неа», «не надо», «неверно», «no», «-», 👎 — but not «отмена», which is a command;
    also a refusal that leads a short reason: «не надо мастера», «ненадо уже». «Нет» before a
    word is no refusal: «нет света»."""
    tokens = _tokens(text)
    if not tokens or len(tokens) > MAX_LEADING_ANSWER_WORDS:
        return False
    if any(ch.isdigit() for ch in text):  # «7702-000-119» is a number, not a «-»
        return False
    if _leading_refusal(tokens) and "?" not in text:
        return True
    if len(tokens) > MAX_ANSWER_WORDS:
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


def _leading_refusal(tokens: list[str]) -> bool:
    """«не надо …», «ненадо …», «не нужно …» first, and nothing after it that says yes or but."""
    for refusal in REFUSALS:
        size = len(refusal)
        if tuple(tokens[:size]) == refusal:
            rest = tokens[size:]
            return not any(t in YES_WORDS or t in BUT_WORDS for t in rest)
    return False


def command(text: str) -> Command | None:
    """A command typed as the whole message; longer requests are analyze()'s business.

    The whole message may repeat one command in parts («отмена, уже не надо»), and a one-word
    command may have one letter wrong («отмеа»)."""
    normal = normalize(text).strip()
    if normal.startswith("/"):
        name = normal.split(maxsplit=1)[0].split("@", 1)[0]
        found = COMMANDS.get(name)
        # «/start <payload>» comes from deep links; other commands take no arguments.
        if found is Command.START or (found is not None and name == normal):
            return found
        return None
    whole = _command_words(normal)
    if whole is not None:
        return whole
    parts = [part for part in _PARTS.split(normal) if _EDGES.sub("", part)]
    if len(parts) < 2:
        return None
    each = {_command_words(part) for part in parts}
    return each.pop() if len(each) == 1 else None


_PARTS = re.compile(r"[,.;!…]+")


def _command_words(text: str) -> Command | None:
    words = [w for w in _EDGES.sub("", text).split() if w not in COMMAND_POLITENESS]
    if not words or len(words) > MAX_COMMAND_WORDS:
        return None
    found = COMMANDS.get(" ".join(words))
    if found is None and len(words) == 1 and len(words[0]) >= MIN_FUZZY_COMMAND:
        found = _misspelt_command(words[0])
    return found


@functools.lru_cache(maxsize=1024)
def _misspelt_command(word: str) -> Command | None:
    """The one-word command a word is one letter away from, if exactly one command is."""
    near = {
        found
        for name, found in COMMANDS.items()
        if " " not in name
        and not name.startswith("/")
        and found is not Command.START  # a restart is no guess to make
        and len(name) >= MIN_FUZZY_COMMAND
        and Levenshtein.distance(word, name, score_cutoff=1) <= 1
    }
    return near.pop() if len(near) == 1 else None
