# tmux-lib.sh - drive the real console in a real terminal (tmux), for tests
# that need what a script cannot do: kill -9, a second process, resizes.
# Source after lib.sh. Sets T (the tmux command) and CONSOLE_PID.

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: $TEST_NAME: tmux is not installed (the test deps install it)"
	exit 0
fi
unset NOVU_CONSOLE_NO_DISPLAY
SOCK="$WORK/tmux.sock"
T="tmux -S $SOCK"
CONSOLE_PID=

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
trap tmux_cleanup EXIT

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

#| start_console [COLSxROWS]: the console in a new tmux session "nc".
start_console() {
	local size=${1:-100x30}
	$T new-session -d -s nc -x "${size%x*}" -y "${size#*x}" "$NC_CONSOLE" || {
		echo "FAIL: $TEST_NAME: tmux could not start"; FAILED=1; finish; }
	CONSOLE_PID=$($T display-message -p -t nc '#{pane_pid}')
	wait_for "1 Trigger"
}

#| kill_console: SIGKILL, as a crash or an OOM killer would.
kill_console() {
	kill -9 "$CONSOLE_PID" 2>/dev/null
	$T kill-server 2>/dev/null
	CONSOLE_PID=
	sleep 0.2
}
