# sourcekeeper — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install bytecode system-deps demo test lint typecheck eval bench clean

install: $(STAMP) bytecode

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,replay,media]'
	touch $(STAMP)

# The project's own modules compiled ahead, as a non-editable pip install does: where
# PYTHONDONTWRITEBYTECODE is set (as on our CI machines) every command otherwise compiled them
# again at start, 0.1 s of each crawl. Quick when nothing changed; stale files are simply redone.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q archive_store scrapers pipelines sourcekeeper settings.py

# Debian packages for the tests (Chromium, CJK fonts, Redis, PostgreSQL); installs when root.
system-deps:
	bash scripts/system-deps.sh

demo: install
	$(BIN)/sourcekeeper demo

test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

eval: install
	$(BIN)/python -m pipelines.extraction.evaluate

# peers on the same work (needs ../shared/corpus and wget); figures go into the README
bench: install
	$(BIN)/python bench/run.py --lookup --repeat 5
	$(BIN)/python bench/render_bench.py --repeat 2

clean:
	rm -rf $(VENV) build *.egg-info demo-archive demo-archive-*
