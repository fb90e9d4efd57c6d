"""Lemmas of single words: pymorphy3 for Russian, plural stripping for English.

One MorphAnalyzer per process, created on first use (loading the dictionaries takes ~0.1 s).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pymorphy3

from dialogs.nlu.lexicon import LEMMA_OVERRIDES, LEMMA_SYNONYMS
from dialogs.nlu.text import is_cyrillic

# «оплатил» (past) is about the balance, «оплатить» about paying; «мои счета» (plur) asks for the
# list of accounts, «мой счет» does not.
MARKS = ("past", "plur")
_VERBAL = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})


@dataclass(frozen=True, slots=True)
class WordForm:
    lemmas: tuple[str, ...]  # usually one; an abbreviation may stand for several words
    known: bool  # found in the dictionary or the override table
    marks: tuple[str, ...] = ()  # grammemes tables can ask for: «past», «plur»


@functools.cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def parse_word(word: str) -> list[pymorphy3.analyzer.Parse]:
    """Every dictionary reading of a word; none for a word the dictionary lacks."""
    morph = analyzer()
    return morph.parse(word) if morph.word_is_known(word) else []


@functools.lru_cache(maxsize=65536)
def dictionary_form(token: str) -> WordForm:
    """The lemma of a lower-case word without any typo correction."""
    override = LEMMA_OVERRIDES.get(token)
    if override is not None:
        return WordForm(override, known=True)
    if not is_cyrillic(token):
        return WordForm((english_stem(token),), known=False)
    morph = analyzer()
    if not morph.word_is_known(token):
        # pymorphy3's guessers for unknown words (prefix and suffix analogies) take up to
        # several milliseconds a word in pure Python, and their guess is rarely a table lemma:
        # the word itself is lemma enough, and typo correction (vocabulary.resolve) follows.
        return WordForm((token,), known=False)
    parse = morph.parse(token)[0]
    lemma = parse.normal_form.replace("ё", "е")
    if parse.tag.POS in _VERBAL and lemma.endswith(("ся", "сь")):
        # «свет отключился» means what «отключили свет» does.
        lemma = lemma[:-2]
    lemma = LEMMA_SYNONYMS.get(lemma, lemma)
    marks = tuple(mark for mark in MARKS if mark in parse.tag)
    return WordForm((lemma,), known=parse.is_known, marks=marks)


def english_stem(token: str) -> str:
    """A plural's, a gerund's and a past form's stem, enough to match «readings» with «reading»
    and «the lights are flickering» with «flicker»: the tables go through it too, so a stem
    only has to be the same for the forms of one word, not a real word («charg»)."""
    if token.endswith("'s"):
        token = token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        token = token[:-1]
    if len(token) >= 6 and token.endswith("ing"):
        token = token[:-3]
    elif len(token) >= 5 and token.endswith("ed") and not token.endswith("eed"):
        token = token[:-2]
    else:
        return token
    # «running» → «run», «stopped» → «stop»
    if len(token) > 3 and token[-1] == token[-2] and token[-1] not in "aeiouls":
        token = token[:-1]
    return token


# Participles and gerunds multiply a verb's forms tenfold and are rare in chat.
_RARE_FORMS = frozenset({"PRTF", "PRTS", "GRND", "COMP"})


def inflections(word: str) -> list[str]:
    """The common forms of a Russian dictionary word (for matching misspelt forms against)."""
    if not is_cyrillic(word):
        return [word]
    parse = analyzer().parse(word)[0]
    return [form.word.replace("ё", "е") for form in parse.lexeme if form.tag.POS not in _RARE_FORMS]


# Words of these classes are never part of a name: «не знаю», «где её взять», «передать».
_NOT_IN_NAMES = frozenset(
    {"VERB", "INFN", "GRND", "PRCL", "ADVB", "CONJ", "PREP", "PRED", "INTJ", "NPRO", "NUMR"}
)


@functools.lru_cache(maxsize=16384)
def name_likeness(word: str) -> str:
    """«name» if a word can be a surname or first name (or is unknown, like a rare surname),
    «never» if it cannot be part of a name, «word» for an ordinary noun or adjective."""
    if not is_cyrillic(word):
        return "name"
    parses = analyzer().parse(word)
    if any("Surn" in p.tag or "Name" in p.tag or "Patr" in p.tag for p in parses):
        return "name"
    if not parses[0].is_known:
        return "name"
    if all(p.tag.POS in _NOT_IN_NAMES for p in parses):
        return "never"
    return "word"


@functools.lru_cache(maxsize=4096)
def guessed_lemma(token: str) -> str:
    """pymorphy3's guess at the lemma of a word its dictionary lacks («электроотоплением» →
    «электроотопление»): milliseconds a word, so only for the short answers of dialogs.nlu.details,
    never on the classifier's path."""
    lemma: str = analyzer().parse(token)[0].normal_form
    return lemma.replace("ё", "е")
