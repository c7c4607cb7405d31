#!/bin/bash
# A bulk run stored by another program (a headless `bulk`), as the Bulk
# screen sees it:
#  - while that program sends it, R says who is sending and asks nothing;
#  - killed half-way, a read-only profile's R refuses before asking, and
#    nothing is sent;
#  - writable again, R resumes it with the stored keys and bytes (the list
#    on screen is empty: the message counts the run's events, not the
#    list's), and the sandbox accepts each event once.
. "$(dirname "$0")/lib.sh"
use_tmux

start_sandbox --rate-limit 0
for i in $(seq 1 300); do
	printf '{"name":"order-shipped","to":"user-%d","payload":{"order":{"id":"A-%d"}}}\n' "$i" "$i"
done >"$HOME/events.jsonl"
# One profile for all of it, its read-only switch flipped between steps;
# the URL and key come from the environment.
mkdir -p "$NOVU_CONSOLE_CONFIG_DIR/profiles"
chmod 700 "$NOVU_CONSOLE_CONFIG_DIR" "$NOVU_CONSOLE_CONFIG_DIR/profiles"
profile() {
	printf '[api]\nurl = %s\n[safety]\nread_only = %s\n' "$NOVU_API_URL" "$1" \
		>"$NOVU_CONSOLE_CONFIG_DIR/profiles/ops.ini"
	chmod 600 "$NOVU_CONSOLE_CONFIG_DIR/profiles/ops.ini"
}
profile false
CONSOLE="$NC_CONSOLE --profile ops"
# open_bulk: a console under that profile, on the Bulk screen, its start-up
# lists loaded.
open_bulk() {
	start_console "" "$CONSOLE"
	$T send-keys -t nc 3
	wait_for "Bulk:"
	wait_gone "Loading lists"
}
bulk_requests() {
	sandbox_get /__sandbox/requests | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["path"] == "/v1/events/trigger/bulk"))'
}
# headless_bulk: a headless run in the background, its pid in BULK_PID; it
# returns once the first request has been answered.
headless_bulk() {
	"$NC_CONSOLE" --profile ops bulk "$HOME/events.jsonl" >"$WORK/bulk.out" 2>"$WORK/bulk.err" &
	BULK_PID=$!
	for i in $(seq 1 100); do
		grep -q "request 1/3 sent" "$WORK/bulk.err" && return 0
		sleep 0.1
	done
	echo "FAIL: $TEST_NAME: the headless run did not get going:"; cat "$WORK/bulk.err"
	FAILED=1
	finish
}

# 1. Sent by another process right now: R says so, and asks nothing. (The
# console's start-up lists load first: R waits for a running request.)
open_bulk
sandbox_latency 4000
headless_bulk
$T send-keys -t nc R
wait_for "is being sent by process $BULK_PID"
assert_not_contains "$WORK/pane.txt" "Resume bulk run"
wait "$BULK_PID" || { echo "FAIL: $TEST_NAME: the headless run failed"; FAILED=1; }
tmux_kill

# 2. Another run, killed after its first answer: 100 processed, the rest
# unknown or queued.
sandbox_latency 4000
headless_bulk
kill -9 "$BULK_PID"
wait "$BULK_PID" 2>/dev/null
sleep 2   # the sandbox finishes what nobody waits for any more
sandbox_latency 0
sent=$(bulk_requests)

# 3. Read-only: refused before any question, nothing sent.
profile true
open_bulk
$T send-keys -t nc R
wait_for "This profile can cancel, not send."
assert_not_contains "$WORK/pane.txt" "Resume bulk run"
sleep 1
[ "$(bulk_requests)" = "$sent" ] ||
	{ echo "FAIL: $TEST_NAME: a read-only console sent a request"; FAILED=1; }
tmux_kill

# 4. Writable again: R resumes the stored run; the message is the run's.
profile false
open_bulk
$T send-keys -t nc R
wait_for "Resume bulk run 2"
$T send-keys -t nc y
wait_for "bulk run 2 resumed: 200 of the 200 events sent now were processed" 100
python3 - "$NOVU_CONSOLE_STATE_DIR/history.db" <<'EOP' || { echo "FAIL: $TEST_NAME: History disagrees"; FAILED=1; }
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT count(*), count(DISTINCT transaction_id) FROM entries"
                  " WHERE kind = 'bulk' AND response_status = 'processed'").fetchone()
assert rows == (600, 600), rows
EOP
assert_bulk_bodies_once 6
finish
