# lib.sh - shared helpers for the screen tests (tig's libtest.sh idea).
#
# A test sources this file, starts the sandbox, writes a key script with
# `steps`, runs the real console without a display, and compares the text
# dumps it saved (:save-screen NAME.screen) with tests/screen/expected/.
#
#   . "$(dirname "$0")/lib.sh"
#   start_sandbox
#   steps '
#   <Enter>
#   order-shipped<Enter>
#   :save-screen trigger.screen
#   '
#   run_console 80 24
#   assert_screen trigger
#   finish
#
# Environment from the harness: NC_CONSOLE, NC_SANDBOX, NC_SOURCE_DIR.
# NC_UPDATE_EXPECTED=1 writes the dumps as the new expected files.
# Everything a run depends on is pinned: locale, time zone, TERM, clock
# (NOVU_CONSOLE_TEST_TIME), transactionIds (NOVU_CONSOLE_TEST_SEED), and a
# private HOME with its own state and config directories.

set -u

: "${NC_CONSOLE:?set NC_CONSOLE to the novu-console binary}"
: "${NC_SANDBOX:?set NC_SANDBOX to the novu-sandbox binary}"
NC_SOURCE_DIR=${NC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

TEST_NAME=$(basename "$0" .sh)
EXPECTED_DIR="$NC_SOURCE_DIR/tests/screen/expected"
FAILED=0
SANDBOX_PID=

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nc-screen.XXXXXX")

cleanup() {
	if [ -n "$SANDBOX_PID" ]; then
		kill "$SANDBOX_PID" 2>/dev/null
		wait "$SANDBOX_PID" 2>/dev/null
	fi
	if [ "$FAILED" = 0 ] || [ -z "${NC_KEEP_WORK:-}" ]; then
		rm -rf "$WORK"
	else
		echo "work directory kept: $WORK"
	fi
}
trap cleanup EXIT

export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=xterm
export HOME="$WORK/home"
export NOVU_CONSOLE_STATE_DIR="$HOME/state"
export NOVU_CONSOLE_CONFIG_DIR="$HOME/config"
export XDG_STATE_HOME="$HOME/.local/state" XDG_CONFIG_HOME="$HOME/.config"
export NOVU_CONSOLE_NO_DISPLAY=1
export NOVU_CONSOLE_TEST_SEED=1
export NOVU_CONSOLE_TEST_TIME=1790000000
export ESCDELAY=25
unset NO_COLOR VISUAL EDITOR NOVU_API_KEY NOVU_CONSOLE_PROFILE NOVU_CONSOLE_SCRIPT
unset NOVU_SECRET_KEY NOVU_API_URL
mkdir -p "$HOME" "$NOVU_CONSOLE_CONFIG_DIR"

#| start_sandbox [ARGS...]: start novu-sandbox on a free loopback port and
#| point the console at it (NOVU_API_URL, NOVU_SECRET_KEY).
start_sandbox() {
	local i
	rm -f "$WORK/port"
	"$NC_SANDBOX" --port 0 --port-file "$WORK/port" --quiet "$@" \
		>"$WORK/sandbox.out" 2>"$WORK/sandbox.err" &
	SANDBOX_PID=$!
	for i in $(seq 1 200); do
		[ -s "$WORK/port" ] && break
		if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
			echo "novu-sandbox died:"; cat "$WORK/sandbox.err"; exit 1
		fi
		sleep 0.05
	done
	if [ ! -s "$WORK/port" ]; then
		echo "novu-sandbox did not start within 10 s"; exit 1
	fi
	SANDBOX_PORT=$(cat "$WORK/port")
	export NOVU_API_URL="http://127.0.0.1:$SANDBOX_PORT"
	export NOVU_SECRET_KEY=sk_sandbox_local
}

#| sandbox_get PATH: GET a sandbox path (control endpoints) to stdout.
sandbox_get() {
	curl -s --max-time 5 "http://127.0.0.1:$SANDBOX_PORT$1"
}

#| steps TEXT: the key script for the next run_console (see ui/input.h).
steps() {
	printf '%s\n' "$1" >"$WORK/script"
}

#| run_console COLS ROWS [ARGS...]: run the console on the script, in $WORK
#| (so :save-screen NAME writes there), bounded by a timeout (NC_TIMEOUT,
#| default 60 s).
run_console() {
	local cols=$1 rows=$2 rc
	shift 2
	# NC_WRAPPER runs the console under a tool, e.g.
	# NC_WRAPPER="valgrind --leak-check=full --error-exitcode=99".
	(cd "$WORK" && LINES=$rows COLUMNS=$cols NOVU_CONSOLE_SCRIPT="$WORK/script" \
		timeout "${NC_TIMEOUT:-60}" ${NC_WRAPPER:-} "$NC_CONSOLE" "$@" \
		</dev/null >"$WORK/stdout" 2>"$WORK/stderr")
	rc=$?
	CONSOLE_RC=$rc
	if [ $rc = 124 ]; then
		echo "FAIL: $TEST_NAME: the console did not finish within ${NC_TIMEOUT:-60} s"
		FAILED=1
	elif [ $rc != 0 ]; then
		echo "FAIL: $TEST_NAME: the console exited with $rc"
		cat "$WORK/stderr"
		FAILED=1
	fi
	return 0
}

#| assert_screen NAME: compare $WORK/NAME.screen with expected/NAME.screen.
assert_screen() {
	local name=$1 got="$WORK/$1.screen" want="$EXPECTED_DIR/$1.screen"
	if [ ! -f "$got" ]; then
		echo "FAIL: $TEST_NAME: no dump $name.screen was written"
		FAILED=1
		return 0
	fi
	# The sandbox's port is the one thing a run cannot pin: mask it (the
	# kernel hands out 5-digit ephemeral ports, so widths stay the same).
	if [ -n "${SANDBOX_PORT:-}" ]; then
		sed -i "s/127\.0\.0\.1:$SANDBOX_PORT/127.0.0.1:XXXXX/g" "$got"
	fi
	# Nor should a new version or another libcurl change the dumps, nor
	# the tokens the bucket refilled while the test ran.
	sed -i -E 's#novu-console/[0-9][0-9.]*#novu-console/VERSION#g;
	           s#libcurl/[0-9][0-9.]*#libcurl/VERSION#g;
	           s#rate limit: [0-9]+ of [0-9]+ tokens left, refills in [0-9]+ s#rate limit: N of M tokens left, refills in S s#' "$got"
	if [ -n "${NC_UPDATE_EXPECTED:-}" ]; then
		mkdir -p "$EXPECTED_DIR"
		cp "$got" "$want"
		echo "updated $want"
		return 0
	fi
	if [ ! -f "$want" ] || ! diff -u "$want" "$got"; then
		echo "FAIL: $TEST_NAME: screen $name differs from $want"
		echo "update expected: cp '$got' '$want'"
		echo "(or run the test with NC_UPDATE_EXPECTED=1; NC_KEEP_WORK=1 keeps the dumps)"
		FAILED=1
	fi
	return 0
}

#| assert_contains FILE TEXT: FILE has a line containing TEXT.
assert_contains() {
	if ! grep -qF -- "$2" "$1"; then
		echo "FAIL: $TEST_NAME: '$2' not found in $(basename "$1"):"
		cat "$1"
		FAILED=1
	fi
}

#| assert_not_contains FILE TEXT
assert_not_contains() {
	if grep -qF -- "$2" "$1"; then
		echo "FAIL: $TEST_NAME: '$2' unexpectedly in $(basename "$1")"
		FAILED=1
	fi
}

#| finish: report and exit with the test's status.
finish() {
	if [ "$FAILED" = 0 ]; then
		echo "ok: $TEST_NAME"
	fi
	exit "$FAILED"
}
