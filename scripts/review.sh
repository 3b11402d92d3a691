#!/usr/bin/env bash
# `make review`: the review app on loopback, signed in through a local OpenID Connect provider (npm oidc-provider,
# tests/oidc/provider.mjs) with demo users, over the demo's verdicts (the offline pipeline replayed into a local
# PostgreSQL; the vLLM SIMULATOR's verdicts are stand-ins). Served over HTTPS with a throwaway self-signed certificate,
# since the app's cookies are Secure-only. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
safeguard=artifacts/publish/safeguard/safeguard
state=.local/review
mkdir -p "$state"
pids=()
cleanup() {
  # Ctrl-C reaches the whole process group (make, this script, what it runs): ignore it here, and in the services.sh
  # it runs, so the clean-up itself is not cut short (it once left the services and their PostgreSQL running).
  trap '' INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  scripts/services.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "review: 1/4 local services (PostgreSQL 15, Kafka-protocol broker, vLLM simulator, wiki API fixtures)"
scripts/services.sh up >/dev/null
# shellcheck source=scripts/services-env.sh
source scripts/services-env.sh
export Logging__LogLevel__Default=Warning

echo "review: 2/4 the demo's verdicts (replay of tests/data/demo/events.jsonl through the pipeline)"
"$safeguard" db migrate >/dev/null
# The demo's deliberately broken events are dead-lettered with a warning each: kept in a log, not on the terminal.
"$safeguard" replay --events tests/data/demo/events.jsonl --summary-out "$state/summary.json" >/dev/null 2>"$state/replay.log" \
  || { echo "review: the replay failed; $state/replay.log:" >&2; tail -n 20 "$state/replay.log" >&2; exit 1; }
# The app's two logins, as an operator would create them (the throwaway cluster trusts loopback: no passwords).
psql "$libpq" -qAt -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
do $$ begin
  if not exists (select from pg_roles where rolname = 'review_moderator') then create role review_moderator login in role safeguard_moderator; end if;
  if not exists (select from pg_roles where rolname = 'review_oversighter') then create role review_oversighter login in role safeguard_restricted_reader; end if;
end $$;
SQL
with_user() { sed -E "s/(^|;)Username=[^;]*/\1Username=$1/I" <<<"$SAFEGUARD_POSTGRES"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
app_port=${SAFEGUARD_REVIEW_PORT:-$(free_port)}
idp_port=$(free_port)
app_url="https://localhost:$app_port"
client_secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

echo "review: 3/4 the OpenID Connect provider on http://localhost:$idp_port (demo users)"
(cd tests/oidc && exec node provider.mjs --port "$idp_port" --client-id safeguard-review --client-secret "$client_secret" \
  --redirect-uri "$app_url/signin-oidc" --post-logout-redirect-uri "$app_url/signout-callback-oidc") >"$state/oidc.log" 2>&1 &
pids+=($!)

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$state/localhost.key" -out "$state/localhost.crt" 2>/dev/null
export Kestrel__Certificates__Default__Path="$PWD/$state/localhost.crt"
export Kestrel__Certificates__Default__KeyPath="$PWD/$state/localhost.key"
export Safeguard__Review__Authority="http://localhost:$idp_port"
export Safeguard__Review__ClientId=safeguard-review
export Safeguard__Review__ClientSecret="$client_secret"
export Safeguard__Review__RequireHttpsMetadata=false
export Safeguard__Review__ModeratorConnectionString="$(with_user review_moderator)"
export Safeguard__Review__RestrictedConnectionString="$(with_user review_oversighter)"
export Safeguard__Review__DefaultWindow=3650.00:00:00

echo "review: 4/4 the review app"
"$safeguard" review --urls "$app_url" >"$state/review.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  curl -ksf "$app_url/alive" >/dev/null 2>&1 && break
  sleep 1
done
curl -ksf "$app_url/alive" >/dev/null || { echo "review: the app did not start; see $state/review.log" >&2; cat "$state/review.log" >&2; exit 1; }
cat <<EOT

  Safeguard review:  $app_url   (self-signed certificate: accept it in the browser)
  Sign in as         moderator / moderator-demo-pass      (public policies)
                     oversighter / oversighter-demo-pass  (restricted policies too)
                     outsider / outsider-demo-pass        (no role: 403)
  Verdicts are the vLLM SIMULATOR's stand-ins from the offline demo. Ctrl-C stops everything.
EOT
wait
