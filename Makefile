# s3tester tasks. `make run` and `make test` work from a fresh clone with only python3 and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUNSTAMP := $(VENV)/.installed-run
VENDOR ?= moto
SUITE  ?= suites/v1
ARGS   ?=
GOLDEN ?= golden
MATRIX_FILES ?= $(wildcard $(GOLDEN)/*/v1.1.json)

.PHONY: help venv run test lint typecheck unit vendors clients test-clients golden-clients system test-vendor golden-update matrix conformance bench schema docker-build docker-run clean

help:
	@echo "make run                      run suites/v1 against the embedded moto server, print the table"
	@echo "make test                     lint + type check + all tests (installs everything it needs)"
	@echo "make test-vendor VENDOR=x     launch x (or use S3_ENDPOINT), run v1, compare with golden/x"
	@echo "make golden-update VENDOR=x   rewrite golden/x/ from a fresh run, showing the diff"
	@echo "make matrix                   regenerate docs/compatibility.{md,html} from golden/"
	@echo "make bench                    print overhead, scaling, big-object and start-up figures"
	@echo "make clients                  install the real S3 clients of suites/clients into .tools/clients"
	@echo "make test-clients VENDOR=x    run suites/clients (real clients) against x, compare with golden/clients/x"
	@echo "make golden-clients VENDOR=x  rewrite golden/clients/x/ and docs/clients-matrix.md"

# What running needs (make run): the package and its dependencies only.
$(RUNSTAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e .
	touch $(RUNSTAMP)

# What developing needs (make test and the rest): also the dev tool chain.
$(STAMP): $(RUNSTAMP)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(RUNSTAMP)
	$(BIN)/s3tester run $(SUITE) --parallel 8 $(ARGS) || test $$? -eq 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

vendors: $(STAMP)
	bash scripts/install-vendor.sh all

clients: $(STAMP)
	bash scripts/install-client.sh all || echo "install-client: some clients did not install; their cases are skipped"

# The client suite's golden files live apart from the conformance suite's (both are v1.0):
# golden/clients/<vendor>/v1.0.json.
test-clients: clients
	$(BIN)/s3tester run suites/clients --vendor $(VENDOR) --golden golden/clients/ --parallel 4 $(ARGS)

golden-clients: clients
	$(BIN)/s3tester run suites/clients --vendor $(VENDOR) --golden golden/clients/ --update-golden --parallel 4 $(ARGS)
	$(BIN)/s3tester matrix golden/clients/*/v1.0.json --markdown docs/clients-matrix.md

system:
	bash scripts/install-system.sh chromium

unit: $(STAMP)
	$(BIN)/pytest -q $(ARGS)

test: lint typecheck vendors clients system
	$(BIN)/pytest -q $(ARGS)

test-vendor: $(RUNSTAMP)
	bash scripts/install-vendor.sh $(VENDOR)
	$(BIN)/s3tester run $(SUITE) --vendor $(VENDOR) --golden $(GOLDEN)/ --parallel 8 $(ARGS)

golden-update: $(RUNSTAMP)
	bash scripts/install-vendor.sh $(VENDOR)
	$(BIN)/s3tester run $(SUITE) --vendor $(VENDOR) --golden $(GOLDEN)/ --update-golden --parallel 8 $(ARGS)
	$(MAKE) matrix GOLDEN=$(GOLDEN)

matrix: $(RUNSTAMP)
	$(BIN)/s3tester matrix $(MATRIX_FILES) --suite suites/v1 --markdown docs/compatibility.md --html docs/compatibility.html

SESSIONS ?= conformance
conformance: $(STAMP)
	$(BIN)/nox -s "$(SESSIONS)" $(if $(ARGS),-- $(ARGS))

bench: $(STAMP)
	bash scripts/install-vendor.sh seaweedfs
	$(BIN)/python bench/run_all.py

schema: $(STAMP)
	$(BIN)/python -m s3tester.schema

docker-build:
	docker build -t s3tester:latest .

docker-run:
	docker run --rm --network host -e S3_ENDPOINT -e S3_ACCESS_KEY -e S3_SECRET_KEY \
		-e S3_ALT_ACCESS_KEY -e S3_ALT_SECRET_KEY -e S3_VENDOR -e S3_REGION \
		s3tester:latest run suites/v1 --golden golden/

clean:
	rm -rf $(VENV) .nox .pytest_cache .mypy_cache .ruff_cache results .tools
