#!/bin/bash
# Activity: the feed lists what the sandbox's own backend triggered, with
# PENDING on what can still be cancelled; Enter shows one transaction's
# steps; c cancels one (the outcome in its row, the cancel in History);
# Space + C cancels several; P shows everything, / filters.
. "$(dirname "$0")/lib.sh"

# --seed pins the seeded transactionIds; their times follow the real
# clock, so the dumps mask them (mask_times).
start_sandbox --seed 7

mask_times() {
	sed -i -E 's/~[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9:]*Z?)?/~YYYY-MM-DD hh:mmZ/g;
	           s/[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/MM-DD hh:mm/g;
	           s/[0-9]{2}:[0-9]{2}:[0-9]{2}/hh:mm:ss/g' "$WORK/$1.screen"
	assert_screen "$1"
}

steps '
6
r
:save-screen activity-list.screen
<Down><Enter>
:save-screen activity-detail.screen
q
c
:save-screen activity-cancel-confirm.screen
y
:save-screen activity-cancelled.screen
<Down><Space><Space>
C
y
:save-screen activity-cancelled-several.screen
P
:save-screen activity-all.screen
/
<C-a><C-k>subscriber=user-002<Enter>
:save-screen activity-filtered.screen
4
:save-screen activity-history.screen
'
run_console 120 24
for s in list detail cancel-confirm cancelled cancelled-several all filtered history; do
	mask_times "activity-$s"
done
assert_contains "$WORK/activity-cancelled.screen" "cancelled"
assert_contains "$WORK/activity-history.screen" "cancel"
finish
