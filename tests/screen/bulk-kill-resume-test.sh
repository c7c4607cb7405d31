#!/bin/bash
# Kill -9 in the middle of a bulk run, start a new console: the Bulk screen
# shows what became of every event (from History: processed, unknown), R
# says it sends an event deleted from the list since (the run holds it),
# resumes with the stored keys and bytes, and the sandbox accepts each
# event once.
. "$(dirname "$0")/lib.sh"
use_tmux

#| kill_console: SIGKILL, as a crash or the OOM killer would.
kill_console() {
	kill -9 "$CONSOLE_PID" 2>/dev/null
	tmux_kill
	CONSOLE_PID=
	sleep 0.2
}

start_sandbox --rate-limit 0
for i in $(seq 1 250); do
	printf '{"name":"order-shipped","to":"user-%d","payload":{"order":{"id":"A-%d"}}}\n' "$i" "$i"
done >"$HOME/events.jsonl"

start_console
$T send-keys -t nc 3
wait_for "Bulk:"
$T send-keys -t nc i
$T send-keys -t nc -l "~/events.jsonl"
$T send-keys -t nc Enter
wait_for "250 events"
sleep 1   # the start-up lists have loaded
latency() {
	curl -s --max-time 5 -X POST -d "{\"latencyMs\":$1}" \
		"http://127.0.0.1:$SANDBOX_PORT/__sandbox/faults" >/dev/null
}
latency 1500
$T send-keys -t nc C-s
wait_for "Send?"
$T send-keys -t nc y
# The first request answered, the other two on their way (the Bulk screen
# keeps up to 4 in flight once the first is back): kill.
wait_for "processed" 100
sleep 0.6
kill_console
sleep 2   # the sandbox finishes the request nobody waits for
latency 0

start_console
$T send-keys -t nc 3
wait_for "Bulk: 250 events"
sleep 1
python3 - "$NOVU_CONSOLE_STATE_DIR/history.db" >"$WORK/states.txt" <<'EOP'
import sqlite3, sys
for s, n in sqlite3.connect(sys.argv[1]).execute(
        "SELECT response_status, count(*) FROM entries WHERE kind='bulk' GROUP BY 1 ORDER BY 1"):
    print(s, n)
EOP
assert_contains "$WORK/states.txt" "processed 100"
assert_contains "$WORK/states.txt" "unknown 150"
# The screen says the same, row by row.
wait_for "processed"
$T send-keys -t nc End
wait_for 'A-250"}} unknown: may be accepted'
$T send-keys -t nc Home
for i in $(seq 1 101); do $T send-keys -t nc Down; done
wait_for "unknown: may be accepted"
# An event deleted from the list after the stop is still in the stored
# run: R says it goes too before anything is sent.
$T send-keys -t nc d
wait_for "Bulk: 249 events"
$T send-keys -t nc R
wait_for "Resume bulk run"
wait_for "1 of its events still to send is not in this list"
$T send-keys -t nc y
# The message counts the run (the list lacks one of its events).
wait_for "bulk run 1 resumed: 150 of the 150 events sent now were processed" 200
assert_bulk_bodies_once 3
python3 - "$NOVU_CONSOLE_STATE_DIR/history.db" <<'EOP' || { echo "FAIL: $TEST_NAME: History disagrees"; FAILED=1; }
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("SELECT count(*), count(DISTINCT transaction_id) FROM entries WHERE kind='bulk' AND response_status='processed'").fetchone() == (250, 250)
assert db.execute("SELECT count(*) FROM entries WHERE kind='bulk'").fetchone()[0] == 250
EOP
finish
