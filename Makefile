# bimcheck: `make demo` runs a real check on the bundled sample; `make test` runs every check CI runs.
# Both create the virtual environment in .venv on first use; nothing needs installing by hand.

# Python 3.11 or newer: python3.11 when it is on the PATH, else python3 (checked below).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

DEMO_MODEL := samples/demo-house.ifc
DEMO_RULES := requirements/se-housing-information.yaml requirements/se-housing-function.yaml samples/demo-house.ids
DEMO_ARGS  := check $(DEMO_MODEL) $(addprefix -r ,$(DEMO_RULES))

.PHONY: demo test lint typecheck contracts pytest samples clean bench bench-smoke fuzz

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "bimcheck needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1). Use make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The check exits 1 because the sample has deliberate defects; only 2 or 3 (broken input) fail the demo.
demo: $(STAMP)
	@mkdir -p out
	$(BIN)/bimcheck $(DEMO_ARGS) -o console \
		-o console:out/demo-house.console.txt -o json:out/demo-house.json; \
	status=$$?; test $$status -le 1 || exit $$status
	@echo "reports written to out/demo-house.console.txt and out/demo-house.json"

lint: $(STAMP)
	$(BIN)/ruff check bimcheck tests samples benchmarks fuzz
	$(BIN)/ruff format --check bimcheck tests samples benchmarks fuzz

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -n auto -q

test: lint typecheck contracts pytest

# Regenerate the sample model and the expected reports committed under samples/expected/.
samples: $(STAMP)
	$(BIN)/python samples/make_samples.py
	$(MAKE) --no-print-directory demo >/dev/null
	cp out/demo-house.console.txt out/demo-house.json samples/expected/

# The benchmark suite (benchmarks/README.md): the full run takes about twenty minutes on two cores and
# writes benchmarks/results/latest-full.md; the smoke run measures everything once on tiny models.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

bench-smoke: $(STAMP)
	$(BIN)/python benchmarks/run.py --smoke

# The mutation fuzzer (fuzz/README.md) on demand: FUZZ_ITERATIONS mutants of the samples from
# FUZZ_SEED, on two workers; crashes and a summary under out/fuzz. CI runs 150 (tests/test_fuzz_smoke.py).
FUZZ_ITERATIONS ?= 5000
FUZZ_SEED ?= 1
fuzz: $(STAMP)
	$(BIN)/python -m fuzz.run --iterations $(FUZZ_ITERATIONS) --seed $(FUZZ_SEED) --jobs 2 --out out/fuzz

clean:
	rm -rf $(VENV) out test-artifacts .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
