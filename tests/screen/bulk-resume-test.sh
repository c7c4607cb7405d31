#!/bin/bash
# A bulk run that stops (the first request is refused) is resumed with R:
# the stored bodies and idempotency keys are sent again, finished requests
# are not, and no event goes out twice. Also: reordering, duplicating and
# deleting events, and pacing by the RateLimit headers (a bucket smaller
# than two bulk requests: the run waits instead of running into 429s).
. "$(dirname "$0")/lib.sh"

start_sandbox --rate-limit 150 --rate-window 1
{
	echo 'workflow,to,order.id'
	for i in $(seq 1 150); do printf 'order-shipped,user-%d,A-%d\n' "$i" "$i"; done
} >"$HOME/orders.csv"

# Run 1: import, reorder, duplicate (refused: the list is past 100 events,
# it is a plan now), delete; quit (the list is a draft).
steps '
3
i
~/orders.csv<Enter>
<Home>
J
J
:save-screen bulk-reordered.screen
D
:save-screen bulk-duplicated.screen
<Enter>
<End>
d
:save-screen bulk-deleted.screen
'
run_console 80 24

# Run 2: the first bulk request fails with 401 (say, a key rotated mid-run;
# the workflow's payloadSchema, read before the plan, goes through): the run
# stops, the chunk stays pending, and R resumes. (A 400 would settle the
# chunk as failed and go on: Novu replays a 400 for the same key.)
curl -s --max-time 5 -X POST \
	-d '{"failNext":1,"status":401,"path":"/v1/events/trigger/bulk"}' \
	"http://127.0.0.1:$SANDBOX_PORT/__sandbox/faults" >/dev/null
steps '
3
<C-s>
y
<Esc>
3
:save-screen bulk-stopped.screen
R
:save-screen bulk-resume-confirm.screen
y
:save-screen bulk-resumed.screen
<End>
:save-screen bulk-resumed-end.screen
'
run_console 80 24
for s in reordered duplicated deleted stopped resume-confirm resumed resumed-end; do
	assert_screen "bulk-$s"
done

sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || FAILED=1
import json, sys
reqs = [r for r in json.load(open(sys.argv[1])) if r["path"] == "/v1/events/trigger/bulk"]
status = [r["status"] for r in reqs]
keys = [r["idempotencyKey"] for r in reqs]
bodies = [r["bodySha"] for r in reqs]
# refused once, then both chunks; the refused chunk is resent as stored
assert status == [401, 201, 201], status
assert keys[0] == keys[1] and bodies[0] == bodies[1], "resume changed the stored request"
assert keys[1] != keys[2], "each request has its own idempotency key"
every = json.load(open(sys.argv[1]))
assert not [r for r in every if r["status"] == 429], "ran into 429 instead of pacing"
EOP
# History: every one of the 149 events processed exactly once.
python3 - "$NOVU_CONSOLE_STATE_DIR/history.db" <<'EOP' || FAILED=1
import sqlite3, sys
n, d = sqlite3.connect(sys.argv[1]).execute(
    "SELECT COUNT(*), COUNT(DISTINCT transaction_id) FROM entries"
    " WHERE kind = 'bulk' AND response_status = 'processed'").fetchone()
assert (n, d) == (149, 149), "History has %d processed bulk events (%d distinct)" % (n, d)
EOP
finish
