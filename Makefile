# Two entry points for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/auditbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.PHONY: setup demo test lint bench
setup: $(BIN)/auditbot

demo: setup
	$(BIN)/auditbot demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m benchmarks
	$(BIN)/python benchmarks/bench_replies.py
	$(BIN)/python -m benchmarks.graph
	$(BIN)/python benchmarks/digest.py
	$(BIN)/python benchmarks/charts.py
