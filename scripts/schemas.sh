#!/usr/bin/env bash
# The event schemas in schemas/, checked with Wikimedia's @wikimedia/jsonschema-tools (npm, pinned in
# schemas/package-lock.json).
#   scripts/schemas.sh install    npm ci in schemas/ (what `make setup` runs; skipped when node_modules is current)
#   scripts/schemas.sh test       jsonschema-tools' repository tests (structure, robustness, compatibility)
#   scripts/schemas.sh check      test, and fail when the materialized files are not what current.yaml gives
set -euo pipefail
cd "$(dirname "$0")/../schemas"

install() {
  command -v npm >/dev/null || { echo "schemas: npm is required (make setup installs nodejs and npm)" >&2; exit 1; }
  # npm ci wipes node_modules; skip it when the installed tree matches the lock file.
  if [[ node_modules/.package-lock.json -nt package-lock.json ]]; then
    return
  fi
  npm ci --no-audit --no-fund --loglevel=error
}

run_tests() {
  [[ -d node_modules/@wikimedia/jsonschema-tools ]] || install
  npx --no-install mocha --reporter dot test/jsonschema
}

check_materialized() {
  # Materialize into a scratch copy and compare: a hand-edited 1.0.0.* or a current.yaml changed without a
  # version bump shows up here.
  local scratch
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' RETURN
  cp -a jsonschema .jsonschema-tools.yaml "$scratch"/
  ln -s "$PWD/node_modules" "$scratch/node_modules"
  # A schema that $refs a fragment needs the fragment's files to exist first, and materialize-all works on the
  # schemas concurrently and stops at the first failure: so a pass can fail before it has written the fragment, and
  # the next pass meets the same race (seen on CI: "Cannot read properties of undefined (reading 'allOf')"). Each
  # pass writes more; up to four passes, and the last one's error is the one reported.
  local pass
  for pass in 1 2 3 4; do
    if (cd "$scratch" && npx --no-install jsonschema-tools materialize-all --no-git-add >"$scratch/materialize.log" 2>&1); then
      break
    fi
    if [[ $pass == 4 ]]; then
      cat "$scratch/materialize.log" >&2
      exit 1
    fi
  done
  if ! diff -r --no-dereference jsonschema "$scratch/jsonschema"; then
    echo "schemas: materialized files differ from current.yaml; run: cd schemas && npx jsonschema-tools materialize-all --no-git-add" >&2
    exit 1
  fi
  echo "schemas: materialized files are current"
}

case "${1:-check}" in
  install) install ;;
  test) run_tests ;;
  check) run_tests; check_materialized ;;
  *) echo "usage: $0 install|test|check" >&2; exit 2 ;;
esac
