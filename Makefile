# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test install lint browser bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## make run: install, migrate, seed the demo, serve on http://127.0.0.1:$(PORT)/
run: install
	$(BIN)/context-service migrate
	$(BIN)/context-service seed-demo
	$(BIN)/gunicorn -c gunicorn.conf.py context_service.wsgi:app

## make test: lint and the whole suite (browser tests included) on SQLite, or on
## PostgreSQL when TEST_DATABASE_URL names one.
test: install browser
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium; install it once if we may.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need /usr/bin/chromium: sudo apt-get install chromium"; fi; }

## make bench: small sizes; BENCH_FULL=1 make bench: 2,000 streams, a burst of 2,000 tasks
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/sockets.py
	$(BIN)/python bench/signin_flood.py

clean:
	rm -rf $(VENV) instance .pytest_cache
