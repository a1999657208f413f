#!/usr/bin/env bash
# HTTP benchmarks of the REST API with wrk (prints figures, asserts nothing; see docs/benchmarks.md):
# a release `whatsflow-server --demo`, linked to its simulator, with 5 000 imported contacts;
# CONNECTIONS connections for SECONDS each against `GET /api/v1/contacts?limit=50`, a bare tiny_http
# "hello" server (crates/http/examples/hello.rs) and `POST /api/v1/messages/send`, one after the
# other in the same run; then webhook throughput to a local receiver (examples/bench_webhooks.rs).
# The API is called with an admin API key, as a script would; its rate limit is raised for the run
# (the default, 120 requests a minute, would answer nearly every request 429).
# Usage: scripts/bench-http.sh [SECONDS] [CONNECTIONS] (default 60 s, 100 connections). BENCH_PROFILE
# builds another cargo profile than `release` (e.g. one defined by CARGO_PROFILE_<NAME>_INHERITS=release,
# to keep its binaries apart from other builds sharing the target directory).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
seconds=${1:-60}
connections=${2:-100}
contacts=5000
profile=${BENCH_PROFILE:-release}
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench-http: wrk is not installed; on Debian/Ubuntu: sudo apt-get install wrk" >&2
  exit 1
fi
cargo build -q --profile "$profile" -p whatsflow-http --bin whatsflow-server --example hello --example bench_webhooks
source scripts/demo-server.sh
dir=$(mktemp -d)
hello_pid=
trap 'demo_stop; [ -z "$hello_pid" ] || kill "$hello_pid" 2>/dev/null; rm -rf "$dir"' EXIT

demo_start "$target/$profile"/whatsflow-server "$dir" --key-rate-limit 100000000
demo_link
python3 - "$contacts" >"$dir/contacts.csv" <<'EOF'
import sys
print("name,phone,email,tags")
for n in range(int(sys.argv[1])):
    print(f"Customer {n:04d},+1415555{1000 + n:04d},customer{n}@example.com,{'vip' if n % 7 == 0 else 'retail'}")
EOF
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: text/csv' \
  --data-binary @"$dir/contacts.csv" "$DEMO_URL/api/v1/contacts/import" >/dev/null
echo "contacts: $(demo_field "$(demo_api GET /api/v1/contacts/count)" data.total)"
key=$(demo_key bench admin)

"$target/$profile"/examples/hello >"$dir/hello.out" &
hello_pid=$!
for _ in $(seq 100); do grep -q listening "$dir/hello.out" && break; sleep 0.1; done
hello_url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$dir/hello.out")

# wrk: two threads (the machine's cores), the latency histogram, one summary line from bench-http.lua.
bench() {
  local name=$1
  shift
  echo
  echo "== $name ($connections connections, $seconds s; load before: $(cut -d' ' -f1-3 /proc/loadavg))"
  wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s scripts/bench-http.lua "$@" | grep '^result:'
  echo "   load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
# A short warm-up, so the first figures do not include filling the page cache.
wrk -t2 -c10 -d3s -H "Authorization: Bearer $key" "$DEMO_URL/api/v1/contacts?limit=50" >/dev/null
BENCH_TOKEN=$key bench "GET /api/v1/contacts?limit=50" "$DEMO_URL/api/v1/contacts?limit=50"
bench "tiny_http hello (baseline)" "$hello_url"
BENCH_TOKEN=$key BENCH_SEND=1 BENCH_CONTACTS=$contacts bench "POST /api/v1/messages/send" "$DEMO_URL"
demo_stop
kill "$hello_pid" 2>/dev/null || true
hello_pid=

echo
echo "== webhook throughput to a local receiver (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
"$target/$profile"/examples/bench_webhooks --events 5000 --webhooks 1
"$target/$profile"/examples/bench_webhooks --events 2000 --webhooks 4
