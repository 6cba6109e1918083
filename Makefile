# The two commands: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PORT ?= 8000
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: setup run test lint format bench seed clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/.dirs:
	mkdir -p var/mail var/sms var/celery/queue var/celery/processed
	touch $@

setup: $(VENV)/.installed node_modules/.installed var/.dirs

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo ""
	@echo "  Prolo is starting on http://127.0.0.1:$(PORT)"
	@echo "  Demo logins (password: prolo-demo, demo only): frontdesk, practitioner, admin"
	@echo "  Web, Celery worker and beat run below; Ctrl-C stops all of them."
	@echo ""
	DEBUG=1 WEB_PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup lint
	DJANGO_SETTINGS_MODULE=clinic.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench $(BENCH_ARGS)

seed: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

clean:
	rm -rf var staticfiles
