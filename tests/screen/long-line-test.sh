#!/bin/bash
# A one-line payload of 100 KB (a pasted blob, a minified export) stays
# editable in the JSON editor: End jumps to the end of the line and typing
# there is instant. Measuring every column from the start of the line made
# each redraw quadratic, so this run used to hit the timeout.
# The same for a one-line input: 6,000 characters pasted into History's
# filter (the prompt used to measure the text once per column it scrolled,
# minutes for this run) show their end, cursor after it, and filter.
. "$(dirname "$0")/lib.sh"

start_sandbox
cat >"$HOME/blob-editor.sh" <<'EOS'
#!/bin/sh
{ printf '{"blob": "'; head -c 100000 /dev/zero | tr '\0' x; printf '日本"}\n'; } >"$1"
EOS
chmod +x "$HOME/blob-editor.sh"
export EDITOR="$HOME/blob-editor.sh"

steps '
<Down><Down>
E
<Enter>
<End>
<Left><Left>
!
:save-screen long-line-end.screen
'
NC_TIMEOUT=${NC_TIMEOUT:-20} run_console 80 24
assert_screen long-line-end

long=$(python3 -c "print('ab€' * 1999 + 'END', end='')")
steps "
4
/
$long
:save-screen long-line-prompt.screen
<Enter>
:save-screen long-line-filtered.screen
"
NC_TIMEOUT=${NC_TIMEOUT:-20} run_console 80 24
assert_screen long-line-prompt
assert_screen long-line-filtered
finish
