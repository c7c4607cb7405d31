#!/bin/bash
# Activity in a real terminal: a long page walk shows its progress and Esc
# stops it (a read), keeping the list read before; the auto-refresh reads
# again on its own and never moves the cursor.
. "$(dirname "$0")/lib.sh"

start_sandbox --pending-seconds 600
# 120 digests for one subscriber: three pages of the feed.
for i in $(seq 1 120); do
	printf '{"name":"comment-digest","to":"user-070","payload":{"i":%d}}\n' "$i"
done >"$HOME/digests.jsonl"
"$NC_CONSOLE" bulk "$HOME/digests.jsonl" >/dev/null 2>&1 || {
	echo "FAIL: $TEST_NAME: the bulk run failed"; FAILED=1; finish; }

use_tmux
start_console
wait_gone "Loading lists"
sandbox_latency 1500
# The first visit reads the feed; each page takes 1.5 s.
$T send-keys -t nc 6
wait_for "Reading activity"
wait_for "page 1, 50 notifications"
$T send-keys -t nc Escape
wait_for "stopped; the list is the one read before"
wait_gone "Reading activity"
assert_pane "r reads the activity feed."

# A full read, then the cursor on the third row and auto-refresh every 5 s.
sandbox_latency 0
$T send-keys -t nc r
wait_for "100 transactions"
$T send-keys -t nc Down Down
$T capture-pane -p -t nc | grep '^>' >"$WORK/cursor-before.txt"
$T send-keys -t nc a
$T send-keys -t nc C-a C-k
$T send-keys -t nc -l "5"
$T send-keys -t nc Enter
wait_for "auto-refresh every 5 s"
before=$(sandbox_get /__sandbox/requests | grep -o '/v1/notifications' | wc -l)
sleep 7
after=$(sandbox_get /__sandbox/requests | grep -o '/v1/notifications' | wc -l)
if [ "$after" -le "$before" ]; then
	echo "FAIL: $TEST_NAME: no automatic refresh in 7 s ($before, then $after reads)"
	FAILED=1
fi
$T capture-pane -p -t nc | grep '^>' >"$WORK/cursor-after.txt"
if ! diff -u "$WORK/cursor-before.txt" "$WORK/cursor-after.txt"; then
	echo "FAIL: $TEST_NAME: the auto-refresh moved the cursor"
	FAILED=1
fi
assert_pane "auto-refresh on"
$T send-keys -t nc q
finish
