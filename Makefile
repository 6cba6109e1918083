# The two commands: `make run` and `make test`. Both set everything up first; every set-up step is
# stamped, so a second run skips what already exists.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PORT ?= 8000
# The address in the links the demo's messages carry (portal, unsubscribe): it follows PORT.
SITE_URL ?= http://127.0.0.1:$(PORT)
PY := $(VENV)/bin/python
BIN := $(CURDIR)/$(VENV)/bin
PYTEST_ARGS ?=
BENCH_ARGS ?=
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: setup system-packages run test lint format bench seed clean

# uv installs the pinned requirements in seconds; it comes from PyPI into the venv itself, so the
# only things a machine needs are Python 3.11 and npm.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	  || { echo "Prolo needs Python 3.11 (found: $$($(PYTHON) --version 2>&1)). Set PYTHON=/path/to/python3.11."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/.dirs:
	mkdir -p var/mail var/sms var/celery/queue var/celery/processed var/celery/control
	touch $@

setup: $(VENV)/.installed node_modules/.installed var/.dirs system-packages

# Pango/HarfBuzz and a font for the PDF papers, pdftotext for their tests: only what is missing.
system-packages:
	@.ci/system-packages

run: setup
	DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo --migrate
	@echo ""
	@echo "  Prolo is starting on $(SITE_URL) (gunicorn, 2 workers)"
	@echo "  Demo logins (password: prolo-demo, demo only): frontdesk, practitioner, admin"
	@echo "  Web, Celery worker, beat and the demo fake Stripe (127.0.0.1:$$(($(PORT) + 10000)), no card charged)"
	@echo "  run below; Ctrl-C stops all of them."
	@echo ""
	@# honcho gives each process its own PORT, hence WEB_PORT for the web process.
	PATH="$(BIN):$$PATH" DEBUG=1 WEB_PORT=$(PORT) SITE_URL=$(SITE_URL) $(BIN)/honcho start -f Procfile

# ruff, the import contracts of pyproject.toml [tool.importlinter] (which way apps may depend), then
# the types (mypy with django-stubs, [tool.mypy]: strict for services, selectors and the rules).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy clinic patients notifications treatments education billing bench

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup lint
	DJANGO_SETTINGS_MODULE=clinic.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench $(BENCH_ARGS)

seed: setup
	$(PY) manage.py seed_demo --migrate

clean:
	rm -rf var staticfiles
