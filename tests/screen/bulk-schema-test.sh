#!/bin/bash
# ^S on the bulk list checks each event's payload against its workflow's
# payloadSchema before the plan: an imported event the schema refuses
# (order.id missing, a bad email) stops the send with that event selected,
# its row and the Errors screen naming the field and the fix; nothing is
# sent and the list stays as it was. f on the error opens the event at its
# payload, the form fixes it, and the next ^S sends every event once.
. "$(dirname "$0")/lib.sh"

start_sandbox
cat >"$HOME/events.jsonl" <<'EOJ'
{"name":"order-shipped","to":"user-1","payload":{"order":{"id":"A-1"}}}
{"name":"order-shipped","to":"user-2","payload":{"order":{"carrier":"UPS"},"customerEmail":"bob"}}
{"name":"payment-reminder","to":"user-3","payload":{"invoiceId":"INV-1","amount":5}}
{"name":"welcome-onboarding","to":"user-4","payload":{}}
EOJ

steps '
3
i
~/events.jsonl<Enter>
<C-s>
:save-screen bulk-schema-refused.screen
5
:save-screen bulk-schema-errors.screen
f
<Enter>
<Enter>
:save-screen bulk-schema-form.screen
<Enter>
B-2<Enter>
<Down>
<Down>
<Down>
<Down>
<Down>
<Enter>
<C-a><C-k>bob@example.com<Enter>
<Esc>
<Esc>
<C-s>
:save-screen bulk-schema-plan.screen
y
:wait
:save-screen bulk-schema-sent.screen
'
run_console 80 24
for s in refused errors form plan sent; do
	assert_screen "bulk-schema-$s"
done
# One bulk request, after the fix: every event once, the second fixed.
sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || { echo "FAIL: $TEST_NAME: see above"; FAILED=1; }
import json, sys
reqs = json.load(open(sys.argv[1]))
bulk = [json.loads(r["body"]) for r in reqs if r["path"] == "/v1/events/trigger/bulk"]
assert len(bulk) == 1, len(bulk)
evs = bulk[0]["events"]
assert [e["to"] for e in evs] == [["user-1"], ["user-2"], ["user-3"], ["user-4"]], evs
assert len({e["transactionId"] for e in evs}) == 4, evs
assert evs[1]["payload"] == {"order": {"carrier": "UPS", "id": "B-2"},
                             "customerEmail": "bob@example.com"}, evs[1]
assert not [r for r in reqs if r["path"] == "/v1/events/trigger"], "a single trigger went out"
EOP
finish
