#!/usr/bin/env bash
# Checks the architecture invariants of ARCHITECTURE.md that no compiler or test sees: which crates
# may depend on what, and where the UI may talk to the outside. Prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
failed=0 passed=0
check() { # NAME COMMAND...: the command prints offending lines; none means the invariant holds
  local out
  out=$("${@:2}" 2>&1 || true)
  if [ -n "$out" ]; then echo "architecture: FAILED $1"; echo "$out" | sed 's/^/  /'; failed=$((failed + 1))
  else echo "architecture: ok $1"; passed=$((passed + 1)); fi
}

check "the API crate has no transport (no tiny_http, tauri)" \
  bash -c "cargo tree -e normal --prefix none -f '{p}' -p whatsflow-api | grep -E '^(tiny_http|tauri) ' || true"
check "the engine depends on neither tauri, chromiumoxide nor tiny_http" \
  bash -c "cargo tree -e normal --prefix none -f '{p}' -p whatsflow-engine | grep -E '^(tiny_http|tauri|chromiumoxide) ' || true"
check "only crates/http and wa-sim depend on tiny_http" \
  bash -c "cargo tree -e normal -i tiny_http --workspace --depth 1 --prefix none -f '{p}' | awk '{print \$1}' | grep -vxE 'tiny_http|whatsflow-http|wa-sim' || true"
check "only src-tauri depends on tauri (and Tauri's own plugins, which it uses)" \
  bash -c "cargo tree -e normal -i tauri --workspace --depth 1 --prefix none -f '{p}' | awk '{print \$1}' | grep -vxE 'tauri|whatsflow|tauri-plugin-[a-z-]+' || true"
check "only crates/whatsapp depends on chromiumoxide" \
  bash -c "cargo tree -e normal -i chromiumoxide --workspace --depth 1 --prefix none -f '{p}' | awk '{print \$1}' | grep -vxE 'chromiumoxide|whatsflow-whatsapp' || true"
check "the UI calls out only from ui/src/api/" \
  bash -c "grep -rnE 'invoke\\(|fetch\\(|XMLHttpRequest' ui/src --include='*.ts' --include='*.tsx' | grep -v '^ui/src/api/' | grep -vE '\\.test\\.tsx?:' || true"
echo "architecture: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
