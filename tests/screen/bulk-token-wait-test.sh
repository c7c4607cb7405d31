#!/bin/bash
# A bulk run that must wait for rate-limit tokens counts the wait down on
# the status line ("next request in N s"), then goes on.
. "$(dirname "$0")/lib.sh"

for i in $(seq 1 250); do
	printf '{"name":"order-shipped","to":"user-%d","payload":{"order":{"id":"A-%d"}}}\n' "$i" "$i"
done >"$HOME/events.jsonl"

# 200 tokens per 6 s: the third 100-token request waits for the refill.
start_sandbox --rate-limit 200 --rate-window 6
use_tmux
start_console
wait_gone "Loading lists"
$T send-keys -t nc 3 i
$T send-keys -t nc -l "~/events.jsonl"
$T send-keys -t nc Enter
wait_for "250"
$T send-keys -t nc C-s
wait_for "Plan: 250 events in 3 requests"
$T send-keys -t nc y
wait_for "waiting for rate-limit tokens, next request in" 100
first=$(grep -oE 'next request in [0-9]+ s' "$WORK/pane.txt")
wait_gone "$first"
wait_for "next request in" 20
wait_gone "waiting for rate-limit tokens" 
finish
