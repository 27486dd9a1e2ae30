# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test install lint browser bench clean lock

# Installs exactly what requirements.lock pins, checked against its hashes; the
# project itself goes in editable, without letting pip resolve anything else.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PIP_CONSTRAINT= $(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

## make lock: pin the versions pyproject.toml allows, with hashes (after editing it)
lock:
	test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(BIN)/pip install --quiet uv; }
	$(BIN)/uv pip compile --quiet --generate-hashes --extra test --python-version 3.11 \
	  --no-emit-index-url -o requirements.lock pyproject.toml

install: $(VENV)/.installed

## make run: install, migrate, seed the demo, serve on http://127.0.0.1:$(PORT)/
run: install
	$(BIN)/context-service migrate
	$(BIN)/context-service seed-demo
	$(BIN)/gunicorn -c gunicorn.conf.py context_service.wsgi:app

## make test: lint and the whole suite (browser tests included) on SQLite, or on
## PostgreSQL when TEST_DATABASE_URL names one.
## (TEST_WORKERS processes, default 2: a test file stays in one process)
TEST_WORKERS ?= 2
test: install browser
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium (Playwright) and Debian's firefox-esr (tests/firefox:
# puppeteer-core from npm, which never downloads a browser). Whatever is missing is installed
# once if we may; npm runs only when tests/firefox/node_modules is older than its lock file.
FIREFOX_FLOWS := tests/firefox
browser:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/bin/firefox-esr || missing="$$missing firefox-esr"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Browser tests need:$$missing (sudo apt-get install$$missing)"; fi; fi
	@test $(FIREFOX_FLOWS)/node_modules/.package-lock.json -nt $(FIREFOX_FLOWS)/package-lock.json \
	  || ! command -v npm >/dev/null \
	  || (cd $(FIREFOX_FLOWS) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit \
	      --no-fund --loglevel=error) \
	  || { rm -rf $(FIREFOX_FLOWS)/node_modules; \
	       echo "npm ci in $(FIREFOX_FLOWS) failed: the Firefox test skips (fails with REQUIRE_BROWSER)"; }

## make bench: small sizes; BENCH_FULL=1 make bench: 2,000 streams, a burst of 2,000 tasks
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/sockets.py
	$(BIN)/python bench/signin_flood.py

clean:
	rm -rf $(VENV) instance .pytest_cache
