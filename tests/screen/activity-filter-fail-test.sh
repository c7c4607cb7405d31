#!/bin/bash
# Activity: a read with new filters that fails (the API refuses it) leaves
# the list as it was, so the filters it was read with come back too: the
# filter line never names filters the rows on screen were not read with.
# The same for P (pending only) when its read fails.
. "$(dirname "$0")/lib.sh"
use_tmux

start_sandbox --seed 7
start_console
$T send-keys -t nc 6
wait_for "transactions"
assert_pane "subscriber: any"
# set_filters TEXT: / , the line emptied, TEXT, Enter.
set_filters() {
	$T send-keys -t nc /
	wait_for "Filters (subscriber="
	$T send-keys -t nc C-a C-k
	$T send-keys -t nc -l "$1"
	$T send-keys -t nc Enter
}
fail_next_read() {
	curl -s --max-time 5 -X POST -d '{"failNext":1,"status":400}' \
		"http://127.0.0.1:$SANDBOX_PORT/__sandbox/faults" >/dev/null
}

fail_next_read
set_filters "subscriber=user-002"
wait_for "the filters are back to the list's"
assert_pane "subscriber: any"

fail_next_read
$T send-keys -t nc P
wait_for "Errors(2)"   # the read after P failed too (the message is the same)
assert_pane "[x] pending only"

# Without a failure the new filters stay, with the rows read for them.
set_filters "subscriber=user-002"
wait_for "subscriber: user-002"
finish
