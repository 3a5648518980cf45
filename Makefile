# make run   - install into .venv, migrate the SQLite database, load a demo, serve
# make test  - also install the test extras, then run the whole suite (ruff and the docs build first)
# make docs  - build the docs site into site/ with --strict (a broken link fails)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install install-test run test lint docs bench clean translations

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

# The docs site's own tools, apart from what the app needs to run.
$(BIN)/.docs-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $@

# --strict: a broken link or anchor, or a page left out of the nav, fails the build.
docs: $(BIN)/.docs-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -q

test: install-test lint docs
	$(BIN)/pytest -q -p no:cacheprovider

bench: install-test
	$(BIN)/python benchmarks/submit_bench.py

# After changing interface words: collect them, update each language's .po, compile the .mo
# (committed, so a fresh clone needs no compile step). docs/languages-on-screen.md
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-wrap --sort-by-file --omit-header -o survey_app/translations/messages.pot .
	$(BIN)/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations --no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d survey_app/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache site
