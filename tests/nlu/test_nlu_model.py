"""The trained fallback model: shipped counts match the data set, and it reads new words."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dialogs.nlu import Intent, analyze, prebuilt, vocabulary
from dialogs.nlu.build_model import TRAINING_FILE, main, model_json, read_examples, tables_json
from dialogs.nlu.classifier import UNSURE_BELOW
from dialogs.nlu.model import shipped, train
from dialogs.nlu.morphology import analyzer
from dialogs.nlu.text import normalize

PACKAGE = Path(__file__).resolve().parents[2] / "dialogs" / "nlu"


def test_shipped_counts_are_those_of_the_training_split() -> None:
    """The training split is not shipped, so this comparison is its fingerprint: stale after a
    change of dialogs/nlu/training/train.tsv or the vocabulary, until `make nlu` is run."""
    model = train(read_examples(TRAINING_FILE))
    assert prebuilt.MODEL_FILE.read_text("utf-8") == model_json(model), "stale: run `make nlu`"
    # What start-up loads is what the build counted, to the last feature and in order.
    loaded = shipped()
    assert loaded is not None
    assert (loaded.intents, loaded.priors, loaded.totals) == (
        model.intents,
        model.priors,
        model.totals,
    )
    assert list(loaded.counts.items()) == list(model.counts.items())
    assert loaded.log_rows == model.log_rows


def test_shipped_tables_are_those_of_the_vocabulary_and_model() -> None:
    """Stale after a change of the vocabulary, the lexicon, the model or the pymorphy3 dictionary:
    run `make nlu`. (Stale tables are not used: start-up computes them, slowly.)"""
    model = shipped()
    assert model is not None
    assert prebuilt.TABLES_FILE.read_text("utf-8") == tables_json(model), "stale: run `make nlu`"


def test_the_build_reads_the_training_split_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`make nlu` runs the build without a path: it writes the shipped files as they are."""
    shipped_files = {path.name: path.read_text("utf-8") for path in prebuilt.DATA.glob("*.json")}
    monkeypatch.setattr(prebuilt, "DATA", tmp_path)
    monkeypatch.setattr(prebuilt, "MODEL_FILE", tmp_path / "model.json")
    monkeypatch.setattr(prebuilt, "TABLES_FILE", tmp_path / "tables.json")
    try:
        main([])
    finally:
        prebuilt.shipped_model.cache_clear()  # it read the model just written
    assert {path.name: path.read_text("utf-8") for path in tmp_path.iterdir()} == shipped_files


def test_another_dictionary_means_the_shipped_tables_are_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tables hold pymorphy3's parses: under another pymorphy3-dicts-ru (another compile
    time) start-up computes them instead."""
    assert vocabulary._shipped() is not None
    monkeypatch.setitem(analyzer().dictionary.meta, "compiled_at", "2030-01-01T00:00:00")
    vocabulary._shipped.cache_clear()
    try:
        assert vocabulary._shipped() is None
    finally:
        monkeypatch.undo()
        vocabulary._shipped.cache_clear()
    assert vocabulary._shipped() is not None


def test_data_files_read_back_as_written() -> None:
    model = shipped()
    assert model is not None
    counts = prebuilt.read_model(model_json(model))
    assert counts == model.counted()
    assert all(isinstance(row, tuple) for row in counts.counts.values())
    tables = prebuilt.read_tables(tables_json(model))
    assert tables == prebuilt.shipped_tables()
    assert all(
        packed is None or (isinstance(packed[0], tuple) and isinstance(packed[2], tuple))
        for packed in tables.word_forms
    )


def test_the_data_are_data_files_not_generated_code() -> None:
    assert not (PACKAGE / "model_data.py").exists()
    assert not (PACKAGE / "tables_data.py").exists()
    assert {path.name for path in prebuilt.DATA.iterdir()} >= {"model.json", "tables.json"}


def test_a_missing_data_file_means_no_model_and_computed_tables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(prebuilt, "MODEL_FILE", tmp_path / "model.json")
    monkeypatch.setattr(prebuilt, "TABLES_FILE", tmp_path / "tables.json")
    prebuilt.shipped_model.cache_clear()
    prebuilt.shipped_tables.cache_clear()
    try:
        assert prebuilt.shipped_model() is None
        assert prebuilt.shipped_tables() is None
    finally:
        prebuilt.shipped_model.cache_clear()
        prebuilt.shipped_tables.cache_clear()


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
    examples = read_examples(TRAINING_FILE)
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


def test_the_data_files_are_installed_with_the_package() -> None:
    with (PACKAGE.parents[1] / "pyproject.toml").open("rb") as file:
        package_data = tomllib.load(file)["tool"]["setuptools"]["package-data"]["dialogs"]
    dialogs = PACKAGE.parent
    installed = {path for pattern in package_data for path in dialogs.glob(pattern)}
    assert {prebuilt.MODEL_FILE, prebuilt.TABLES_FILE} <= installed
    # The training split is the build's source, not package data.
    assert TRAINING_FILE.is_file()
    assert not any(path.suffix == ".tsv" for path in installed)
