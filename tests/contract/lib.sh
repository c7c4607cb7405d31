# shellcheck shell=bash
# lib.sh - shared helpers of the contract tests (sourced, not run).
#
# Sets CONTRACT_DIR, checks the environment the test harness gives
# (NC_CONSOLE, NC_FIXTURES_DIR; NOVU_OPENAPI for the tests that need Novu's
# OpenAPI document), and offers pass/fail counting, bounded waits and a
# private HOME so the console under test never touches the user's profiles
# or history.

CONTRACT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE_BIN_DIR="$CONTRACT_DIR/node_modules/.bin"
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The closing line the CI reads, then the exit status.
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

# Stop early (counted as one failure) when the test cannot even start.
abort() {
	fail "$*"
	finish
}

require_env() {
	if [ -z "${NC_CONSOLE:-}" ] || [ ! -x "$NC_CONSOLE" ]; then
		abort "NC_CONSOLE must name the built novu-console binary (got '${NC_CONSOLE:-}')"
	fi
	NC_FIXTURES_DIR=${NC_FIXTURES_DIR:-$CONTRACT_DIR/../fixtures}
	[ -f "$NC_FIXTURES_DIR/trigger.response.json" ] ||
		abort "NC_FIXTURES_DIR must name the repository's tests/fixtures (got '$NC_FIXTURES_DIR')"
	command -v node >/dev/null 2>&1 || abort "node is not installed (run scripts/deps.sh --test)"
	if [ ! -d "$CONTRACT_DIR/node_modules/@novu/api" ] || [ ! -x "$NODE_BIN_DIR/prism" ]; then
		abort "npm tools missing: run tests/contract/setup.sh"
	fi
}

# Exit code that tests/CMakeLists.txt declares as SKIP_RETURN_CODE.
SKIP_CODE=77

# require_openapi NAME: Novu's OpenAPI document is not part of this
# repository. Sets SPEC to the file NOVU_OPENAPI names; without one, says in
# one line that test NAME was skipped and how to run it, and exits so that
# ctest reports the test as skipped.
require_openapi() {
	local why
	if [ -z "${NOVU_OPENAPI:-}" ]; then
		why="set NOVU_OPENAPI"
	elif [ ! -f "$NOVU_OPENAPI" ]; then
		why="NOVU_OPENAPI names no file ('$NOVU_OPENAPI'); set it"
	else
		# shellcheck disable=SC2034 # read by the test that sources this file
		SPEC=$NOVU_OPENAPI
		return 0
	fi
	echo "$1: skipped: $why to Novu's openapi.json (published with Novu's SDK" \
		"sources, github.com/novuhq/novu-ts, sources/json-development.json) to run it"
	exit "$SKIP_CODE"
}

# A scratch directory with its own HOME and XDG dirs; removed by cleanup.
make_workdir() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/nc-contract.XXXXXX")
	mkdir -p "$WORK/home" "$WORK/config" "$WORK/state" "$WORK/data" "$WORK/cache"
	if [ -n "${NC_KEEP_WORK:-}" ]; then echo "scratch directory (kept): $WORK"; fi
}

# NC_KEEP_WORK=1 keeps the scratch directory (logs, console output) to look at.
remove_workdir() {
	[ -n "${WORK:-}" ] || return 0
	[ -n "${NC_KEEP_WORK:-}" ] || rm -rf "$WORK"
}

# Run novu-console with the test key in the environment (never on argv) and
# nothing from the caller's own Novu settings.
console() {
	env -u NOVU_API_KEY -u NOVU_API_URL -u NOVU_CONSOLE_PROFILE -u NOVU_CONSOLE_CONFIG_DIR \
		HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_STATE_HOME="$WORK/state" \
		XDG_DATA_HOME="$WORK/data" XDG_CACHE_HOME="$WORK/cache" \
		NOVU_SECRET_KEY="$TEST_KEY" \
		timeout 60 "$NC_CONSOLE" "$@"
}

# wait_for_file FILE SECONDS: until FILE exists and is not empty.
wait_for_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_for_http URL SECONDS: until anything answers HTTP on URL.
wait_for_http() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		curl -s -o /dev/null --max-time 1 "$1" && return 0
		sleep 0.2
	done
	return 1
}

# A port that was free a moment ago, on 127.0.0.1 only.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# Kill a process we started (by its id) and wait for it, bounded.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
}
