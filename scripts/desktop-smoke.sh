#!/usr/bin/env bash
# Starts the desktop app under Xvfb on a fresh data directory and checks that its window shows
# something (not a blank screen) and that it listens on no port; then starts it again with the REST
# API switched on (as an earlier session in Settings leaves it saved) and checks that
# GET /api/v1/health answers on its port. Usage: desktop-smoke.sh BINARY [SCREENSHOT.png]
set -euo pipefail
bin=$(realpath "$1")
shot=${2:-$(mktemp --suffix=.png)}
dir=$(mktemp -d)
export HOME=${HOME:-$dir}
source "$(dirname "$0")/desktop-lib.sh"
xvfb_start
app_pid=""
trap 'kill $app_pid $app $XVFB_PID 2>/dev/null || true; rm -rf "$dir"' EXIT
dbus-run-session -- "$bin" --data-dir "$dir/data" >"$dir/app.log" 2>&1 &
app=$!
if wait_window_rendered "$shot"; then
  echo "desktop: window rendered ($(convert "$shot" -format %k info:) colours) -> $shot"
  # The desktop app talks to its window over IPC: it must not listen on any port of its own (the
  # REST API is opt-in). Chromium is not started on a fresh data directory.
  app_pid=$(pgrep -f -n "^$bin --data-dir $dir/data" || true)
  listening=$(ss -ltnpH 2>/dev/null | grep "pid=${app_pid:-none}," || true)
  if [ -z "$app_pid" ] || [ -n "$listening" ]; then
    echo "desktop: the app (pid ${app_pid:-not found}) listens on a port:"; echo "$listening"
    echo "desktop: 1 passed, 2 failed"
    exit 1
  fi
  echo "desktop: no listening socket (pid $app_pid)"
else
  echo "desktop: the window stayed blank; app log:"; cat "$dir/app.log"
  echo "desktop: 0 passed, 3 failed"
  exit 1
fi

# The REST API switched on: stop the app the orderly way, save the switch as Settings does (the
# `rest_api` setting), start it again; the server must answer on the chosen port.
kill -TERM "$app_pid"
wait "$app" || true
port=$(free_port)
enable_rest_api "$dir/data/whatsflow.db" "$port"
dbus-run-session -- "$bin" --data-dir "$dir/data" >"$dir/app-on.log" 2>&1 &
app=$!
health=$(wait_health "$port")
app_pid=$(pgrep -f -n "^$bin --data-dir $dir/data" || true)
# Loopback only, and nothing but the chosen port.
elsewhere=$(ss -ltnpH 2>/dev/null | grep "pid=${app_pid:-none}," | grep -v " 127.0.0.1:$port " || true)
if echo "$health" | grep -q '"status":"ok"' && [ -z "$elsewhere" ]; then
  echo "desktop: REST API switched on answers GET /api/v1/health on 127.0.0.1:$port only: $health"
  echo "desktop: 3 passed, 0 failed"
else
  echo "desktop: sockets beside 127.0.0.1:$port: ${elsewhere:-none}"
  echo "desktop: the REST API did not answer on port $port (got: ${health:-nothing}); app log:"
  cat "$dir/app-on.log"
  echo "desktop: 2 passed, 1 failed"
  exit 1
fi
