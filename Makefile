# Samsyn — the two commands of the README:
#   make run    set up a virtualenv, install, start the app on http://127.0.0.1:8866
#   make test   set up everything the tests need (Chromium, PostgreSQL, a JupyterHub) and run them all
#
# Works on a fresh Debian machine with Python 3.11. System packages come from
# Debian (apt-get, as root or through sudo); Python packages from PyPI.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?=
PYTEST_ARGS ?=

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT  := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

CHP    := $(VENV)/chp/node_modules/.bin/configurable-http-proxy

.PHONY: run test setup setup-test system-test-deps bench cases-check author screenshots clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test system-test-deps $(CHP)

## The JupyterHub proxy for tests/deploy/test_hub.py, pinned by its lock file, installed
## locally under the virtualenv (never globally).
$(CHP): tests/deploy/chp/package.json tests/deploy/chp/package-lock.json | system-test-deps $(PY)
	mkdir -p $(VENV)/chp
	cp tests/deploy/chp/package.json tests/deploy/chp/package-lock.json $(VENV)/chp/
	cd $(VENV)/chp && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Debian's Chromium for the browser tests, a PostgreSQL server for the store tests
## (the tests start their own throwaway cluster on loopback), Node.js and npm for the
## hub's proxy, and the sqlite3 shell for the backup steps of docs/deploy.md.
system-test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	command -v sqlite3 >/dev/null 2>&1 || missing="$$missing sqlite3"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(APT) update -qq && $(APT) install -y -qq --no-install-recommends $$missing; \
	fi

# SAMSYN_PORT (and every other setting) comes from the environment; PORT=… passes --port.
run: setup
	$(VENV)/bin/samsyn serve $(if $(PORT),--port $(PORT))

test: setup-test
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup-test
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## The README's images: the browser tests write them under tests/artifacts/screenshots
## (make test never touches docs/); this runs those tests and copies the images over.
screenshots: setup-test
	$(PY) -m pytest -q tests/browser/test_trainee_flow.py tests/browser/test_manager.py
	cp tests/artifacts/screenshots/*.png docs/screenshots/

cases-check: setup
	$(VENV)/bin/samsyn cases check

## JupyterLab for writing cases (see README, "Write your own case")
author: setup
	$(VENV)/bin/samsyn author

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
