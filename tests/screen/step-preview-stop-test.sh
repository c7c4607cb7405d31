#!/bin/bash
# v renders the steps on the worker: the status line says so, Esc stops
# waiting (a read: nothing is sent, no preview opens), and the next v runs.
. "$(dirname "$0")/lib.sh"

start_sandbox
use_tmux
start_console
wait_gone "Loading lists"
$T send-keys -t nc Enter
$T send-keys -t nc -l "order-shipped"
$T send-keys -t nc Enter
wait_for "payload filled"
sandbox_latency 3000
$T send-keys -t nc v
wait_for "Rendering the steps"
wait_for "(Esc stops waiting)"
$T send-keys -t nc Escape
wait_for "preview stopped (nothing was sent)"
wait_gone "Rendering the steps"
if $T capture-pane -p -t nc | grep -q "Preview of order-shipped"; then
	echo "FAIL: $TEST_NAME: a stopped preview opened anyway"
	FAILED=1
fi
sandbox_latency 0
$T send-keys -t nc v
wait_for "Preview of order-shipped for user-"
wait_for "== Step 2/2: Shipping email (email, email-step) =="
finish
