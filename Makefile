# Two entry points for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/auditbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.PHONY: setup demo test test-fast bench
setup: $(BIN)/auditbot

demo: setup
	$(BIN)/auditbot demo

# Lint and types first, then the fast layer (the pure core and the reader, seconds), then the
# rest: scenarios through the local transport, both stores, the Graph stand-in, faults.
test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -m fast
	$(BIN)/pytest -m "not fast"

test-fast: setup
	$(BIN)/pytest -m fast

bench: setup
	$(BIN)/python -m benchmarks
	$(BIN)/python benchmarks/bench_replies.py
	$(BIN)/python -m benchmarks replies
	$(BIN)/python -m benchmarks check
	$(BIN)/python -m benchmarks moderation
	$(BIN)/python -m benchmarks.graph
	$(BIN)/python benchmarks/digest.py
	$(BIN)/python benchmarks/charts.py
