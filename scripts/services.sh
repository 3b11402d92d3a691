#!/usr/bin/env bash
# Starts or stops the local services on loopback (Postgres, librdkafka's mock Kafka cluster, the vLLM simulator,
# the EventStreams replay server and the wiki API fixture server). Addresses are written to .local/services.env.
# REAL_WIKI=1 also starts a real MediaWiki (en.wikipedia.org and de.wikipedia.org on one loopback port) with its RC
# feed bridged to SSE (SAFEGUARD_REAL_WIKI_API_TEMPLATE, SAFEGUARD_REAL_WIKI_SSE_URL).
#   scripts/services.sh up [extra safeguard-fakes options]
#   scripts/services.sh down
set -euo pipefail
cd "$(dirname "$0")/.."
state=.local
fakes=artifacts/publish/fakes/safeguard-fakes
mkdir -p "$state"

case "${1:-}" in
  up)
    shift
    if [[ -f $state/fakes.pid ]] && kill -0 "$(cat "$state/fakes.pid")" 2>/dev/null; then
      echo "services: already running (pid $(cat "$state/fakes.pid")); addresses in $state/services.env"
      exit 0
    fi
    [[ -x $fakes ]] || { echo "services: $fakes is missing; run 'make fakes' first" >&2; exit 1; }
    rm -f "$state/services.env"
    if [[ ${REAL_WIKI:-0} == 1 ]]; then set -- --real-wiki "${REAL_WIKI_DOMAINS:-en.wikipedia.org,de.wikipedia.org}" "$@"; fi
    nohup "$fakes" services-up --state-dir "$state" \
      --events "${SAFEGUARD_DEMO_EVENTS:-tests/data/demo/events.jsonl}" \
      --wiki-fixtures "${SAFEGUARD_DEMO_WIKI:-tests/data/demo/wiki-api.jsonl}" \
      --llm-enable-prompt-tokens-details "$@" \
      >"$state/services.log" 2>&1 &
    if ! "$fakes" wait-ready --state-dir "$state" --timeout 90; then
      echo "services: did not become ready; last lines of $state/services.log:" >&2
      tail -n 30 "$state/services.log" >&2
      "$fakes" services-down --state-dir "$state" || true
      exit 1
    fi
    echo "services: up; addresses in $state/services.env"
    cat "$state/services.env"
    ;;
  down)
    if [[ -x $fakes ]]; then
      "$fakes" services-down --state-dir "$state"
    elif [[ -f $state/fakes.pid ]]; then
      kill "$(cat "$state/fakes.pid")" 2>/dev/null || true
    fi
    echo "services: down"
    ;;
  *)
    echo "usage: scripts/services.sh up|down" >&2
    exit 2
    ;;
esac
