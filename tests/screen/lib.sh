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

#| stop_sandbox: stop the sandbox if one runs. Under NC_SANDBOX_WRAPPER
#| (valgrind) its exit status is the tool's verdict: the sandbox shuts down
#| cleanly on SIGTERM, so anything but 0 is an error the tool found.
stop_sandbox() {
	local rc=0
	[ -n "$SANDBOX_PID" ] || return 0
	kill "$SANDBOX_PID" 2>/dev/null
	wait "$SANDBOX_PID" 2>/dev/null || rc=$?
	SANDBOX_PID=
	if [ -n "${NC_SANDBOX_WRAPPER:-}" ] && [ "$rc" != 0 ]; then
		echo "FAIL: $TEST_NAME: the sandbox under $NC_SANDBOX_WRAPPER exited with $rc"
		tail -40 "$WORK/sandbox.err"
		FAILED=1
	fi
}

cleanup() {
	local failed=$FAILED
	stop_sandbox
	if [ "$FAILED" = 0 ] || [ -z "${NC_KEEP_WORK:-}" ]; then
		rm -rf "$WORK"
	else
		echo "work directory kept: $WORK"
	fi
	# A test that ended early (exit 1 from a helper) keeps its status; one
	# whose sandbox failed only now must not end as passed.
	if [ "$failed" = 0 ] && [ "$FAILED" != 0 ]; then
		exit 1
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
	# NC_SANDBOX_WRAPPER runs the sandbox under a tool, as NC_WRAPPER the console.
	${NC_SANDBOX_WRAPPER:-} "$NC_SANDBOX" --port 0 --port-file "$WORK/port" --quiet "$@" \
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

#| assert_bulk_bodies_once N: the sandbox accepted N distinct bulk bodies,
#| each under one Idempotency-Key (a body sent again, after a kill or a
#| stop, must have gone with its stored key, so the server replayed it).
#| Large bodies are not logged whole: they are told apart by their hash.
assert_bulk_bodies_once() {
	sandbox_get /__sandbox/requests >"$WORK/requests.json"
	python3 - "$WORK/requests.json" "$1" <<'EOP' ||
import json, sys, collections
keys = collections.defaultdict(set)
for r in json.load(open(sys.argv[1])):
    if r["path"] == "/v1/events/trigger/bulk" and (r.get("status") or 0) // 100 == 2:
        keys[r["bodySha"]].add(r["idempotencyKey"])
assert len(keys) == int(sys.argv[2]), keys
assert all(len(k) == 1 for k in keys.values()), keys
EOP
	{ echo "FAIL: $TEST_NAME: a bulk request went out twice, or not at all"; FAILED=1; }
}

#| sandbox_latency MS: every answer of the running sandbox now takes MS ms.
sandbox_latency() {
	curl -s --max-time 5 -X POST -d "{\"latencyMs\":$1}" \
		"http://127.0.0.1:$SANDBOX_PORT/__sandbox/faults" >/dev/null || {
		echo "FAIL: $TEST_NAME: could not set the sandbox's latency"; FAILED=1; finish; }
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
	           s#rate limit: [0-9]+ of [0-9]+ tokens left, refills in [0-9]+ s#rate limit: N of M tokens left, refills in S s#;
	           s#rate limit: [0-9]+ tokens left \(a burst above the limit of [0-9]+\), refills in [0-9]+ s#rate limit: N of M tokens left, refills in S s#' "$got"
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

# ---- a real terminal (tmux), for keys pressed while a request runs ----
# A script waits for the worker before each key; these tests cannot.

#| use_tmux: run the console in tmux from now on (skips the test without
#| tmux). Sets T (the tmux command) and a trap that ends the server.
use_tmux() {
	if ! command -v tmux >/dev/null 2>&1; then
		echo "SKIP: $TEST_NAME: tmux is not installed (the .ci image installs it)"
		exit 0
	fi
	unset NOVU_CONSOLE_NO_DISPLAY
	T="tmux -S $WORK/tmux.sock"
	CONSOLE_PID=
	trap tmux_cleanup EXIT
}

#| tmux_kill: end the tmux server and move T to a new socket. kill-server
#| returns before the server has gone; a new session on the old socket can
#| reach the dying server and fail ("server exited unexpectedly").
tmux_kill() {
	$T kill-server 2>/dev/null
	TMUX_GEN=$(( ${TMUX_GEN:-0} + 1 ))
	T="tmux -S $WORK/tmux.$TMUX_GEN.sock"
}

tmux_cleanup() {
	local i
	$T kill-server 2>/dev/null
	# The console saves its drafts on the way out: let it finish before
	# its directory goes.
	for i in $(seq 1 50); do
		[ -n "$CONSOLE_PID" ] && kill -0 "$CONSOLE_PID" 2>/dev/null || break
		sleep 0.1
	done
	cleanup
}

#| start_console [TMUX-ARGS] [COMMAND]: the console (or COMMAND) in a new
#| 100x30 tmux session "nc"; waits for the top bar.
start_console() {
	$T new-session -d -s nc -x 100 -y 30 ${1:-} "${2:-$NC_CONSOLE}" || {
		echo "FAIL: $TEST_NAME: tmux could not start"; FAILED=1; finish; }
	$T set-option -g set-clipboard on
	CONSOLE_PID=$($T display-message -p -t nc '#{pane_pid}')
	wait_for "1 Trigger"
}

#| fill_trigger_form: in the tmux console, on the Trigger form, type the
#| workflow order-shipped and the recipient user-1, then leave the editor:
#| Esc closes it, or first stops a list still loading (a slow, busy
#| machine), so it is pressed until the form shows.
fill_trigger_form() {
	$T send-keys -t nc Enter
	$T send-keys -t nc -l order-shipped
	$T send-keys -t nc Enter r a
	$T send-keys -t nc -l user-1
	$T send-keys -t nc Enter
	wait_for "Recipients 1/100"
	for _ in 1 2 3 4 5; do
		$T send-keys -t nc Escape
		sleep 1
		$T capture-pane -p -t nc | grep -qF "1/100  user-1" && break
	done
	wait_for "1/100  user-1"
}

#| wait_for TEXT [TRIES]: poll the pane (every 0.1 s, 10 s by default)
#| until it shows TEXT; fail with the pane's content otherwise.
wait_for() {
	local i tries=${2:-100}
	for i in $(seq 1 "$tries"); do
		if $T capture-pane -p -t nc >"$WORK/pane.txt" 2>/dev/null &&
		   grep -qF -- "$1" "$WORK/pane.txt"; then
			return 0
		fi
		sleep 0.1
	done
	echo "FAIL: $TEST_NAME: '$1' never appeared; the pane shows:"
	cat "$WORK/pane.txt"
	FAILED=1
	finish
}

#| wait_gone TEXT: poll until the pane no longer shows TEXT (10 s).
wait_gone() {
	local i
	for i in $(seq 1 100); do
		$T capture-pane -p -t nc >"$WORK/pane.txt" 2>/dev/null || return 0
		grep -qF -- "$1" "$WORK/pane.txt" || return 0
		sleep 0.1
	done
	echo "FAIL: $TEST_NAME: '$1' did not go away; the pane shows:"
	cat "$WORK/pane.txt"
	FAILED=1
	finish
}

#| assert_pane TEXT: the pane shows TEXT now.
assert_pane() {
	$T capture-pane -p -t nc >"$WORK/pane.txt" 2>/dev/null
	assert_contains "$WORK/pane.txt" "$1"
}

#| finish: report and exit with the test's status.
finish() {
	stop_sandbox
	if [ "$FAILED" = 0 ]; then
		echo "ok: $TEST_NAME"
	fi
	exit "$FAILED"
}
