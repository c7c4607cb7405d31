#!/bin/bash
# q in a pager (Preview, History detail, Error detail) goes back, as in
# less and tig; q on a screen still quits. (The failed send opens its
# error's detail on the Errors screen.)
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
<Enter>
order-shipped<Enter>
r
a
user-1<Enter>
<Esc>
p
q
:save-screen pager-q-preview.screen
<C-s>
4
<Enter>
q
:save-screen pager-q-history.screen
1
g
<Enter>
<C-u>no-such-workflow<Enter>
<C-s>
5
q
:save-screen pager-q-errors.screen
q
:save-screen pager-q-not-quit.screen
'
run_console 80 24
for s in preview history errors; do
	assert_screen "pager-q-$s"
done
# The last q, on a screen, quit before the dump.
if [ -f "$WORK/pager-q-not-quit.screen" ]; then
	echo "FAIL: $TEST_NAME: q on the Errors screen did not quit"
	FAILED=1
fi
finish
