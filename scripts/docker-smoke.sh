#!/usr/bin/env bash
# CI Docker stage: builds the connector's image with the repository's Dockerfile and runs it for
# real against the bundled fake Auth0 tenant, on a machine that cannot pull any image.
#
#  1. the Native AOT smoke (scripts/aot-smoke.sh: AOT publish, zero warnings, the demo run with the
#     AOT binary and validated) unless --no-aot, in the background while steps 2-3 (package
#     installation, debootstrap, image copies: mostly network and disk) run; its result is awaited
#     before the CPU-bound docker build, and a failure fails the stage;
#  2. installs docker.io and debootstrap (Debian packages) when missing, starts its own dockerd
#     (--iptables=false --bridge=none, own data root and socket; stopped by PID on exit);
#  3. builds a local base image with debootstrap --variant=minbase (mirror and suite from this
#     machine's apt sources, ca-certificates included); from it a chiseled-style runtime image
#     (glibc, libgcc, OpenSSL, zlib, CA certificates, users root and app; no shell, no package
#     manager, like Microsoft's runtime-deps:10.0-noble-chiseled) and a local SDK image (this
#     machine's .NET SDK, gcc for the AOT link, and this machine's local CA certificates, which
#     NuGet needs behind a TLS-intercepting proxy);
#  4. docker build --network host with those images as SDK_IMAGE and RUNTIME_IMAGE (classic
#     builder), then checks the image: labels, version, non-root user, AIRBYTE_ENTRYPOINT,
#     working directory owned by the user, nothing added but the binary;
#  5. runs spec, check, discover and a full read inside the container against the fake tenant
#     (--network host), checks every stream read records, and validates every stdout line.
#
# Exits 0 with a "SKIPPED" message only where Docker genuinely cannot run here (not root, no
# Debian package manager, dockerd or a container cannot start); any other failure fails.
# Idempotent. The daemon's data root and the local images are kept in $DOCKER_SMOKE_STATE
# (default /var/tmp/auth0-connector-docker) so that a second run reuses them; --rebuild-base
# rebuilds the local base, runtime and SDK images. Output: local/docker-smoke/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

run_aot=1
rebuild_base=0
for arg in "$@"; do
  case "$arg" in
    --no-aot) run_aot=0 ;;
    --rebuild-base) rebuild_base=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done

work="${DOCKER_SMOKE_DIR:-$root/local/docker-smoke}"
state="${DOCKER_SMOKE_STATE:-/var/tmp/auth0-connector-docker}"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n1)"
image="${DOCKER_SMOKE_IMAGE:-auth0-connector:$version}"
mkdir -p "$work"
rm -f "$work"/*.jsonl "$work"/*.log "$work"/*.txt

# ---------------------------------------------------------------------------------------------
# timing
stage_started=$(date +%s%N)
timings=()
step_started=0
step() { step_started=$(date +%s%N); echo "==> [docker] $*" >&2; }
step_done() {
  local ms=$(( ($(date +%s%N) - step_started) / 1000000 ))
  timings+=("$(printf '%-44s %7.1f s' "$1" "$(awk "BEGIN{print $ms/1000}")")")
  echo "    done in $(awk "BEGIN{printf \"%.1f\", $ms/1000}") s" >&2
}
print_timings() {
  [ "${#timings[@]}" -gt 0 ] || return 0
  echo "Docker smoke timings:" >&2
  printf '  %s\n' "${timings[@]}" >&2
}
skip() {
  wait_aot_smoke  # Docker may be unavailable here; the AOT smoke's verdict still counts.
  echo "SKIPPED: docker smoke: $*" >&2
  echo "docker smoke: SKIPPED ($*)"
  exit 0
}
fail() { echo "FAILED: docker smoke: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# cleanup: the fake tenant, then the daemon we started (by PID), never anything else
. scripts/lib/fake-tenant.sh
dockerd_pid=""
aot_pid=""
cleanup() {
  local status=$?
  set +e
  if [ -n "$aot_pid" ] && kill -0 "$aot_pid" 2>/dev/null; then
    # Stopped early: the background AOT smoke and everything it started (its own process group).
    kill -TERM -- "-$aot_pid" 2>/dev/null || kill -TERM "$aot_pid" 2>/dev/null
    wait "$aot_pid" 2>/dev/null
  fi
  stop_fake_tenant
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$dockerd_pid" 2>/dev/null; then
      echo "dockerd (PID $dockerd_pid) did not stop in 15 s: killing it" >&2
      kill -KILL "$dockerd_pid" 2>/dev/null
    fi
    wait "$dockerd_pid" 2>/dev/null
    echo "==> [docker] dockerd (PID $dockerd_pid) stopped" >&2
  fi
  print_timings
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

validator_cmd=()
if [ -f "$root/../shared/tools/validate_airbyte.py" ]; then
  validator_cmd=(python3 "$root/../shared/tools/validate_airbyte.py" --strict)
elif [ -f "$root/tests/protocol/validate_airbyte.py" ]; then
  validator_cmd=(python3 "$root/tests/protocol/validate_airbyte.py" --schema "$root/tests/protocol/airbyte_protocol.yaml" --strict)
fi
validate() {
  if [ "${#validator_cmd[@]}" -eq 0 ] || ! python3 -c 'import yaml, jsonschema' 2>/dev/null; then
    echo "    protocol validation skipped: no validator, or python3 lacks PyYAML/jsonschema" >&2
    return 0
  fi
  cat "$@" | "${validator_cmd[@]}" --quiet >&2 || fail "protocol validation failed for $*"
}

# ---------------------------------------------------------------------------------------------
# 1. Native AOT smoke on the host (needs no Docker), in its own process group in the background
aot_log="$work/aot-smoke.log"
aot_started=0
if [ "$run_aot" -eq 1 ]; then
  echo "==> [docker] Native AOT smoke (scripts/aot-smoke.sh) in the background; output: $aot_log" >&2
  aot_started=$(date +%s%N)
  # setsid -w: a new session (PID = process group, killed as one on abort), same exit status.
  setsid -w scripts/aot-smoke.sh >"$aot_log" 2>&1 </dev/null &
  aot_pid=$!
fi
# Waits for the AOT smoke (once), shows its output, and fails the stage if it failed.
wait_aot_smoke() {
  [ -n "$aot_pid" ] || return 0
  local status=0
  wait "$aot_pid" || status=$?
  aot_pid=""  # only now: stopped during the wait, the cleanup must still stop the smoke
  # Its own duration: until its last output line (the log's modification time), not until this wait.
  local ms=$(( ($(date -r "$aot_log" +%s%N) - aot_started) / 1000000 ))
  sed 's/^/    [aot] /' "$aot_log" >&2
  timings+=("$(printf '%-44s %7.1f s' "AOT smoke (alongside the steps above)" "$(awk "BEGIN{print $ms/1000}")")")
  [ "$status" -eq 0 ] || fail "the Native AOT smoke failed (exit $status; see $aot_log)"
  grep '^aot smoke: ' "$aot_log" || true
}


# ---------------------------------------------------------------------------------------------
# 2. Docker engine
[ "$(id -u)" -eq 0 ] || skip "needs root to run its own dockerd (run as root, as CI does)"
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null || [ ! -x /usr/bin/docker ]; then
  command -v apt-get >/dev/null || skip "no dockerd and no apt-get to install Debian's docker.io"
  step "installing docker.io and debootstrap (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; fail "apt-get update failed"; }
  apt-get install -y -qq --no-install-recommends docker.io debootstrap >>"$work/apt.log" 2>&1 \
    || { tail -n 20 "$work/apt.log" >&2; fail "apt-get install docker.io debootstrap failed"; }
  step_done "apt-get install docker.io debootstrap"
fi
# Debian's client, matching its daemon (another docker CLI earlier on PATH may expect buildx).
docker_cli=/usr/bin/docker
[ -x "$docker_cli" ] || docker_cli="$(command -v docker)"
sock="$state/docker.sock"
dk() { DOCKER_HOST="unix://$sock" DOCKER_BUILDKIT=0 "$docker_cli" "$@"; }

step "starting dockerd (data root $state/data)"
mkdir -p "$state/data" "$state/exec"
# A daemon left by an interrupted earlier run of this script (its own pidfile): stop it.
if [ -s "$state/dockerd.pid" ]; then
  old_pid="$(cat "$state/dockerd.pid")"
  if [ -n "$old_pid" ] && [ "$(cat "/proc/$old_pid/comm" 2>/dev/null)" = dockerd ]; then
    echo "    stopping the dockerd (PID $old_pid) left by an earlier run" >&2
    kill -TERM "$old_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$old_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$state/dockerd.pid"
fi
rm -f "$sock"
dockerd --iptables=false --ip-masq=false --bridge=none \
  --data-root "$state/data" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
  -H "unix://$sock" >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
ready=0
for _ in $(seq 1 300); do
  if ! kill -0 "$dockerd_pid" 2>/dev/null; then
    wait "$dockerd_pid" 2>/dev/null || true
    dockerd_pid=""
    tail -n 15 "$work/dockerd.log" >&2
    skip "dockerd cannot start on this machine (see $work/dockerd.log)"
  fi
  if dk version >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
[ "$ready" -eq 1 ] || { tail -n 15 "$work/dockerd.log" >&2; fail "dockerd (PID $dockerd_pid) did not answer in 30 s"; }
echo "    dockerd $(dk version -f '{{.Server.Version}}') (PID $dockerd_pid), storage $(dk info -f '{{.Driver}}')" >&2
step_done "start dockerd"

# ---------------------------------------------------------------------------------------------
# 3a. local base image: debootstrap --variant=minbase
# The suite and mirror of this machine's own apt sources (deb822 .sources or one-line format).
. /etc/os-release
suite="${VERSION_CODENAME:-}"
[ -n "$suite" ] || fail "no VERSION_CODENAME in /etc/os-release"
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      function flush() { if (types ~ /(^|[ \t])deb([ \t]|$)/ && (" " suites " ") ~ (" " suite " ") && uris != "" && !done) { split(uris, u, /[ \t]+/); print u[1]; done = 1 } types = suites = uris = "" }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      tolower($1) == "types:" { $1 = ""; types = $0 }
      tolower($1) == "uris:" { $1 = ""; sub(/^[ \t]+/, ""); uris = $0 }
      tolower($1) == "suites:" { $1 = ""; gsub(/[ \t]+/, " "); suites = $0 }
      END { flush() }' "$f"
  done
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } \
    | awk -v suite="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } if ($(i+1) == suite) print $i }'
}
mirror="$(apt_mirror | head -n1 || true)"
[ -n "$mirror" ] || fail "found no apt source for suite '$suite' in /etc/apt/sources.list{,.d}"
base_image="auth0-ci/base:$suite"
sdk_version="$(dotnet --version)"
sdk_image="auth0-ci/sdk:$sdk_version-$suite"

if [ "$rebuild_base" -eq 1 ] || [ "$(dk image inspect -f '{{index .Config.Labels "mirror"}}' "$base_image" 2>/dev/null)" != "$mirror" ]; then
  step "building the base image $base_image (debootstrap --variant=minbase $suite $mirror)"
  command -v debootstrap >/dev/null || fail "debootstrap is missing"
  rootfs="$state/rootfs"
  rm -rf "$rootfs"
  # dpkg inside the new root without fsync per file: twice as fast, and the tree is thrown away.
  mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
  echo force-unsafe-io >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-smoke-unsafe-io"
  if ! debootstrap --variant=minbase --include=ca-certificates "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log" >&2
    fail "debootstrap failed (see $work/debootstrap.log)"
  fi
  rm -f "$rootfs/etc/dpkg/dpkg.cfg.d/docker-smoke-unsafe-io"
  # The non-root user of Microsoft's images (app, uid/gid 1654), and no caches.
  chroot "$rootfs" groupadd --gid 1654 app
  chroot "$rootfs" useradd --uid 1654 --gid 1654 --no-create-home --home-dir /home/app --shell /usr/sbin/nologin app
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/tmp/*
  dk rmi -f "$base_image" >/dev/null 2>&1 || true
  tar -C "$rootfs" --numeric-owner -c . | dk import \
    --change 'CMD ["/bin/bash"]' \
    --change "LABEL mirror=$mirror suite=$suite" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$base_image" >/dev/null
  rm -rf "$rootfs"
  dk rmi -f "$sdk_image" >/dev/null 2>&1 || true
  step_done "base image (debootstrap + import)"
else
  echo "==> [docker] base image $base_image: reused (built earlier from $mirror; --rebuild-base to rebuild)" >&2
fi

# Can this machine run a container at all (cgroups, namespaces, seccomp)?
if ! dk run --rm --network none "$base_image" true >"$work/run-probe.log" 2>&1; then
  cat "$work/run-probe.log" >&2
  skip "dockerd runs but cannot start a container here (see above)"
fi

# ---------------------------------------------------------------------------------------------
# 3a'. local runtime image in the manner of Microsoft's chiseled runtime-deps: only the files of
# glibc, libgcc, OpenSSL, zlib and the CA certificates, the users root and app (1654), and /tmp;
# no shell, no package manager. The runtime stage must work without them, as on the real one.
runtime_image="auth0-ci/runtime-deps:$suite-chiseled"
base_id="$(dk image inspect -f '{{.Id}}' "$base_image")"
if [ "$rebuild_base" -eq 1 ] || [ "$(dk image inspect -f '{{index .Config.Labels "base-id"}}' "$runtime_image" 2>/dev/null)" != "$base_id" ]; then
  step "building the chiseled-style runtime image $runtime_image from $base_image"
  full="$state/base-export"; slim="$state/runtime-rootfs"
  rm -rf "$full" "$slim"; mkdir -p "$full" "$slim"
  cid="$(dk create "$base_image" true)"
  dk export "$cid" | tar -C "$full" -x
  dk rm "$cid" >/dev/null
  : >"$state/runtime-files"
  for pkg in libc6 libgcc-s1 libssl3 zlib1g ca-certificates openssl; do
    lists=("$full"/var/lib/dpkg/info/"$pkg".list "$full"/var/lib/dpkg/info/"$pkg":*.list)
    found=0
    for list in "${lists[@]}"; do
      [ -f "$list" ] || continue
      found=1
      while IFS= read -r f; do
        case "$f" in
          /usr/share/doc/*|/usr/share/man/*|/usr/share/lintian/*|/usr/share/locale/*|/usr/share/info/*|/usr/bin/*|/usr/sbin/*|/sbin/*|/bin/*) continue ;;
        esac
        if [ -L "$full$f" ] || [ -f "$full$f" ]; then echo "${f#/}"; fi
      done <"$list" >>"$state/runtime-files"
    done
    [ "$found" -eq 1 ] || fail "package $pkg is not in $base_image"
  done
  # The CA bundle and hash links (made by update-ca-certificates), name service configuration.
  (cd "$full" && find etc/ssl/certs \( -type f -o -type l \) && ls etc/nsswitch.conf etc/host.conf 2>/dev/null || true) >>"$state/runtime-files"
  # The merged-/usr symlinks first, so that lib/... lands in usr/lib/...
  for l in bin lib lib64 sbin; do
    if [ -L "$full/$l" ]; then cp -P "$full/$l" "$slim/$l"; mkdir -p "$slim/$(readlink "$full/$l" | sed 's:^/::')"; fi
  done
  sort -u "$state/runtime-files" | tar -C "$full" -c --no-recursion -T - | tar -C "$slim" -x \
    || fail "copying the runtime files failed"
  mkdir -p "$slim/tmp" "$slim/etc" "$slim/home/app"
  chmod 1777 "$slim/tmp"
  chown 1654:1654 "$slim/home/app"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654::/home/app:/usr/sbin/nologin\n' >"$slim/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' >"$slim/etc/group"
  dk rmi -f "$runtime_image" >/dev/null 2>&1 || true
  tar -C "$slim" --numeric-owner -c . | dk import \
    --change "LABEL base-id=$base_id" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin APP_UID=1654' \
    --change 'USER 1654:1654' \
    - "$runtime_image" >/dev/null
  rm -rf "$full" "$slim" "$state/runtime-files"
  echo "    $runtime_image: $(( $(dk image inspect -f '{{.Size}}' "$runtime_image") / 1024 / 1024 )) MiB" >&2
  step_done "chiseled-style runtime image"
else
  echo "==> [docker] runtime image $runtime_image: reused" >&2
fi

# ---------------------------------------------------------------------------------------------
# 3b. local SDK image: the base + the AOT toolchain + this machine's .NET SDK and local CAs.
# The CAs matter where NuGet is reached through a TLS-intercepting proxy: without them the restore
# in the image fails with an untrusted root.
ca_dir=/usr/local/share/ca-certificates
ca_sum="$( (find "$ca_dir" -type f -name '*.crt' -print0 2>/dev/null | sort -z | xargs -0r cat) | sha256sum | cut -c1-16)"
if [ "$rebuild_base" -eq 1 ] || [ "$(dk image inspect -f '{{index .Config.Labels "ca-sum"}}' "$sdk_image" 2>/dev/null)" != "$ca_sum" ]; then
  step "building the SDK image $sdk_image (this machine's .NET SDK $sdk_version)"
  dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  ctx="$state/sdk-context"
  rm -rf "$ctx"
  mkdir -p "$ctx/ca"
  if [ -d "$ca_dir" ]; then
    find "$ca_dir" -type f -name '*.crt' -exec cp {} "$ctx/ca/" \;
  fi
  echo "    local CA certificates trusted in the image: $(ls "$ctx/ca" | wc -l)" >&2
  cat >"$ctx/Dockerfile" <<EOF
FROM $base_image
# The Native AOT toolchain (gcc, binutils, libc headers, zlib).
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev zlib1g-dev \\
 && rm -rf /var/lib/apt/lists/*
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
COPY dotnet/ /usr/share/dotnet/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet \\
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \\
    DOTNET_NOLOGO=1 \\
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \\
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \\
    NUGET_CERT_REVOCATION_MODE=offline
LABEL ca-sum=$ca_sum sdk=$sdk_version
EOF
  # The context as a tar stream: the Dockerfile, the CAs, and the SDK (without its templates).
  tar -C "$ctx" -c Dockerfile ca \
      -C "$dotnet_root/.." --exclude="$(basename "$dotnet_root")/templates" \
      --transform "s,^$(basename "$dotnet_root")\(/\|\$\),dotnet\1," "$(basename "$dotnet_root")" \
    | dk build --network host -t "$sdk_image" - >"$work/sdk-build.log" 2>&1 \
    || { tail -n 30 "$work/sdk-build.log" >&2; fail "building the SDK image failed (see $work/sdk-build.log)"; }
  rm -rf "$ctx"
  step_done "SDK image"
else
  echo "==> [docker] SDK image $sdk_image: reused" >&2
fi

# ---------------------------------------------------------------------------------------------
# 4. the connector's image, from the repository's Dockerfile (classic builder). Two AOT publishes
# at once would only slow each other down on a small machine: the AOT smoke finishes first.
wait_aot_smoke
step "docker build --network host -t $image . (SDK_IMAGE=$sdk_image RUNTIME_IMAGE=$runtime_image)"
dk build --network host --pull=false \
  --build-arg "SDK_IMAGE=$sdk_image" --build-arg "RUNTIME_IMAGE=$runtime_image" \
  -t "$image" . >"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; fail "docker build failed (see $work/build.log)"; }
if grep -E '(warning|error) (IL[0-9]{4}|NU[0-9]{4}|CS[0-9]{4})' "$work/build.log" >&2; then
  fail "the AOT publish in the image printed warnings (above)"
fi
step_done "docker build (restore + AOT publish + image)"

step "checking the image"
image_size=$(dk image inspect -f '{{.Size}}' "$image")
base_size=$(dk image inspect -f '{{.Size}}' "$runtime_image")
label_name=$(dk image inspect -f '{{index .Config.Labels "io.airbyte.name"}}' "$image")
label_version=$(dk image inspect -f '{{index .Config.Labels "io.airbyte.version"}}' "$image")
user=$(dk image inspect -f '{{.Config.User}}' "$image")
entrypoint=$(dk image inspect -f '{{join .Config.Entrypoint " "}}' "$image")
workdir=$(dk image inspect -f '{{.Config.WorkingDir}}' "$image")
airbyte_entrypoint=$(dk image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$image" | sed -n 's/^AIRBYTE_ENTRYPOINT=//p')
binary_version=$(dk run --rm --network none "$image" --version)
echo "    io.airbyte.name=$label_name io.airbyte.version=$label_version --version=$binary_version" >&2
echo "    user=$user workdir=$workdir entrypoint=$entrypoint AIRBYTE_ENTRYPOINT=$airbyte_entrypoint" >&2
[ -n "$label_name" ] || fail "no io.airbyte.name label"
[ "$label_version" = "$version" ] || fail "io.airbyte.version '$label_version' != <Version> '$version' in Directory.Build.props (update CONNECTOR_VERSION in the Dockerfile)"
[ "$binary_version" = "$version" ] || fail "auth0-connector --version in the image printed '$binary_version', expected '$version'"
case "$user" in ""|0|0:*|root|root:*) fail "the image runs as root (USER '$user')" ;; esac
[ "$airbyte_entrypoint" = "$entrypoint" ] || fail "AIRBYTE_ENTRYPOINT '$airbyte_entrypoint' != ENTRYPOINT '$entrypoint'"
case "$entrypoint" in /*) ;; *) fail "ENTRYPOINT is not absolute: $entrypoint" ;; esac
# What the image adds to its base: the binary and the working directory, nothing else.
dk history --no-trunc --format '{{.Size}}	{{.CreatedBy}}' "$image" >"$work/history.txt"
added=$(( image_size - base_size ))
echo "    image $(( image_size / 1024 / 1024 )) MiB = base $(( base_size / 1024 / 1024 )) MiB + $(( added / 1024 )) KiB (the binary)" >&2
[ "$added" -le $(( 30 * 1024 * 1024 )) ] || fail "the image adds $added bytes to its base (more than the binary?)"
# The working directory belongs to the image's user (the image has no shell to try a write).
cid="$(dk create "$image")"
owner="$(dk cp "$cid:$workdir" - | tar -tv --numeric-owner 2>/dev/null | head -n1 | awk '{print $2}')"
dk rm "$cid" >/dev/null
echo "    $workdir owned by $owner" >&2
[ "$owner" = "${user%%:*}/${user#*:}" ] || [ "${owner%%/*}" = "${user%%:*}" ] \
  || fail "the working directory $workdir is owned by $owner, not by the image's user $user"
[ "$(dk run --rm --network none --entrypoint /bin/sh "$image" -c true 2>/dev/null; echo $?)" != 0 ] \
  || echo "    note: the runtime image has a shell" >&2
printf '%s\t%s\n' "$image" "$image_size" >"$work/image.txt"
step_done "image checks"

# ---------------------------------------------------------------------------------------------
# 5. spec, check, discover and read in the container, against the fake tenant on loopback
step "starting the fake tenant"
secrets="$work/secrets"
rm -rf "$secrets"; mkdir -p "$secrets"
start_fake_tenant "$work" "$secrets/config.json" || fail "the fake tenant did not start"
cp examples/catalog.json "$secrets/catalog.json"
# The container's user (uid 1654) reads the mounted files.
chmod 755 "$secrets"; chmod 644 "$secrets"/*
step_done "fake tenant"

step "spec, check, discover, read in the container"
run_in() { dk run --rm -i --network host -v "$secrets:/secrets:ro" "$image" "$@"; }
run_in spec </dev/null >"$work/spec.jsonl"
grep -q '"type":"SPEC"' "$work/spec.jsonl" || fail "spec printed no SPEC message"
run_in check --config /secrets/config.json </dev/null >"$work/check.jsonl"
grep -q '"status":"SUCCEEDED"' "$work/check.jsonl" || { cat "$work/check.jsonl" >&2; fail "check did not succeed"; }
run_in discover --config /secrets/config.json </dev/null >"$work/discover.jsonl"
grep -q '"type":"CATALOG"' "$work/discover.jsonl" || fail "discover printed no CATALOG"
read_started=$(date +%s%N)
run_in read --config /secrets/config.json --catalog /secrets/catalog.json </dev/null >"$work/read.jsonl" \
  || fail "read exited non-zero in the container (see $work/read.jsonl)"
read_ms=$(( ($(date +%s%N) - read_started) / 1000000 ))
echo "    records per stream (read in ${read_ms} ms):" >&2
for stream in $(grep -o '"name":"[a-z_]*","json_schema"' "$work/discover.jsonl" | cut -d'"' -f4); do
  n=$(grep '"type":"RECORD"' "$work/read.jsonl" | grep -c "\"stream\":\"$stream\"" || true)
  printf '      %-28s %8d\n' "$stream" "$n" >&2
  [ "$n" -gt 0 ] || fail "no $stream records read in the container"
done
grep -q '"status":"COMPLETE"' "$work/read.jsonl" || fail "no stream reported COMPLETE"
step_done "spec/check/discover/read in the container"

step "validating every stdout line of the container"
validate "$work/spec.jsonl" "$work/check.jsonl" "$work/discover.jsonl" "$work/read.jsonl"
echo "    $(cat "$work"/*.jsonl | wc -l) lines valid" >&2
step_done "protocol validation"

# Images left untagged by earlier runs (old builds of the connector or of the local images).
dk image prune -f >/dev/null 2>&1 || true

total_ms=$(( ($(date +%s%N) - stage_started) / 1000000 ))
echo "docker smoke: OK — image $image $(awk "BEGIN{printf \"%.1f\", $image_size/1000000}") MB (base $(awk "BEGIN{printf \"%.1f\", $base_size/1000000}") MB), whole stage $(awk "BEGIN{printf \"%.0f\", $total_ms/1000}") s$([ "$run_aot" -eq 1 ] && echo " (the AOT smoke ran alongside)")"
