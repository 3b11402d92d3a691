#!/usr/bin/env bash
# Chaos replay (full profile): the worker killed and restarted, Kafka and Postgres down and up, wiki API and LLM
# faults, SSE cuts — then the invariant check. Prints
#   chaos: events=N verdicts=N lost=0 duplicated_rows=0 dead_lettered=N restarts=N
# The same test runs in its short profile under `make test` (tests/Safeguard.Stream.IntegrationTests/Chaos).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts/chaos
dotnet build tests/Safeguard.Stream.IntegrationTests -c Release --nologo -v quiet || exit 1
out="$PWD/artifacts/chaos/summary.txt"
rm -f "$out"
SAFEGUARD_CHAOS=full SAFEGUARD_CHAOS_OUT="$out" \
  dotnet test --project tests/Safeguard.Stream.IntegrationTests -c Release --no-build --no-progress \
  --filter-class Safeguard.Stream.IntegrationTests.Chaos.ChaosTests > artifacts/chaos/test.log 2>&1
status=$?
if [[ -f "$out" ]]; then
  cat "$out"
else
  tail -60 artifacts/chaos/test.log
  echo "chaos: no result (see artifacts/chaos/test.log)" >&2
fi
exit "$status"
