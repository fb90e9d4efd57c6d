"""The trained fallback model: shipped counts match the data set, and it reads new words."""

from __future__ import annotations

from pathlib import Path

from dialogs.nlu import Intent, analyze
from dialogs.nlu.build_model import module_source, read_examples, tables_source
from dialogs.nlu.classifier import UNSURE_BELOW
from dialogs.nlu.model import shipped, train
from dialogs.nlu.text import normalize

DATA = Path(__file__).parent / "data"
MODULE = Path(__file__).resolve().parents[2] / "dialogs" / "nlu" / "model_data.py"
TABLES = MODULE.with_name("tables_data.py")


def test_shipped_counts_are_those_of_the_training_split() -> None:
    """Stale after a change of train.tsv or the vocabulary: run
    `.venv/bin/python -m dialogs.nlu.build_model tests/nlu/data/train.tsv`."""
    assert MODULE.read_text("utf-8") == module_source(train(read_examples(DATA / "train.tsv")))


def test_shipped_tables_are_those_of_the_vocabulary_and_model() -> None:
    """Stale after a change of the vocabulary, the lexicon or the model: run the build above.
    (Stale tables are not used: start-up computes them, slowly.)"""
    model = shipped()
    assert model is not None
    assert TABLES.read_text("utf-8") == tables_source(model)


def test_shipped_tables_are_used_and_agree_with_computing_them() -> None:
    from dialogs.nlu import vocabulary

    assert vocabulary._shipped() is not None
    assert dict(vocabulary.relevant_forms()) == vocabulary.compute_relevant_forms(
        vocabulary.model_lemmas(shipped().counts)  # type: ignore[union-attr]
    )
    # In table order too: a fuzzy tie goes to the first form.
    assert list(vocabulary.vocabulary().forms.items()) == list(vocabulary.compute_forms().items())


def test_model_is_trained_from_train_only_and_predicts_its_examples() -> None:
    model = shipped()
    assert model is not None
    examples = read_examples(DATA / "train.tsv")
    assert sum(model.priors) == len(examples)
    right = sum(model.predict(text)[0][0].value == intent for intent, text in examples)
    assert right / len(examples) >= 0.95
    ranked = model.predict(normalize("квиточек за ноябрь"))
    assert ranked[0][0] is Intent.RECEIPT
    assert abs(sum(p for _, p in ranked) - 1) < 1e-9


def test_words_the_tables_lack_are_read_by_the_model_and_asked_about() -> None:
    analysis = analyze("пришлите квиточек")
    assert analysis.intent is Intent.RECEIPT
    assert analysis.confidence < UNSURE_BELOW  # the bot asks rather than acts


def test_gibberish_stays_other() -> None:
    analysis = analyze("абырвалг шмырдяк")
    assert analysis.intent is Intent.OTHER
    assert analysis.confidence == 0.0
