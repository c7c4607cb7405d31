#!/bin/bash
# Kill -9 while a trigger is out, start a new console, ^S on the form it
# brings back: the same request goes again under the first send's key (a
# retry, which the server answers from the first), never as a second
# notification under a new transactionId. The form had kept the
# transactionId and bytes but not the key it made up.
. "$(dirname "$0")/lib.sh"
use_tmux
# Seeded IDs would make the second console draw the very key the first one
# made up, hiding a send under a new key: real IDs here (no dumps compared).
unset NOVU_CONSOLE_TEST_SEED

start_sandbox --rate-limit 0
start_console
fill_trigger_form
sandbox_latency 3000
$T send-keys -t nc C-s
wait_for "Sending trigger"
sleep 0.5
kill -9 "$CONSOLE_PID" 2>/dev/null
tmux_kill
CONSOLE_PID=
sleep 3   # the sandbox answers the request nobody waits for
sandbox_latency 0

start_console
wait_for "1/100  user-1"
$T send-keys -t nc C-s
wait_for "a retry of the earlier send"
$T send-keys -t nc C-s
wait_for "Send again?"
$T send-keys -t nc n
wait_for "not sent again"
sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" "$NOVU_CONSOLE_STATE_DIR/history.db" <<'EOP' ||
import json, sqlite3, sys
t = [r for r in json.load(open(sys.argv[1])) if r["path"] == "/v1/events/trigger"]
assert len(t) == 2, t
assert len({r["idempotencyKey"] for r in t}) == 1, "the retry used another key: %s" % t
assert len({r["bodySha"] for r in t}) == 1, "the retry sent other bytes: %s" % t
rows = sqlite3.connect(sys.argv[2]).execute(
    "SELECT response_status, idempotency_key FROM entries WHERE kind = 'trigger'").fetchall()
assert rows == [("processed", t[0]["idempotencyKey"])], rows
EOP
{ echo "FAIL: $TEST_NAME: see above"; FAILED=1; }
finish
