#!/usr/bin/env bash
# Start-up benchmark: median wall time of `spec` and `check` (against the bundled fake tenant on
# loopback) for the Native AOT binary and the JIT build (framework-dependent apphost), side by
# side, with the binaries' sizes and the Docker image's size.
#   bench/startup.sh [-n RUNS]     (default 30 runs per command, after 3 warm-up runs)
# Env: AOT_BIN / JIT_BIN to use prebuilt binaries; DOCKER_HOST (with a running daemon) for the
# image size, else the size recorded by the last scripts/docker-smoke.sh run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs=30
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
work="$root/local/bench"
mkdir -p "$work"
. scripts/lib/fake-tenant.sh
trap stop_fake_tenant EXIT

aot="${AOT_BIN:-}"
if [ -z "$aot" ]; then
  echo "==> publishing Native AOT (linux-x64)" >&2
  dotnet publish src/Auth0Connector -c Release -r linux-x64 -p:PublishAot=true -nologo -v quiet -o "$work/aot" >&2
  aot="$work/aot/auth0-connector"
fi
jit="${JIT_BIN:-}"
if [ -z "$jit" ]; then
  echo "==> publishing the JIT build (framework-dependent apphost, ReadyToRun off: the default)" >&2
  dotnet publish src/Auth0Connector -c Release -r linux-x64 --self-contained false -nologo -v quiet -o "$work/jit" >&2
  jit="$work/jit/auth0-connector"
fi
echo "==> building and starting the fake tenant" >&2
start_fake_tenant "$work" "$work/config.json"

# Median wall time in ms of RUNS runs of a command (bash's EPOCHREALTIME: no fork per sample).
median_ms() {
  local i t0 t1 samples=()
  for i in 1 2 3; do "$@" >/dev/null 2>&1 </dev/null || true; done
  for ((i = 0; i < runs; i++)); do
    t0=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 </dev/null || { echo "failed: $*" >&2; return 1; }
    t1=$EPOCHREALTIME
    samples+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
  done
  # "median (min)": the minimum shows what the median would be on an idle machine.
  printf '%s\n' "${samples[@]}" | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f (%.1f)", m, v[1] }'
}
"$aot" check --config "$work/config.json" | grep -q SUCCEEDED || { echo "AOT check did not succeed" >&2; exit 1; }
"$jit" check --config "$work/config.json" | grep -q SUCCEEDED || { echo "JIT check did not succeed" >&2; exit 1; }

echo "==> timing $runs runs of each (medians)" >&2
base_true=$(median_ms /bin/true)
aot_spec=$(median_ms "$aot" spec)
jit_spec=$(median_ms "$jit" spec)
aot_check=$(median_ms "$aot" check --config "$work/config.json")
jit_check=$(median_ms "$jit" check --config "$work/config.json")

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
aot_size=$(stat -c %s "$aot")
jit_dir_size=$(du -sb "$(dirname "$jit")" | cut -f1)
image_size=""
if [ -n "${DOCKER_HOST:-}" ] && docker image inspect auth0-connector >/dev/null 2>&1; then
  image_size="$(docker image inspect -f '{{.Size}}' "auth0-connector:$("$aot" --version)") (auth0-connector:$("$aot" --version))"
elif [ -s local/docker-smoke/image.txt ]; then
  read -r image_name image_bytes < local/docker-smoke/image.txt
  image_size="$image_bytes ($image_name, recorded by scripts/docker-smoke.sh on $(date -r local/docker-smoke/image.txt -u '+%F %H:%M UTC'))"
fi

echo
echo "Start-up in ms, median (min) of $runs runs ($(nproc) cores, $(uname -m), load $(cut -d' ' -f1 /proc/loadavg)); check against the fake tenant on loopback:"
printf '  %-8s %20s %20s\n' "" "Native AOT" "JIT (apphost)"
printf '  %-8s %20s %20s\n' "spec" "$aot_spec" "$jit_spec"
printf '  %-8s %20s %20s\n' "check" "$aot_check" "$jit_check"
printf '  %-8s %20s %20s\n' "size" "$(mib "$aot_size")" "$(mib "$jit_dir_size")"
echo "  (AOT: the single binary; JIT: the publish folder, which also needs the .NET runtime)"
echo "  /bin/true on this machine: $base_true ms (the cost of starting any process)"
if [ -n "$image_size" ]; then
  bytes=${image_size%% *}
  echo "  Docker image: $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1000000 }') ${image_size#* }"
else
  echo "  Docker image: not built here (run scripts/docker-smoke.sh as root)"
fi
