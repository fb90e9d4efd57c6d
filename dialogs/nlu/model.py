"""A small trained model the classifier consults when its rules are unsure.

Multinomial naive Bayes over a message's lemmas and the character 3- and 4-grams of its words:
it reads words the keyword tables have never seen by their parts («квиточек» shares «квит» with
«квиток»). Pure Python, no numerical library; prediction costs ~0.1 ms.

Training is counting, done at build time from dialogs/nlu/training/train.tsv; the counts ship as
the data file dialogs/nlu/data/model.json (no download, nothing trained at run time):

    make nlu    # .venv/bin/python -m dialogs.nlu.build_model

A test retrains from the data set and fails when the shipped counts are stale (after the data
set or the vocabulary changed: lemmas come from the same typo-tolerant lookup as the rules').
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from dialogs.nlu.labels import Intent
from dialogs.nlu.morphology import WordForm
from dialogs.nlu.prebuilt import ModelCounts, shipped_model
from dialogs.nlu.text import words
from dialogs.nlu.vocabulary import resolve, resolve_exact

_DIGIT = re.compile(r"\d")
ALPHA = 0.3  # additive smoothing
NGRAMS = (3, 4)
MIN_COUNT = 2  # a feature seen once in training is noise: dropped (no prediction changed)
EVIDENCE_SEEN = 3
EVIDENCE_SHARE = 0.7  # features seen fewer times in training are dropped from the shipped counts


def features(normal: str, lookup: Callable[[str], WordForm] = resolve) -> set[str]:
    """Features of an already normalised message (see dialogs.nlu.text.normalize).

    Training looks every word up with resolve_exact(); messages use the faster resolve(), which
    gives the same lemma wherever the lemma is one of the model's features."""
    found: set[str] = set()
    for word in words(normal):
        found.update("w:" + lemma for lemma in lookup(word).lemmas)
        padded = f"<{word}>"
        for n in NGRAMS:
            found.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    if _DIGIT.search(normal):
        found.add("#num")
    return found


@dataclass(frozen=True, slots=True)
class Model:
    intents: tuple[str, ...]
    priors: tuple[int, ...]  # training messages per intent
    totals: tuple[int, ...]  # feature occurrences per intent
    counts: Mapping[str, tuple[int, ...]]  # feature -> occurrences per intent
    # log P(feature | intent) per feature, and log P(intent): computed once, not per message.
    log_rows: Mapping[str, tuple[float, ...]] = field(init=False, repr=False, compare=False)
    log_priors: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        size = len(self.counts)
        n = sum(self.priors) or 1
        denominators = [math.log(total + ALPHA * size) for total in self.totals]
        # Counts are small integers: each distinct one's logarithm is taken once.
        logs: dict[int, float] = {}
        for row in self.counts.values():
            for count in row:
                if count not in logs:
                    logs[count] = math.log(count + ALPHA)
        log_rows = {
            feature: tuple([logs[count] - d for count, d in zip(row, denominators, strict=True)])
            for feature, row in self.counts.items()
        }
        object.__setattr__(self, "log_rows", log_rows)
        priors = tuple(math.log(prior / n) if prior else -math.inf for prior in self.priors)
        object.__setattr__(self, "log_priors", priors)

    def counted(self) -> ModelCounts:
        """What the build writes to dialogs/nlu/data/model.json."""
        return ModelCounts(self.intents, self.priors, self.totals, self.counts)

    def predict(self, normal: str) -> list[tuple[Intent, float]]:
        """Every intent with its probability, best first (ties in Intent order)."""
        rows = [self.log_rows[f] for f in _message_features(normal) if f in self.log_rows]
        logs = [sum(column) for column in zip(self.log_priors, *rows, strict=True)]
        top = max(logs)
        weights = [math.exp(score - top) for score in logs]
        total = sum(weights)
        ranked = [(Intent(name), w / total) for name, w in zip(self.intents, weights, strict=True)]
        return sorted(ranked, key=lambda item: (-item[1], _ORDER[item[0]]))

    def evidence(self, normal: str, intent: Intent) -> int:
        """How many of the message's features speak for `intent` in particular: seen at least
        EVIDENCE_SEEN times in training, EVIDENCE_SHARE of them with that intent. Naive Bayes
        is sure of something even for «ну это самое»; this says whether it has a reason."""
        k = self.intents.index(intent.value)
        found = 0
        for feature in _message_features(normal):
            row = self.counts.get(feature)
            if row is None or feature.startswith("#") or len(feature) < 4:
                continue  # numbers and 3-grams are too common to tell anything alone
            seen = sum(row)
            if seen >= EVIDENCE_SEEN and row[k] >= EVIDENCE_SHARE * seen:
                found += 1
        return found


_ORDER = {intent: index for index, intent in enumerate(Intent)}


@functools.lru_cache(maxsize=8)
def _message_features(normal: str) -> frozenset[str]:
    """predict() and evidence() ask about the same message one after the other."""
    return frozenset(features(normal))


def train(examples: Iterable[tuple[str, str]]) -> Model:
    """(intent, normalised text) pairs → counts."""
    intents = tuple(intent.value for intent in Intent)
    index = {name: k for k, name in enumerate(intents)}
    priors = [0] * len(intents)
    per_feature: dict[str, list[int]] = defaultdict(lambda: [0] * len(intents))
    for intent, normal in examples:
        k = index[intent]
        priors[k] += 1
        for feature in features(normal, resolve_exact):
            per_feature[feature][k] += 1
    kept = {f: tuple(row) for f, row in sorted(per_feature.items()) if sum(row) >= MIN_COUNT}
    totals = [sum(row[k] for row in kept.values()) for k in range(len(intents))]
    return Model(intents, tuple(priors), tuple(totals), kept)


@functools.cache
def shipped() -> Model | None:
    """The model built into the package; None if it was never built."""
    counts = shipped_model()
    if counts is None:
        return None
    return Model(counts.intents, counts.priors, counts.totals, counts.counts)
