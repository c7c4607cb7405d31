# testlib.sh - shared helpers for the shell-driven tests: assertions, a
# private environment, and a sandbox on a free loopback port.
# Source it; it sets a trap that stops what it started.

set -u
NC_PASSED=0
NC_FAILED=0
NC_TMP=$(mktemp -d /tmp/nc-test.XXXXXX)
NC_PIDS=()

nc_cleanup() {
  local p
  for p in "${NC_PIDS[@]:-}"; do [ -n "$p" ] && { kill "$p" 2>/dev/null || true; }; done
  for p in "${NC_PIDS[@]:-}"; do [ -n "$p" ] && { wait "$p" 2>/dev/null || true; }; done
  rm -rf "$NC_TMP"
}
trap nc_cleanup EXIT

# A private home, config and state for every test run: no user config leaks in.
export HOME="$NC_TMP/home" NOVU_CONSOLE_CONFIG_DIR="$NC_TMP/config" NOVU_CONSOLE_STATE_DIR="$NC_TMP/state"
export XDG_CONFIG_HOME="$NC_TMP/home/.config" XDG_STATE_HOME="$NC_TMP/home/.local/state"
mkdir -p "$HOME" "$NOVU_CONSOLE_CONFIG_DIR/profiles" "$NOVU_CONSOLE_STATE_DIR"
unset NOVU_SECRET_KEY NOVU_API_KEY NOVU_API_URL NOVU_CONSOLE_PROFILE
export LANG=C.UTF-8 TZ=UTC

pass() { NC_PASSED=$((NC_PASSED + 1)); echo "ok   - $1"; }
fail() { NC_FAILED=$((NC_FAILED + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/       /'; }

# check NAME COMMAND...: passes when the command succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

# run_nc OUTPREFIX ARGS...: runs the console; stdout/stderr/exit code land in
# $OUTPREFIX.out, .err and the variable RC.
run_nc() {
  local p=$1; shift
  set +e
  timeout 120 "$NC_CONSOLE" "$@" >"$p.out" 2>"$p.err" </dev/null
  RC=$?
  set -e
}

expect_rc() { # NAME WANT PREFIX
  if [ "$RC" = "$2" ]; then pass "$1"; else
    fail "$1 (exit $RC, want $2)" "$(cat "$3.out" "$3.err" 2>/dev/null | head -20)"; fi
}
expect_grep() { # NAME PATTERN FILE
  if grep -qE -- "$2" "$3"; then pass "$1"; else fail "$1 (no /$2/ in $(basename "$3"))" "$(head -20 "$3")"; fi
}
expect_no_grep() { # NAME PATTERN FILE...
  local n=$1 pat=$2; shift 2
  if grep -qF -- "$pat" "$@" 2>/dev/null; then fail "$n (found '$pat')" "$(grep -lF -- "$pat" "$@")"; else pass "$n"; fi
}

# start_sandbox [FLAGS...]: starts novu-sandbox on a free port; sets SB_URL
# and SB_PID.
start_sandbox() {
  local pf="$NC_TMP/port.$RANDOM" i
  "$NC_SANDBOX" --port 0 --port-file "$pf" --quiet "$@" >/dev/null 2>"$NC_TMP/sandbox.err" &
  SB_PID=$!
  NC_PIDS+=("$SB_PID")
  for i in $(seq 1 100); do
    [ -s "$pf" ] && break
    sleep 0.05
  done
  [ -s "$pf" ] || { echo "sandbox did not start"; cat "$NC_TMP/sandbox.err"; exit 1; }
  SB_URL="http://127.0.0.1:$(cat "$pf")"
}

# stop_sandbox [PID]: stops that sandbox (default SB_PID) and drops it from
# the exit trap's list, which would otherwise fail on a process already gone.
stop_sandbox() {
  local pid=${1:-$SB_PID} p keep=()
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${NC_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  NC_PIDS=("${keep[@]}")
}

sb_requests() { curl -s "$SB_URL/__sandbox/requests"; }
sb_faults() { curl -s -X POST -H 'Content-Type: application/json' -d "$1" "$SB_URL/__sandbox/faults" >/dev/null; }
sb_reset() { curl -s -X POST "$SB_URL/__sandbox/reset" >/dev/null; }
sb_count() { sb_requests | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

finish() {
  echo "$NC_PASSED passed, $NC_FAILED failed"
  [ "$NC_FAILED" -eq 0 ]
}
