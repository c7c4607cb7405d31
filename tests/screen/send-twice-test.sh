#!/bin/bash
# ^S twice on the Trigger form: the second press asks before sending the
# same form again (a new notification, new transactionId); n sends nothing,
# y sends one more. The sandbox sees two triggers with two transactionIds.
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
<Enter>
order-shipped<Enter>
r
a
user-1<Enter>
<Esc>
<C-s>
:save-screen twice-sent.screen
<C-s>
:save-screen twice-ask.screen
n
:save-screen twice-declined.screen
<C-s>
y
:save-screen twice-sent-again.screen
'
run_console 80 24
for s in sent ask declined sent-again; do
	assert_screen "twice-$s"
done
sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || { echo "FAIL: $TEST_NAME: see above"; FAILED=1; }
import json, sys
t = [json.loads(r["body"])["transactionId"] for r in json.load(open(sys.argv[1]))
     if r["path"] == "/v1/events/trigger"]
assert len(t) == 2 and t[0] != t[1], t
EOP
finish
