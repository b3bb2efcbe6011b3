# callsim: set-up and the everyday commands. Everything installs into .venv.
#   make demo   install, then simulate the shipped peak-day scenario
#   make test   install, then lint, type-check and run the whole test suite (what CI runs)
#   make bench  install, then run the benchmarks (the engines beside SimPy and Ciw,
#               Erlang, start-up, memory, executors, a week's staffing search)
#   make gallery  regenerate docs/gallery (README figures, A4 prints of the pages)
#   make docs   install, regenerate the reference pages, execute the notebooks, build
#               the documentation site into site/ (warnings fail)
# PYTHON and VENV may be given, e.g. `make test PYTHON=python3.13 VENV=.venv-3.13`.

# The first Python >= 3.12 found (pyworkforce >= 0.5.4 needs it).
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench docs gallery clean

$(BIN)/callsim: pyproject.toml
	@test -n "$(PYTHON)" || { echo "callsim needs Python >= 3.12 (none found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -c 'from simulator.sim.fast import warm; print(warm())'
	@touch $@

install: $(BIN)/callsim

demo: install
	$(BIN)/callsim run scenarios/peak_day.yaml

# loadgroup: the notebook tests and the site build share a worker, in that order, so
# the site shows the notebooks the tests executed (see tests/test_notebooks.py).
test: install lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# Lint, format, types and the layer contracts (part of `make test`, so of CI).
lint: install
	$(BIN)/ruff check simulator tests benchmarks docs/*.py
	$(BIN)/ruff format --check simulator tests benchmarks docs/*.py
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_erlang.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_memory.py
	$(BIN)/python benchmarks/bench_memory.py --engine simpy
	$(BIN)/python benchmarks/bench_executors.py
	$(BIN)/python benchmarks/bench_week.py --staff

# The README's figures and A4 prints of report/staff/compare.html (needs chromium and
# poppler-utils for the prints); tests/test_gallery.py checks they are current.
gallery: install
	$(BIN)/python docs/gallery/generate.py

docs: install
	$(BIN)/python docs/generate.py
	rm -rf build/notebooks
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) build site *.egg-info
