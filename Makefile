# Samsyn — the two commands of the README:
#   make run    set up a virtualenv, install, start the app on http://127.0.0.1:8866
#   make test   set up everything the tests need (Chromium, PostgreSQL) and run them all
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

.PHONY: run test setup setup-test system-test-deps bench cases-check clean

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

setup-test: $(VENV)/.installed-test system-test-deps

## Debian's Chromium for the browser tests and a PostgreSQL server for the
## store tests (the tests start their own throwaway cluster on loopback).
system-test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
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

cases-check: setup
	$(VENV)/bin/samsyn cases check

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
