#!/usr/bin/env bash
# Fuzzes the REST API with schemathesis: `whatsflow-server --demo` on a free port over a fresh data
# directory, onboarded and linked to the simulator, a little data in it (contacts, a tag, a sent
# message, a campaign draft, a webhook), then every operation of /api/v1/openapi.json called with an
# admin API key: no answer may be a 5xx, and every answer must conform to the document (its schema,
# status code and content type). schemathesis (pinned) is installed into "$target"/py-schemathesis.
# Usage: scripts/check-api-schema.sh [SECONDS] (the fuzzing budget, default 150). The run's seed is
# printed; SCHEMATHESIS_SEED=N repeats a run.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
budget=${1:-150}
SCHEMATHESIS=4.32.5
# WHATSFLOW_SERVER_BIN runs another build of the server (as for the UI's end-to-end tests).
server=${WHATSFLOW_SERVER_BIN:-}
if [ -z "$server" ]; then
  cargo build -q -p whatsflow-http --bin whatsflow-server
  server="$target"/debug/whatsflow-server
fi
# Absolute: schemathesis runs from a temporary directory below.
venv="$(realpath -m "$target")"/py-schemathesis
if [ "$("$venv"/bin/st --version 2>/dev/null)" != "st, version $SCHEMATHESIS" ]; then
  python3 -m venv --clear "$venv"
  "$venv"/bin/pip install -q "schemathesis==$SCHEMATHESIS"
fi
source scripts/demo-server.sh
dir=$(mktemp -d)
trap 'demo_stop; rm -rf "$dir"' EXIT
# The admin key's budget is raised for the run: at the default 120 requests a minute nearly every
# generated request would be answered 429 and the run would test the rate limiter only.
demo_start "$server" "$dir" --key-rate-limit 1000000
demo_link

# A little of everything, so operations on an id find something at the small ids fuzzing tries.
for n in 1 2 3; do
  demo_api POST /api/v1/contacts "{\"name\":\"Customer $n\",\"phoneNumber\":\"+1415555010$n\",\"tags\":[\"vip\"]}" >/dev/null
done
demo_api POST /api/v1/tags '{"name":"wholesale"}' >/dev/null
demo_api POST /api/v1/messages/send '{"phoneNumber":"+14155550101","message":"Your order is ready"}' >/dev/null
demo_api POST /api/v1/campaigns '{"name":"Spring sale","messageContent":"Hello {{name}}","targetType":"all"}' >/dev/null
demo_api POST /api/v1/webhooks '{"url":"http://127.0.0.1:9/hook","events":["*"]}' >/dev/null
key=$(demo_key schemathesis admin)

# Left out, because each would end the run rather than test an answer: erasing everything (the
# app then needs a restart), locking the app (every later request would be 403 until unlocked) and
# revoking a key (the run's own admin key is id 1, a value fuzzing tries early). Unlinking WhatsApp
# is left out too, so sends are tested against a linked phone for the whole run.
set +e
# Run from the temp dir: schemathesis keeps a cache in the working directory.
(cd "$dir" && "$venv"/bin/st run "$DEMO_URL/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --exclude-operation-id postErase --exclude-operation-id postLockLock \
  --exclude-operation-id deleteKeysById --exclude-operation-id postWhatsappDisconnect \
  --max-examples 30 --max-time "$budget" --workers 2 --seed "${SCHEMATHESIS_SEED:-$RANDOM}" \
  --report junit --report-junit-path "$dir/junit.xml") >"$dir/st.out" 2>&1
status=$?
set -e
# The failures, if any, and schemathesis's summary.
sed -n '/^=* \(FAILURES\|SUMMARY\) =*$/,$p' "$dir/st.out"
if [ ! -s "$dir/junit.xml" ]; then
  cat "$dir/st.out"
  echo "api-schema: 0 passed, 1 failed (schemathesis did not run)"
  exit 1
fi
# One line per operation in the JUnit report: a test case with a <failure> or <error> failed.
python3 - "$dir/junit.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
cases = list(ET.parse(sys.argv[1]).getroot().iter("testcase"))
failed = sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None)
print(f"api-schema: {len(cases) - failed} passed, {failed} failed")
EOF
exit $status
