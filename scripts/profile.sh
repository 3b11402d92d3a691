#!/usr/bin/env bash
# Profiles the worker's own CPU (issue 17, BENCHMARKS.md "Where the worker's CPU goes"): runs the quick bench with the
# volume phase's worker (an instant model, so the worker is the bottleneck) connected to dotnet-trace's sampling
# profiler, then summarises the busy samples. Needs make build; installs dotnet-trace into .local/tools on first use.
# Writes artifacts/profile/worker.nettrace, worker.speedscope.json and summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$PWD/.local/tools"
[[ -x "$tools/dotnet-trace" ]] || dotnet tool install --tool-path "$tools" dotnet-trace --version 10.0.750501 >/dev/null
out="$PWD/artifacts/profile"
mkdir -p "$out"
port="$out/diagnostic.sock"
rm -f "$port" "$out"/worker.*
"$tools/dotnet-trace" collect --diagnostic-port "$port" --profile dotnet-sampled-thread-time \
  --format Speedscope -o "$out/worker.nettrace" > "$out/trace.log" 2>&1 &
tracer=$!
SAFEGUARD_BENCH_DIAGNOSTIC_PORT="$port" scripts/bench.sh --quick "$@" > "$out/bench.log" 2>&1 || { tail -20 "$out/bench.log"; kill "$tracer" 2>/dev/null; exit 1; }
wait "$tracer" || true
scripts/profile-summary.py "$out/worker.speedscope.json" 40 | tee "$out/summary.txt"
