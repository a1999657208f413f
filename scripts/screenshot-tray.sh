#!/usr/bin/env bash
# Takes docs/screenshots/tray-menu.png: the real desktop app in demo mode under Xvfb, started hidden in
# the tray (`--hidden`), linked to the simulated phone with two unread messages, its tray icon docked in
# trayer (an XEmbed tray host) and its menu opened with a click (xdotool), cropped around tray and menu.
# Needs the Debian packages trayer and xdotool besides what scripts/setup.sh installs.
# Usage: screenshot-tray.sh BINARY [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1")
out=$(realpath -m "${2:-docs/screenshots/tray-menu.png}")
dir=$(mktemp -d)
mkdir -p "$dir/home"
export HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config"
display=:$((120 + RANDOM % 9))
Xvfb "$display" -screen 0 800x500x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$dir"' EXIT
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
dbus-run-session -- bash -s "$bin" "$dir" "$out" <<'INNER'
set -euo pipefail
bin=$1 dir=$2 out=$3
trayer --edge top --align right --widthtype request --height 28 --SetDockType true \
  --transparent false --tint 0x2b2f36 --expand true --padding 6 >"$dir/trayer.log" 2>&1 &
tray_host=$!
sleep 1
"$bin" --demo --hidden --data-dir "$dir/data" >"$dir/app.log" 2>&1 &
app=$!
trap 'kill -TERM $app 2>/dev/null; wait $app 2>/dev/null; kill $tray_host 2>/dev/null || true' EXIT
# Link the simulated phone once its QR code is up, then two customers write.
for _ in $(seq 120); do [ -s "$dir/data/demo-simulator.port" ] && break; sleep 0.5; done
[ -s "$dir/data/demo-simulator.port" ] || { echo "the app did not start:"; cat "$dir/app.log"; exit 1; }
sim="http://127.0.0.1:$(cat "$dir/data/demo-simulator.port")"
for _ in $(seq 120); do
  curl -sf -X POST "$sim/control/scan" -H 'Content-Type: application/json' -d '{}' >/dev/null && break
  sleep 0.5
done
for _ in $(seq 120); do
  curl -sf "$sim/control/state" | grep -q '"hasSynced":true' && break
  sleep 0.5
done
curl -sf -X POST "$sim/control/inbound" -H 'Content-Type: application/json' \
  -d '{"from":"+14155550110","pushName":"Ana","body":"Do you deliver on Sundays?"}' >/dev/null
curl -sf -X POST "$sim/control/inbound" -H 'Content-Type: application/json' \
  -d '{"from":"+14155550120","pushName":"Ben","body":"Is the shop open today?"}' >/dev/null
sleep 3
# A light desktop behind the tray, as a screenshot reader expects (set late: starting X clients
# clears it).
xsetroot -solid '#dfe3e8'
# A click on the icon (docked in trayer) opens its menu; wait until it is mapped and drawn.
icon=$(xdotool search --class "tray-icon tray app" | head -1)
eval "$(xdotool getwindowgeometry --shell "$icon")"
xdotool mousemove $((X + WIDTH / 2)) $((Y + HEIGHT / 2)) click 1
for _ in $(seq 50); do
  xdotool search --onlyvisible --name '^whatsflow$' >/dev/null 2>&1 && break
  sleep 0.1
done
sleep 1
import -window root "$dir/full.png"
# The top-right corner: the tray and the menu under it.
convert "$dir/full.png" -crop 300x190+500+0 +repage "$out"
echo "tray screenshot -> $out"
INNER
