#!/bin/bash
# A send the server turns away for a while shows its retry on the status
# line, counting down ("retry 2/5 in 3 s"), then goes through.
. "$(dirname "$0")/lib.sh"

start_sandbox
use_tmux
start_console
wait_gone "Loading lists"
$T send-keys -t nc Enter
$T send-keys -t nc -l "order-shipped"
$T send-keys -t nc Enter
# Choosing the workflow fetches its payloadExample, a read that Esc would
# stop: wait for the payload it fills before going on.
wait_for "payload filled from order-shipped's payloadExample"
$T send-keys -t nc r a
$T send-keys -t nc -l "user-1"
$T send-keys -t nc Enter Escape
wait_for "user-1"
curl -s --max-time 5 -X POST -d '{"failNext":1,"status":503,"retryAfter":4}' \
	"http://127.0.0.1:$SANDBOX_PORT/__sandbox/faults" >/dev/null
$T send-keys -t nc C-s
wait_for "Sending trigger, retry 2/5 in 4 s" 50
wait_for "retry 2/5 in 2 s" 50
wait_gone "retry 2/5"
assert_pane "processed"
finish
