#!/bin/bash
# Stopping is deliberate. Esc stops a read the user waits for (the start-up
# lists); Esc never stops a send: closing a view while a bulk run goes
# leaves the run alone, and ^X stops it only after y.
. "$(dirname "$0")/lib.sh"

for i in $(seq 1 250); do
	printf '{"name":"order-shipped","to":"user-%d","payload":{"order":{"id":"A-%d"}}}\n' "$i" "$i"
done >"$HOME/events.jsonl"

start_sandbox --latency-ms 3000
use_tmux
start_console
# Esc stops the start-up list load (a read).
wait_for "Loading lists"
wait_for "(Esc stops waiting)"
$T send-keys -t nc Escape
wait_for "stopped loading"
wait_gone "Loading lists"

# A bulk run of three requests, 3 s each.
sandbox_latency 3000
$T send-keys -t nc 3 i
$T send-keys -t nc -l "~/events.jsonl"
$T send-keys -t nc Enter
wait_for "250"
$T send-keys -t nc C-s
wait_for "Plan: 250 events in 3 requests"
$T send-keys -t nc y
wait_for "Sending bulk"
wait_for "(^X stops waiting)"
wait_for "^X Stop send"
# Open a view and close it with Esc; Esc again on the screen itself.
$T send-keys -t nc '?'
wait_for "Help: every key"
$T send-keys -t nc Escape
wait_gone "Help: every key"
$T send-keys -t nc Escape
wait_for "the send goes on: ^X stops waiting for it"
assert_pane "^X Stop send"
# The run completes: every event processed.
wait_for "bulk sent: 250 processed, 0 not" 200
wait_gone "^X Stop send"

# Sent stays sent: ^S now sends nothing. Clear them, import anew (new
# transactionIds), and send again: ^X then n keeps it running; ^X then y
# stops it.
$T send-keys -t nc C-s
wait_for "every event was sent already"
$T send-keys -t nc X
wait_for "250 processed events cleared"
$T send-keys -t nc i
$T send-keys -t nc -l "~/events.jsonl"
$T send-keys -t nc Enter
wait_for "imported 250 events"
$T send-keys -t nc C-s
wait_for "Plan: 250 events in 3 requests"
$T send-keys -t nc y
wait_for "Sending bulk"
$T send-keys -t nc C-x
wait_for "Stop waiting for the send?"
assert_pane "It may still reach Novu; it will"
assert_pane "be recorded as unknown."
$T send-keys -t nc n
wait_gone "Stop waiting for the send?"
assert_pane "^X Stop send"
$T send-keys -t nc C-x
wait_for "Stop waiting for the send?"
$T send-keys -t nc y
wait_for "bulk run stopped" 100
assert_pane "R resumes"

# ^X with nothing running says so.
$T send-keys -t nc C-x
wait_for "no send is running"
finish
