# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test lint typecheck imports pytest venv clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	tools/ci/focus-validator-up.sh >/dev/null
	tools/ci/skypilot-venv.sh >/dev/null
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/tender validate examples/frontier-lab.yaml
	$(BIN)/tender plan examples/frontier-lab.yaml --out $(OUT)/
	$(BIN)/tender plan examples/frontier-lab.yaml --robust --samples 10 --eval-samples 200 --workers 2 \
		--json $(OUT)/risk.json --report $(OUT)/risk.html

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup $(PYTEST_ARGS)

test: lint typecheck imports pytest

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache
