# fastdip: `make demo` runs the tour, `make test` runs the tests; each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
TOUR_DIR ?= tour
BENCH_ARGS ?=
PYTEST_ARGS ?=
# pytest-xdist on every core; a test file stays on one worker (its kernels compile once); files in the order
# tests/conftest.py gives them (the longest first), not xdist's by-test-count order
PYTEST_XDIST ?= -n auto --dist loadfile --no-loadscope-reorder --durations=25
# pip installs without byte-compiling every file it unpacks (~50 CPU-s, most of it torch modules nothing
# imports); make's own runs write the bytecode of what they do import, even where the shell sets
# PYTHONDONTWRITEBYTECODE, so the first run compiles it once and every later process starts warm.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --no-compile
RUN_ENV := PYTHONDONTWRITEBYTECODE=

.PHONY: demo test bench clean-venv browser

# Reinstall only when the package metadata or the pins change. The tour needs the package with its extras
# (`.[all]`); the tests add the peers and test tools (`dev`: OpenCV, scikit-image, playwright, ...), so a fresh
# `make demo` does not install them. `make test` first installs both and marks both done.
$(RUN_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e ".[all]" -c constraints.txt
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e ".[all,dev]" -c constraints.txt
	touch $(RUN_STAMP) $(STAMP)

demo: $(RUN_STAMP)
	$(RUN_ENV) $(BIN)/fastdip tour --out $(TOUR_DIR)

# The browser tests (tests/test_web_*.py) drive Debian's chromium through playwright's executable_path
# (playwright's own browser download is never used). As root (CI) a missing chromium is installed; otherwise
# this says how, and those tests skip with the reason.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	   || [ -n "$$FASTDIP_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium for the browser tests (apt-get)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
	  || echo "*** could not install chromium: the browser tests will be SKIPPED"; \
	else \
	  echo "*** chromium is missing: the browser tests will be SKIPPED. Install it with"; \
	  echo "***   sudo apt-get install -y --no-install-recommends chromium"; \
	  echo "*** or set FASTDIP_CHROMIUM=/path/to/chromium"; \
	fi

test: $(STAMP) browser
	$(RUN_ENV) $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

bench: $(STAMP)
	$(RUN_ENV) $(BIN)/python -m benchmarks $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
