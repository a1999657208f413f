#!/usr/bin/env bash
# Builds and opens the WhatsFlow desktop app. Pass --demo to run against the built-in WhatsApp Web
# simulator, and --data-dir DIR to keep data somewhere other than the OS app-data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
(cd ui && npm run build --silent)
cargo build --release -p whatsflow --features tauri/custom-protocol
exec "$target"/release/whatsflow "$@"
