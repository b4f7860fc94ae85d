# Two set-up commands: `make serve` and `make test`. Both create .venv and install
# the project with its dev extras when pyproject.toml is newer than the install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test check lint derive generate fuzz bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/callflow-kit serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest

derive: $(STAMP)
	$(BIN)/callflow-kit derive

generate: $(STAMP)
	$(BIN)/callflow-kit generate

# Code gates on hand-written code: formatter, linter, type checker.
check: $(STAMP)
	$(BIN)/ruff format --check generator mock_server tests
	$(BIN)/ruff check generator mock_server tests
	$(BIN)/mypy generator mock_server

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
