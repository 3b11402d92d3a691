#!/usr/bin/env bash
# Benchmarks: prints a table and writes artifacts/bench/results.json (see BENCHMARKS.md).
# Needs the published worker (make build) for the saturation, latency and cost scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish tests/Safeguard.Stream.Benchmarks -c Release -o artifacts/publish/bench --nologo -v quiet
artifacts/publish/bench/safeguard-bench tests/data/demo/events.jsonl artifacts/bench/results.json \
  --worker artifacts/publish/safeguard/safeguard --policies policies "$@"
