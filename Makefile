# Two commands: `make run` starts the hotline, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard locales/*/LC_MESSAGES/messages.po)

.PHONY: install run test lint catalogs extract clean

install: $(STAMP) catalogs

# Reinstall when the dependencies change; constraints.txt pins every version.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

catalogs: $(CATALOGS:.po=.mo)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -D messages -i $< -o $@

# For translators: refresh the template and every catalog from the code.
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-by-file -o locales/messages.pot bot
	$(BIN)/pybabel update -D messages -i locales/messages.pot -d locales --no-fuzzy-matching

run: install
	$(BIN)/hotline db upgrade
	$(BIN)/hotline serve

test: install
	$(BIN)/ruff check bot tests scripts
	$(BIN)/ruff format --check bot tests scripts
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot tests scripts
	$(BIN)/ruff format --check bot tests scripts

clean:
	rm -rf $(VENV) build *.egg-info
