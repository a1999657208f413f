#!/usr/bin/env bash
# Runs every check and test of WhatsFlow: formatting, lints, the UI's type check, the Rust tests
# (engine, HTTP server, simulator, the WhatsApp link against real Chromium), the OpenAPI document's
# validation, schemathesis against the running server, the UI's end-to-end tests in headless
# Chromium, the desktop window under Xvfb (a smoke test, and end to end over WebDriver), and the
# .deb installed, run and removed.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export WHATSFLOW_CHROMIUM=${WHATSFLOW_CHROMIUM:-/usr/bin/chromium}

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "Architecture invariants (dependencies, the UI's one client)"
scripts/check-architecture.sh

step "UI: type check and build"
(cd ui && npm run build --silent)

step "cargo clippy -D warnings (workspace, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (engine, http, wa-sim, whatsapp) with a session keyring"
# A private D-Bus session with an unlocked Secret Service, inside a fresh kernel session keyring, so
# the session vault's keychain path is tested for real.
# WHATSFLOW_TEST_EXPECT_KEYSTORE makes the vault tests fail if the keychain silently fell back to a file.
XDG_DATA_HOME=$(mktemp -d) dbus-run-session -- bash -c '
  echo -n ci-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  WHATSFLOW_TEST_EXPECT_KEYSTORE=secret-service keyctl session - cargo test --workspace --exclude whatsflow --no-fail-fast
'

step "OpenAPI document validates as OpenAPI 3.1"
scripts/check-openapi.sh

step "REST API fuzzed by schemathesis with an admin key: no 5xx, every answer as documented"
scripts/check-api-schema.sh

step "UI unit tests (vitest)"
(cd ui && npm test --silent)

step "UI end-to-end tests (Playwright, headless Debian Chromium)"
cargo build -p whatsflow-http --bin whatsflow-server
server_bin="$(realpath "$target")/debug/whatsflow-server"
# Each test runs once (playwright.config.ts): the stalls that once made these flaky were tiny_http's
# thread pool queueing connections behind long-lived ones (fixed in vendor/tiny_http, PATCHED.md).
(cd ui && WHATSFLOW_SERVER_BIN="$server_bin" npm run test:e2e --silent)

step "Desktop window under Xvfb: paints, no port, REST API switch; end to end with tray and single instance"
cargo build -p whatsflow
scripts/desktop-smoke.sh "$target"/debug/whatsflow
scripts/desktop-e2e.sh "$target"/debug/whatsflow

step "Installer: the .deb installs, runs in demo mode under Xvfb, uninstalls leaving nothing"
# The debug build packaged (the release installers come from scripts/bundle.sh): it reuses the crates
# compiled above, where a release build would compile everything again.
scripts/bundle.sh --debug
scripts/check-deb.sh "$(ls -t "$target"/debug/bundle/deb/*.deb | head -1)"
