# make run   - install into .venv, migrate the SQLite database, load a demo, serve
# make test  - also install the test extras, then run the whole suite (ruff first)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install install-test run test lint bench clean

# Running needs the package alone; the test tools (pytest, Playwright, ruff...) come with
# `make test`, `make lint` and `make bench` only.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[test,prod]'
	touch $@

install: $(BIN)/.installed

install-test: $(BIN)/.installed-test

# The scan worker runs beside the web server and stops with it.
run: install
	$(BIN)/survey-app db upgrade
	$(BIN)/survey-app demo --if-empty
	$(BIN)/survey-app worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/survey-app serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check .

test: install-test lint
	$(BIN)/pytest -q -p no:cacheprovider

bench: install-test
	$(BIN)/python benchmarks/submit_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
