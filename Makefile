# archkit — `make demo` renders the example workspace, `make test` runs every check.
# Both set up what is missing first: a virtualenv in .venv, the package, and Graphviz.

VENV    ?= .venv
PYTHON  ?= python3
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.archkit-installed

.PHONY: demo test lint unit bench setup graphviz clean

demo: setup graphviz
	$(BIN)/archkit check
	$(BIN)/archkit diagram --format svg,png,dot,mermaid --out build/diagrams
	$(BIN)/archkit tdr check
	$(BIN)/archkit tdr render --out build/decisions
	@echo "Diagrams are in build/diagrams/, decision records in build/decisions/index.html"

test: setup graphviz lint unit

lint: setup
	$(BIN)/ruff check archkit tests bench
	$(BIN)/ruff format --check archkit tests bench
	$(BIN)/mypy archkit

unit: setup graphviz
	$(BIN)/pytest

bench: setup graphviz
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_tdr.py

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv with $(PYTHON). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

graphviz:
	@sh scripts/ensure-graphviz.sh

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
