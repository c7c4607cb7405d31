#!/bin/bash
# A TERM that does not match the terminal (xterm-256color inside tmux or
# screen is common) sends key sequences its terminfo entry does not list.
# Home and End still work, and a sequence the console does not know is
# dropped whole: "Esc [ 4 ~" used to arrive as Alt+[, 4 (switching to
# History), ~.
. "$(dirname "$0")/lib.sh"

start_sandbox
use_tmux

#| keys_hex BYTES...: bytes to the console as the terminal would send them.
keys_hex() { $T send-keys -t nc -H "$@"; }
#| wait_help_at WHICH: the help view shows its first line (home) or its
#| last page (end: the position, its top line, is past 1).
wait_help_at() {
	local i
	for i in $(seq 1 100); do
		$T capture-pane -p -t nc >"$WORK/pane.txt"
		case $1 in
		end) grep -qE ' ([2-9]|[1-9][0-9]+)/[0-9]+$' "$WORK/pane.txt" && return 0 ;;
		home) grep -qE ' 1/[0-9]+$' "$WORK/pane.txt" && return 0 ;;
		esac
		sleep 0.1
	done
	echo "FAIL: $TEST_NAME: the help is not at its $1; the pane shows:"
	cat "$WORK/pane.txt"
	FAILED=1
	finish
}

start_console "" "env TERM=xterm-256color $NC_CONSOLE"
$T send-keys -t nc '?'
wait_for "Help: every key"
keys_hex 1b 5b 34 7e          # End as rxvt, screen and the Linux console send it
wait_help_at end
keys_hex 1b 5b 31 7e          # Home, likewise
wait_help_at home
keys_hex 1b 5b 39 39 7e       # no such key
keys_hex 1b 5b 31 3b 35 51    # Ctrl+F2, unknown here
keys_hex 1b 4f 46             # End in application mode
wait_help_at end
assert_pane "Help: every key"
assert_pane "[1 Trigger]"
$T send-keys -t nc q
wait_for "Enter Edit"
finish
