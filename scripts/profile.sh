#!/usr/bin/env bash
# Profiles the worker's own CPU (issue 17, BENCHMARKS.md "Where the worker's CPU goes"): runs the quick bench and, once
# the volume phase's worker is warm (an instant model, so the worker is the bottleneck), samples it with Linux perf
# for the measured edits: every thread, managed (perf maps), native (librdkafka, the runtime, GC) and kernel alike.
# W^X is off for the profiled run so that jitted code sits where the perf map says. Needs make
# build and perf (Debian's linux-perf; root or kernel.perf_event_paranoid <= 1). Writes artifacts/profile/perf.data
# and summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "profile: needs perf (apt-get install linux-perf)" >&2; exit 1; }
out="$PWD/artifacts/profile"
mkdir -p "$out"
rm -f "$out"/*
SAFEGUARD_BENCH_PROFILE=1 DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 scripts/bench.sh --quick "$@" > "$out/bench.log" 2>&1 &
bench=$!
pid=""
while kill -0 "$bench" 2>/dev/null && [[ -z "$pid" ]]; do
  pid=$(sed -n 's/^bench: warm worker pid \([0-9]*\)$/\1/p' "$out/bench.log")
  sleep 0.2
done
[[ -n "$pid" ]] || { tail -20 "$out/bench.log"; echo "profile: the bench ended before its volume phase" >&2; exit 1; }
perf record -F 999 -g -p "$pid" -o "$out/perf.data" -- sleep 15 > "$out/perf.log" 2>&1
wait "$bench"
{
  echo "# self, by shared object"
  perf report -i "$out/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15
  echo "# self, by symbol"
  perf report -i "$out/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60
  echo "# inclusive (children), by symbol"
  perf report -i "$out/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -v "^#" | grep -v "^$" | head -100
} | tee "$out/summary.txt"
