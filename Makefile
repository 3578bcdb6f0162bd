# Speak Out. Stay Safe. planner: set-up, serving and tests.
# `make run` and `make test` are all a newcomer needs; see README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_DB ?= speakout
PG_URL ?= postgres:///$(PG_DB)?host=/var/run/postgresql
# The suite runs in one process per core (pytest-xdist), each file's tests in one process, so a file's
# shared fixtures (its Chromium, its test world) are made once. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

# A Python 3.12 or newer: python3.13, python3.12 on PATH, then pyenv's.
PYTHON_BASE := $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$p; break; fi; done)

.PHONY: help python system-deps browser venv setup run serve loadtest collectstatic lint test test-postgres postgres worker bench backup restore check clean-venv

help:
	@echo "make run            set everything up and serve on http://$(HOST):$(PORT) (demo logins printed)"
	@echo "make setup          the same set-up without serving"
	@echo "make test           ruff, then the whole test suite (SQLite)"
	@echo "make lint           ruff check only"
	@echo "make test-postgres  the whole test suite against PostgreSQL"
	@echo "make worker         the background task worker (packs, emails)"
	@echo "make serve          production serving: gunicorn + WhiteNoise + the task worker, on PostgreSQL (DATABASE_URL)"
	@echo "make loadtest       50 coordinators and volunteers for 60 s against make serve's setup (docs/benchmarks.md)"
	@echo "make bench          national-scale timings of every endpoint and the packs (docs/benchmarks.md); PostgreSQL too with DATABASE_URL"
	@echo "make backup         a consistent copy of the live database (FILE=path optional)"
	@echo "make restore FILE=… replace the database with a backup"

python:
	@if [ -z "$(PYTHON_BASE)" ]; then \
		echo "error: Python 3.12 or newer is needed and none was found."; \
		echo "Install python3.13 (e.g. 'apt-get install python3.13 python3.13-venv', or 'pyenv install 3.13')"; \
		echo "and run make again."; exit 1; fi

# WeasyPrint needs Pango (and a font for fallback; the pack's own fonts ship in static/).
system-deps:
	@bin/system-deps pango

browser:
	@bin/system-deps chromium

$(VENV)/.installed: requirements.txt requirements-dev.txt | python
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON_BASE)"; $(PYTHON_BASE) -m venv $(VENV); }
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

setup: system-deps venv
	@$(PY) manage.py migrate --no-input
	@$(PY) manage.py createcachetable
	@$(PY) manage.py load_reference_data
	@$(PY) manage.py seed_demo --if-empty
	@$(PY) manage.py demo_logins

run: setup
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

worker: venv
	@DEBUG=true $(PY) manage.py db_worker

collectstatic: venv
	@$(PY) manage.py collectstatic --no-input --verbosity 0

# Production on one machine. Needs DATABASE_URL (PostgreSQL) and SECRET_KEY; see README "Serving".
serve: system-deps venv
	@test -n "$$DATABASE_URL" || { echo "make serve needs DATABASE_URL (PostgreSQL). For one on this machine:"; \
		echo "  make postgres"; \
		echo "  DATABASE_URL='$(PG_URL)' SECRET_KEY=\$$(openssl rand -hex 32) make serve"; exit 2; }
	@test -n "$$SECRET_KEY" || { echo "make serve needs SECRET_KEY (e.g. SECRET_KEY=\$$(openssl rand -hex 32))"; exit 2; }
	@$(PY) manage.py migrate --no-input
	@$(PY) manage.py createcachetable
	@$(PY) manage.py load_reference_data
	@$(PY) manage.py collectstatic --no-input --verbosity 0
	@PY=$(PY) bin/serve

loadtest: venv
	@$(PY) bench/loadtest.py $(LOADTEST_ARGS)

# Lint first (ruff: pyflakes, style, import order, deferred imports must say why), so CI fails on it too.
lint: venv
	@$(PY) -m ruff check .

test: system-deps browser venv lint
	@$(PYTEST)

postgres:
	@bin/ensure-postgres $(PG_DB)

test-postgres: system-deps browser venv postgres
	@DATABASE_URL='$(PG_URL)' $(PYTEST)

# Benchmarks (no timed assertions in the suite): every endpoint and the packs on a national data set
# (20,000 schools, 100,000 visits; built once, reused), on SQLite and on PostgreSQL when DATABASE_URL
# names one. Options: make bench BENCH_ARGS="--runs 50 --rebuild"; see bench/run.py --help.
bench: system-deps venv collectstatic
	@$(PY) bench/run.py $(BENCH_ARGS)

backup: venv
	@$(PY) manage.py backup $(FILE)

restore: venv
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<file>"; exit 2; }
	@$(PY) manage.py restore --no-input $(FILE)

check: venv
	@$(PY) manage.py check
	@$(PY) manage.py makemigrations --check --dry-run

clean-venv:
	rm -rf $(VENV)
