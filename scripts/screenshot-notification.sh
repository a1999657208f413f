#!/usr/bin/env bash
# Takes docs/screenshots/notification.png: the real desktop app in demo mode under Xvfb, with dunst as
# the notification server on a private session D-Bus. The business is onboarded through whatsflow-server
# on the same data directory, WhatsApp is linked and a customer writes twice through the simulator's
# control API, with the pointer outside the window (without a window manager GTK counts the window under
# the pointer as focused, and a focused window gets no notification). Then the notification is clicked
# and the app must show that chat.
# Usage: screenshot-notification.sh WHATSFLOW WHATSFLOW_SERVER [OUT.png]
# Needs: Xvfb, dbus-run-session, dunst, xdotool, imagemagick, curl, ss.
set -euo pipefail
app_bin=$(realpath "$1")
server_bin=$(realpath "$2")
out=$(realpath -m "${3:-docs/screenshots/notification.png}")
ui_dir=$(realpath "$(dirname "$0")/../ui/dist")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Onboard (profile saved) so the window opens on the app, not on onboarding.
"$server_bin" --data-dir "$work/data" --port 0 --token screenshot-token --ui-dir "$ui_dir" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 30); do grep -q "listening on" "$work/server.log" && break; sleep 1; done
base=$(grep -o "http://127.0.0.1:[0-9]*" "$work/server.log" | head -1)
curl -sf -X PUT -H "Authorization: Bearer screenshot-token" -H 'content-type: application/json' \
  -d '{"businessName":"Rosa Flowers","country":"US","timezone":"America/New_York"}' "$base/api/v1/profile" >/dev/null
kill -TERM "$server"; wait "$server" || true

cat >"$work/dunstrc" <<'DUNST'
[global]
    show_indicators = no
    font = DejaVu Sans 11
    width = 420
    origin = top-right
    offset = 176x62
    frame_width = 1
    frame_color = "#d4d4d8"
    padding = 12
    horizontal_padding = 14
    corner_radius = 8
    format = "<b>%s</b>\n%b"
    icon_position = off
    mouse_left_click = do_action, close_current
[urgency_normal]
    background = "#ffffff"
    foreground = "#18181b"
    timeout = 0
DUNST

cat >"$work/session.sh" <<'SESSION'
set -u
work=$1; app_bin=$2
export HOME=$work/home; mkdir -p "$HOME"
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1600x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$display
sleep 1
dunst -config "$work/dunstrc" >"$work/dunst.log" 2>&1 &
dunst=$!
"$app_bin" --demo --data-dir "$work/data" >"$work/app.log" 2>&1 &
app=$!
sim=""
for _ in $(seq 90); do
  sleep 1
  for port in $(ss -ltnpH | grep "pid=$app," | awk '{print $4}' | sed 's/.*://'); do
    curl -sf "http://127.0.0.1:$port/control/state" >/dev/null && sim="http://127.0.0.1:$port"
  done
  [ -n "$sim" ] && break
done
post() { curl -sf -X POST -H 'content-type: application/json' -d "$2" "$sim/control/$1" >/dev/null; }
for _ in $(seq 90); do sleep 1; post scan '{}' && break; done
for _ in $(seq 90); do sleep 1; curl -sf "$sim/control/state" | grep -q '"state":"CONNECTED"' && break; done
sleep 5
xdotool mousemove 1590 890
post inbound '{"from":"+14155550110","pushName":"Ana Customer","body":"Hi! Is the blue dress still available in size M?"}'
sleep 3
post inbound '{"from":"+14155550110","pushName":"Ana Customer","body":"I could pick it up today."}'
sleep 3
import -window root "$work/shot.png"
xdotool mousemove 1100 100 click 1
sleep 3
import -window root "$work/after-click.png"
kill -TERM $app; sleep 5
kill $dunst $xvfb 2>/dev/null || true
SESSION
dbus-run-session -- bash "$work/session.sh" "$work" "$app_bin" 2>/dev/null
# The window is 1280×820, centred on the 1600×900 screen.
convert "$work/shot.png" -crop 1280x820+160+40 +repage "$out"
echo "notification screenshot -> $out"
if grep -q "No icon found" "$work/dunst.log"; then echo "dunst received the app's notifications"; fi
