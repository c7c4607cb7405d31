#!/bin/bash
# Sent stays sent in the bulk builder: ^S a second time sends nothing; a
# duplicated event (new transactionId) is sent alone, with the sent ones
# left out; an edited sent event becomes a new event with a new
# transactionId; X clears the processed ones. Duplicating when the list must
# grow is safe (it once read freed memory). The sandbox sees each
# transactionId exactly once.
. "$(dirname "$0")/lib.sh"

start_sandbox
for i in 1 2 3; do
	printf '{"name":"order-shipped","to":"user-%d","payload":{"order":{"id":"A-%d"}}}\n' "$i" "$i"
done >"$HOME/three.jsonl"

steps '
3
i
~/three.jsonl<Enter>
<C-s>
y
:wait
:save-screen bulk-sent-once.screen
<C-s>
:save-screen bulk-sent-again.screen
<End>
D
:save-screen bulk-dup-of-sent.screen
<C-s>
:save-screen bulk-dup-plan.screen
y
:wait
<Home>
<Enter>
<Enter>
<C-a><C-k>order-shipped<Enter>
<Esc>
:save-screen bulk-edited-sent.screen
<C-s>
y
:wait
X
:save-screen bulk-cleared.screen
'
run_console 80 24
for s in sent-once sent-again dup-of-sent dup-plan edited-sent cleared; do
	assert_screen "bulk-$s"
done
# Three requests: 3 events, then the duplicate, then the edited one; no
# transactionId twice.
sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || { echo "FAIL: $TEST_NAME: see above"; FAILED=1; }
import json, sys, collections
reqs = [r for r in json.load(open(sys.argv[1])) if r["path"] == "/v1/events/trigger/bulk"]
sizes = [len(json.loads(r["body"])["events"]) for r in reqs]
assert sizes == [3, 1, 1], sizes
ids = collections.Counter(e["transactionId"] for r in reqs for e in json.loads(r["body"])["events"])
assert all(n == 1 for n in ids.values()), ids
EOP
finish
