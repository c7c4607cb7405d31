#!/bin/bash
# Errors: a 422 (unknown workflow) opens its detail and f jumps to the
# Workflow field; a payload the workflow's payloadSchema refuses is not
# sent: the payload form opens at the row and the Payload field says why;
# invalid JSON is caught before sending, with line and column, in the
# editor and in the form.
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
<Enter>
no-such-flow<Enter>
<Down><Enter>
a
user-1<Enter>
<Esc>
<C-s>
:save-screen error-422-detail.screen
f
:save-screen error-422-field.screen
<Enter>
<C-a><C-k>order-shipped<Enter>
<Down><Down>
<Del>
<Enter>
J
"order": {"carrier": "UPS"}
<Esc>
<Esc>
<C-s>
:save-screen error-schema-refused.screen
<Esc>
:save-screen error-schema-field.screen
5
:save-screen error-list.screen
1
<Enter>
J
<End><Down><Down><Down><Down><End>,
<Esc>
:save-screen error-json-editor.screen
<Esc>
<Esc>
<C-s>
:save-screen error-json-form.screen
'
run_console 80 24

# A dropped connection (no retries in this profile): the transport error's
# text, and a 503 from the server, both in the viewer.
mkdir -p "$NOVU_CONSOLE_CONFIG_DIR/profiles"
cat >"$NOVU_CONSOLE_CONFIG_DIR/profiles/once.ini" <<EOI
[secret]
env = NOVU_SECRET_KEY
[http]
retry_attempts = 1
EOI
# The next 5 connections are dropped: the 3 list fetches at start, the
# workflow's payloadSchema (^S asks for it first; without an answer the send
# goes on, the server checks) and the trigger.
curl -s --max-time 5 -X POST -d '{"dropNext":5}' \
	"http://127.0.0.1:$SANDBOX_PORT/__sandbox/faults" >/dev/null
steps '
<Home><Down><Down><Del>
<C-s>
:save-screen error-transport.screen
'
NOVU_CONSOLE_PROFILE=once run_console 80 24
for s in 422-detail 422-field schema-refused schema-field list json-editor json-form transport; do
	assert_screen "error-$s"
done
finish
