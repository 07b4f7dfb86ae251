# bimcheck: `make demo` runs a real check on the bundled sample; `make test` runs every check CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck contracts pytest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/bimcheck check samples/demo-house.ifc \
		-r requirements/se-housing-information.yaml -r samples/demo-house.ids \
		-o console -o json:out/demo-report.json; \
	status=$$?; test $$status -le 1 || exit $$status
	@echo "reports written under out/"

lint: $(STAMP)
	$(BIN)/ruff check bimcheck tests
	$(BIN)/ruff format --check bimcheck tests

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -n 2 -q

test: lint typecheck contracts pytest

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
