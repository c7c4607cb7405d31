#!/bin/bash
# A stopped bulk run given up with A: the dialog counts what never left and
# what stays unknown, its events become "dropped" and nothing goes; R has
# nothing left to resume; a later ^S sends the dropped events as new events
# (new transactionIds and keys), each once.
. "$(dirname "$0")/lib.sh"

start_sandbox --rate-limit 0
{
	echo 'workflow,to,order.id'
	for i in $(seq 1 150); do printf 'order-shipped,user-%d,A-%d\n' "$i" "$i"; done
} >"$HOME/orders.csv"

# The first bulk request is turned away (401): the run stops with its two
# requests queued. A asks, y drops; R then finds no stopped run; ^S sends
# the list again, as new events.
curl -s --max-time 5 -X POST \
	-d '{"failNext":1,"status":401,"path":"/v1/events/trigger/bulk"}' \
	"http://127.0.0.1:$SANDBOX_PORT/__sandbox/faults" >/dev/null
steps '
3
i
~/orders.csv<Enter>
<C-s>
y
<Esc>
3
A
:save-screen bulk-drop-confirm.screen
y
:save-screen bulk-dropped.screen
R
:save-screen bulk-drop-nothing-to-resume.screen
<C-s>
:save-screen bulk-drop-resend-plan.screen
y
:save-screen bulk-drop-resent.screen
'
run_console 80 24
for s in drop-confirm dropped drop-nothing-to-resume drop-resend-plan drop-resent; do
	assert_screen "bulk-$s"
done

sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || FAILED=1
import json, sys
reqs = [r for r in json.load(open(sys.argv[1])) if r["path"] == "/v1/events/trigger/bulk"]
status = [r["status"] for r in reqs]
keys = [r["idempotencyKey"] for r in reqs]
# turned away once; nothing for the drop; then the list as two new requests
assert status == [401, 201, 201], status
assert keys[0] not in keys[1:], "the dropped run's request went again"
txids = [e["transactionId"] for r in reqs[1:] for e in json.loads(r["body"])["events"]]
first = {e["transactionId"] for e in json.loads(reqs[0]["body"])["events"]}
assert len(txids) == 150 and len(set(txids)) == 150, len(set(txids))
assert not first & set(txids), "a dropped event went with its old transactionId"
EOP
python3 - "$NOVU_CONSOLE_STATE_DIR/history.db" <<'EOP' || FAILED=1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = dict(db.execute("SELECT response_status, COUNT(DISTINCT transaction_id) FROM entries"
                       " WHERE kind = 'bulk' GROUP BY 1").fetchall())
assert rows == {"dropped": 150, "processed": 150}, rows
EOP
finish
