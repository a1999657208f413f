#!/usr/bin/env bash
# Installs what WhatsFlow needs to build, run and test on Debian/Ubuntu: Debian packages, Rust, the
# UI's npm packages. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Debian packages: Tauri's build and runtime libraries, Chromium (the browser WhatsFlow drives: the
# headless shell by default, the full browser for the UI tests), and what the tests use (Xvfb, a
# keyring, ImageMagick, Python for the OpenAPI check; for the desktop window's end-to-end test
# WebKit's WebDriver, a tray host and xdotool to click it).
PACKAGES=(
  build-essential pkg-config curl file libssl-dev
  libwebkit2gtk-4.1-dev libdbus-1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  chromium chromium-headless-shell xvfb xauth imagemagick dbus-x11 gnome-keyring libsecret-tools keyutils iproute2 procps
  webkit2gtk-driver trayer xdotool x11-utils
)
# Node.js and Python may come from elsewhere (nodesource, pyenv): only ask Debian when they are absent.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || PACKAGES+=(python3 python3-venv)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || PACKAGES+=(python3-venv)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] || curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
  export PATH="$HOME/.cargo/bin:$PATH"
fi
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt >/dev/null 2>&1 || true

# tauri-driver: WebDriver for the desktop app's window (scripts/desktop-e2e.sh), in front of WebKitWebDriver.
TAURI_DRIVER=2.1.0
if [ "$(tauri-driver --version 2>/dev/null || "$HOME/.cargo/bin/tauri-driver" --version 2>/dev/null)" != "tauri-driver $TAURI_DRIVER" ]; then
  echo "setup: installing tauri-driver $TAURI_DRIVER"
  env -u CARGO_TARGET_DIR cargo install tauri-driver --version "$TAURI_DRIVER" --locked --quiet
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is needed for the UI (found ${node_major}); install it from your distribution or nodejs.org" >&2
  exit 1
fi

# The UI's packages. Never download Playwright's own browsers: tests use Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
