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

# CI shows only the end of the output, so name each failed test (and the first lines of its message) right above the
# closing line. Worker logs captured in a failure's output are JSON lines; they stay in the log, not in this summary.
if [[ $failed -gt 0 ]]; then
  echo "tests: failures (full output in $log):"
  awk '
    /^[[:space:]]*failed [^ ].*\([0-9]/ && !/\.dll/ { keep = 4; print "  " $0; next }
    keep > 0 && /^[[:space:]]+from .*\.dll/ { next }
    keep > 0 && !/\{"@timestamp"/ && NF > 0 { print "    " substr($0, 1, 200); keep--; }
  ' "$log" | head -40
fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ $status -eq 0 && $passed -eq 0 ]]; then
  echo "tests: no test ran" >&2
  exit 1
fi
exit "$status"
