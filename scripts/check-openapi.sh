#!/usr/bin/env bash
# Starts whatsflow-server, fetches /api/v1/openapi.json and validates it as an OpenAPI 3.1 document
# with openapi-spec-validator (installed into "$target"/py).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build -q -p whatsflow-http --bin whatsflow-server
# Called through the venv's python (never its scripts, whose #! lines name the folder the venv was
# made in): a target directory moved or restored from a cache still works, or is made anew.
py="$target"/py/bin/python
if ! "$py" -c 'import openapi_spec_validator' 2>/dev/null; then
  python3 -m venv --clear "$target"/py
  "$py" -m pip install -q 'openapi-spec-validator>=0.7'
fi
dir=$(mktemp -d)
out="$dir/server.out"
"$target"/debug/whatsflow-server --data-dir "$dir/data" --port 0 --token openapi-check-token >"$out" 2>"$dir/server.err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q "listening" "$out" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$out")
curl -sf "$url/api/v1/openapi.json" -o "$dir/openapi.json"
if "$py" -m openapi_spec_validator "$dir/openapi.json"; then
  echo "openapi: 1 passed, 0 failed"
else
  echo "openapi: 0 passed, 1 failed"
  exit 1
fi
