# Safeguard.Stream — a thin wrapper over the dotnet CLI and the scripts in scripts/.
# Contracts (docs/architecture.md): setup build test demo run bench lint services-up services-down.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

CONFIG ?= Release
PUBLISH := artifacts/publish/safeguard
FAKES := artifacts/publish/fakes

.PHONY: setup build fakes test demo demo-wiki run bench lint chaos services-up services-down clean review

## setup: install what a fresh Debian 12 machine lacks (postgresql, kcat) and restore NuGet packages. Idempotent.
setup:
	@scripts/setup.sh

## build: Release build; the CLI is published (ReadyToRun, this machine's runtime) to artifacts/publish/safeguard/safeguard.
build:
	dotnet publish src/Safeguard.Stream.Worker -c $(CONFIG) --use-current-runtime --self-contained false -o $(PUBLISH) --nologo -v quiet

fakes:
	dotnet publish tests/Safeguard.Stream.Fakes -c $(CONFIG) -o $(FAKES) --nologo -v quiet

## test: every test, unit and integration (real local Postgres, librdkafka mock cluster, loopback fakes).
test: setup
	@scripts/test.sh

## demo: the whole pipeline offline, end to end, on this machine.
demo: setup build fakes
	@scripts/demo.sh

## demo-wiki: verdicts back on a real wiki: a local MediaWiki 1.39, a scripted editor's ~30 edits classified live (RC feed
## over SSE, vLLM simulator) and tagged by `safeguard tagger`; prints the counts, edit-to-tag p50/p95 and the tagged
## diffs, saves artifacts/demo-wiki/recentchanges.png (headless Chromium), stops everything it started.
demo-wiki: setup build fakes
	@scripts/demo-wiki.sh

## review: the review app on loopback (https, self-signed) with a local OpenID Connect provider, demo users and the
## demo's verdicts; prints the URL and the sign-ins. Ctrl-C stops it.
review: setup build fakes
	@scripts/review.sh

## run: the live worker (EventStreams, MediaWiki API, vLLM at SAFEGUARD_LLM_URL, Kafka, Postgres from configuration).
run: build
	$(PUBLISH)/safeguard run

## bench: ingest, enrich, saturation, latency and cost against the simulator's capacity model; artifacts/bench/results.json, BENCHMARKS.md.
bench: setup build
	@scripts/bench.sh

## lint: format check, policy lint, the event schema checks (@wikimedia/jsonschema-tools) and the Helm chart
## (helm lint --strict and helm template for every values scenario in helm/safeguard-stream/ci).
lint: build
	dotnet format Safeguard.Stream.sln --verify-no-changes --no-restore -v quiet
	$(PUBLISH)/safeguard policies lint --dir policies
	scripts/schemas.sh check
	scripts/helm.sh check

## chaos: live replay with faults injected together (SIGKILL, Kafka/Postgres down, LLM/wiki faults, SSE cuts); prints the invariant line.
chaos: setup
	@scripts/chaos.sh

## services-up / services-down: local Postgres, Kafka-protocol broker, vLLM simulator, SSE and wiki API fixtures on loopback;
## REAL_WIKI=1 make services-up adds a real MediaWiki 1.39 (php -S, SQLite, wikidiff2) and its RC feed over SSE.
services-up: setup fakes
	@scripts/services.sh up

services-down:
	@scripts/services.sh down

clean:
	rm -rf artifacts .local
