# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-postgres test-browser install npm-tools demo lint clean \
	bench-data bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

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
test: install npm-tools
	$(BIN)/python -m pytest -p no:cacheprovider -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
	  FORUM_TEST_DB=postgres $(BIN)/python -m pytest -p no:cacheprovider -q -m "not browser"; \
	fi

# Benchmarks (bench/README.md), on a PostgreSQL database whose contents they replace.
# `make bench-data SCALE=0.01` for a quick data set; `make bench` serves it and runs wrk.
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench
bench-data: install
	$(BIN)/python bench/generate.py --database-url $(BENCH_DATABASE_URL) --scale $(or $(SCALE),1)

bench: install
	$(BIN)/python bench/run.py --database-url $(BENCH_DATABASE_URL)

clean:
	rm -rf $(VENV) node_modules .pytest_cache
