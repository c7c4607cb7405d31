#!/bin/bash
# ^S on a form brought back from its draft first asks Novu for the
# workflow's payloadSchema, which takes seconds on a slow server. Keys
# typed meanwhile (an answer typed ahead for a confirmation, say) must not
# land in the form nor start another action: the form says it waits, the
# send goes once, with the form as it was, and the form is unchanged.
. "$(dirname "$0")/lib.sh"
use_tmux

start_sandbox --rate-limit 0
start_console
fill_trigger_form
# The draft is on disk: a new console brings the form back, schema unknown.
kill -9 "$CONSOLE_PID" 2>/dev/null
tmux_kill
CONSOLE_PID=

start_console
wait_for "1/100  user-1"
wait_gone "Loading lists"
sandbox_latency 3000
$T send-keys -t nc C-s
wait_for "checking the payload against order-shipped's payloadSchema"
# Typed ahead: e (edit the field), text, Enter, and y.
$T send-keys -t nc e
$T send-keys -t nc -l xyz
$T send-keys -t nc Enter y
wait_for "the form waits for it"
sandbox_latency 0
wait_for "processed" 100
assert_not_contains "$WORK/pane.txt" "xyz"
assert_pane "order-shipped"
sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || { echo "FAIL: $TEST_NAME: see above"; FAILED=1; }
import json, sys
t = [json.loads(r["body"]) for r in json.load(open(sys.argv[1]))
     if r["path"] == "/v1/events/trigger"]
assert [e["name"] for e in t] == ["order-shipped"], t
EOP
finish
