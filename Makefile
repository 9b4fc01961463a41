# ttx — two commands: `make demo` (the main job) and `make test` (lint, types, tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_SCENARIO ?= scenarios/monsoon-drift

.PHONY: demo demo-headless test lint typecheck pytest system-packages bench bench-postgres schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

DEMO_SESSION ?= demo.ttx
DEMO_SCRIPT ?= $(DEMO_SCENARIO)/scripts/rescue-and-screen.yaml

## demo: set up, check MONSOON DRIFT, and open the facilitator console on a fresh session (60x speed)
demo: $(STAMP)
	$(BIN)/ttx validate $(DEMO_SCENARIO)
	$(BIN)/ttx lint --strict $(DEMO_SCENARIO)
	rm -rf $(DEMO_SESSION) $(DEMO_SESSION)-wal $(DEMO_SESSION)-shm $(DEMO_SESSION).lock $(DEMO_SESSION).drafts
	$(BIN)/ttx run $(DEMO_SCENARIO) --session $(DEMO_SESSION) --speed 60

## demo-headless: play MONSOON DRIFT to its end without a UI, with a scripted set of players
demo-headless: $(STAMP)
	$(BIN)/ttx msel $(DEMO_SCENARIO) --day 1
	rm -rf $(DEMO_SESSION)-headless $(DEMO_SESSION)-headless-wal $(DEMO_SESSION)-headless-shm
	$(BIN)/ttx run $(DEMO_SCENARIO) --session $(DEMO_SESSION)-headless --headless --speed max --script $(DEMO_SCRIPT)
	$(BIN)/ttx verify $(DEMO_SESSION)-headless

## test: set up, then ruff, mypy and the whole test suite
test: $(STAMP) system-packages lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check ttx tests bench
	$(BIN)/ruff format --check ttx tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# tmux drives the terminal UI in end-to-end tests; chromium renders HTML reports; postgresql's initdb and
# pg_ctl start the throwaway servers of the PostgreSQL tests (Debian keeps them in /usr/lib/postgresql/*/bin).
PG_BIN = $(firstword $(wildcard /usr/lib/postgresql/*/bin/pg_ctl))
system-packages:
	@missing=""; \
	command -v tmux >/dev/null 2>&1 || missing="$$missing tmux"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; } || [ -n "$(PG_BIN)" ] \
	  || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing system packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing; tests that need them will say so"; \
	  else \
	    echo "warning: missing$$missing and cannot apt-get install; tests that need them will say so"; \
	  fi; \
	fi

## bench: print the benchmark figures
bench: $(STAMP)
	$(BIN)/python bench/help_speed.py
	$(BIN)/python bench/validate_speed.py
	$(BIN)/python bench/import_speed.py
	$(BIN)/python bench/headless_speed.py
	$(BIN)/python bench/append_speed.py
	$(BIN)/python bench/fold_speed.py
	$(BIN)/python bench/console_speed.py
	$(BIN)/python bench/report_speed.py
	$(BIN)/python bench/serve_speed.py
	$(BIN)/python bench/postgres_speed.py
	$(BIN)/python bench/postgres_serve_speed.py
	$(BIN)/python bench/heartbeat_speed.py

## bench-postgres: only the PostgreSQL store's figures (starts its own throwaway server)
bench-postgres: $(STAMP)
	$(BIN)/python bench/postgres_speed.py
	$(BIN)/python bench/postgres_serve_speed.py

## schema: regenerate the committed JSON Schemas after changing the models (scenario files, then JSON outputs)
schema: $(STAMP)
	$(BIN)/ttx schema -o ttx/schemas/scenario.schema.json
	$(BIN)/ttx schema --kind injects -o ttx/schemas/injects.schema.json
	$(BIN)/ttx schema --kind report -o ttx/schemas/report.schema.json
	$(BIN)/ttx schema --kind compare -o ttx/schemas/compare.schema.json
	$(BIN)/ttx schema --kind replay-state -o ttx/schemas/replay-state.schema.json
	$(BIN)/ttx schema --kind status -o ttx/schemas/status.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
