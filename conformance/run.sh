#!/usr/bin/env bash
# Schemathesis conformance run against a real `callr-mock serve` process.
# Usage: conformance/run.sh [MAX_SECONDS]   (default 240)
# Prints schemathesis' summary; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
max_time="${1:-240}"
log="$(mktemp)"
callr-mock serve --port 0 --clock real --id-seed 1 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  url="$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$log" | head -n1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "${url:-}" ] || { cat "$log"; echo "callr-mock did not start"; exit 1; }
# Plenty of credit so long runs never hit the (correct) 403 insufficient-credit.
python - "$url" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/_mock/accounts/sandbox1/credit", data=json.dumps({"balance": "100000000"}).encode(), headers={"Content-Type": "application/json"})
urllib.request.urlopen(request, timeout=10).read()
PY

status=0
schemathesis --no-color --config-file conformance/schemathesis.toml run spec/callr-v2.yaml \
  --url "$url/v2.0" \
  -H "x-api-key: callr-mock-demo-key" \
  --checks all \
  --mode all \
  --phases examples,coverage,fuzzing,stateful \
  --max-time "$max_time" \
  --seed 20261127 \
  --generation-deterministic \
  --workers 1 \
  --warnings off \
  --report junit --report-dir conformance/report || status=$?
violations="$(python -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/_mock/violations", timeout=10).read().decode())' "$url")"
if [ "$violations" != "[]" ]; then
  echo "callr-mock recorded contract violations during the run:"
  echo "$violations" | head -c 4000
  status=1
fi
exit "$status"
