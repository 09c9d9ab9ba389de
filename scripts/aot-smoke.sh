#!/usr/bin/env bash
# Native AOT smoke: publishes the connector as Native AOT for linux-x64 (the issue's command),
# fails on any trim/AOT warning or a binary over 30 MB, then runs the main job (scripts/demo.sh:
# spec, check, discover, a full read against the fake tenant, protocol validation) with the AOT
# binary, and compares its records and final states with those of the JIT build on the same
# (seeded) fake tenant. Options are passed to the fake tenant (as scripts/demo.sh's).
# JIT_DEMO_DIR: a JIT demo already run with the same tenant options (CI's local/demo) to compare
# with, instead of running it again.
# Output: local/aot (the binary), local/aot-demo/{aot,jit} (the two demo runs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${AOT_OUT:-$root/local/aot}"
demo_dir="$root/local/aot-demo"
mkdir -p "$out" "$demo_dir"
rid="${AOT_RID:-linux-x64}"

echo "==> [aot] dotnet publish src/Auth0Connector -c Release -r $rid -p:PublishAot=true" >&2
started=$(date +%s%N)
log="$demo_dir/publish.log"
if ! dotnet publish src/Auth0Connector -c Release -r "$rid" -p:PublishAot=true -nologo -o "$out" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "FAILED: Native AOT publish (see $log)" >&2
  exit 1
fi
if grep -E ': warning [A-Z]+[0-9]+' "$log" | sort -u >&2; then
  echo "FAILED: the Native AOT publish printed warnings (above)" >&2
  exit 1
fi
bin="$out/auth0-connector"
size=$(stat -c %s "$bin")
echo "    published in $(( ($(date +%s%N) - started) / 1000000 )) ms, 0 warnings: $bin $(awk "BEGIN{printf \"%.1f\", $size/1048576}") MiB (symbols in $(basename "$bin").dbg, not shipped)" >&2
[ "$size" -le $(( 30 * 1024 * 1024 )) ] || { echo "FAILED: the AOT binary is over 30 MiB" >&2; exit 1; }
expected="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n1)"
[ "$("$bin" --version)" = "$expected" ] || { echo "FAILED: $bin --version is not $expected" >&2; exit 1; }

echo "==> [aot] scripts/demo.sh with the AOT binary" >&2
DEMO_DIR="$demo_dir/aot" CONNECTOR_BIN="$bin" scripts/demo.sh "$@"

# Same behaviour as the JIT build: the same messages for the same tenant (LOG lines, which carry
# durations and the sync's start time, and emitted_at aside).
jit_dir="$demo_dir/jit"
if [ -n "${JIT_DEMO_DIR:-}" ] && [ -s "$JIT_DEMO_DIR/read.jsonl" ]; then
  jit_dir="$JIT_DEMO_DIR"
  echo "==> [aot] comparing with the JIT build's demo in $jit_dir" >&2
else
  echo "==> [aot] scripts/demo.sh with the JIT build, to compare" >&2
  DEMO_DIR="$jit_dir" scripts/demo.sh "$@" >"$demo_dir/jit-demo.log"
fi
# The users window ends at each sync's own start; today's stats_daily row is stamped with the time it was read; the
# demo tenant's log is live, seeded up to the moment it started: its events' ids and dates (in logs records, and in the
# logs and users deletions states) carry that moment.
normalize() { grep -v '^{"type":"LOG"' "$1" | sed -E 's/"emitted_at":[0-9.]+,?//g; s/"upper":"[^"]*"/"upper":"<sync start>"/g; /"stream":"stats_daily"/ s/"(created|updated)_at":"[^"]*"/"\1_at":"<read time>"/g; s/"(_id|log_id)":"900[0-9]{17}/"\1":"900<ingested>/g; /"stream":"logs"|"log_id":"900<ingested>/ s/"date":"[^"]*"/"date":"<logged>"/g' | sort; }
for f in spec check discover read; do
  if ! diff <(normalize "$jit_dir/$f.jsonl") <(normalize "$demo_dir/aot/$f.jsonl") >"$demo_dir/jit-vs-aot.$f.diff"; then
    head -n 20 "$demo_dir/jit-vs-aot.$f.diff" >&2
    echo "FAILED: $f: the AOT binary printed other messages than the JIT build (see $demo_dir/jit-vs-aot.$f.diff)" >&2
    exit 1
  fi
done
echo "==> [aot] spec, check, discover and read identical to the JIT build's ($(grep -c '"type":"RECORD"' "$demo_dir/aot/read.jsonl") records)" >&2
echo "aot smoke: OK — $(awk "BEGIN{printf \"%.1f\", $size/1048576}") MiB binary, 0 warnings, demo passed"
