# Two commands for a new user: `make backfill` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SEEDS  ?= seeds
DATA   ?= data
WORKERS ?= 1

.PHONY: backfill scrape demo schedule test test-fast lint format eval eval-gate bench compact clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	touch $@

$(VENV)/.installed-eval: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster,eval]'
	touch $@

backfill: $(VENV)/.installed
	$(BIN)/python -m jobs backfill $(SEEDS) --data $(DATA) --workers $(WORKERS)

# Scrape the enabled sources of jobs/sources.toml (SOURCE=name for one, enabled or not).
scrape: $(VENV)/.installed
	$(BIN)/python -m jobs scrape --data $(DATA) $(if $(SOURCE),--source $(SOURCE))

# Serve the fixture news site on 127.0.0.1 and scrape it into data/demo (no internet needed).
demo: $(VENV)/.installed
	$(BIN)/python -m jobs.demo

# Scrape every enabled source on its schedule (jobs/schedule.toml) until Ctrl-C or SIGTERM;
# the log also goes to $(DATA)/logs/schedule.log (rotated daily, 14 days kept).
.PHONY: schedule
schedule: $(VENV)/.installed
	$(BIN)/python -m jobs schedule --data $(DATA) --log-file $(DATA)/logs/schedule.log \
		$(if $(SOURCE),--source $(SOURCE))

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Everything but the tests marked slow (subprocesses, kills, a running scheduler), then ruff.
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -q -m "not slow"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: $(VENV)/.installed-eval
	$(BIN)/python tools/eval.py --gate

# The project alone against the regression floors (no baselines to install): what CI runs.
eval-gate: $(VENV)/.installed
	$(BIN)/python tools/eval.py --gate --baselines none

# Throughput and memory benchmark (issue 6): extraction beside trafilatura, pipeline with 1 and 2
# workers, dedup index of 1M articles, 100k backfill layout. BENCH_ARGS=--quick for a smoke test.
bench: $(VENV)/.installed-eval
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

compact: $(VENV)/.installed
	$(BIN)/python -m jobs compact --data $(DATA)
