"""Build dialogs/nlu/data/model.json from the training split (see dialogs/nlu/model.py), then
dialogs/nlu/data/tables.json, the word tables start-up would otherwise compute (see
dialogs/nlu/prebuilt.py).

    make nlu    # or: .venv/bin/python -m dialogs.nlu.build_model [path/to/train.tsv]

The training split is source, not package data: it lives in dialogs/nlu/training/ and is not
installed; only the built JSON ships.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from dialogs.nlu import prebuilt
from dialogs.nlu.model import Model, train
from dialogs.nlu.text import normalize
from dialogs.nlu.vocabulary import (
    compute_entry_lemmas,
    compute_forms,
    compute_relevant_forms,
    model_lemmas,
)

# What the model is trained on by default (dialogs/nlu/training/README.md).
TRAINING_FILE = Path(__file__).with_name("training") / "train.tsv"


def read_examples(path: Path) -> list[tuple[str, str]]:
    """train.tsv (or a held-out split of tests/nlu/data/) lines as (intent, normalised text)."""
    examples = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            intent, text, *_ = line.split("\t")
            examples.append((intent, normalize(text)))
    return examples


def model_json(model: Model) -> str:
    """dialogs/nlu/data/model.json for this model."""
    return prebuilt.model_json(model.counted())


def tables_json(model: Model) -> str:
    """dialogs/nlu/data/tables.json for the vocabulary as it is and this model's word features."""
    lemmas = model_lemmas(model.counts)
    vocabulary = prebuilt.vocabulary_fingerprint()
    return prebuilt.tables_json(
        vocabulary,
        compute_entry_lemmas(),
        compute_forms(),
        prebuilt.relevant_fingerprint(vocabulary, lemmas),
        compute_relevant_forms(lemmas),
    )


def main(argv: Sequence[str]) -> None:
    model = train(read_examples(Path(argv[0]) if argv else TRAINING_FILE))
    prebuilt.DATA.mkdir(exist_ok=True)
    prebuilt.MODEL_FILE.write_text(model_json(model), "utf-8")
    # The tables include the model's word features: the new model must be the one read.
    prebuilt.shipped_model.cache_clear()
    prebuilt.TABLES_FILE.write_text(tables_json(model), "utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
