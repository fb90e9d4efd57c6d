"""The keyword tables compiled for matching, and typo-tolerant word lookup against them.

Word lookup is the cold path of the NLU: a word never seen before costs a pymorphy3 parse
(~0.07 ms in pure Python, several ms for its guesses at a word it lacks) or a fuzzy scan.
resolve() keeps that short. Only words whose lemma can matter (a table word, a word the trained
model knows, a negation) need their lemma; all their forms are parsed once at start-up
(`relevant_forms`, from the lexemes of those lemmas). Any other dictionary word stands for
itself after one cheap «is it a word?» lookup. Only words the dictionary lacks (typos) are
matched against the table forms, among those of about the same length that share the first
letter or the last two.

All of that table work happens at build time: the results ship in dialogs/nlu/data/tables.json
(see dialogs.nlu.prebuilt) and are recomputed at start-up only when they are stale.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from dialogs.nlu import vocabulary_en, vocabulary_ru
from dialogs.nlu.labels import Label
from dialogs.nlu.lexicon import COMPOUND_LEMMAS, LEMMA_OVERRIDES, LEMMA_SYNONYMS
from dialogs.nlu.morphology import (
    WordForm,
    analyzer,
    dictionary_form,
    guessed_lemma,
    inflections,
    parse_word,
)
from dialogs.nlu.prebuilt import (
    Tables,
    relevant_fingerprint,
    shipped_model,
    shipped_tables,
    unpack,
    vocabulary_fingerprint,
)
from dialogs.nlu.text import is_cyrillic, normalize, words

NEGATIONS = frozenset({"не", "ни"})
_PARSED_WHEN_MET = frozenset({"PRTF", "GRND"})
MARK = "#"  # «оплатить#past»: the word in that grammatical form only
WIDE = "~"  # «~подключить оплатить#past»: the words anywhere in the message, across clauses
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
    wide: bool = False  # a phrase whose words may stand anywhere in the message («~…»)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    words: Mapping[str, tuple[Entry, ...]]  # one-lemma entries by their lemma
    # Longer entries under one of their lemmas, the one fewest phrases share: a phrase matches
    # only when all its lemmas are there, so one of them is enough to find it by.
    phrases: Mapping[str, tuple[Entry, ...]]
    forms: Mapping[str, str]  # every form of a table word -> its lemma
    # Table forms by (cyrillic, length, first letter) and (cyrillic, length, last two letters);
    # fuzzy_candidates() gathers the lengths around a word's.
    by_head: Mapping[tuple[bool, int, str], tuple[str, ...]]
    by_tail: Mapping[tuple[bool, int, str], tuple[str, ...]]
    rank: Mapping[str, int]  # a form's place in `forms`: fuzzy ties go to the first
    amount_cues: frozenset[str]  # entry keys
    estimate_cues: frozenset[str]
    price_cues: frozenset[str]
    complaint_cues: frozenset[str]


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


_CUES = ("AMOUNT_CUES", "ESTIMATE_CUES", "PRICE_CUES", "COMPLAINT_CUES")


@functools.cache
def _shipped() -> Tables | None:
    """The build's tables, if they were computed from the tables as they are now."""
    tables = shipped_tables()
    if tables is None or vocabulary_fingerprint() != tables.vocabulary_fingerprint:
        return None
    return tables


def compute_entry_lemmas() -> dict[str, tuple[str, ...]]:
    """The lemmas of every keyword and cue of both languages."""
    texts: list[str] = []
    for module in (vocabulary_ru, vocabulary_en):
        for entries in module.KEYWORDS.values():
            texts.extend(entries)
        for name in _CUES:
            texts.extend(getattr(module, name))
    return {text: entry_lemmas(text) for text in texts}


def compute_forms() -> dict[str, str]:
    """Every form of every table word -> its lemma, in table order (fuzzy ties go to the first)."""
    forms: dict[str, str] = {}
    for module in (vocabulary_ru, vocabulary_en):
        for entries in module.KEYWORDS.values():
            for text in entries:
                if entry_lemmas(text):
                    _add_forms(forms, text)
    return forms


@functools.cache
def vocabulary() -> Vocabulary:
    single: dict[str, list[Entry]] = defaultdict(list)
    multi: dict[str, list[Entry]] = defaultdict(list)
    tables = _shipped()
    lemmas_of = tables.entry_lemmas if tables is not None else compute_entry_lemmas()
    # Two texts with the same lemmas for one label («дешевле», «дешевый»; «pdf» in both
    # languages) are one entry: a word counts once, at the larger of their weights.
    unique: dict[tuple[Label, str], Entry] = {}
    for table in (vocabulary_ru.KEYWORDS, vocabulary_en.KEYWORDS):
        for label, entries in table.items():
            for text, weight in entries.items():
                lemmas = lemmas_of[text]
                if not lemmas:
                    continue
                wide = text.startswith(WIDE)
                key = WIDE * wide + " ".join(lemmas)
                entry = Entry(label, key, lemmas, float(weight), wide)
                known = unique.get((label, key))
                if known is None or abs(entry.weight) > abs(known.weight):
                    unique[(label, key)] = entry
    shared = Counter(
        lemma
        for entry in unique.values()
        if len(entry.lemmas) > 1
        for lemma in dict.fromkeys(entry.lemmas)
    )
    for entry in unique.values():
        if len(entry.lemmas) == 1:
            single[entry.lemmas[0]].append(entry)
        else:
            multi[min(entry.lemmas, key=shared.__getitem__)].append(entry)
    forms = dict(tables.forms) if tables is not None else compute_forms()

    def keys(name: str) -> frozenset[str]:
        texts = (*getattr(vocabulary_ru, name), *getattr(vocabulary_en, name))
        return frozenset(" ".join(lemmas_of[text]) for text in texts)

    amount, estimate, price, complaint = (keys(name) for name in _CUES)
    return Vocabulary(
        words={lemma: tuple(entries) for lemma, entries in single.items()},
        phrases={lemma: tuple(entries) for lemma, entries in multi.items()},
        forms=forms,
        by_head=_buckets(forms, lambda form: form[:1]),
        by_tail=_buckets(forms, lambda form: form[-2:]),
        rank={form: place for place, form in enumerate(forms)},
        amount_cues=amount,
        estimate_cues=estimate,
        price_cues=price,
        complaint_cues=complaint,
    )


def _add_forms(forms: dict[str, str], text: str) -> None:
    for word in words(normalize(_MARKS.sub("", text))):
        lemmas = dictionary_form(word).lemmas
        if len(lemmas) != 1 or len(word) < 3:
            continue
        for form in inflections(word):
            forms.setdefault(form, lemmas[0])
        forms.setdefault(word, lemmas[0])


def _buckets(
    forms: Mapping[str, str], part: Callable[[str], str]
) -> dict[tuple[bool, int, str], tuple[str, ...]]:
    found: dict[tuple[bool, int, str], list[str]] = defaultdict(list)
    for form in forms:
        found[(is_cyrillic(form), len(form), part(form))].append(form)
    return {key: tuple(group) for key, group in found.items()}


@functools.lru_cache(maxsize=4096)
def fuzzy_candidates(head: bool, cyrillic: bool, length: int, key: str) -> tuple[str, ...]:
    """Table forms up to FUZZY_LENGTH_SLACK letters longer or shorter than `length` that share
    the first letter (`head`) or the last two, in table order."""
    vocab = vocabulary()
    table = vocab.by_head if head else vocab.by_tail
    found = [
        form
        for size in range(length - FUZZY_LENGTH_SLACK, length + FUZZY_LENGTH_SLACK + 1)
        for form in table.get((cyrillic, size, key), ())
    ]
    return tuple(sorted(found, key=vocab.rank.__getitem__))


@functools.lru_cache(maxsize=65536)
def resolve(token: str) -> WordForm:
    """The lemma(s) of a message word; unknown words are matched to the nearest table word.

    A dictionary word whose lemma nothing asks about stands for itself: the answer differs
    from resolve_full() only where no table entry and no model feature could tell."""
    if token in LEMMA_OVERRIDES or not is_cyrillic(token):
        return dictionary_form(token)
    relevant = relevant_forms()
    if token in relevant:
        return relevant[token] or dictionary_form(token)
    if analyzer().word_is_known(token):
        return WordForm((token,), known=True)
    return _nearest(token, WordForm((token,), known=False))


@functools.lru_cache(maxsize=65536)
def resolve_exact(token: str) -> WordForm:
    """resolve() with the true lemma of every dictionary word: what the model is trained on."""
    form = dictionary_form(token)
    return form if form.known else _nearest(token, form)


@functools.lru_cache(maxsize=16384)
def resolve_full(token: str) -> WordForm:
    """resolve_exact(), and pymorphy3's guess for a word neither the dictionary nor the tables
    know: for the word lists of dialogs.nlu.details, which ask about words of their own."""
    form = resolve_exact(token)
    if form.known or not is_cyrillic(token) or token in LEMMA_OVERRIDES:
        return form
    return WordForm((guessed_lemma(token),), known=False)


def _nearest(token: str, form: WordForm) -> WordForm:
    """A word the dictionary lacks: the table word it is most likely a misspelling of."""
    vocab = vocabulary()
    lemma = vocab.forms.get(token)
    if lemma is not None:
        return WordForm((lemma,), known=True)
    cyrillic = is_cyrillic(token)
    if len(token) < (MIN_FUZZY_RU if cyrillic else MIN_FUZZY_EN):
        return form
    best: tuple[str, float] | None = None
    for head, key in ((True, token[:1]), (False, token[-2:])):
        candidates = fuzzy_candidates(head, cyrillic, len(token), key)
        found = process.extractOne(token, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if found is not None and (best is None or found[1] > best[1]):
            best = (found[0], found[1])
    if best is None:
        return form
    return WordForm((vocab.forms[best[0]],), known=True)


@functools.cache
def relevant_forms() -> Mapping[str, WordForm | None]:
    """Every form of every lemma something asks about (the tables' lemmas, the trained model's
    word features, negations, the parts of compounds, synonyms), as the build parsed them; None
    for participles and gerunds, which are half of all forms and rare in chat: parsed when met."""
    model_lemmas = _model_lemmas()
    tables = _shipped()
    if (
        tables is not None
        and relevant_fingerprint(tables.vocabulary_fingerprint, model_lemmas)
        == tables.relevant_fingerprint
    ):
        return unpack(tables.relevant, tables.word_forms)
    return compute_relevant_forms(model_lemmas)


def compute_relevant_forms(model_lemmas: Iterable[str]) -> dict[str, WordForm | None]:
    vocab = vocabulary()
    phrase_lemmas = (lemma for group in vocab.phrases.values() for e in group for lemma in e.lemmas)
    lemmas = {lemma.split(MARK)[0] for lemma in (*vocab.words, *phrase_lemmas)}
    lemmas.update(model_lemmas)
    lemmas.update(NEGATIONS)
    lemmas.update(part for pair in COMPOUND_LEMMAS for part in pair)
    lemmas.update(LEMMA_SYNONYMS)
    lemmas.update(LEMMA_SYNONYMS.values())
    rare_forms: dict[str, bool] = {}
    for lemma in lemmas:
        if is_cyrillic(lemma):
            for form, rare in _lexeme_forms(lemma).items():
                rare_forms[form] = rare_forms.get(form, True) and rare
    return {
        form: None if rare else dictionary_form(form)
        for form, rare in sorted(rare_forms.items())
        if form not in LEMMA_OVERRIDES
    }


def _model_lemmas() -> set[str]:
    counts = shipped_model()
    return set() if counts is None else model_lemmas(counts.counts)


def model_lemmas(counts: Iterable[str]) -> set[str]:
    """The word features of a model («w:квитанция» → «квитанция»)."""
    return {feature[2:] for feature in counts if feature.startswith("w:")}


def _lexeme_forms(lemma: str) -> dict[str, bool]:
    """Forms of every dictionary word with this lemma and of its reflexive verb (whose lemma
    loses «ся»: «отключился» → «отключить», see morphology.dictionary_form), each with
    whether it is a rare form (a participle or a gerund)."""
    found = {lemma: False}
    for word in (lemma, lemma + "ся", lemma + "сь"):
        for parse in parse_word(word):
            if parse.normal_form.replace("ё", "е") != word:
                continue
            for form in parse.lexeme:
                text = form.word.replace("ё", "е")
                found[text] = found.get(text, True) and form.tag.POS in _PARSED_WHEN_MET
    return found
