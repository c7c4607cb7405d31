#!/bin/bash
# What a key says while a request runs is seen: ^S refused while the
# start-up lists load shows its message over the spinner, and the spinner
# comes back a few seconds later.
. "$(dirname "$0")/lib.sh"

start_sandbox --latency-ms 3000
use_tmux
start_console
wait_for "Loading lists"
$T send-keys -t nc C-s
wait_for "a request is running; send again when it ends" 20
assert_not_contains "$WORK/pane.txt" "Loading lists"
wait_for "Loading lists" 50
finish
