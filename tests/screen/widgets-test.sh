#!/bin/bash
# Pick lists (filter, INACTIVE warning, wide characters lined up), the
# recipients editor (subscriber object with data, topics, file import),
# the JSON editor, $EDITOR, and the send-time warning for an inactive
# workflow.
. "$(dirname "$0")/lib.sh"

start_sandbox
# " user-8 ": blanks around an ID in a CSV cell are trimmed, not sent;
# user-7 twice: the second row is skipped (one person, one notification).
printf 'subscriberId,email,firstName\nuser-7,u7@example.com,Søren\n user-8 ,,\nuser-7,again@example.com,\n' >"$HOME/ids.csv"
cat >"$HOME/fake-editor.sh" <<'EOS'
#!/bin/sh
printf '{\n  "edited": "by $EDITOR",\n  "n": 1\n}\n' >"$1"
EOS
chmod +x "$HOME/fake-editor.sh"
export EDITOR="$HOME/fake-editor.sh"

steps '
w
/
digest<Enter>
:save-screen widgets-pick-workflow.screen
<Down><Enter>
:save-screen widgets-inactive-picked.screen
r
s
/
rsted<Enter>
:save-screen widgets-pick-subscribers.screen
<Space><Space><Enter>
o
user-900<Enter>
<Down><Enter>
zoë@example.com<Enter>
<Down><Down><Enter>
Zoë<Enter>
<Down><Enter>
Ørsted<Enter>
<End><Enter>
"vip": true
<Esc>
:save-screen widgets-subscriber-object.screen
<Esc>
T
<Space><Down><Space><Enter>
i
~/ids.csv
:save-screen widgets-import-dialog.screen
<Enter>
:save-screen widgets-recipients.screen
<Esc>
<C-s>
:save-screen widgets-inactive-confirm.screen
n
<Down><Down>
E
:save-screen widgets-editor.screen
'
run_console 80 24
for s in pick-workflow inactive-picked pick-subscribers subscriber-object import-dialog \
         recipients inactive-confirm editor; do
	assert_screen "widgets-$s"
done
finish
