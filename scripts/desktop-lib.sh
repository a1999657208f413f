# Sourced by the scripts that run the desktop app under Xvfb (desktop-smoke.sh, check-deb.sh):
# a private X display, waiting for the window to show something, and switching the REST API on.

# xvfb_start: starts Xvfb on a free-ish display; sets DISPLAY and XVFB_PID.
xvfb_start() {
  local display=:$((90 + RANDOM % 9))
  Xvfb "$display" -screen 0 1280x820x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  export DISPLAY=$display
  sleep 1
}

# wait_window_rendered SHOT [SECONDS]: waits until the screen shows more than 16 colours (not a
# blank screen); then lets fonts and late layout settle and keeps the picture a person would see in
# SHOT. Fails if it stays blank.
wait_window_rendered() {
  local shot=$1 colors
  for _ in $(seq "${2:-60}"); do
    sleep 1
    import -window root "$shot" 2>/dev/null || continue
    colors=$(convert "$shot" -format %k info: 2>/dev/null || echo 1)
    if [ "${colors:-1}" -gt 16 ]; then
      sleep 2
      import -window root "$shot"
      return 0
    fi
  done
  return 1
}

# enable_rest_api DB PORT: saves the REST API switch as Settings does (the `rest_api` setting), for
# the next start of the app on that database.
enable_rest_api() {
  python3 - "$1" "$2" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute(
    "INSERT INTO settings (key, value, updated_at) VALUES ('rest_api', ?, 0) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    (json.dumps({"enabled": True, "port": int(sys.argv[2])}),),
)
db.commit()
PY
}

# free_port: a loopback port nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_health PORT: waits up to 60 s for GET /api/v1/health on the port; prints the answer.
wait_health() {
  local health=""
  for _ in $(seq 60); do
    sleep 1
    health=$(curl -s --max-time 5 "http://127.0.0.1:$1/api/v1/health" || true)
    [ -n "$health" ] && break
  done
  echo "$health"
}
