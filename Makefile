# Two set-up commands: `make serve` and `make test`. Both create .venv and install
# the project with its dev extras when pyproject.toml is newer than the install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test check lint derive generate fuzz bench clean lint-spec drift bench-lint bench-mock

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/callflow-kit serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest

# Fuzz the mock's request parser and validator longer than `make test` does:
# 20,000 Hypothesis examples per target, about 5 minutes on 2 cores. Then run
# Schemathesis with a random seed, 300 cases per operation and phase, the coverage
# phase on every operation and 200 stateful scenarios.
fuzz: $(STAMP)
	CALLFLOW_KIT_FUZZ_EXAMPLES=20000 $(BIN)/pytest -q tests/test_mock_fuzz.py
	CALLFLOW_KIT_FUZZ=1 $(BIN)/pytest -q tests/test_schemathesis.py

derive: $(STAMP)
	$(BIN)/callflow-kit derive

generate: $(STAMP)
	$(BIN)/callflow-kit generate

# Code gates on hand-written code: formatter, linter, type checker.
check: $(STAMP)
	$(BIN)/ruff format --check generator mock_server tests
	$(BIN)/ruff check generator mock_server tests
	$(BIN)/mypy generator mock_server

# Lint the derived spec; fail on error-level findings.
lint-spec: $(STAMP)
	$(BIN)/callflow-kit lint

# Fail when spec/ or generated/ differ from a fresh derive and generate.
drift: $(STAMP)
	$(BIN)/callflow-kit check

# Time `callflow-kit lint` against Spectral 6 and Redocly CLI 2 (installed with npm
# under bench/) on Kazoo's spec; writes its section of docs/benchmarks.md.
bench-lint: $(STAMP)
	$(BIN)/python bench/lint/run.py

# Load-test the mock against Prism and a bare Starlette endpoint, by store size, time
# the build and profile the mock (installs wrk, Prism and the `bench` extra when
# missing); writes its section of docs/benchmarks.md. Takes about 9 minutes on 2 cores.
bench-mock: $(STAMP)
	$(BIN)/python -m bench.run

bench: bench-lint bench-mock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
