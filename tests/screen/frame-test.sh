#!/bin/bash
# Every screen and the help, at 80x24, then the same at 60x16 after a resize.
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
:save-screen frame-trigger.screen
2
:save-screen frame-broadcast.screen
3
:save-screen frame-bulk.screen
4
:save-screen frame-history.screen
5
:save-screen frame-errors.screen
1
?
:save-screen frame-help.screen
<PgDn>
:save-screen frame-help-page2.screen
<Esc>
:resize 60 16
:save-screen frame-trigger-60x16.screen
<Tab>
:save-screen frame-broadcast-60x16.screen
<S-Tab><S-Tab><S-Tab>
:save-screen frame-errors-60x16.screen
<F1>
:save-screen frame-help-60x16.screen
'
run_console 80 24
for s in trigger broadcast bulk history errors help help-page2 trigger-60x16 \
         broadcast-60x16 errors-60x16 help-60x16; do
	assert_screen "frame-$s"
done
finish
