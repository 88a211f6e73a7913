# Vigil: one binary, many roles. See README.md for the two commands a newcomer needs.
GO            ?= go
BIN           := bin
GOLANGCI      := $(BIN)/golangci-lint
GOLANGCI_VER  := v2.15.0
FUZZTIME      ?= 30s
BENCHTIME     ?= 3s
TESTFLAGS     ?=

.PHONY: all build run test test-short bench fuzz lint generate check-generate deps clean

all: build

deps:
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN)/vigil ./cmd/vigil

## run: the server with embedded defaults (data in ./vigil-data, HTTP on 127.0.0.1:8080)
run: build
	./$(BIN)/vigil server

## kustoref: the official Kusto parser (npm @kusto/language-service-next, pinned, no install
## scripts) that the differential parse test compares ours with
KUSTOREF := tools/kustoref/node_modules
$(KUSTOREF): tools/kustoref/package.json tools/kustoref/package-lock.json
	npm ci --prefix tools/kustoref --ignore-scripts --no-audit --no-fund
	@touch $(KUSTOREF)

## test: every test, with the race detector, against real DuckDB, SQLite, NATS and (when
## reachable; required under CI) PostgreSQL; with npm present, also against the official
## Kusto parser (required under CI)
test: deps $(if $(shell command -v npm),$(KUSTOREF))
	$(GO) test -race -count=1 $(TESTFLAGS) ./...

test-short: deps
	$(GO) test -short -count=1 ./...

## bench: the ingest and decoding benchmarks (results belong in BENCHMARKS.md)
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./internal/ingest/ ./internal/app/ ./internal/kql/...

## fuzz: each fuzz target for FUZZTIME
fuzz: deps
	@set -e; for t in $$(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' internal | sed 's/func //' | sort -u); do \
		pkg=$$(grep -rlE "^func $$t\(" --include='*_test.go' internal | head -1 | xargs dirname); \
		echo "== $$t in $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$pkg; \
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
