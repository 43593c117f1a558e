# Kata: `make run` for a demo, `make test` for the whole test suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test worker beat serve lint format messages bench clean

$(PY):
	@python=$$(scripts/find_python.sh) || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## run: install, migrate, seed the demo, then what production runs: the web server on
## http://127.0.0.1:8000, a Celery worker and beat (the rollup, reminders, award
## closing, anonymisation) over a broker of files in .celery/; one Ctrl-C stops all
run: $(VENV)/.installed
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) scripts/run_dev.py --host $(HOST) --port $(PORT)

## test: install and run the whole test suite, on every core (pytest-xdist), printing
## the 25 slowest tests; PYTEST_ARGS adds options (e.g. -m, or -n 0 for one process)
test: $(VENV)/.installed
	$(PY) -m pytest -n auto --durations=25 $(PYTEST_ARGS)

## worker / beat: Celery processes for production (production settings, need REDIS_URL)
worker: $(VENV)/.installed
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(VENV)/.installed
	$(BIN)/celery -A config beat --loglevel=INFO

## serve: production web server (needs DJANGO_SETTINGS_MODULE=config.settings.production)
serve: $(VENV)/.installed
	$(PY) manage.py collectstatic --no-input
	$(BIN)/gunicorn config.wsgi --bind 0.0.0.0:$(PORT) --workers 3

## bench: the benchmark suite (bench/README.md): sizes S and M on SQLite and on
## PostgreSQL (needs PostgreSQL and Redis on 127.0.0.1), and L on PostgreSQL with
## BENCH_L=1; BENCH_ARGS adds options (e.g. --repeat 1); tables in bench/results/
bench: $(VENV)/.installed
	@status=0; started=$$(date +%s); \
	for run in "sqlite S" "postgres S" "sqlite M" "postgres M" $(if $(BENCH_L),"postgres L"); do \
		set -- $$run; \
		$(PY) bench/run.py --db $$1 --size $$2 $(BENCH_ARGS) || status=1; \
	done; \
	echo "make bench took $$(( ($$(date +%s) - started) / 60 )) min"; \
	exit $$status

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## messages: refresh and compile translations (needs GNU gettext)
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale ja --locale en --ignore '.venv/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
