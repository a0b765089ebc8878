# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
# The interpreter: Python 3.13 or 3.12, found by .ci/find-python (3.11 crashes, issue 20).
# `make run PYTHON=/path/to/python3.13` picks one by hand.
PYTHON ?=
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
# Dependencies come from lock files with hashes (requirements/*.txt, made by `make lock`
# from pyproject.toml), installed by uv: the runtime ones for `make run`, the test tools
# too for `make test`. The forum itself is run from this folder, not installed. Installed
# packages are compiled to bytecode at once (uv does not by default): a process that has to
# compile them on import (PYTHONDONTWRITEBYTECODE, or a read-only venv as under systemd)
# spent 3.0 s of CPU making the app instead of 1.1 s.
RUN_LOCK := requirements/runtime.txt
TEST_LOCK := requirements/test.txt
UV_INSTALL = $(BIN)/uv pip install --python $(BIN)/python --quiet --require-hashes --no-deps \
	--compile-bytecode

.PHONY: run test test-sqlite test-postgres test-browser install install-test npm-tools demo \
	lint clean lock bench-data bench bench-smoke

# A virtualenv on Python 3.13/3.12 (made again if it holds another version).
$(VENV)/.python:
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' 2>/dev/null; then \
	  rm -rf $(VENV); py=$$(PYTHON="$(PYTHON)" .ci/find-python) || exit 1; \
	  echo "== creating $(VENV) with $$py"; $$py -m venv --without-pip $(VENV); \
	fi
	@touch $@

# uv: the one on PATH, else installed into the venv from its own hashed lock (by the base
# interpreter's pip when it has one, which spares setting up pip in the venv).
$(BIN)/uv: $(VENV)/.python requirements/tools.txt
	@if command -v uv >/dev/null 2>&1; then ln -sf "$$(command -v uv)" $@; else \
	  base=$$($(BIN)/python -c 'import sys; print(sys._base_executable)'); \
	  pip="$$base -m pip --python $(BIN)/python"; \
	  if ! $$pip --version >/dev/null 2>&1; then \
	    $(BIN)/python -m ensurepip --default-pip >/dev/null && pip="$(BIN)/python -m pip"; fi; \
	  $$pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
	    -r requirements/tools.txt; fi
	@touch $@

$(VENV)/.runtime: $(RUN_LOCK) $(BIN)/uv
	$(UV_INSTALL) -r $(RUN_LOCK)
	@touch $@

$(VENV)/.test: $(TEST_LOCK) $(VENV)/.runtime
	$(UV_INSTALL) -r $(TEST_LOCK)
	@touch $@

install: $(VENV)/.runtime
install-test: $(VENV)/.test

# After changing dependencies in pyproject.toml: pin them again (needs the network).
lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.12 --generate-hashes \
	  --no-header --quiet -o $(RUN_LOCK)
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.12 \
	  --generate-hashes --no-header --quiet -o $(TEST_LOCK)
	$(BIN)/uv pip compile requirements/tools.in --universal --python-version 3.12 \
	  --generate-hashes --no-header --quiet -o requirements/tools.txt

node_modules/.installed: package.json
	npm install --no-audit --no-fund --ignore-scripts --silent
	@touch $@

npm-tools: node_modules/.installed

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask forum demo
	@echo
	@echo "  The forum is at http://127.0.0.1:5000"
	@if [ -f instance/demo_admin.txt ]; then echo "  Local admin login (email and password): $$(cat instance/demo_admin.txt)"; fi
	@echo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

demo: install
	$(BIN)/flask db upgrade
	$(BIN)/flask forum demo

# The whole suite: SQLite, then PostgreSQL when TEST_DATABASE_URL is set, browser tests included.
# Browser and service tests (tests/service: nginx, two gunicorns, PostgreSQL, Redis) run once.
# pytest-xdist runs a process per core, a test file per process at a time (loadfile: a file's
# Redis database and live server stay its own), except the route x role matrix, shared out in
# parts (tests/conftest.py, SHARED_OUT); each worker has its own SQLite file and
# PostgreSQL database (tests/conftest.py). `make test WORKERS=0` runs in one process.
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider -q $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadfile)
test: install-test npm-tools
	$(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
	  FORUM_TEST_DB=postgres $(PYTEST) -m "not browser and not service"; \
	fi

# Benchmarks (bench/README.md), on a PostgreSQL database whose contents they replace.
# `make bench-data SCALE=0.01` for a quick data set; `make bench` serves it and runs wrk.
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench
bench-data: install-test
	$(BIN)/python bench/generate.py --database-url $(BENCH_DATABASE_URL) --scale $(or $(SCALE),1)

# Each page in three rounds beside the baseline, their medians (bench/README.md, "Load runs").
BENCH_ARGS ?= --repeat 3
bench: install-test
	$(BIN)/python bench/run.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)
	.ci/check-crashes bench/results/gunicorn-*.log

# CI's short load run: a small data set, 15 s of the mixed load under gunicorn, then the
# worker logs are read for crashes (issue 20). Uses its own database, never forum_bench.
SMOKE_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench_smoke
bench-smoke: install-test
	@createdb -h 127.0.0.1 -U postgres forum_bench_smoke 2>/dev/null || true
	$(BIN)/python bench/generate.py --database-url $(SMOKE_DATABASE_URL) --scale 0.002
	$(BIN)/python bench/mixed.py --database-url $(SMOKE_DATABASE_URL) --seconds 15 --members 16
	.ci/check-crashes bench/results/gunicorn-mixed.log

clean:
	rm -rf $(VENV) node_modules .pytest_cache
