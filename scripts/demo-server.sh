# Sourced by the scripts that test or measure the API against a running `whatsflow-server --demo`:
# starts it on a free port over a fresh data directory, onboards a business and links the built-in
# WhatsApp Web simulator the way the simulated phone does (a QR scan), and creates API keys.
# Needs curl and python3. Sets DEMO_URL, DEMO_TOKEN, DEMO_PID, DEMO_SIM (the simulator's address).

# demo_start BIN DIR [ARGS…]: starts BIN --demo with its data and logs in DIR; waits for its ready line.
demo_start() {
  local bin=$1 dir=$2
  shift 2
  DEMO_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  "$bin" --demo --data-dir "$dir/data" --port 0 --token "$DEMO_TOKEN" "$@" \
    >"$dir/server.out" 2>"$dir/server.err" &
  DEMO_PID=$!
  for _ in $(seq 300); do
    grep -q "listening" "$dir/server.out" && break
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$dir/server.err" >&2; return 1; }
    sleep 0.1
  done
  DEMO_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/server.out") || { echo "demo: the server never said it was listening" >&2; return 1; }
}

# demo_api METHOD PATH [JSON]: one call with the session token; prints the body, fails on 4xx/5xx.
demo_api() {
  curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $DEMO_TOKEN" \
    -H 'Content-Type: application/json' "$DEMO_URL$2" ${3:+--data-binary "$3"}
}

# demo_field JSON PATH: one field of a JSON answer, e.g. `demo_field "$body" data.key`.
demo_field() {
  python3 -c 'import json, sys
value = json.loads(sys.argv[1])
for part in sys.argv[2].split("."):
    value = value[part]
print(value)' "$1" "$2"
}

# demo_link: saves a business profile and links the simulator (its QR is scanned once its page is up).
demo_link() {
  demo_api PUT /api/v1/profile '{"businessName":"Rosa Flowers","country":"US","timezone":"America/New_York"}' >/dev/null
  DEMO_SIM=$(demo_field "$(demo_api GET /api/v1/app/state)" data.simulatorUrl)
  for _ in $(seq 120); do
    curl -sf -X POST -H 'Content-Type: application/json' -d '{}' "${DEMO_SIM}control/scan" >/dev/null && break
    sleep 0.5
  done
  for _ in $(seq 120); do
    [ "$(demo_field "$(demo_api GET /api/v1/whatsapp/status)" data.state)" = connected ] && return 0
    sleep 0.5
  done
  echo "demo: WhatsApp never connected to the simulator" >&2
  return 1
}

# demo_key NAME SCOPE: creates an API key with one scope and prints its secret.
demo_key() {
  demo_field "$(demo_api POST /api/v1/keys "{\"name\":\"$1\",\"scopes\":[\"$2\"]}")" data.key
}

# demo_stop: stops the server (SIGTERM: it stops the browser and seals its session).
demo_stop() {
  [ -n "${DEMO_PID:-}" ] || return 0
  kill "$DEMO_PID" 2>/dev/null || true
  wait "$DEMO_PID" 2>/dev/null || true
  DEMO_PID=
}
