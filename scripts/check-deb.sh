#!/usr/bin/env bash
# Installs WhatsFlow's .deb, runs the installed app, removes it, and checks each step:
#  1. the package declares what it needs (WebKitGTK, a Chromium) and `dpkg -i` installs it (its
#     dependencies must already be there: `apt install ./whatsflow_*.deb` is what fetches them);
#  2. the installed /usr/bin/whatsflow starts under Xvfb in demo mode on a temporary data directory:
#     its window renders, it drives the installed Chromium and the simulated phone links;
#  3. started again with the REST API switched on (as Settings saves it), GET /api/v1/health answers;
#  4. it stops the orderly way leaving no Chromium behind, and `dpkg -r` leaves none of its files.
# Usage: check-deb.sh [PACKAGE.deb] (default: the newest one under the target dir's bundle/deb).
# Needs root (or sudo), Xvfb, ImageMagick, dbus-run-session, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
deb=${1:-$(ls -t "$target"/*/bundle/deb/*.deb 2>/dev/null | head -1)}
[ -f "$deb" ] || { echo "check-deb: no .deb found; build one with scripts/bundle.sh" >&2; exit 1; }
deb=$(realpath "$deb")
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
package=$(dpkg-deb -f "$deb" Package)
passed=0
failed=0
check() { # WHAT COMMAND…: one named check; counts it and says how it went.
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1)); echo "check-deb: ok   $what"
  else
    failed=$((failed + 1)); echo "check-deb: FAIL $what"
  fi
}
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
  echo "check-deb: $package is installed on this machine already; not touching it" >&2
  exit 1
fi

echo "check-deb: $deb ($(du -h --apparent-size "$deb" | cut -f1))"
depends=$(dpkg-deb -f "$deb" Depends)
echo "check-deb: Depends: $depends"
check "declares WebKitGTK" grep -q "libwebkit2gtk-4.1-0" <<<"$depends"
check "declares a Chromium" grep -q "chromium" <<<"$depends"

dir=$(mktemp -d)
chmod 755 "$dir"
source scripts/desktop-lib.sh
xvfb_start
app=""
trap 'kill $app $XVFB_PID 2>/dev/null || true; $SUDO dpkg -r "$package" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
check "dpkg -i installs it" $SUDO dpkg -i "$deb"
dpkg -L "$package" >"$dir/files"
bin=/usr/bin/whatsflow
check "installs $bin" test -x $bin
check "installs a desktop entry" grep -q '^/usr/share/applications/.*\.desktop$' "$dir/files"
check "installs its icons" grep -q '^/usr/share/icons/hicolor/.*/apps/.*\.png$' "$dir/files"

# Run as a user would, with a fresh home and data directory, the app finding its browser itself.
unset WHATSFLOW_CHROMIUM
export HOME=$dir/home
mkdir -p "$HOME"
data=$dir/data
app_running() { pgrep -f -n "^$bin --demo --data-dir $data" >/dev/null; }
browsers() { pgrep -f -- "--user-data-dir=$data/whatsapp-profile" || true; }
sim_state() { curl -s --max-time 5 "$1control/state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])' 2>/dev/null || true; }
links() { # wait until the simulator shows its QR, scan it, wait until connected
  local sim=$1
  for _ in $(seq 60); do [ "$(sim_state "$sim")" = UNPAIRED ] && break; sleep 0.5; done
  curl -s --fail -X POST -H 'Content-Type: application/json' --data '{}' "${sim}control/scan" >/dev/null || return 1
  for _ in $(seq 60); do [ "$(sim_state "$sim")" = CONNECTED ] && return 0; sleep 0.5; done
  return 1
}
stop_app() { # the orderly way (SIGTERM), as the session ends
  local pid
  pid=$(pgrep -f -n "^$bin --demo --data-dir $data" || true)
  [ -z "$pid" ] || kill -TERM "$pid"
  wait "$app" || true
  app=""
}

dbus-run-session -- $bin --demo --data-dir "$data" >"$dir/app.log" 2>&1 &
app=$!
check "the installed app's window renders" wait_window_rendered "$dir/window.png"
check "the app runs" app_running
for _ in $(seq 60); do [ -s "$data/demo-simulator.port" ] && break; sleep 0.5; done
check "it drives the installed Chromium and the demo phone links" links "http://127.0.0.1:$(cat "$data/demo-simulator.port" 2>/dev/null || echo 0)/"
for pid in $(browsers); do
  grep -qa -- '--type=' "/proc/$pid/cmdline" || echo "check-deb: the browser it runs: $(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -d' ' -f1)"
done
stop_app
check "no Chromium left after it stopped" test -z "$(browsers)"

port=$(free_port)
enable_rest_api "$data/whatsflow.db" "$port"
dbus-run-session -- $bin --demo --data-dir "$data" >"$dir/app-on.log" 2>&1 &
app=$!
health=$(wait_health "$port")
check "GET /api/v1/health answers with the REST API on: $health" grep -q '"status":"ok"' <<<"$health"
stop_app
check "no Chromium left after the second run" test -z "$(browsers)"

check "dpkg -r removes it" $SUDO dpkg -r "$package"
left=$(while read -r path; do if [ -f "$path" ] || [ -L "$path" ]; then echo "$path"; fi; done <"$dir/files")
check "none of its files is left${left:+: $left}" test -z "$left"
check "dpkg keeps nothing of it (not even configuration)" bash -c "! dpkg-query -W -f='\${Status}' $package 2>/dev/null | grep -qE 'install ok installed|config-files'"
check "no process of it is left" bash -c "! pgrep -f '^$bin' >/dev/null"

if [ $failed -gt 0 ]; then
  echo "check-deb: app log:"; cat "$dir/app.log"; echo "check-deb: app log (REST API on):"; cat "$dir/app-on.log" 2>/dev/null || true
fi
echo "check-deb: $passed passed, $failed failed"
[ $failed -eq 0 ]
