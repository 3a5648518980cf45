# make run   - install into .venv, migrate the SQLite database, load a demo, serve
# make test  - install with test extras and run the whole suite (ruff first)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench clean translations

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,prod]'
	touch $@

install: $(BIN)/.installed

# The scan worker runs beside the web server and stops with it.
run: install
	$(BIN)/survey-app db upgrade
	$(BIN)/survey-app demo --if-empty
	$(BIN)/survey-app worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/survey-app serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/pytest -q -p no:cacheprovider

bench: install
	$(BIN)/python benchmarks/submit_bench.py

# After changing interface words: collect them, update each language's .po, compile the .mo
# (committed, so a fresh clone needs no compile step). docs/languages-on-screen.md
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-wrap --sort-by-file --omit-header -o survey_app/translations/messages.pot .
	$(BIN)/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations --no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d survey_app/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache
