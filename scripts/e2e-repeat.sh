#!/usr/bin/env bash
# Runs the whole Playwright suite N times in a row, each test once (no retry, as playwright.config.ts
# says), against one server build: stops at the first failing run and prints each run's summary line
# (`e2e: N passed, N failed, N skipped`, from e2e/summary-reporter.ts). Shows whether the suite passes
# N times in a row. Builds the UI and the debug `whatsflow-server` once first; WHATSFLOW_SERVER_BIN
# runs another build of the server instead.
# Usage: scripts/e2e-repeat.sh N
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:?usage: scripts/e2e-repeat.sh N}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "e2e-repeat: N must be a positive number, not $runs" >&2; exit 2; }
target=${CARGO_TARGET_DIR:-target}
export PATH="$HOME/.cargo/bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
server=${WHATSFLOW_SERVER_BIN:-}
if [ -z "$server" ]; then
  cargo build -q -p whatsflow-http --bin whatsflow-server
  server="$(realpath "$target")/debug/whatsflow-server"
fi
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
(cd ui && [ -e node_modules ] || npm ci --silent)
(cd ui && npm run build --silent) >"$log/build.out" 2>&1 || { cat "$log/build.out"; exit 1; }
summaries=()
for run in $(seq "$runs"); do
  echo "== run $run of $runs ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
  set +e
  (cd ui && WHATSFLOW_SERVER_BIN="$server" npx playwright test --retries=0) >"$log/run.out" 2>&1
  status=$?
  set -e
  summary=$(grep '^e2e: ' "$log/run.out" | tail -1)
  summaries+=("run $run: ${summary:-no summary (exit $status)}")
  echo "   ${summary:-no summary line (exit $status)}"
  if [ "$status" -ne 0 ]; then
    echo
    echo "e2e-repeat: run $run of $runs failed; its output:"
    cat "$log/run.out"
    printf '%s\n' "${summaries[@]}"
    exit 1
  fi
done
echo
printf '%s\n' "${summaries[@]}"
echo "e2e-repeat: the suite passed $runs time(s) in a row"
