"""Which language a message is written in: what the bot should answer it in.

Latin words are English to the bot, whether they are English or Russian typed in Latin letters
(«pokazaniya peredat»): both are answered in English. Cyrillic is Russian. A message without
letters to tell by (numbers, emoji, «/start») says nothing, and neither do words everybody types
whatever their language («ok», «ок», «pdf», «sms»). A lone short Latin word says nothing either
(«yes», «no», «privet» might come from anyone): Latin script decides only with at least two
Latin words, or one of 4+ letters that is an English word the bot knows («hello», «please»,
«meter»). When both scripts are there, the one with more words wins, a tie going to Russian
(«хочу pdf квитанцию», «привет hello»).
"""

from __future__ import annotations

import functools
import re

from dialogs.nlu import vocabulary_en
from dialogs.nlu.lexicon import (
    COMMANDS,
    ENGLISH_WORDS,
    MONTH_STEMS,
    NO_WORDS,
    UNIVERSAL_WORDS,
    YES_WORDS,
)
from dialogs.nlu.morphology import english_stem
from dialogs.nlu.text import is_cyrillic, normalize, words

MIN_ENGLISH_WORD = 4  # letters of a lone Latin word that decides
# What is not language: e-mail addresses, links, domains, bot commands.
_NOT_WORDS = re.compile(
    r"\S+@\S+|(?:https?://|www\.)\S+|(?<![\w.])[\w\-]+(?:\.[\w\-]+)*\.(?:ru|com|net|org|рф)\b"
    r"|/[a-z_]+(?:@\w+)?"
)


def message_language(text: str) -> str | None:
    """«en» for a message in Latin-script words, «ru» for Cyrillic, None when it cannot tell."""
    cyrillic, latin = 0, []
    for word in words(_NOT_WORDS.sub(" ", normalize(text))):
        if len(word) < 2 or word in UNIVERSAL_WORDS:
            continue
        if is_cyrillic(word):
            cyrillic += 1
        else:
            latin.append(word)
    if cyrillic and cyrillic >= len(latin):
        return "ru"
    if len(latin) >= 2 or any(_english(word) for word in latin):
        return "en"
    return None


def _english(word: str) -> bool:
    return len(word) >= MIN_ENGLISH_WORD and (
        word in english_words() or english_stem(word) in english_words()
    )


@functools.cache
def english_words() -> frozenset[str]:
    """Every English word the NLU knows: its keyword tables, answers, commands, months, and
    the common words of lexicon.ENGLISH_WORDS."""
    found = set(ENGLISH_WORDS)
    for entries in vocabulary_en.KEYWORDS.values():
        for entry in entries:
            found.update(re.findall(r"[a-z]+", entry.casefold()))
    found.update(word for word in (*YES_WORDS, *NO_WORDS) if word.isascii())
    found.update(re.findall(r"[a-z]+", " ".join(word for word in COMMANDS if word.isascii())))
    found.update(stem for stem, _ in MONTH_STEMS if stem.isascii())
    found.update([english_stem(word) for word in found])
    return frozenset(word for word in found if word.isalpha())
