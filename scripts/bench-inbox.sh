#!/usr/bin/env bash
# Inbox benchmarks: the chat list's first page with 10 000 chats and message search over 1 000 000
# messages, through the engine and as the same SQL in raw rusqlite. Prints figures; asserts nothing.
# Usage: scripts/bench-inbox.sh [--chats N] [--messages N] [--runs N] [--db DIR]
# The generated database is cached under the temp dir (or --db) and reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release -q -p whatsflow-engine --example bench_inbox -- "$@"
