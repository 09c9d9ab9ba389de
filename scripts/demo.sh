#!/usr/bin/env bash
# The main job, end to end on this machine: builds the connector and the bundled fake Auth0
# tenant, starts the tenant on loopback, runs spec, check, discover and a full read of every
# stream (examples/catalog.json), prints a summary and sample records, and stops the tenant.
# Options: --users N --organizations N --members-per-org N --clients N (tenant size).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="${DEMO_DIR:-$root/local/demo}"
mkdir -p "$work"
. scripts/lib/fake-tenant.sh
trap stop_fake_tenant EXIT

# CONNECTOR_BIN: run a prebuilt connector (e.g. the Native AOT binary) instead of building one.
if [ -n "${CONNECTOR_BIN:-}" ]; then
  connector="$(cd "$(dirname "$CONNECTOR_BIN")" && pwd)/$(basename "$CONNECTOR_BIN")"
  [ -x "$connector" ] || { echo "CONNECTOR_BIN is not an executable: $CONNECTOR_BIN" >&2; exit 1; }
  echo "==> using the connector $connector; building the fake tenant (Release)" >&2
else
  echo "==> building the connector and the fake tenant (Release)" >&2
  quiet_dotnet "$work/connector.build.log" build src/Auth0Connector -c Release -nologo -o "$work/connector"
  connector="$work/connector/auth0-connector"
fi

echo "==> starting the fake tenant${*:+ ($*)}" >&2
start_fake_tenant "$work" "$work/config.json" "$@"
echo "    $(cat "$work/tenant.out" | sed 's/"client_secret":"[^"]*"/"client_secret":"***"/')" >&2

"$connector" spec > "$work/spec.jsonl"
"$connector" check --config "$work/config.json" > "$work/check.jsonl"
echo "==> check: $(cat "$work/check.jsonl")" >&2
"$connector" discover --config "$work/config.json" > "$work/discover.jsonl"
streams="$(grep -o '"name":"[a-z_]*","json_schema"' "$work/discover.jsonl" | cut -d'"' -f4)"
echo "==> spec: $(wc -c < "$work/spec.jsonl") bytes; discover: $(echo "$streams" | wc -l) streams: $(echo "$streams" | paste -sd' ')" >&2

echo "==> read (every stream; users, logs and stats_daily incremental)" >&2
started=$(date +%s%N)
set +e
"$connector" read --config "$work/config.json" --catalog examples/catalog.json > "$work/read.jsonl"
status=$?
set -e
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))

echo
echo "Records per stream (read exited $status in ${elapsed_ms} ms; output in $work/read.jsonl):"
for stream in $streams; do
  printf '  %-28s %8d\n' "$stream" "$(grep '"type":"RECORD"' "$work/read.jsonl" | grep -c "\"stream\":\"$stream\"" || true)"
done
echo
echo "First record of each stream:"
for stream in $streams; do
  grep '"type":"RECORD"' "$work/read.jsonl" | grep -m1 "\"stream\":\"$stream\"" | cut -c1-300 || true
done
echo
echo "Final state of each stream (the --state file for the next sync, see scripts/last-state.sh):"
scripts/last-state.sh "$work/read.jsonl"
echo
echo "Protocol validation of every stdout line (strict):"
if command -v python3 >/dev/null && python3 -c 'import yaml, jsonschema' 2>/dev/null; then
  cat "$work/spec.jsonl" "$work/check.jsonl" "$work/discover.jsonl" "$work/read.jsonl" \
    | python3 tests/protocol/validate_airbyte.py --schema tests/protocol/airbyte_protocol.yaml --strict
else
  echo "  skipped: needs python3 with PyYAML and jsonschema (pip install pyyaml jsonschema)"
fi
exit "$status"
