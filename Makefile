# Common commands of the QMI portal. `make run` for the demo, `make test` for the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The tests run on real PostgreSQL and Redis (started or installed by .ci/services).
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/qmi_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	SECRET_KEY=tests-only-secret-key DEBUG=false MAP_TILES_URL=

.PHONY: help run test lint format messages migrate seed venv system-test-deps services shell clean

help:
	@echo "make run     set up and start the portal with demo data (SQLite, embedded broker)"
	@echo "make test    set up and run the whole test suite (PostgreSQL, Redis, Chromium)"
	@echo "make lint    ruff check and format check"
	@echo "make format  ruff fix and format"
	@echo "make messages  extract the French and English message catalogues"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment: install python3-venv (apt-get install python3-venv)."; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

compilemessages: venv
	@bash .ci/system-packages gettext
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv --verbosity 0

run: venv compilemessages
	@mkdir -p var
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	@echo ""
	@echo "QMI portal: http://$(HOST):$(PORT)/  (administration: http://$(HOST):$(PORT)/fr/admin/)"
	@echo "Ctrl-C stops the web server, the Celery worker and beat."
	DEBUG=true HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/honcho --procfile Procfile.dev start

system-test-deps:
	@bash .ci/system-packages gettext chromium fonts pdftools weasyprint wrk

services: venv
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) PYTHON=$(PY) bash .ci/services

test: venv system-test-deps services compilemessages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest --create-db $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: venv
	DEBUG=true $(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=node_modules --no-obsolete

migrate: venv
	DEBUG=true $(PY) manage.py migrate

shell: venv
	DEBUG=true $(PY) manage.py shell

clean:
	rm -rf var/db.sqlite3 var/celery-broker var/mail

# Benchmarks: one table, JSON under bench/results/ (see bench/README.md). Needs PostgreSQL
# and Redis like make test; uses its own database (qmi_bench) and Redis db (13).
.PHONY: bench
bench: venv services compilemessages
	@bash .ci/system-packages wrk || echo "wrk could not be installed: the Python load generator is used."
	$(PY) -m bench.run $(BENCH_ARGS)
