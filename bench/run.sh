#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): publishes the connector (Release) and runs the bench modes.
# Usage: bench/run.sh [plans|ratelimit|users|enterprise|all] [extra options for the mode]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/local/bench"
mode="${1:-all}"; shift || true
connector="${CONNECTOR_BIN:-}"
if [ -z "$connector" ]; then
  dotnet publish src/Auth0Connector -c Release -nologo -v quiet -o "$out/connector" >&2
  connector="$out/connector/auth0-connector"
fi
dotnet build bench/Auth0Connector.Bench -c Release -nologo -v quiet -o "$out/bench" >&2
bench="$out/bench/Auth0Connector.Bench"
case "$mode" in
  all)
    "$bench" plans --connector "$connector" "$@"
    "$bench" ratelimit --connector "$connector" "$@"
    "$bench" users --connector "$connector" "$@"
    "$bench" enterprise --connector "$connector" "$@" ;;
  *) "$bench" "$mode" --connector "$connector" "$@" ;;
esac
