#!/bin/bash
# Resize at any moment: while typing in a field, with a dialog open, down to
# the 40x10 minimum, below it, and back; 60x16 keeps every screen usable.
# Below the minimum only "Terminal too small" shows, so keys reach nothing
# else: a y typed then does not answer the "Send again?" hidden under it.
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
<Enter>
order-sh
:resize 60 16
:save-screen resize-prompt-60x16.screen
<Tab><Enter>
r
a
:resize 100 30
:save-screen resize-dialog-100x30.screen
user-1 user-2<Enter>
<Esc>
<C-s>
:resize 40 10
:save-screen resize-40x10.screen
:resize 30 8
:save-screen resize-too-small.screen
:resize 60 16
:save-screen resize-sent-60x16.screen
4
:save-screen resize-history-60x16.screen
<Enter>
:save-screen resize-detail-60x16.screen
<Esc>
3
:save-screen resize-bulk-60x16.screen
1
<C-s>
:resize 30 8
y
:resize 60 16
:save-screen resize-blind-key.screen
n
'
run_console 80 24
for s in prompt-60x16 dialog-100x30 40x10 too-small sent-60x16 history-60x16 detail-60x16 \
         bulk-60x16 blind-key; do
	assert_screen "resize-$s"
done
sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || { echo "FAIL: $TEST_NAME: see above"; FAILED=1; }
import json, sys
t = [r for r in json.load(open(sys.argv[1])) if r["path"] == "/v1/events/trigger"]
assert len(t) == 1, "the blind y sent again: %d triggers" % len(t)
EOP
finish
