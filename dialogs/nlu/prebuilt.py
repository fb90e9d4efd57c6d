"""What the build computes once and the NLU reads at start-up: the trained model's counts and the
word tables of dialogs.nlu.vocabulary. Both are data files in dialogs/nlu/data/, not code.

Lemmatising every table entry, inflecting every table word and parsing every form of every
relevant lemma takes pymorphy3 one to two seconds: the bulk of `energobot nlu`'s start-up. The
build (`make nlu`: `python -m dialogs.nlu.build_model`) counts the model from the training split
(dialogs/nlu/training/train.tsv) into dialogs/nlu/data/model.json and then writes those results
(dialogs/nlu/data/tables.json), which include the model's word features.

The files are JSON with one entry a line, so that a rebuild shows in a diff as the entries it
changed; loading them is one json.loads each (~15 ms together), against ~0.2 s of compiling the
generated Python modules they replace wherever bytecode is not cached.

Each table ships with a fingerprint of what it was computed from: the keyword tables and cues,
the lexicon, the model's word features, the pymorphy3 dictionary (its source revision and
compile time, which differ between releases of pymorphy3-dicts-ru, pinned in pyproject.toml).
When the fingerprint of the running code's data differs (a table was edited and the build not
run, another dictionary installed), the shipped table is ignored and computed at start-up as
before: slower, never wrong. The training split is not shipped, so model.json carries no
fingerprint of it: a test retrains and compares instead. Tests fail until the build is run
again (tests/nlu/test_nlu_model.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogs.nlu import lexicon, vocabulary_en, vocabulary_ru
from dialogs.nlu.morphology import WordForm, analyzer

DATA = Path(__file__).with_name("data")
MODEL_FILE = DATA / "model.json"
TABLES_FILE = DATA / "tables.json"

# A packed WordForm: (lemmas, known, marks); None for a form parsed when met.
Packed = tuple[tuple[str, ...], bool, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ModelCounts:
    """The trained model as counted (dialogs.nlu.model.Model is built from these)."""

    intents: tuple[str, ...]
    priors: tuple[int, ...]  # training messages per intent
    totals: tuple[int, ...]  # feature occurrences per intent
    counts: Mapping[str, tuple[int, ...]]  # feature -> occurrences per intent


@dataclass(frozen=True, slots=True)
class Tables:
    vocabulary_fingerprint: str
    relevant_fingerprint: str
    entry_lemmas: Mapping[str, tuple[str, ...]]  # a table entry's text -> its lemmas
    forms: Mapping[str, str]  # every form of a table word -> its lemma, in table order
    word_forms: tuple[Packed | None, ...]  # the distinct packed forms, numbered
    relevant: Mapping[str, int]  # a relevant form -> the number of its packed form


def vocabulary_fingerprint() -> str:
    """What the entry lemmas and table forms depend on."""
    parts: list[object] = []
    for module in (vocabulary_ru, vocabulary_en):
        parts.append(
            sorted((str(label), sorted(table.items())) for label, table in module.KEYWORDS.items())
        )
        parts.extend(
            getattr(module, name)
            for name in ("AMOUNT_CUES", "ESTIMATE_CUES", "PRICE_CUES", "COMPLAINT_CUES")
        )
    parts.append(sorted(lexicon.LEMMA_OVERRIDES.items()))
    parts.append(sorted(lexicon.LEMMA_SYNONYMS.items()))
    parts.append(_dictionary_version())
    return _digest(parts)


def relevant_fingerprint(vocabulary: str, model_lemmas: Iterable[str]) -> str:
    """What the relevant forms depend on beyond the vocabulary: the model's words, compounds."""
    return _digest([vocabulary, sorted(model_lemmas), sorted(lexicon.COMPOUND_LEMMAS.items())])


def _dictionary_version() -> str:
    meta = analyzer().dictionary.meta
    return f"{meta.get('source_revision')}/{meta.get('compiled_at')}"


def _digest(parts: list[object]) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def pack(form: WordForm | None) -> Packed | None:
    return None if form is None else (form.lemmas, form.known, form.marks)


def unpack(
    relevant: Mapping[str, int], table: Sequence[Packed | None]
) -> dict[str, WordForm | None]:
    forms = [None if packed is None else WordForm(*packed) for packed in table]
    return {form: forms[index] for form, index in relevant.items()}


# -- the files ------------------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    return data if isinstance(data, dict) else None


def _line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _document(fields: Sequence[tuple[str, object]], tables: Sequence[tuple[str, str]]) -> str:
    """A JSON object: scalar fields one a line, then each table with one entry a line.

    `tables` holds (name, body) where body is the entries already rendered, one a line."""
    lines = [f"{_line(name)}: {_line(value)}" for name, value in fields]
    lines.extend(f"{_line(name)}: {body}" for name, body in tables)
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _object(entries: Iterable[tuple[str, object]]) -> str:
    body = ",\n".join(f"{_line(key)}: {_line(value)}" for key, value in entries)
    return "{\n" + body + "\n}" if body else "{}"


def _array(items: Iterable[object]) -> str:
    body = ",\n".join(_line(item) for item in items)
    return "[\n" + body + "\n]" if body else "[]"


def model_json(counts: ModelCounts) -> str:
    """dialogs/nlu/data/model.json: one feature a line."""
    return _document(
        [("intents", counts.intents), ("priors", counts.priors), ("totals", counts.totals)],
        [("counts", _object(counts.counts.items()))],
    )


def read_model(text: str) -> ModelCounts:
    data = json.loads(text)
    return _model_counts(data)


def _model_counts(data: Mapping[str, Any]) -> ModelCounts:
    return ModelCounts(
        intents=tuple(data["intents"]),
        priors=tuple(data["priors"]),
        totals=tuple(data["totals"]),
        counts={feature: tuple(row) for feature, row in data["counts"].items()},
    )


@functools.cache
def shipped_model() -> ModelCounts | None:
    """The model built into the package; None if it was never built."""
    data = _read(MODEL_FILE)
    return None if data is None else _model_counts(data)


def tables_json(
    vocabulary: str,
    entry_lemmas: Mapping[str, tuple[str, ...]],
    forms: Mapping[str, str],
    relevant_key: str,
    relevant: Mapping[str, WordForm | None],
) -> str:
    """dialogs/nlu/data/tables.json: packed word forms are numbered once and referred to by
    number."""
    numbers: dict[Packed | None, int] = {}
    for form in relevant.values():
        numbers.setdefault(pack(form), len(numbers))
    return _document(
        [("vocabulary_fingerprint", vocabulary), ("relevant_fingerprint", relevant_key)],
        [
            ("entry_lemmas", _object(sorted(entry_lemmas.items()))),
            ("forms", _object(forms.items())),
            ("word_forms", _array(numbers)),
            (
                "relevant",
                _object((form, numbers[pack(word)]) for form, word in sorted(relevant.items())),
            ),
        ],
    )


def read_tables(text: str) -> Tables:
    return _tables(json.loads(text))


def _tables(data: Mapping[str, Any]) -> Tables:
    return Tables(
        vocabulary_fingerprint=data["vocabulary_fingerprint"],
        relevant_fingerprint=data["relevant_fingerprint"],
        entry_lemmas={text: tuple(lemmas) for text, lemmas in data["entry_lemmas"].items()},
        forms=data["forms"],
        word_forms=tuple(
            None if packed is None else (tuple(packed[0]), packed[1], tuple(packed[2]))
            for packed in data["word_forms"]
        ),
        relevant=data["relevant"],
    )


@functools.cache
def shipped_tables() -> Tables | None:
    """The build's tables as shipped, whatever they were computed from (vocabulary._shipped
    checks the fingerprint)."""
    data = _read(TABLES_FILE)
    return None if data is None else _tables(data)
