#!/usr/bin/env bash
# Builds and runs every test project, then prints one closing line: "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts/test
log=artifacts/test/test.log

dotnet build Safeguard.Stream.sln -c Release --nologo -v quiet || exit 1
dotnet test --solution Safeguard.Stream.sln -c Release --no-build --no-progress 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

sum() { grep -E "^\s+$1: [0-9]+" "$log" | awk '{s+=$2} END {print s+0}'; }
passed=$(sum succeeded); failed=$(sum failed); skipped=$(sum skipped)
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ $status -eq 0 && $passed -eq 0 ]]; then
  echo "tests: no test ran" >&2
  exit 1
fi
exit "$status"
