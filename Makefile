# Facial Spasm Guide: `make run` serves the skill, `make test` passes the tests.
# Both set everything up on a fresh machine (Python venv, project, npm tools).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
ARGS ?=

.PHONY: run test check lint model audio bench eval fuzz load lambda clean system-packages

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NPM_STAMP): package.json
	npm install --no-audit --no-fund --silent
	touch $(NPM_STAMP)

run: $(STAMP)
	$(BIN)/spasm-guide serve $(ARGS)

# Debian packages the tests need: installed when root, else one command to run, then stop.
system-packages:
	bash .ci/system-packages

test: system-packages $(STAMP) $(NPM_STAMP)
	$(BIN)/ruff check .
	$(BIN)/spasm-guide check
	$(PY) -m pytest -q $(ARGS)

check: $(STAMP)
	$(BIN)/spasm-guide check

lint: $(STAMP)
	$(BIN)/ruff check .

model: $(STAMP)
	$(BIN)/spasm-guide model

# The published recordings, into audio/output/: flite's "slt" voice, whose licence allows it (audio/LICENSES.md).
audio: $(STAMP)
	$(BIN)/spasm-guide build-audio --engine flite $(ARGS)

# 50,000 fresh random examples against POST /alexa (`make test` runs 2,000 fixed ones).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(PY) -m pytest -q tests/test_fuzz.py $(ARGS)

# 50 clients for 30 s against a `spasm-guide serve` it starts on loopback (ARGS: --clients, --seconds, --url).
load: $(STAMP)
	$(PY) bench/load.py $(ARGS)

# How well people's own words are understood: the held-out set through the text resolver (~10 s).
eval: $(STAMP)
	$(PY) bench/understanding.py $(ARGS)

# Ratios against a minimal reference skill, HTTP load, memory, audio; writes bench/results.json (~1-2 min).
bench: $(STAMP)
	$(PY) bench/run.py $(ARGS)

lambda: $(STAMP)
	$(PY) -m skill.aws_lambda.package build/lambda

clean:
	rm -rf build .pytest_cache .ruff_cache
