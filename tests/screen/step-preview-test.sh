#!/bin/bash
# v on the Trigger form shows what each step will say, as the sandbox
# renders it for the first recipient (e-mail HTML as text, links numbered,
# in-app buttons); p still shows the exact request. On the Broadcast form v
# asks which subscriber to render for. A workflow the API does not know
# lands on the Errors screen.
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
<Enter>
order-shipped<Enter>
r
a
user-001<Enter>
<Esc>
v
:save-screen step-preview-trigger.screen
q
p
:save-screen step-preview-p-unchanged.screen
q
2
<Enter>
maintenance-notice<Enter>
v
:save-screen step-preview-broadcast-pick.screen
<Enter>
:save-screen step-preview-broadcast.screen
q
1
g
<Enter>
<C-u>no-such-workflow<Enter>
v
5
:save-screen step-preview-errors.screen
'
run_console 100 40
for s in trigger p-unchanged broadcast-pick broadcast errors; do
	assert_screen "step-preview-$s"
done
finish
