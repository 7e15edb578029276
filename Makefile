# Studio: `make run` serves the app, `make test` runs every test. Nothing else is needed.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STUDIO_INSTANCE ?= instance
HOST ?= 127.0.0.1
PORT ?= 8050
PYTEST_ARGS ?=
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
export STUDIO_INSTANCE
# Offline is fine: the demo's boundaries and the tests' real data ship in studio/data.

.PHONY: run test install install-test browser axe init demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser axe

## axe-core (npm), injected by the browser tests to check every page's accessibility (RGAA 4.1).
AXE_VERSION ?= 4.14.1
AXE_JS := build/node/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)

$(AXE_JS):
	@if ! command -v npm >/dev/null; then \
		echo "Installing npm (Debian package) for axe-core"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm || true; \
	fi
	@if command -v npm >/dev/null; then \
		npm install --no-save --no-audit --no-fund --silent --prefix build/node axe-core@$(AXE_VERSION); \
	else \
		echo "npm is missing: the accessibility checks of the browser tests will be skipped (failed under CI)"; \
	fi

## Chromium and its driver for the browser tests (Debian packages), where missing.
browser:
	@if ! command -v chromedriver >/dev/null || ! { command -v chromium || command -v chromium-browser || command -v google-chrome; } >/dev/null; then \
		echo "Installing Chromium and chromium-driver for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver; \
	fi

init: install
	$(BIN)/studio init

demo: init
	$(BIN)/studio demo --if-new

run: demo
	$(BIN)/studio run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/pytest --headless -p no:cacheprovider -rs $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check studio tests bench app.py

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
