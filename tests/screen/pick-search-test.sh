#!/bin/bash
# Pick lists and Tab completion load the first 100 subscribers of the
# sandbox's 250 (newest first: user-250 .. user-151), say so, and ask the
# server for what the loaded ones do not have.
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
r
s
:save-screen pick-search-loaded.screen
/
user-042<Enter>
:save-screen pick-search-found.screen
<Enter>
:save-screen pick-search-picked.screen
s
/
no-such-user<Enter>
:save-screen pick-search-none.screen
<Esc>
a
user-043<Tab>
:save-screen pick-search-tab.screen
<Tab><Enter>
:save-screen pick-search-tab-added.screen
'
run_console 80 24
for s in loaded found picked none tab tab-added; do
	assert_screen "pick-search-$s"
done
# The server was asked, with the subscriberId filter.
sandbox_get /__sandbox/requests >"$WORK/requests.json"
assert_contains "$WORK/requests.json" 'subscriberId=user-042'
assert_contains "$WORK/requests.json" 'subscriberId=user-043'
finish
