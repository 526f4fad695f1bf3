# sourcekeeper — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV     := $(BIN)/uv
LOCK   := requirements/lock.txt
PYWB_LOCK := requirements/pywb.lock
PYWB_BIN  := $(VENV)/pywb/bin

.PHONY: install upgrade bytecode replaywebpage system-deps demo test lint typecheck eval bench clean

install: $(STAMP) bytecode replaywebpage

# Exactly the locked versions, hashes checked (requirements/README.md): pip installs the pinned uv,
# uv installs lock.txt into .venv and pywb.lock into .venv/pywb, pywb's own environment.
$(STAMP): pyproject.toml $(LOCK) $(PYWB_LOCK) requirements/uv.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/uv.txt
	$(UV) pip install --quiet --python $(BIN)/python --require-hashes -r $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	test -x $(PYWB_BIN)/python || $(UV) venv --quiet --python $(BIN)/python $(VENV)/pywb
	$(UV) pip install --quiet --python $(PYWB_BIN)/python --require-hashes -r $(PYWB_LOCK)
	touch $(STAMP)

# Moves the versions: resolve again to the newest the ranges allow, reinstall, run the tests.
upgrade:
	test -x $(UV) || $(MAKE) $(STAMP)
	$(UV) pip compile --quiet --upgrade --universal --python-version 3.11 --generate-hashes \
	  --extra test --extra media pyproject.toml -o $(LOCK)
	$(UV) pip compile --quiet --upgrade --universal --python-version 3.11 --generate-hashes \
	  requirements/pywb.in -o $(PYWB_LOCK)
	$(MAKE) test

# The project's own modules compiled ahead, as a non-editable pip install does: where
# PYTHONDONTWRITEBYTECODE is set (as on our CI machines) every command otherwise compiled them
# again at start, 0.1 s of each crawl. Quick when nothing changed; stale files are simply redone.
# ReplayWeb.page's files for `publish`, from its npm package at the pinned version, once
# (sourcekeeper/web/replaywebpage.py); without npm, `publish` works without in-browser replay.
replaywebpage: $(STAMP)
	-$(BIN)/python -m sourcekeeper.web.replaywebpage

bytecode: $(STAMP)
	$(BIN)/python -m compileall -q archive_store scrapers pipelines sourcekeeper settings.py

# Debian packages for the tests (Chromium, CJK fonts, Redis, PostgreSQL); installs when root.
system-deps:
	bash scripts/system-deps.sh

demo: install system-deps
	$(BIN)/sourcekeeper demo

# mypy (a minute, one process) runs beside the tests, which often wait on their crawls and
# servers; its report is printed after theirs, and either failing fails the target.
test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & types=$$!; \
	$(BIN)/python -m pytest -q -n 3 --durations=15; tests=$$?; \
	wait $$types; typed=$$?; cat $(VENV)/mypy.log; \
	test $$tests -eq 0 && test $$typed -eq 0

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

eval: install
	$(BIN)/python -m bench.eval.evaluate

# needs ../shared/corpus and wget; figures go into docs/performance.md
# peers on the same work; then this run against the recorded baseline (bench/baseline.json):
# anything more than 10 % costlier is named and the target fails
bench: install
	$(BIN)/python bench/run.py --lookup --repeat 5 --save bench/last-run.json
	$(BIN)/python bench/render_bench.py --repeat 2
	nice -n 10 $(BIN)/python bench/search_bench.py --pages 100000
	$(BIN)/python bench/compare.py bench/last-run.json

clean:
	rm -rf $(VENV) build *.egg-info demo-archive demo-archive-*
