#!/bin/bash
# A send key pressed while the start-up lists load: the send waits for
# them (its message shows over the spinner, and the spinner comes back),
# ^X drops a waiting send (nothing reaches the server), and Esc stops the
# load so a waiting send goes at once (here it is checked and refused
# for its empty form, as ^S on an idle console would).
. "$(dirname "$0")/lib.sh"

start_sandbox --latency-ms 3000
use_tmux
start_console
wait_for "Loading lists"
$T send-keys -t nc C-s
wait_for "sending once the loading ends" 20
assert_not_contains "$WORK/pane.txt" "Loading lists"
wait_for "Loading lists" 50
$T send-keys -t nc C-x
wait_for "the send that was waiting was dropped: nothing was sent"
$T send-keys -t nc C-s
wait_for "sending once the loading ends"
$T send-keys -t nc Escape
wait_for "no workflow — choose one" 100
triggers=$(sandbox_get /__sandbox/requests | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["path"].startswith("/v1/events/trigger")))')
[ "$triggers" = 0 ] || { echo "FAIL: $TEST_NAME: $triggers triggers reached the server"; FAILED=1; }
finish
