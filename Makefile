# hongan_visits: development and CI entry points. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
STAMP := $(VENV)/.installed
ARTIFACTS := $(CURDIR)/test-artifacts
RUN_ADDR ?= 127.0.0.1:8000
# Extra arguments for pytest, e.g. make test-sqlite PYTEST_ARGS="-k import -x"
PYTEST_ARGS ?=

# Tests run the production settings (DEBUG off, manifest static storage, secure
# cookies) with only what a test run must change: a fixed key, no HTTPS redirect,
# tasks run inline, and files written under test-artifacts/. For the PostgreSQL run,
# with-postgres.sh replaces DATABASE_URL and with-s3.sh stores the files in a
# throwaway S3-compatible server (STORAGE_BACKEND=s3): SQLite runs on the filesystem
# storage, PostgreSQL on S3, so both backends run the whole suite.
TEST_ENV := \
	DEBUG=false \
	SECRET_KEY=test-secret-key-for-the-test-suite-only-never-for-production-0123456789 \
	SECURE_SSL_REDIRECT=false \
	TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
	DATABASE_URL=sqlite:///$(ARTIFACTS)/test.sqlite3 \
	STATIC_ROOT=$(ARTIFACTS)/staticfiles \
	MEDIA_ROOT=$(ARTIFACTS)/media

.PHONY: FORCE help venv system-deps run test test-sqlite test-postgres test-checks test-static \
	bench province lint messages clean distclean

help:
	@echo "make run            set up, migrate, seed demo data, serve on http://$(RUN_ADDR)/ with a task worker"
	@echo "make test           checks + full test suite on SQLite and on PostgreSQL (what CI runs)"
	@echo "make test-sqlite    test suite on SQLite only      (PYTEST_ARGS=... to pass pytest options)"
	@echo "make test-postgres  test suite on a throwaway PostgreSQL server, files in a throwaway S3 server"
	@echo "make test-checks    .env.example complete, makemigrations --check, check --deploy"
	@echo "make lint           ruff check and ruff format --check"
	@echo "make messages       compile translations (locale/*.po -> .mo)"
	@echo "make bench          benchmarks (benchmarks/run.py)"
	@echo "make province       four banks as four databases on one PostgreSQL, their weekly work at once"
	@echo "make venv           create .venv and install requirements/dev.txt (runtime + test tools)"
	@echo "make system-deps    apt-get install the Debian packages the tests need, if missing"
	@echo "make clean          remove caches and test artifacts (distclean: also .venv)"

# --- setup -------------------------------------------------------------------

venv: $(STAMP)

# The venv gets requirements/dev.txt (runtime.txt and the test tools: the tests need
# them); production installs runtime.txt alone (docs/deployment.md). Reinstalled when
# either file changes; .venv is recreated if its Python is missing or older than 3.12
# (then the stamp is out of date whatever its time).
VENV_OK := $(shell $(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && echo yes)
ifneq ($(VENV_OK),yes)
$(STAMP): FORCE
endif
$(STAMP): requirements/runtime.txt requirements/dev.txt
	@if ! $(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		py=$$(scripts/find-python.sh); \
		echo "venv: creating $(VENV) with $$py ($$($$py --version))"; \
		rm -rf $(VENV); \
		"$$py" -m venv $(VENV); \
	fi
	$(VENV)/bin/python -m pip install --disable-pip-version-check --quiet -r requirements/dev.txt
	@touch $@

system-deps:
	@scripts/system-deps.sh

# Development settings for manage.py; never overwrites an existing .env.
.env:
	@printf '%s\n' '# Local development settings (not committed). Every variable: .env.example' 'DEBUG=true' > $@
	@echo "created .env (DEBUG=true) for development"

FORCE:

# --- run ---------------------------------------------------------------------

run: venv .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@scripts/run-dev.sh $(RUN_ADDR)

# --- tests -------------------------------------------------------------------

# With DEBUG off, {% static %} needs the manifest that collectstatic writes.
test-static: venv
	@mkdir -p $(ARTIFACTS)
	@env $(TEST_ENV) $(PY) manage.py collectstatic --noinput --clear --verbosity 0
	@echo "test-static: collected into test-artifacts/staticfiles"

# The steps, as shell commands, so `make test` can run each one, keep its own exit
# code (not make's) and go on to the next.
CHECKS_CMD = \
	echo "== ruff check and ruff format --check" && \
	$(PY) -m ruff check --quiet . && $(PY) -m ruff format --check --quiet . && \
	echo "== zh_Hans translation catalogue complete and compiled" && \
	scripts/check_messages.sh && \
	echo "== .env.example lists every variable settings.py reads" && \
	$(PY) scripts/check_env_example.py && \
	echo "== makemigrations --check" && \
	env $(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run && \
	echo "== check --deploy (DEBUG=false, random 50+ char SECRET_KEY, ALLOWED_HOSTS=example.org)" && \
	env DEBUG=false ALLOWED_HOSTS=example.org \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		DATABASE_URL=sqlite:///$(ARTIFACTS)/test.sqlite3 \
		$(PY) manage.py check --deploy --fail-level WARNING

PYTEST_SQLITE_CMD = \
	echo "== pytest on SQLite" && \
	mkdir -p $(ARTIFACTS) && rm -f $(ARTIFACTS)/junit-sqlite.xml && \
	env $(TEST_ENV) $(PY) -m pytest --junitxml=$(ARTIFACTS)/junit-sqlite.xml $(PYTEST_ARGS)

PYTEST_POSTGRES_CMD = \
	echo "== pytest on PostgreSQL" && \
	mkdir -p $(ARTIFACTS) && rm -f $(ARTIFACTS)/junit-postgres.xml && \
	env $(TEST_ENV) scripts/with-postgres.sh scripts/with-s3.sh \
		$(PY) -m pytest --junitxml=$(ARTIFACTS)/junit-postgres.xml $(PYTEST_ARGS)

test-checks: venv
	@$(CHECKS_CMD)

test-sqlite: venv test-static
	@$(PYTEST_SQLITE_CMD)

test-postgres: system-deps venv test-static
	@$(PYTEST_POSTGRES_CMD)

# Runs every step even after a failure, then prints one summary; fails if any step failed.
test: system-deps venv test-static
	@checks=0; sqlite=0; postgres=0; \
	{ $(CHECKS_CMD); } || checks=$$?; \
	{ $(PYTEST_SQLITE_CMD); } || sqlite=$$?; \
	{ $(PYTEST_POSTGRES_CMD); } || postgres=$$?; \
	$(PY) scripts/test_summary.py $$checks \
		"sqlite=$$sqlite:$(ARTIFACTS)/junit-sqlite.xml" \
		"postgresql=$$postgres:$(ARTIFACTS)/junit-postgres.xml"

# --- other tools -------------------------------------------------------------

bench: system-deps venv test-static
	@env DEBUG=false SECRET_KEY=bench-secret-key-for-measuring-only-0123456789-abcdefghij \
		SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
		TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend \
		STATIC_ROOT=$(ARTIFACTS)/staticfiles MEDIA_ROOT=$(ARTIFACTS)/bench-media \
		scripts/with-postgres.sh $(PY) benchmarks/run.py

# Four banks (PROVINCE_BANKS) of PROVINCE_SCALE customers (default 17000, a tenth of a
# county) each in its own database on one throwaway server (docs/scaling.md).
province: system-deps venv test-static
	@env DEBUG=false SECRET_KEY=bench-secret-key-for-measuring-only-0123456789-abcdefghij \
		SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
		TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend \
		STATIC_ROOT=$(ARTIFACTS)/staticfiles MEDIA_ROOT=$(ARTIFACTS)/province-media \
		scripts/with-postgres.sh $(PY) scripts/simulate_province.py

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

messages: system-deps venv
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf test-artifacts staticfiles .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
