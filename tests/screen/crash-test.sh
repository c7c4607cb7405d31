#!/bin/bash
# A crash puts the terminal back: after SIGSEGV or SIGABRT the terminal has
# its line discipline again (icanon, echo), and the exit status is still
# the signal's (the console re-raises it with the default action).
. "$(dirname "$0")/lib.sh"

start_sandbox
use_tmux
# NOVU_CONSOLE_TEST_CRASH (see ui/crashguard.h) raises the signal after the
# first frame, when curses has the terminal raw. A non-interactive shell
# runs it: an interactive one would repair the terminal itself.
cat >"$WORK/crash.sh" <<'EOS'
NOVU_CONSOLE_TEST_CRASH=$1 "$NC_CONSOLE" 2>/dev/null
rc=$?
clear
echo "rc=$rc"
stty -a | tr '; ' '\n\n' | grep -E '^-?(icanon|echo)$'
echo "modes listed"
sleep 60
EOS
for sig in segv abort; do
	tmux_kill
	$T new-session -d -s nc -x 100 -y 30 "sh $WORK/crash.sh $sig" || {
		echo "FAIL: $TEST_NAME: tmux could not start"; FAILED=1; finish; }
	wait_for "modes listed"
	cp "$WORK/pane.txt" "$WORK/pane-$sig.txt"
	for mode in icanon echo; do
		if ! grep -qx -- "$mode" "$WORK/pane-$sig.txt"; then
			echo "FAIL: $TEST_NAME: after the $sig crash the terminal is not back to $mode:"
			cat "$WORK/pane-$sig.txt"
			FAILED=1
		fi
	done
	case $sig in segv) want=139 ;; abort) want=134 ;; esac
	assert_contains "$WORK/pane-$sig.txt" "rc=$want"
done
finish
