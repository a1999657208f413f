#!/usr/bin/env bash
# Start-up benchmarks: whatsflow-server from exec to its first /api/v1/health answer, and the desktop
# app from exec to its first painted (non-blank) frame under Xvfb. Prints figures; asserts nothing.
# Usage: [PROFILE=debug] scripts/bench-startup.sh [RUNS]   (build first: cargo build --release -p whatsflow-http -p whatsflow --features tauri/custom-protocol)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
profile=${PROFILE:-release}
server=target/$profile/whatsflow-server
desktop=target/$profile/whatsflow
now_ms() { date +%s%3N; }
stats() { sort -n | awk '{a[NR]=$1} END {printf "min %d ms, median %d ms, max %d ms (n=%d)\n", a[1], a[int((NR+1)/2)], a[NR], NR}'; }

echo "whatsflow-server: exec -> first /api/v1/health answer"
for _ in $(seq "$runs"); do
  dir=$(mktemp -d)
  start=$(now_ms)
  $server --data-dir "$dir" --port 0 --token bench-token-123 >"$dir/out" 2>/dev/null &
  pid=$!
  until grep -q listening "$dir/out" 2>/dev/null; do sleep 0.002; done
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out")
  until curl -sf "$url/api/v1/health" >/dev/null; do sleep 0.002; done
  echo $(( $(now_ms) - start ))
  kill -TERM $pid; wait $pid 2>/dev/null || true; rm -rf "$dir"
done | stats

if [ -x "$desktop" ] && command -v Xvfb >/dev/null; then
  echo "whatsflow (desktop): exec -> first non-blank frame under Xvfb (screenshots every ~50 ms)"
  Xvfb :77 -screen 0 1280x820x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
  sleep 1
  for _ in $(seq "$runs"); do
    dir=$(mktemp -d)
    start=$(now_ms)
    DISPLAY=:77 dbus-run-session -- $desktop --data-dir "$dir" >/dev/null 2>&1 &
    pid=$!
    while :; do
      DISPLAY=:77 import -window root "$dir/shot.png" 2>/dev/null || continue
      [ "$(convert "$dir/shot.png" -format %k info: 2>/dev/null || echo 1)" -gt 16 ] && break
    done
    echo $(( $(now_ms) - start ))
    kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; pkill -f "$desktop" 2>/dev/null || true; rm -rf "$dir"
  done | stats
  kill $xvfb
fi
