# One place for the commands a user, a developer and CI run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint types bench eval tune clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,discord,telegram]'
	touch $(STAMP)

## run: start the bot (console chat when no platform token is set)
run: $(STAMP)
	$(BIN)/python -m bot run

## test: lint, types and the whole test suite (what CI runs)
test: $(STAMP)
	$(BIN)/ruff check bot adapters tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m bot lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot adapters tests benchmarks

types: $(STAMP)
	$(BIN)/mypy

eval: $(STAMP)
	$(BIN)/python -m bot eval tests/eval/*.yaml

## tune: refit the answer confidence and its threshold, save bot/confidence.json (after content changes)
tune: $(STAMP)
	$(BIN)/python -m benchmarks.tune_matcher --write

bench: $(STAMP)
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/quality.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
