# JinTiao — the README's two commands (make run, make test) and their helpers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint pytest bench bench-reports bench-load bench-scale bench-intake bench-payments screenshots venv clean sysdeps

# The environment is rebuilt when pyproject.toml changes; pip reads nothing but the
# package registry configured on the machine.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Documents need Pango, HarfBuzz's subsetter and a CJK font from Debian (WeasyPrint); installed
# when missing and apt is at hand (as root), else the command says what to install; pdfsig
# (poppler-utils) checks the documents' signatures as a reader would, in the tests.
sysdeps:
	@if ldconfig -p | grep -q libpangoft2 && ldconfig -p | grep -q libharfbuzz-subset \
	   && fc-list 2>/dev/null | grep -qi "Noto Serif CJK" \
	   && [ -f /usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf ] \
	   && command -v pdfsig >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends fonts-noto-cjk texlive-lang-chinese libharfbuzz-subset0 \
	    libpango-1.0-0 libpangoft2-1.0-0 poppler-utils >/dev/null; \
	else echo "install fonts-noto-cjk texlive-lang-chinese libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils"; fi

# Development server on SQLite with the demo world: admin at /admin/, API at /api/v1/docs.
run: venv sysdeps
	mkdir -p var
	JINTIAO_DEBUG=1 $(BIN)/jintiao manage migrate --noinput -v 0
	JINTIAO_DEBUG=1 $(BIN)/jintiao demo
	JINTIAO_DEBUG=1 $(BIN)/jintiao manage runserver 127.0.0.1:8000

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	mkdir -p var
	DJANGO_SETTINGS_MODULE=jintiao.config.settings_test $(BIN)/python -m django makemigrations --check --dry-run

# One worker per core, each test file on one worker (its module fixtures stay together);
# every worker has its own test database. The API fuzz runs alone: schemathesis gives all
# its cases one test id, and xdist would run only one of them.
FUZZ := tests/api/test_fuzz.py
pytest: venv
	$(BIN)/pytest -n auto --dist loadfile --ignore=$(FUZZ)
	$(BIN)/pytest -q $(FUZZ)

test: lint pytest

bench: venv
	$(BIN)/python bench/bench_domain.py

# The monthly report over the synthetic disputes of `jintiao bench seed --cases N`, on the
# PostgreSQL database DATABASE_URL names (figures printed, never asserted).
bench-reports: venv
	$(BIN)/python bench/bench_reports.py

# Load: `jintiao serve` (its default workers) over the demo plus 100,000 synthetic disputes on
# PostgreSQL (JINTIAO_BENCH_DATABASE_URL, else jintiao_bench on the local server, made and
# seeded on first use), 200 simulated users for 5 minutes with 1 s think time; throughput,
# p50/p95/p99 per endpoint and errors, then every acknowledged write looked for in the
# database (figures printed, never asserted). ARGS="--quick" for a short try; --help.
bench-load: venv
	$(BIN)/python bench/bench_load.py $(ARGS)

# Bank scale: a 10,000-row element-table file filed (read, every row checked, written) against
# a raw bulk insert of the same rows, on PostgreSQL (jintiao_bench_intake on the local server,
# made afresh) and SQLite (figures printed, never asserted).
bench-intake: venv
	$(BIN)/python bench/bench_intake.py $(ARGS)

# Bank scale payments: a 10,000-line payments file over 300 disputes in performance imported
# (every line checked, booked, its event; each dispute reviewed), sent again, and voided by a
# bad last line, on PostgreSQL (jintiao_bench_pay on the local server, made afresh) and
# SQLite (figures printed, never asserted).
bench-payments: venv
	$(BIN)/python bench/bench_payments.py $(ARGS)

# Province scale: the same lists, pages and exports at 100,000 and 1,000,000 synthetic
# disputes on PostgreSQL (jintiao_scale_100k and jintiao_scale_1m on the local server, seeded
# on first use — an hour for the million on two cores — then reused), side by side, with
# the plans of the slowest queries (figures printed, never asserted). ARGS="--help".
bench-scale: venv
	$(BIN)/python bench/bench_scale.py $(ARGS)

# Retake the screenshots under docs/ (the browser tests otherwise write to a temporary folder).
screenshots: venv
	JINTIAO_UPDATE_DOCS=1 $(BIN)/pytest tests/e2e -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .import_linter_cache
