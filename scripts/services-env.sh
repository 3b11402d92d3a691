# Sourced by scripts that run the worker against `scripts/services.sh up`: exports the services' addresses
# (.local/services.env, KEY=VALUE lines; connection strings contain ';', so they are read, not sourced) and points the
# worker's settings at them.
while IFS='=' read -r key value; do
  [[ -n $key && $key != \#* ]] && export "$key=$value"
done <.local/services.env
export Safeguard__Postgres__ConnectionString="$SAFEGUARD_POSTGRES"
export Safeguard__Kafka__BootstrapServers="$SAFEGUARD_KAFKA_BOOTSTRAP"
export Safeguard__MediaWiki__ApiUrlTemplate="$SAFEGUARD_WIKI_API_TEMPLATE"
export Safeguard__Policies__Directory="$PWD/policies"
# The per-wiki politeness limit (10 requests/s) is for real wikis; the fixture server runs on this machine.
export Safeguard__MediaWiki__RequestsPerSecondPerWiki=1000
# libpq's form of the Postgres connection string, for psql.
libpq=$(tr ';' '\n' <<<"$SAFEGUARD_POSTGRES" | sed -E 's/^Host=/host=/I; s/^Port=/port=/I; s/^Username=/user=/I; s/^Database=/dbname=/I; s/^Password=/password=/I' | tr '\n' ' ')
export libpq
