# JinTiao — the README's two commands (make run, make test) and their helpers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint pytest bench venv clean

# The environment is rebuilt when pyproject.toml changes; pip reads nothing but the
# package registry configured on the machine.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The web application arrives with the platform foundation (issue 3); until then
# `make run` sets up the environment and shows the domain calculators at work.
run: venv
	@echo "JinTiao $$($(BIN)/python -c 'import jintiao; print(jintiao.__version__)') — web app not built yet; the calculators:"
	$(BIN)/jintiao calc words 250277.13
	$(BIN)/jintiao calc fee --amount 250277.13
	$(BIN)/jintiao calc deadline --start 2026-09-28 --working-days 15
	@echo "More: $(BIN)/jintiao calc --help"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	mkdir -p var
	DJANGO_SETTINGS_MODULE=jintiao.config.settings_test $(BIN)/python -m django makemigrations --check --dry-run

pytest: venv
	$(BIN)/pytest

test: lint pytest

bench: venv
	$(BIN)/python bench/bench_domain.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .import_linter_cache
