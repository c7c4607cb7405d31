#!/bin/bash
# The bulk builder: import 100 events (JSON Lines), refuse the 101st with a
# clear message, import 150 more from CSV, show the plan (3 requests), send
# with progress, and show per-event results, index-aligned; then edit,
# duplicate and reorder.
. "$(dirname "$0")/lib.sh"

start_sandbox
for i in $(seq 1 100); do
	printf '{"name":"order-shipped","to":"user-%d","payload":{"order":{"id":"A-%d"}}}\n' "$i" "$i"
done >"$HOME/events.jsonl"
{
	echo 'subscriberId,email,order.id,order.carrier,order.note'
	for i in $(seq 101 250); do
		printf 'user-%d,user%d@example.com,B-%d,DHL,"Leave at the door, ring twice"\n' \
			"$i" "$i" "$i"
	done
} >"$HOME/more.csv"

steps '
3
i
~/events.jsonl<Enter>
:save-screen bulk-100.screen
a
:save-screen bulk-refuse-101.screen
<Enter>
<End>
i
~/more.csv<Enter>
:save-screen bulk-250.screen
<C-s>
:save-screen bulk-plan.screen
y
:wait
<Home>
:save-screen bulk-results.screen
<End>
:save-screen bulk-results-end.screen
'
run_console 80 24
for s in 100 refuse-101 250 plan results results-end; do
	assert_screen "bulk-$s"
done
# Three bulk requests of 100, 100 and 50 events reached the sandbox.
sandbox_get /__sandbox/requests >"$WORK/requests.json"
n=$(grep -o '"path":"/v1/events/trigger/bulk"' "$WORK/requests.json" | wc -l)
if [ "$n" != 3 ]; then
	echo "FAIL: $TEST_NAME: expected 3 bulk requests, the sandbox saw $n"
	FAILED=1
fi
finish
