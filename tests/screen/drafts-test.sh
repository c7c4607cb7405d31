#!/bin/bash
# Nothing typed is lost: a form half-way through an edit survives quitting,
# a failed send keeps the form, and each field remembers what was typed in
# it (readline history, Up/Down).
. "$(dirname "$0")/lib.sh"

start_sandbox
# Run 1: fill the form, quit in the middle of typing the actor.
steps '
<Enter>
order-sh<Tab><Enter>
r
a
user-1 Zoë<Enter>
<Esc>
<Down><Down><Down>
<Enter>
admin-b
'
run_console 80 24
assert_contains "$NOVU_CONSOLE_STATE_DIR/drafts/trigger.json" '"actor":	"admin-b"'

# Run 2: it is all there; a send that fails keeps it.
steps '
:save-screen drafts-restored.screen
<Up><Up><Up><Up><Up>
<Enter>
<C-a><C-k>no-such-flow<Enter>
<C-s>
<Esc>
1
:save-screen drafts-failed-send.screen
'
run_console 80 24

# Run 3: still there; the workflow field remembers both values typed in it.
steps '
<Enter>
<C-a><C-k><Up>
:save-screen drafts-history-1.screen
<Up>
:save-screen drafts-history-2.screen
<Enter>
:save-screen drafts-history-accepted.screen
'
run_console 80 24
for s in restored failed-send history-1 history-2 history-accepted; do
	assert_screen "drafts-$s"
done
# Draft files are private.
perm=$(stat -c %a "$NOVU_CONSOLE_STATE_DIR/drafts/trigger.json")
if [ "$perm" != 600 ]; then
	echo "FAIL: $TEST_NAME: trigger.json has mode $perm, want 600"
	FAILED=1
fi
finish
