# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_CUSTOMERS ?= 10000
HOST ?= 127.0.0.1
PORT ?= 8000
export KUNDEBASE_DATA_DIR ?= $(CURDIR)/var

.PHONY: venv demo test lint check-system messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(BIN)/kundebase migrate --noinput -v 0
	$(BIN)/kundebase demo --customers $(DEMO_CUSTOMERS) --if-empty
	$(BIN)/kundebase match run --full --if-never-run
	echo "kundebase-demo-2026" | $(BIN)/kundebase createuser demo --role administrator --password-stdin --update
	@echo ""
	@echo "  Kundebase is starting at http://$(HOST):$(PORT)/"
	@echo "  Sign in as: demo / kundebase-demo-2026"
	@echo ""
	$(BIN)/kundebase serve --host $(HOST) --port $(PORT)

lint: venv
	$(BIN)/ruff check src tests benchmarks
	PYTHONPATH=src KUNDEBASE_ENV=test $(BIN)/mypy src

check-system:
	bash scripts/system-packages.sh

test: venv check-system lint
	$(BIN)/python -m tests.suite
