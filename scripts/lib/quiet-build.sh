# Sourced by scripts that build: runs a dotnet command with its output kept in a log file, shown
# only when the command fails, so a demo prints its own lines and not MSBuild's.
#   quiet_dotnet LOG dotnet-arguments...
quiet_dotnet() {
  local log="$1"
  shift
  mkdir -p "$(dirname "$log")"
  if ! dotnet "$@" > "$log" 2>&1; then
    cat "$log" >&2
    echo "dotnet $1 failed (full output above and in $log)" >&2
    return 1
  fi
}
