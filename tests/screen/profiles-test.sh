#!/bin/bash
# The top bar and the safety rules: the sandbox the console starts itself
# when no key is configured; a read-only profile that refuses to send
# (trigger, broadcast, bulk) but can still cancel; and a broadcast that asks
# for the workflow ID to be typed.
. "$(dirname "$0")/lib.sh"

# 1. No key anywhere: the console starts its own sandbox (next to it).
steps '
:save-screen profiles-sandbox.screen
'
run_console 80 24

# 2. A normal send, then a broadcast with the typed confirmation.
start_sandbox
steps '
<Enter>
order-shipped<Enter>
r
a
user-1<Enter>
<Esc>
<C-s>
2
<Enter>
maintenance-notice<Enter>
<C-s>
:save-screen profiles-broadcast-confirm.screen
maint<Enter>
:save-screen profiles-broadcast-mismatch.screen
<C-u>maintenance-notice<Enter>
:save-screen profiles-broadcast-sent.screen
'
run_console 80 24

# 3. The same environment as a read-only profile.
mkdir -p "$NOVU_CONSOLE_CONFIG_DIR/profiles"
cat >"$NOVU_CONSOLE_CONFIG_DIR/profiles/support.ini" <<EOI
; the support desk looks and cancels, never sends
[api]
url = $NOVU_API_URL
[secret]
env = NOVU_SECRET_KEY
[safety]
read_only = true
EOI
unset NOVU_API_URL
steps '
<C-s>
:save-screen profiles-readonly-refused.screen
<Enter>
4
<Down>
c
y
:save-screen profiles-readonly-cancel.screen
'
NOVU_CONSOLE_PROFILE=support run_console 80 24

# 4. A profile with a two-letter name: the top bar shows it and READ-ONLY
# (a name under three columns used to hide both).
cp "$NOVU_CONSOLE_CONFIG_DIR/profiles/support.ini" "$NOVU_CONSOLE_CONFIG_DIR/profiles/ro.ini"
steps '
:save-screen profiles-short-name.screen
'
NOVU_CONSOLE_PROFILE=ro run_console 80 24
for s in sandbox broadcast-confirm broadcast-mismatch broadcast-sent readonly-refused \
         readonly-cancel short-name; do
	assert_screen "profiles-$s"
done
finish
