#!/usr/bin/env bash
# Builds WhatsFlow's Linux installers, a .deb and an .rpm, with the Tauri CLI pinned in
# ui/package.json: the app (release build, the UI built first by `beforeBuildCommand`), its symbols
# stripped (a third of the package), then the packages. Prints where they are and their sizes.
# Usage: bundle.sh [--debug] (--debug packages the debug build, as scripts/test.sh does to reuse the
# crates its tests compiled). AppImage is not built here: its bundler downloads linuxdeploy at build
# time (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
[ -x ui/node_modules/.bin/tauri ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
tauri=$(realpath ui/node_modules/.bin/tauri)
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
profile=release
[ "${1:-}" != --debug ] || profile=debug
bundles="$target/$profile/bundle"
rm -rf "$bundles/deb" "$bundles/rpm"
cd src-tauri
"$tauri" build --ci --no-bundle "$@"
strip "$target/$profile/whatsflow"
"$tauri" bundle --ci --bundles deb,rpm "$@"
for package in "$bundles"/deb/*.deb "$bundles"/rpm/*.rpm; do
  printf '%s\t%s\n' "$(du -h --apparent-size "$package" | cut -f1)" "$package"
done
