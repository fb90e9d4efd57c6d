# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Every dependency pinned with its hashes (`make lock` writes them from pyproject.toml).
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
TOOLS := .venv-tools

.PHONY: run test nlu lint format clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/energobot serve --demo

test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

# After editing dialogs/nlu/training/train.tsv or the NLU's vocabulary: rebuild the shipped model
# and word tables (dialogs/nlu/data/*.json); tests/nlu/test_nlu_model.py fails until then.
nlu: $(STAMP)
	$(BIN)/python -m dialogs.nlu.build_model

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# After changing dependencies in pyproject.toml: pin them again, with hashes.
lock:
	test -x $(TOOLS)/bin/pip-compile || ($(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet pip-tools)
	$(TOOLS)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml
	$(TOOLS)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --extra dev -o $(DEV_LOCK) pyproject.toml

clean:
	rm -rf $(VENV) $(TOOLS) var
