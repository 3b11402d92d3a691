#!/usr/bin/env bash
# Offline end-to-end demo: local services, migrate, replay the bundled sample through every stage, then read the
# results back with independent clients (kcat for Kafka, psql for Postgres) and print what was flagged.
# The model is the vLLM SIMULATOR: its verdicts are deterministic stand-ins that exercise the pipeline, not moderation quality.
set -euo pipefail
cd "$(dirname "$0")/.."
safeguard=artifacts/publish/safeguard/safeguard
events=${SAFEGUARD_DEMO_EVENTS:-tests/data/demo/events.jsonl}
out=artifacts/demo
mkdir -p "$out"

cleanup() { scripts/services.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT
echo "demo: 1/4 starting local services on loopback: PostgreSQL 15, a Kafka-protocol broker (librdkafka's mock cluster),"
echo "      the vLLM simulator, a wiki API fixture server"
scripts/services.sh up >/dev/null
# shellcheck source=scripts/services-env.sh
source scripts/services-env.sh
# Warnings and errors only (the three malformed sample events are dead-lettered on purpose, and say so).
export Logging__LogLevel__Default=Warning
shown=${SAFEGUARD_DEMO_FLAGGED_ROWS:-15}

"$safeguard" db migrate >/dev/null
echo "demo: 2/4 replaying $(grep -c . "$events") recorded-shape events through source -> route -> enrich (wiki API) -> classify"
echo "      (vLLM SIMULATOR at $SAFEGUARD_LLM_URL: stand-in verdicts, labeled [simulated]) -> publish (Kafka + Postgres)"
"$safeguard" replay --events "$events" --summary-out "$out/summary.json"

echo
echo "demo: 3/4 flagged edits, read back from Postgres (safeguard flagged; the newest $shown):"
"$safeguard" flagged --since 3650d --limit "$shown"

# Every message on every output topic, read back by an independent Kafka client.
: >"$out/kafka-events.jsonl"
for topic in mediawiki.page_safeguard_classification_change.v1 mediawiki.page_safeguard_classification_change.restricted.v1; do
  if kcat -b "$SAFEGUARD_KAFKA_BOOTSTRAP" -L -t "$topic" 2>/dev/null | grep -q "partition 0"; then
    kcat -b "$SAFEGUARD_KAFKA_BOOTSTRAP" -C -t "$topic" -o beginning -e -q -f '%s\n' >>"$out/kafka-events.jsonl"
  fi
done
kafka_messages=$(grep -c . "$out/kafka-events.jsonl" || true)
postgres_rows=$(psql "$libpq" -Atqc "select count(*) from safeguard.classifications")

field() { grep -o "\"$1\":[0-9]*" "$out/summary.json" | head -n1 | cut -d: -f2; }
events_n=$(field events); classified=$(field classified); skipped=$(field skipped)
dead=$(field dead_lettered); verdicts=$(field verdicts); flagged=$(field flagged)
echo
echo "demo: 4/4 read back by independent clients: $kafka_messages Kafka messages (kcat), $postgres_rows audit rows (psql);"
echo "      every edit and verdict in $out/kafka-events.jsonl and $out/summary.json"
echo "demo: events=$events_n classified=$classified skipped=$skipped dead_lettered=$dead verdicts=$verdicts flagged=$flagged kafka_messages=$kafka_messages postgres_rows=$postgres_rows"
