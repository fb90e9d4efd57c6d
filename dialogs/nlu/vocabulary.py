"""The keyword tables compiled for matching, and typo-tolerant word lookup against them."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from dialogs.nlu import vocabulary_en, vocabulary_ru
from dialogs.nlu.labels import Label
from dialogs.nlu.morphology import WordForm, dictionary_form, inflections
from dialogs.nlu.text import is_cyrillic, normalize, words

MARK = "#"  # «оплатить#past»: the word in that grammatical form only
_MARKED_WORD = re.compile(r"([^\s#]+)(?:#(\w+))?")
_MARKS = re.compile(r"#\w+")
# Shorter words have too many close neighbours to correct safely.
MIN_FUZZY_RU = 4
MIN_FUZZY_EN = 5
FUZZY_CUTOFF = 75.0  # rapidfuzz ratio: «щетчик»/«счетчик» scores 77, «показаня»/«показания» 94
FUZZY_LENGTH_SLACK = 2  # «задолжность» lacks two letters of «задолженность»


@dataclass(frozen=True, slots=True)
class Entry:
    label: Label
    key: str  # the lemmatised entry, «нет свет»
    lemmas: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class Vocabulary:
    words: Mapping[str, tuple[Entry, ...]]  # one-lemma entries by their lemma
    phrases: Mapping[str, tuple[Entry, ...]]  # longer entries under each of their lemmas
    forms: Mapping[str, str]  # every form of a table word -> its lemma
    by_length: Mapping[tuple[bool, int], tuple[str, ...]]  # (cyrillic, length) -> nearby forms
    amount_cues: frozenset[str]  # entry keys
    estimate_cues: frozenset[str]
    price_cues: frozenset[str]


def entry_lemmas(text: str) -> tuple[str, ...]:
    """Lemmas of a table entry, exactly as a message with the same words would get them."""
    lemmas: list[str] = []
    for match in _MARKED_WORD.finditer(text):
        found = [
            lemma for word in words(normalize(match[1])) for lemma in dictionary_form(word).lemmas
        ]
        if match[2] and found:
            found[-1] += MARK + match[2]
        lemmas.extend(found)
    return tuple(lemmas)


@functools.cache
def vocabulary() -> Vocabulary:
    single: dict[str, list[Entry]] = defaultdict(list)
    multi: dict[str, list[Entry]] = defaultdict(list)
    forms: dict[str, str] = {}
    for table in (vocabulary_ru.KEYWORDS, vocabulary_en.KEYWORDS):
        for label, entries in table.items():
            for text, weight in entries.items():
                lemmas = entry_lemmas(text)
                if not lemmas:
                    continue
                entry = Entry(label, " ".join(lemmas), lemmas, float(weight))
                if len(lemmas) == 1:
                    single[lemmas[0]].append(entry)
                else:
                    for lemma in dict.fromkeys(lemmas):
                        multi[lemma].append(entry)
                _add_forms(forms, text)
    amount = _keys(vocabulary_ru.AMOUNT_CUES, vocabulary_en.AMOUNT_CUES)
    estimate = _keys(vocabulary_ru.ESTIMATE_CUES, vocabulary_en.ESTIMATE_CUES)
    price = _keys(vocabulary_ru.PRICE_CUES, vocabulary_en.PRICE_CUES)
    return Vocabulary(
        words={lemma: tuple(entries) for lemma, entries in single.items()},
        phrases={lemma: tuple(entries) for lemma, entries in multi.items()},
        forms=forms,
        by_length=_by_length(forms),
        amount_cues=amount,
        estimate_cues=estimate,
        price_cues=price,
    )


def _keys(*groups: Iterable[str]) -> frozenset[str]:
    return frozenset(" ".join(entry_lemmas(text)) for group in groups for text in group)


def _add_forms(forms: dict[str, str], text: str) -> None:
    for word in words(normalize(_MARKS.sub("", text))):
        lemmas = dictionary_form(word).lemmas
        if len(lemmas) != 1 or len(word) < 3:
            continue
        for form in inflections(word):
            forms.setdefault(form, lemmas[0])
        forms.setdefault(word, lemmas[0])


def _by_length(forms: Mapping[str, str]) -> dict[tuple[bool, int], tuple[str, ...]]:
    exact: dict[tuple[bool, int], list[str]] = defaultdict(list)
    for form in forms:
        exact[(is_cyrillic(form), len(form))].append(form)
    nearby: dict[tuple[bool, int], tuple[str, ...]] = {}
    for cyrillic, length in list(exact):
        for target in range(length - FUZZY_LENGTH_SLACK, length + FUZZY_LENGTH_SLACK + 1):
            key = (cyrillic, target)
            if key not in nearby:
                nearby[key] = tuple(
                    form
                    for size in range(target - FUZZY_LENGTH_SLACK, target + FUZZY_LENGTH_SLACK + 1)
                    for form in exact.get((cyrillic, size), ())
                )
    return nearby


@functools.lru_cache(maxsize=65536)
def resolve(token: str) -> WordForm:
    """The lemma(s) of a message word; unknown words are matched to the nearest table word."""
    form = dictionary_form(token)
    if form.known:
        return form
    vocab = vocabulary()
    lemma = vocab.forms.get(token)
    if lemma is not None:
        return WordForm((lemma,), known=True)
    cyrillic = is_cyrillic(token)
    if len(token) < (MIN_FUZZY_RU if cyrillic else MIN_FUZZY_EN):
        return form
    candidates = vocab.by_length.get((cyrillic, len(token)), ())
    best = process.extractOne(token, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if best is None:
        return form
    return WordForm((vocab.forms[best[0]],), known=True)
