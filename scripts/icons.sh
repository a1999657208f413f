#!/usr/bin/env bash
# Regenerates every icon in icons/ from the one source, icons/icon.svg, with the Tauri CLI's
# `tauri icon` (pinned in ui/package.json): the PNG sizes the Linux packages install, Windows' .ico
# and Store logos, macOS' .icns. Mobile icons are not kept (no mobile app). Commit the outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ui/node_modules/.bin/tauri icon icons/icon.svg --output "$out" >/dev/null 2>&1
rm -rf "$out/android" "$out/ios"
cp "$out"/* icons/
ls icons
