#!/usr/bin/env bash
# The desktop app end to end in its real window (src-tauri/tests/desktop_e2e.py): demo mode, onboarding,
# linking with the simulated phone, a message arriving, close to the tray (the window's WebKit process
# gone), a second start reopening the window, quit (no Chromium left). Runs under Xvfb in a private D-Bus
# session with a fresh HOME, driven by tauri-driver over WebKitWebDriver (scripts/setup.sh installs both),
# with trayer as the tray host whose icon xdotool clicks; selenium and python-xlib (pinned) are installed
# into "$target"/py-desktop-e2e. Usage: desktop-e2e.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
SELENIUM=4.51.0
XLIB=0.33
bin=$(realpath "$1")
venv="$(realpath -m "$target")"/py-desktop-e2e
if [ "$("$venv"/bin/python -c 'import selenium, Xlib; print(selenium.__version__, Xlib.__version_string__)' 2>/dev/null)" != "$SELENIUM $XLIB" ]; then
  python3 -m venv --clear "$venv"
  "$venv"/bin/pip install -q "selenium==$SELENIUM" "python-xlib==$XLIB"
fi
TAURI_DRIVER=$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")
export TAURI_DRIVER
dir=$(mktemp -d)
# A fresh HOME: the login item and the window's saved place go under it, not the user's own.
mkdir -p "$dir/home"
export HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_DATA_HOME="$dir/home/.local/share"
display=:$((110 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x820x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$dir"' EXIT
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
# The tray host: the app's icon docks in it (XEmbed), where a click opens its menu.
trayer --edge top --align right --widthtype request --height 28 --SetDockType true --transparent false >/dev/null 2>&1 &
tray_host=$!
trap 'kill $tray_host $xvfb 2>/dev/null || true; rm -rf "$dir"' EXIT
dbus-run-session -- "$venv"/bin/python src-tauri/tests/desktop_e2e.py "$bin"
