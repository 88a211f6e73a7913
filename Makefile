# Vigil: one binary, many roles. See README.md for the two commands a newcomer needs.
GO            ?= go
BIN           := bin
GOLANGCI      := $(BIN)/golangci-lint
GOLANGCI_VER  := v2.15.0
FUZZTIME      ?= 30s
BENCHTIME     ?= 3s
TESTFLAGS     ?=

.PHONY: all build run demo test test-chdb test-short bench bench-sigma fuzz lint generate check-generate deps clean web web-test

all: build

deps:
	$(GO) mod download

build: deps $(if $(NPM),web)
	$(GO) build -o $(BIN)/vigil ./cmd/vigil

## run: the server with embedded defaults (data in ./vigil-data, HTTP on 127.0.0.1:8080)
run: build
	./$(BIN)/vigil server

## demo: the server with a simulated organization under a multi-stage attack (data in
## ./vigil-demo, HTTP on 127.0.0.1:8080); it keeps serving until Ctrl-C
demo: build
	./$(BIN)/vigil demo

## web: the portal (web/, React + TypeScript), built into internal/web/dist, which the binary
## embeds; without npm the binary serves a page saying the portal is not built
NPM      := $(shell command -v npm)
WEBDEPS  := web/node_modules
$(WEBDEPS): web/package.json web/package-lock.json
	npm ci --prefix web --ignore-scripts --no-audit --no-fund
	@touch $(WEBDEPS)

WEBOUT   := internal/web/dist/index.html
WEBSRC   := $(shell find web/src web/public web/index.html web/vite.config.ts web/tsconfig.json -type f 2>/dev/null)
$(WEBOUT): $(WEBDEPS) $(WEBSRC)
	npm --prefix web run build

web: $(WEBOUT)

## web-test: the portal's lint, type check, component tests (Vitest) and end-to-end tests
## (playwright-core driving /usr/bin/chromium against a real vigil server)
web-test: web
	npm --prefix web run lint
	npm --prefix web run typecheck
	npm --prefix web test
	npm --prefix web run e2e

# make test runs the portal's tests when npm and Chromium are here, and always under CI
# (where a missing Chromium fails the run).
WEBTEST := $(if $(NPM),$(if $(or $(filter true,$(CI)),$(wildcard /usr/bin/chromium)),web-test))

## kustoref: the official Kusto parser (npm @kusto/language-service-next, pinned, no install
## scripts) that the differential parse test compares ours with
KUSTOREF := tools/kustoref/node_modules
$(KUSTOREF): tools/kustoref/package.json tools/kustoref/package-lock.json
	npm ci --prefix tools/kustoref --ignore-scripts --no-audit --no-fund
	@touch $(KUSTOREF)

## chdb: ClickHouse as a library (npm @chdb/lib-linux-x64-gnu, pinned, no install scripts;
## libchdb.so, ~540 MB unpacked) on which the KQL compiler's ClickHouse SQL is tested
CHDBLIB := tools/chdb/node_modules/@chdb/lib-linux-x64-gnu
$(CHDBLIB)/libchdb.so: tools/chdb/package.json tools/chdb/package-lock.json
	npm ci --prefix tools/chdb --ignore-scripts --no-audit --no-fund
	@touch $@

## test-chdb: the KQL goldens' ClickHouse SQL run on chDB (build tag chdb), rows compared
## with DuckDB's; cgo links libchdb.so from the npm package, found again at run time by rpath
CHDBFLAGS := CGO_LDFLAGS="-L$(CURDIR)/$(CHDBLIB) -Wl,-rpath,$(CURDIR)/$(CHDBLIB)"
test-chdb: deps $(CHDBLIB)/libchdb.so
	$(CHDBFLAGS) $(GO) test -race -count=1 -tags chdb $(TESTFLAGS) ./internal/store/chdb/
	$(CHDBFLAGS) $(GO) test -race -count=1 -tags chdb -run '^TestGoldenOnChDB$$' $(TESTFLAGS) ./internal/kql/

# make test runs test-chdb when the chDB library is installed, and always under CI.
CHDBTEST := $(if $(or $(filter true,$(CI)),$(wildcard tools/chdb/node_modules)),test-chdb)

## test: every test, with the race detector, against real DuckDB, SQLite, NATS and (when
## reachable; required under CI) PostgreSQL; with npm present, also against the official
## Kusto parser (required under CI); with chDB installed (required under CI), the ClickHouse
## dialect's goldens on chDB
test: deps $(if $(shell command -v npm),$(KUSTOREF)) $(if $(NPM),web)
	$(GO) test -race -count=1 $(TESTFLAGS) ./...
	$(if $(WEBTEST),$(MAKE) web-test)
	$(if $(CHDBTEST),$(MAKE) test-chdb)

test-short: deps
	$(GO) test -short -count=1 ./...

## bench: the ingest, decoding and Sigma benchmarks (results belong in BENCHMARKS.md)
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./internal/ingest/ ./internal/app/ ./internal/kql/... ./internal/detect/... ./internal/incident/

## bench-sigma: 1000 generated process_creation rules on 100k events, one core (files in bin/sigmabench)
bench-sigma: build
	./$(BIN)/vigil sigma bench-data --dir $(BIN)/sigmabench --rules 1000 --events 100000
	./$(BIN)/vigil sigma bench --rules $(BIN)/sigmabench/rules --events $(BIN)/sigmabench/events.vigil.ndjson --cpu 1

## fuzz: each fuzz target of each package for FUZZTIME (the same name may be in several packages)
fuzz: deps
	@set -e; for pkg in $$(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(' --include='*_test.go' internal | xargs -n1 dirname | sort -u); do \
		for t in $$(grep -hoE '^func Fuzz[A-Za-z0-9_]+' $$pkg/*_test.go | sed 's/func //' | sort -u); do \
			echo "== $$t in $$pkg"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$pkg; \
		done; \
	done

$(GOLANGCI):
	GOBIN=$(CURDIR)/$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)

lint: $(GOLANGCI)
	$(GOLANGCI) run ./...

generate:
	$(GO) generate ./...

## check-generate: fail when generated files differ from what `make generate` makes
check-generate: generate
	@git diff --exit-code -- '*.go' || (echo "generated files are out of date: run make generate and commit" >&2; exit 1)

clean:
	rm -rf $(BIN)
