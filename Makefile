# mlkube's commands. Each target creates or reuses .venv by itself, so a fresh
# machine with only Python, Go and the package registries can run any of them.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv demo test check lint format types layers bench bench-real e2e e2e-long clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The virtualenv is rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create or update .venv

demo: $(STAMP) ## a real ML pipeline and simulated GPU jobs on the embedded cluster (in .demo/)
	@$(PY) -m mlkube.cli.demo

test: $(STAMP) ## the whole suite: unit and embedded conformance
	@$(PY) -m pytest -m "not e2e" -p no:cacheprovider $(PYTEST_ARGS)

check: lint types layers ## lint, types and layers

lint: $(STAMP)
	@$(VENV)/bin/ruff check src tests benchmarks
	@$(VENV)/bin/ruff format --check src tests benchmarks

format: $(STAMP) ## apply ruff's fixes and formatting
	@$(VENV)/bin/ruff check --fix src tests benchmarks
	@$(VENV)/bin/ruff format src tests benchmarks

types: $(STAMP)
	@$(VENV)/bin/mypy

layers: $(STAMP)
	@$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP) ## the benchmarks (figures go to BENCHMARKS.md by hand, with machine and date)
	@$(PY) benchmarks/run.py

bench-real: $(STAMP) ## the API and scheduler benchmarks on the embedded cluster and real Kubernetes, with ratios
	@bash tools/kubecluster/build.sh >/dev/null
	@$(PY) benchmarks/bench_real.py

e2e: $(STAMP) ## build the real control plane once (cached) and run the shared scenarios against it
	@bash tools/kubecluster/build.sh >/dev/null
	@$(PY) -m pytest -m e2e -p no:cacheprovider tests/e2e tests/unit/platform/test_real_cluster.py $(PYTEST_ARGS)

e2e-long: $(STAMP) ## e2e with 2,000 differential scheduling cases
	@bash tools/kubecluster/build.sh >/dev/null
	@MLKUBE_DIFF_CASES=2000 $(PY) -m pytest -m e2e -p no:cacheprovider tests/e2e tests/unit/platform/test_real_cluster.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
