# Polytraders: `make shadow` (set-up + the main job), `make test`, `make ui`, `make bench`.
# Set-up is a project-local virtual environment (.venv) and Dagster home (.dagster_home).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DAY ?= 2026-09-28
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: setup browser shadow test test-fast ui bench lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# dagster.yaml is a template: Dagster reads it only from DAGSTER_HOME.
$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

setup: $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml

shadow: setup
	$(BIN)/polytraders shadow --day $(DAY)

# Debian's chromium for the guide's browser test (driven by Playwright's Python client; no
# browser download): installed only when /usr/bin/chromium is missing, and only as root.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "browser: /usr/bin/chromium missing and not root: the browser test will be skipped"; fi; \
	fi

# The whole suite, slow end-to-end tests included, on both cores.
test: setup browser
	$(BIN)/ruff check polytraders polytraders_tests
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: setup
	$(BIN)/pytest -n 2 -m "not slow"

ui: setup
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

bench: setup
	$(BIN)/python benchmarks/bench_shadow.py --day $(DAY)
	$(BIN)/python benchmarks/bench_universe.py
	$(BIN)/polytraders shadow --day $(DAY)
	$(BIN)/python benchmarks/bench_risk.py --day $(DAY)
	$(BIN)/python benchmarks/bench_signing.py

clean:
	rm -rf $(VENV) $(DAGSTER_HOME) var .pytest_cache
