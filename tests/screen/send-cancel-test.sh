#!/bin/bash
# The main flow: compose a trigger (workflow with Tab completion and its
# payloadExample, IDs and a topic with an exclude), preview it, send it, see
# it in History, open its detail, cancel it in one key, fetch its status.
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
<Enter>
payment-rem<Tab><Enter>
:save-screen flow-form.screen
r
a
user-1 user-2<Enter>
t
ops-team<Enter>
x
user-3<Enter>
:save-screen flow-recipients.screen
<Esc>
p
:save-screen flow-preview.screen
y
<Esc>
<C-s>
:save-screen flow-sent.screen
4
:save-screen flow-history.screen
<Enter>
:save-screen flow-detail.screen
<Esc>
c
:save-screen flow-cancel-confirm.screen
y
:save-screen flow-cancelled.screen
u
:save-screen flow-status.screen
'
run_console 80 24
for s in form recipients preview sent history detail cancel-confirm cancelled status; do
	assert_screen "flow-$s"
done
# Copy as curl: a file with the request, reading the key from the
# environment; the key itself is nowhere in it.
curlf="$NOVU_CONSOLE_STATE_DIR/last-curl.sh"
assert_contains "$curlf" 'NOVU_SECRET_KEY'
assert_contains "$curlf" '/v1/events/trigger'
assert_not_contains "$curlf" 'sk_sandbox_local'
if [ "$(stat -c %a "$curlf")" != 600 ]; then
	echo "FAIL: $TEST_NAME: $curlf is not private (0600)"
	FAILED=1
fi
# The sandbox saw exactly one trigger and one cancel, with our transactionId.
sandbox_get /__sandbox/requests >"$WORK/requests.json"
assert_contains "$WORK/requests.json" '"path":"/v1/events/trigger"'
assert_contains "$WORK/requests.json" '/v1/events/trigger/00000001-0000-4000-8000-000000000001'
finish
