#!/usr/bin/env bash
# Prints the --state file for the next sync: the last STATE of each stream found in the given
# read output(s) (JSON lines), in Airbyte's per-stream array format.
# Usage: scripts/last-state.sh sync1.jsonl > state.json
set -euo pipefail
grep -h '"type":"STATE"' "$@" | awk '
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
