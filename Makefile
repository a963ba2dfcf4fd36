# fastdip: `make demo` runs the tour, `make test` runs the tests; each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOUR_DIR ?= tour
BENCH_ARGS ?=
PYTEST_ARGS ?=
# pytest-xdist on every core; a test file stays on one worker (its kernels compile once)
PYTEST_XDIST ?= -n auto --dist loadfile --durations=25

.PHONY: demo test bench clean-venv

# Reinstall only when the package metadata or the pins change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[all,dev]" -c constraints.txt
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fastdip tour --out $(TOUR_DIR)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
