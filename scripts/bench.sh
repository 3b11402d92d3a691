#!/usr/bin/env bash
# Benchmarks: prints a table and writes artifacts/bench/results.json.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish tests/Safeguard.Stream.Benchmarks -c Release -o artifacts/publish/bench --nologo -v quiet
artifacts/publish/bench/safeguard-bench tests/data/demo/events.jsonl artifacts/bench/results.json
