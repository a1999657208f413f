#!/usr/bin/env bash
# Starts the desktop app under Xvfb on a fresh data directory and checks that its window shows
# something (not a blank screen). Usage: desktop-smoke.sh BINARY [SCREENSHOT.png]
set -euo pipefail
bin=$(realpath "$1")
shot=${2:-$(mktemp --suffix=.png)}
dir=$(mktemp -d)
export HOME=${HOME:-$dir}
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x820x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
DISPLAY=$display dbus-run-session -- "$bin" --data-dir "$dir/data" >"$dir/app.log" 2>&1 &
app=$!
ok=0
for _ in $(seq 60); do
  sleep 1
  DISPLAY=$display import -window root "$shot" 2>/dev/null || continue
  colors=$(convert "$shot" -format %k info: 2>/dev/null || echo 1)
  if [ "${colors:-1}" -gt 16 ]; then ok=1; break; fi
done
if [ $ok -eq 1 ]; then
  sleep 2 # let fonts and late layout settle before the picture a person would see
  DISPLAY=$display import -window root "$shot"
  echo "desktop: window rendered ($(convert "$shot" -format %k info:) colours) -> $shot"
  # The desktop app talks to its window over IPC: it must not listen on any port of its own (the
  # REST API is opt-in). Chromium is not started on a fresh data directory.
  app_pid=$(pgrep -f -n "^$bin --data-dir $dir/data" || true)
  listening=$(ss -ltnpH 2>/dev/null | grep "pid=${app_pid:-none}," || true)
  if [ -z "$app_pid" ] || [ -n "$listening" ]; then
    echo "desktop: the app (pid ${app_pid:-not found}) listens on a port:"; echo "$listening"
    echo "desktop: 1 passed, 1 failed"
    exit 1
  fi
  echo "desktop: no listening socket (pid $app_pid)"
  echo "desktop: 2 passed, 0 failed"
else
  echo "desktop: the window stayed blank; app log:"; cat "$dir/app.log"
  echo "desktop: 0 passed, 2 failed"
  exit 1
fi
