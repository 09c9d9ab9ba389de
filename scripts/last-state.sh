#!/usr/bin/env bash
# Prints the --state file for the next sync: the last STATE of each stream found in the given
# read output(s) (JSON lines), in Airbyte's per-stream array format.
# Usage: scripts/last-state.sh sync1.jsonl > state.json
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: scripts/last-state.sh READ_OUTPUT.jsonl... > state.json" >&2
  echo "  prints the last STATE message of each stream in a read's output, as the --state file of the next sync" >&2
  exit 2
fi
for file in "$@"; do
  [ -r "$file" ] || { echo "last-state: cannot read '$file' (pass the file a read's stdout was saved to)" >&2; exit 2; }
done
states=$(grep -h '"type":"STATE"' "$@" || true)
if [ -z "$states" ]; then
  echo "last-state: no STATE message in $*: that read checkpointed no stream (it failed before any stream" >&2
  echo "  finished, or the file is not a read's stdout). Look for TRACE ERROR lines in it:" >&2
  echo "    grep '\"type\":\"TRACE\"' $* | grep '\"ERROR\"'" >&2
  echo "  The next sync can run without --state (it reads everything again)." >&2
  exit 1
fi
printf '%s\n' "$states" | awk '
  {
    # The stream name sits in state.stream.stream_descriptor.name.
    if (match($0, /"stream_descriptor":\{"name":"[^"]*"/)) {
      name = substr($0, RSTART + 29, RLENGTH - 30)
      if (!(name in last)) order[++n] = name
      state = $0
      sub(/^\{"type":"STATE","state":/, "", state)
      sub(/\}$/, "", state)
      last[name] = state
    }
  }
  END {
    printf "["
    for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? ",\n " : ""), last[order[i]]
    print "]"
  }'
