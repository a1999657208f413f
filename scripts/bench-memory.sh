#!/usr/bin/env bash
# Memory benchmark of the desktop app as a user runs it: PSS (/proc/<pid>/smaps_rollup) of every
# process WhatsFlow owns — the app, its WebKit processes, Chromium and its children — in demo mode
# with the simulated WhatsApp linked (the phone's QR scan, through the simulator's control API), idle,
# first with the window open, then after closing the window (to the tray, where the build has one).
# Beside it, in the same run and on the same simulator page (the `wa-sim` program): Chromium alone
# with its default flags, and the browser command line WhatsFlow used with `chromium --headless=new`
# and with Debian's `chromium-headless-shell`. Prints figures only; docs/benchmarks.md keeps them.
#
# Usage: bench-memory.sh [APP_BINARY] [IDLE_SECONDS]
#   APP_BINARY defaults to the release build ($CARGO_TARGET_DIR or target)/release/whatsflow, built
#   with `cargo build --release -p whatsflow --features tauri/custom-protocol` (or scripts/bundle.sh).
#   WA_SIM names the simulator program (default: the debug build, built if missing); SHOT, a file
#   to keep the screenshot of the open window in. WEBKIT_DISABLE_COMPOSITING_MODE=0 measures the
#   window with WebKit's compositing on (the app turns it off unless told otherwise).
# Needs Xvfb, dbus-run-session, curl, python3 with python3-xlib (closing the window without a window
# manager), ImageMagick (the screenshot). Linux only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target=${CARGO_TARGET_DIR:-target}
app=$(realpath "${1:-$target/release/whatsflow}")
idle=${2:-30}
wa_sim=${WA_SIM:-$target/debug/wa-sim}
[ -x "$wa_sim" ] || cargo build -q -p wa-sim --bin wa-sim
dir=$(mktemp -d)
export HOME=${HOME:-$dir}
display=:$((60 + RANDOM % 20))
Xvfb "$display" -screen 0 1280x820x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
pids=()
app_pid=""
# The app first, and the display only once it is gone: an app that loses its display dies without
# closing its Chromium.
stop_all() {
  if [ -n "$app_pid" ] && kill -TERM "$app_pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  kill "${pids[@]}" $xvfb 2>/dev/null || true
  sleep 1
  rm -rf "$dir"
}
trap stop_all EXIT
sleep 1
export DISPLAY=$display

sim_state() { curl -s --max-time 5 "$1control/state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])' 2>/dev/null || true; }
wait_state() { # URL STATE WHAT
  for _ in $(seq 120); do [ "$(sim_state "$1")" = "$2" ] && return 0; sleep 0.5; done
  echo "bench-memory: $3 never reached $2 (state: $(sim_state "$1"))" >&2; return 1
}
# link URL: the simulated phone scans the QR the page shows.
link() {
  wait_state "$1" UNPAIRED "the page's QR"
  curl -s --fail -X POST -H 'Content-Type: application/json' --data '{}' "$1control/scan" >/dev/null
  wait_state "$1" CONNECTED "the link"
}

echo "bench-memory: $app, idle ${idle} s after linking; $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. The app in demo mode: its own simulator, its own Chromium.
dbus-run-session -- "$app" --demo --data-dir "$dir/data" >"$dir/app.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do [ -s "$dir/data/demo-simulator.port" ] && break; sleep 0.5; done
sim="http://127.0.0.1:$(cat "$dir/data/demo-simulator.port")/"
app_pid=$(pgrep -f -n "^$app --demo --data-dir $dir/data")
link "$sim"
sleep "$idle"
shot=${SHOT:-$dir/window.png}
import -window root "$shot" 2>/dev/null && echo "window: $(convert "$shot" -format '%k colours' info:) on screen ($shot)"
scripts/pss.py "$app_pid" "WhatsFlow, window open"
browser_pid=""
for pid in $(pgrep -f -- "--user-data-dir=$dir/data/" || true); do
  grep -qa -- '--type=' "/proc/$pid/cmdline" || browser_pid=$pid
done
browser_cmd=()
# Chromium may rewrite its command line into one line separated by spaces (the user agent has
# spaces of its own): split before each switch.
[ -z "$browser_pid" ] || mapfile -t browser_cmd < <(tr '\0' ' ' <"/proc/$browser_pid/cmdline" |
  python3 -c 'import re, sys; print("\n".join(re.split(r" +(?=--)", sys.stdin.read().strip())))')
echo "the app's browser: ${browser_cmd[0]:-not found} (${#browser_cmd[@]} arguments)"

scripts/close-window.py "$app_pid"
# The first close is held back once while the window explains the tray; the next one closes it.
sleep 3
scripts/close-window.py "$app_pid" >/dev/null 2>&1 || true
sleep "$idle"
if kill -0 "$app_pid" 2>/dev/null; then
  scripts/pss.py "$app_pid" "WhatsFlow, window closed"
else
  echo "WhatsFlow, window closed: the app quit with its window (this build has no tray)"
fi
kill -TERM "$app_pid" 2>/dev/null || true
while kill -0 "$app_pid" 2>/dev/null; do sleep 0.2; done

# 2. Chromium alone on the same simulator page, each command line with a fresh simulator and profile.
# WhatsFlow's flags: the app's own browser command line, less its profile, DevTools port and mode.
ours=()
for arg in "${browser_cmd[@]:1}"; do
  case $arg in --user-data-dir=* | --remote-debugging-port=* | --headless*) ;; -*) ours+=("$arg") ;; esac
done
defaults=(--headless=new)
[ "$(id -u)" -ne 0 ] || defaults+=(--no-sandbox)
alone() { # LABEL BINARY FLAGS…
  local label=$1 binary=$2
  shift 2
  "$wa_sim" --port 0 >"$dir/sim.out" 2>&1 &
  local sim_pid=$!
  for _ in $(seq 50); do grep -q listening "$dir/sim.out" && break; sleep 0.1; done
  local url
  url="$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/sim.out")/"
  rm -rf "$dir/profile"
  "$binary" "$@" --user-data-dir="$dir/profile" "$url" >/dev/null 2>&1 &
  local browser=$!
  link "$url"
  sleep "$idle"
  scripts/pss.py "$browser" "$label"
  kill -TERM "$browser" "$sim_pid"
  wait "$browser" "$sim_pid" 2>/dev/null || true
}
alone "Chromium alone, default flags (chromium ${defaults[*]})" /usr/bin/chromium "${defaults[@]}"
if [ ${#ours[@]} -gt 0 ]; then
  alone "chromium --headless=new, WhatsFlow's flags" /usr/bin/chromium --headless=new "${ours[@]}"
  shell=/usr/lib/chromium/chromium-headless-shell # the binary: /usr/bin's wrapper would outlive a kill
  if [ -x "$shell" ]; then
    alone "chromium-headless-shell, WhatsFlow's flags" "$shell" --headless "${ours[@]}"
  fi
  echo "WhatsFlow's flags: ${ours[*]}"
else
  echo "bench-memory: the app's Chromium was not found; its flags were not compared" >&2
fi
