# The two commands of the quick start: `make run` and `make test`.
VENV ?= .venv
MESSAGES_TMP := $(shell mktemp -d 2>/dev/null || echo /tmp)
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup run test test-browser test-fast lint messages chromium clean lock

setup: $(VENV)/.installed

# Installs exactly the locked versions, each checked against its hash
# (requirements-dev.lock holds the runtime's requirements.lock and the tools).
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# After changing requirements.txt or requirements-dev.txt: pin every package
# they need, with hashes. A team server installs requirements.lock.
LOCK = $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links
lock: setup
	$(LOCK) -o requirements.lock requirements.txt
	$(LOCK) -o requirements-dev.lock requirements-dev.txt

# Sets up, migrates, creates an admin on first run, starts the sandbox
# Altcraft (unless ALTCRAFT_API_URL points elsewhere) and the app.
run: setup
	scripts/run

# Every test, browser ones included (they skip, saying why, without Chromium).
test: setup chromium
	$(VENV)/bin/pytest

test-fast: setup
	$(VENV)/bin/pytest -m "not browser"

test-browser: setup chromium
	$(VENV)/bin/pytest -m browser

lint: setup
	$(VENV)/bin/ruff check .

# Russian translations: collect the marked strings into locale/ru/.../django.po
# (Django's makemessages for Python and Django templates, Jinja2's own extractor
# for the .jinja rows: makemessages cannot read Jinja2), then compile django.mo.
# Both are committed, so running the app needs no gettext; tests/test_i18n.py
# fails when the .mo lags behind the .po.
messages: setup
	cp locale/ru/LC_MESSAGES/django.po $(MESSAGES_TMP)/before.po
	DEBUG=true $(PY) manage.py makemessages -l ru --keep-pot --add-location=file \
	  --ignore=$(VENV) --ignore=staticfiles --ignore=tests --ignore=benchmarks
	$(PY) scripts/jinja_pot.py > $(MESSAGES_TMP)/jinja.pot
	msgcat --use-first locale/django.pot $(MESSAGES_TMP)/jinja.pot -o $(MESSAGES_TMP)/all.pot
	msgmerge --quiet --no-fuzzy-matching --add-location=file \
	  -o locale/ru/LC_MESSAGES/django.po $(MESSAGES_TMP)/before.po $(MESSAGES_TMP)/all.pot
	rm -f locale/django.pot
	DEBUG=true $(PY) manage.py compilemessages -l ru --ignore=$(VENV) --ignore=staticfiles

# The performance benchmarks (benchmarks/run.py): one table of figures, baselines and
# budgets, also written to benchmarks/results.md. About 5 minutes; needs PostgreSQL
# on 127.0.0.1:5432 (BENCH_POSTGRES_URL to use another) and wrk (installed if missing).
bench: setup bench-tools
	$(PY) -m benchmarks.run

bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is not installed (apt-get install wrk): throughput is measured with Python threads."; fi; }
	@pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || { \
	  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then \
	    pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
	    for _ in $$(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; \
	  fi; }

# Browser tests use Debian's Chromium (no browser download works here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is not installed (apt-get install chromium): browser tests will be skipped."; fi; }

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
