# Sourced by scripts/demo.sh, scripts/docker-smoke.sh and bench/startup.sh: builds and starts the
# bundled fake Auth0 tenant on loopback, and stops it.
#   start_fake_tenant DIR CONFIG_OUT [tenant options...]  builds into DIR/tenant, starts it, waits
#                                                          until it wrote CONFIG_OUT (output: DIR/tenant.{out,err})
#   stop_fake_tenant                                       closes its stdin and waits for it
. "$(dirname "${BASH_SOURCE[0]}")/quiet-build.sh"
fake_tenant_pid=""

start_fake_tenant() {
  local dir="$1" config="$2"
  shift 2
  quiet_dotnet "$dir/tenant.build.log" build tests/Auth0Connector.FakeTenant -c Release -nologo -o "$dir/tenant"
  # A tenant.out left by an earlier run would pass the readiness check below.
  rm -f "$dir/tenant.out"
  # The tenant serves until its stdin closes: keep a pipe open for it on fd 3.
  exec 3> >(exec "$dir/tenant/Auth0Connector.FakeTenant" --config-out "$config" "$@" > "$dir/tenant.out" 2> "$dir/tenant.err")
  fake_tenant_pid=$!
  for _ in $(seq 1 150); do [ -s "$dir/tenant.out" ] && return 0; sleep 0.1; done
  cat "$dir/tenant.err" >&2
  echo "the fake tenant did not start (see $dir/tenant.err)" >&2
  return 1
}

stop_fake_tenant() {
  [ -n "$fake_tenant_pid" ] || return 0
  exec 3>&-
  kill "$fake_tenant_pid" 2>/dev/null || true
  wait "$fake_tenant_pid" 2>/dev/null || true
  fake_tenant_pid=""
}
