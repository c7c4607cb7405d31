#!/bin/bash
# End to end in a real terminal (tmux, 100x30) against the sandbox: compose
# with Tab completion, send, see it in History, cancel it, copy its
# transactionId (OSC 52 into tmux's buffer, and the file), resize to 60x16,
# and kill -9 the console in the middle of typing: the draft keeps the text.
. "$(dirname "$0")/lib.sh"

start_sandbox
use_tmux
# Real transactionIds and clock this time.
unset NOVU_CONSOLE_NO_DISPLAY NOVU_CONSOLE_TEST_SEED NOVU_CONSOLE_TEST_TIME

start_console
wait_for "Enter Edit"
# The workflow with Tab completion, then its payloadExample arrives.
$T send-keys -t nc Enter
$T send-keys -t nc -l "payment-re"
$T send-keys -t nc Tab Enter
wait_for "ACTIVE · email,delay,sms"
wait_for '"invoiceId"'
# Recipients: two IDs (one with wide characters).
$T send-keys -t nc r a
$T send-keys -t nc -l "user-1 Zoë"
$T send-keys -t nc Enter
wait_for "Recipients 2/100"
$T send-keys -t nc Escape
wait_for "user-1, Zoë"
$T send-keys -t nc C-s
wait_for "Sent: processed"
txn=$(grep -o 'transactionId [0-9a-f-]*' "$WORK/pane.txt" | head -1 | cut -d' ' -f2)
[ -n "$txn" ] || { echo "FAIL: no transactionId shown"; FAILED=1; finish; }

# History shows it; cancel it in one key (plus the y of the confirmation).
$T send-keys -t nc 4
wait_for "payment-reminder"
wait_for "processed"
$T send-keys -t nc c
wait_for "Cancel transaction $txn"
$T send-keys -t nc y
wait_for "cancelled"

# A send by another program (a headless trigger beside the console) shows
# up in History by itself, within a second or two of idle keyboard, and
# the cursor stays on the row it was on (y below copies that row's id).
other=$("$NC_CONSOLE" trigger order-shipped --to user-other \
	--payload '{"order":{"id":"A-1","carrier":"UPS"}}' 2>/dev/null | head -1)
[ -n "$other" ] || { echo "FAIL: $TEST_NAME: the headless trigger printed no id"; FAILED=1; }
wait_for "user-other" 50
wait_for "2 of 2"

# Copy the transactionId: OSC 52 lands in tmux's buffer, and in a file.
$T send-keys -t nc y
wait_for "copied the transactionId"
for i in $(seq 1 50); do
	[ "$($T show-buffer 2>/dev/null)" = "$txn" ] && break
	sleep 0.1
done
if [ "$($T show-buffer 2>/dev/null)" != "$txn" ]; then
	echo "FAIL: $TEST_NAME: OSC 52 did not reach tmux (buffer: '$($T show-buffer 2>/dev/null)')"
	FAILED=1
fi
assert_contains "$NOVU_CONSOLE_STATE_DIR/last-transaction-id.txt" "$txn"

# A small terminal, at any moment: still the frame, still the row.
$T resize-window -t nc -x 60 -y 16
wait_for "[4 Hist]"
wait_for "cancelled"
$T resize-window -t nc -x 100 -y 30
wait_for "[4 History]"

# Colours are on (NO_COLOR is not set): SGR colour codes in the pane.
$T capture-pane -e -p -t nc >"$WORK/pane-esc.txt"
if ! grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])m' "$WORK/pane-esc.txt"; then
	echo "FAIL: $TEST_NAME: no colours without NO_COLOR"
	FAILED=1
fi

# A slow answer: ^X stops waiting for a send (after y), and q asks first
# while a send runs.
sandbox_latency 3000
$T send-keys -t nc 1
wait_for "[1 Trigger]"
$T send-keys -t nc C-s
# The form was just sent and has not changed: a second one only on purpose.
wait_for "Send again?"
$T send-keys -t nc y
wait_for "Sending trigger"
$T send-keys -t nc C-x
wait_for "Stop waiting for the send?"
$T send-keys -t nc y
wait_for "Unknown: no answer"
# The stopped send may have reached Novu: History keeps it (status
# unknown) with its transactionId, so it can be cancelled.
for i in $(seq 1 50); do
	python3 - "$NOVU_CONSOLE_STATE_DIR/history.db" 2>/dev/null <<'EOP' && break
import sqlite3, sys
n = sqlite3.connect(sys.argv[1]).execute(
    "SELECT COUNT(*) FROM entries WHERE response_status = 'unknown'"
    " AND transaction_id IS NOT NULL").fetchone()[0]
sys.exit(0 if n == 1 else 1)
EOP
	[ "$i" = 50 ] && { echo "FAIL: $TEST_NAME: the stopped send is not in History"; FAILED=1; }
	sleep 0.1
done
# ^S again retries the unanswered send (same transactionId and key).
$T send-keys -t nc C-s
wait_for "Sending trigger"
$T send-keys -t nc q
wait_for "A request is still running"
$T send-keys -t nc n
wait_for "Sent: processed" 100
sandbox_latency 0

# Type into the actor field and kill -9 the console mid-word.
$T send-keys -t nc 1
wait_for "[1 Trigger]"
$T send-keys -t nc g Down Down Down Down Enter
$T send-keys -t nc -l "half-typed-actor"
wait_for "half-typed-actor"
kill -9 "$CONSOLE_PID"
for i in $(seq 1 50); do
	$T has-session -t nc 2>/dev/null || break
	sleep 0.1
done
tmux_kill
# Back with NO_COLOR: the draft has the text, and no colour codes.
start_console "-e NO_COLOR=1"
wait_for "half-typed-actor"
assert_contains "$WORK/pane.txt" "Actor       half-typed-actor"
$T capture-pane -e -p -t nc >"$WORK/pane-esc.txt"
if grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])m' "$WORK/pane-esc.txt"; then
	echo "FAIL: $TEST_NAME: colour codes despite NO_COLOR=1"
	FAILED=1
fi

# q quits at once when nothing is running (the lists have loaded).
wait_gone "Esc stops waiting"
$T send-keys -t nc q
for i in $(seq 1 100); do
	$T has-session -t nc 2>/dev/null || break
	sleep 0.1
done
if $T has-session -t nc 2>/dev/null; then
	echo "FAIL: $TEST_NAME: q did not quit"
	FAILED=1
fi
finish
