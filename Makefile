# archkit — `make demo` renders the example workspace, `make test` runs every check.
# Both set up what is missing first: a virtualenv in .venv, the package, and Graphviz;
# `make test` also Chromium, for the browser tests (tests/test_browser.py), and adr-tools 3.x
# (Debian's adr-tools), for the interoperation tests (tests/test_adr_tools.py), and mermaid-cli with
# npm when npm is there (tests/test_mermaid.py).

VENV    ?= .venv
PYTHON  ?= python3
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.archkit-installed

.PHONY: demo test lint unit bench setup graphviz chromium adr-tools mermaid-cli clean

demo: setup graphviz
	$(BIN)/archkit check
	$(BIN)/archkit diagram --format svg,png,dot,mermaid --out build/diagrams
	$(BIN)/archkit tdr check
	$(BIN)/archkit tdr render --out build/decisions
	$(BIN)/archkit build --out build/site
	@echo "Diagrams: build/diagrams/; decision records: build/decisions/index.html; portfolio site: build/site/index.html"

test: setup graphviz chromium adr-tools mermaid-cli lint unit

lint: setup
	$(BIN)/ruff check archkit tests bench
	$(BIN)/ruff format --check archkit tests bench
	$(BIN)/mypy archkit

unit: setup graphviz chromium adr-tools mermaid-cli
	$(BIN)/pytest

bench: setup graphviz chromium
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_tdr.py
	$(BIN)/python bench/bench_site.py
	$(BIN)/python bench/bench_estimate.py
	$(BIN)/python bench/bench_embed.py
	$(BIN)/python bench/bench_serve.py

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv with $(PYTHON). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

graphviz:
	@sh scripts/ensure-graphviz.sh

chromium:
	@sh scripts/ensure-chromium.sh

adr-tools:
	@sh scripts/ensure-adr-tools.sh

mermaid-cli:
	@VENV=$(VENV) sh scripts/ensure-mermaid-cli.sh

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
