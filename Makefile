# Sifu — two commands: `make demo` and `make test` (README Quick start).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
VENDOR := sifu/web/static/vendor

.PHONY: help demo test setup assets db serve lint test-sqlite test-postgres test-browser messages clean bench

help:
	@echo "make demo   set up everything and serve the Nanshan demo on http://127.0.0.1:8000 (with a job worker)"
	@echo "make test   lint and the whole test suite (SQLite; PostgreSQL and browser tests when available)"

# A Python >= 3.12 interpreter: $(PYTHON) if given, else the first suitable one on PATH or in pyenv.
$(STAMP): requirements/dev.txt
	@bash scripts/ensure-venv.sh "$(VENV)"
	$(PIP) install --disable-pip-version-check -q -r requirements/dev.txt
	@touch $(STAMP)

setup: $(STAMP) assets

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the front-end assets: install Node.js >= 18 (apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)
	@cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	@cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js

db: setup
	SIFU_DEBUG=1 $(PY) manage.py migrate --no-input -v0
	SIFU_DEBUG=1 $(PY) manage.py seed_demo

# The web server and a background-job worker (imports, large exports); Ctrl-C stops both.
demo: db
	@PY=$(PY) bash scripts/demo.sh 127.0.0.1:8000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v1
	$(PY) manage.py check
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_boundaries.py

test: setup lint
	@bash scripts/run-tests.sh

bench: setup
	$(PY) -m bench.run

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=node_modules
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles
