# QuantDesk: the README's two commands are `make acceptance` and `make test`.
# Each target installs what it needs first (Python venv from pyproject.toml, the
# Allure CLI from package-lock.json), so a fresh clone needs nothing else.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
BEHAVE_ARGS ?=
WORKERS ?= 2
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: acceptance acceptance-parallel test lint unit contract gate report report-check acceptance-postgres smoke remote parallel \
        bench mutation fmt clean help

help:
	@echo "make acceptance           run every feature on the embedded platform, write the report"
	@echo "make test                 ruff + pytest + the contract fuzz + the acceptance gate in parallel (CI)"
	@echo "make contract             the bounded schemathesis fuzz of the OpenAPI contract"
	@echo "make acceptance-parallel  every feature in WORKERS behave processes (default 2) on one system"
	@echo "make acceptance-postgres  the acceptance gate with the platform on PostgreSQL"
	@echo "make report-check         open the last report in headless Chromium and read it"
	@echo "make smoke                only @smoke scenarios"
	@echo "make bench                the benchmarks in benchmarks/"
	@echo "make mutation             mutation testing with the acceptance suite (MODULE=, SAMPLE=, JOBS=)"

$(PY_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The acceptance run: behave writes reports/allure-results and reports/junit; the HTML
# report is generated even when scenarios fail, and the exit status is behave's.
acceptance: $(PY_STAMP) $(NODE_STAMP)
	@rm -rf reports/allure-results reports/junit
	@status=0; $(BIN)/behave $(BEHAVE_ARGS) || status=$$?; \
	  $(MAKE) --no-print-directory report; exit $$status

# The same run in WORKERS behave processes against one embedded system, @exclusive
# scenarios alone after the rest (support/parallel.py); one report, one JUnit set.
acceptance-parallel: $(PY_STAMP) $(NODE_STAMP)
	@status=0; $(BIN)/python -m support.parallel --workers $(WORKERS) $(BEHAVE_ARGS) || status=$$?; \
	  $(MAKE) --no-print-directory report; exit $$status

# The report opens from disk and sends nothing anywhere: the analytics Allure 3.18 embeds
# are removed after generating (support/report_html.py says why).
report: $(PY_STAMP) $(NODE_STAMP)
	@rm -rf reports/allure-report  # Allure 3 nests a new report under one left in place
	@ALLURE_NO_ANALYTICS=true npx --no-install allure generate reports/allure-results >/dev/null
	@$(BIN)/python -m support.report_html reports/allure-report
	@echo "Allure report: $(CURDIR)/reports/allure-report/index.html"

# The gate runs the acceptance suite in parallel (1.06 to 1.2 times faster on this 2-core
# machine, by how much processor it gets; benchmarks/README.md); `make acceptance` is
# the same suite serially. Then the report it wrote is
# opened in headless Chromium (skipped with a message where there is none, unless
# REPORT_CHECK_REQUIRED=1, as CI sets it).
test: lint unit contract acceptance-parallel report-check

report-check: $(PY_STAMP)
	$(BIN)/python -m support.report_check

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(PY_STAMP)
	$(BIN)/pytest -m "not contract"

# The embedded platform fuzzed by schemathesis (tests/contract): figures are printed and
# written to reports/contract/{operator,client}.json.
contract: $(PY_STAMP)
	$(BIN)/pytest -m contract -rP tests/contract

smoke:
	$(MAKE) acceptance BEHAVE_ARGS="--tags=@smoke"

acceptance-postgres:
	QUANTDESK_DATABASE_URL=$(PG_URL) $(MAKE) acceptance

bench: $(PY_STAMP)
	$(BIN)/python -m benchmarks.run

# Mutation testing (not part of make test: a full run takes hours on 2 cores).
# make mutation MODULE=quantdesk/domain/preferences.py   one module, while writing scenarios
# make mutation SAMPLE=0.1 SEED=7                        a seeded 10 % of every module
MODULE ?=
SAMPLE ?=
SEED   ?= 1
JOBS   ?= 1
mutation: $(PY_STAMP)
	$(BIN)/python -m mutation $(MODULE) $(if $(SAMPLE),--sample $(SAMPLE)) --seed $(SEED) --jobs $(JOBS)

fmt: $(PY_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf reports/allure-results reports/allure-report reports/junit
