#!/bin/bash
# Regenerate ui/README-screens.md from the screen tests' expected dumps and
# the key table (`novu-console keys`). Usage:
#   tests/screen/gen-readme-screens.sh path/to/novu-console
# keys-test.sh checks that the README's key table matches the binary.
set -eu
console=${1:?usage: gen-readme-screens.sh NOVU_CONSOLE}
here=$(cd "$(dirname "$0")" && pwd)
exp="$here/expected"
out="$here/../../ui/README-screens.md"

shot() { # NAME CAPTION
	printf '%s\n\n```\n' "$2"
	cat "$exp/$1.screen"
	printf '```\n\n'
}

{
cat <<'EOT'
# novu-console: the screens

Text captures of the full-screen console, taken by the screen tests
(`tests/screen/*-test.sh`) against the local sandbox at fixed sizes, with the
clock and the transactionIds pinned (`NOVU_CONSOLE_TEST_TIME`,
`NOVU_CONSOLE_TEST_SEED`). The sandbox's port shows as `XXXXX`. Regenerate
with `tests/screen/gen-readme-screens.sh build/novu-console` after updating
the expected dumps.

The top bar lists the six screens (the active one in brackets; digits 1-6,
Tab and Shift-Tab switch), the profile, its region, `READ-ONLY` and
`sandbox` markers. The line above the bottom bar is the status line (and the
spinner or progress bar of a running request: Esc stops waiting for a list
or a status, but never for a send, which may reach Novu anyway; ^X stops
waiting for a send after a y/N question, and the send is recorded as
unknown); the bottom bar shows the keys that work in the view in front.

## Trigger

EOT
shot frame-trigger "An empty form (80x24). The transactionId is generated and editable."
shot flow-form "The workflow typed with Tab completion; its payloadExample filled the payload."
shot flow-sent "After ^S: the transactionId and status; the form gets a new transactionId for the next send."
shot flow-preview "p: the exact request, key masked; y copies it as a curl command (OSC 52 and a file)."
echo "## Payload form"
echo
shot pf-open "Enter on Payload when the workflow has a payloadSchema: one row per property (* required), its type and the value as typed."
shot pf-typing "Enter edits a value with readline; the rows are checked against the schema at every key."
shot pf-missing "Del clears a value: a required one shows as missing, the problem beside it and in full at the bottom with what to change."
shot pf-datetime "A value its format refuses: the bottom line gives a sample to write it like."
shot pf-item-added "a on an array adds an item (here an object): its required sku shows as missing."
shot pf-items-three "Items filled in; wide characters keep their columns."
shot pf-item-removed "d removes the selected item; the others keep their bytes."
shot pf-enum-pick "An enum opens as a pick list (the value now marked; the last entry removes it)."
shot pf-minimum "A number the schema refuses: the problem count in the title, the row marked !."
shot pf-json "J: the same payload as JSON text; 1.50 stays 1.50, key order and layout as they were."
shot pf-back "Esc: back to the form, the text unchanged."
shot pf-narrow "At 44x16 the type column goes; the values stay."
shot step-preview-trigger "v: what each step will say, as Novu renders it for the first recipient (e-mail HTML as text, its links numbered); on the Broadcast form v first asks for the subscriber."
echo "## Recipients editor"
echo
shot flow-recipients "IDs, and a topic with an exclude list; the count against the limit of 100."
shot widgets-subscriber-object "A subscriber object (email, phone, names, locale, timezone, data)."
shot widgets-recipients "After picking from the API lists and importing a CSV file."
echo "## Pick lists"
echo
shot widgets-pick-workflow "Workflows from the API, filtered with /; an INACTIVE workflow stands out."
shot widgets-pick-subscribers "Subscribers; names with wide and accented characters line up."
echo "## Broadcast"
echo
shot frame-broadcast "The broadcast form (no recipients: it reaches every subscriber)."
shot profiles-broadcast-confirm "Sending asks for the workflow ID to be typed."
echo "## Bulk builder"
echo
shot bulk-100 "100 events imported from JSON Lines: the counter is full."
shot bulk-refuse-101 "The 101st event is refused, with the way out."
shot bulk-plan "An import past 100 events is sent as a plan of several requests."
shot bulk-results "Results per event, index-aligned."
shot bulk-stopped "A run the server refused stops; R resumes it without sending any event twice."
shot bulk-schema-refused "^S checks each event against its workflow's payloadSchema first: an event that does not fit is selected, its Result says what to change, nothing is sent."
echo "## History"
echo
shot history-100k-top "100,000 entries, newest first (only the visible rows are read)."
shot history-marked "Space marks several; C cancels them all."
shot flow-cancel-confirm "c cancels the selected transaction, after y."
shot flow-cancelled "The outcome lands in the row."
shot flow-status "u: delivery status from GET /v1/notifications, over the stored request and response."
echo "## Errors"
echo
shot error-list "Every failed request of the session."
shot error-schema-refused "^S with a payload the workflow's payloadSchema refuses: nothing is sent; the payload form opens at the first row with a problem."
shot error-schema-field "Esc: the Payload field says what to change first, then how many problems there are and what the schema says."
shot error-422-detail "A 422 (unknown workflow)."
shot error-transport "No HTTP answer: the transport error's text."
shot error-json-editor "The JSON editor: a parse error with its line and column; Esc again leaves anyway."
echo "## Activity"
echo
shot activity-list "6: what is waiting in Novu, whoever triggered it (here the sandbox's own backend); PENDING can still be cancelled. Times are masked in the dumps."
shot activity-detail "Enter: one transaction's steps and their statuses; c cancels it from here too."
shot activity-cancelled "c, then y: the outcome lands in the row (and in History)."
shot activity-cancelled-several "Space marks several; C cancels them all."
shot activity-all "P: everything, not only what is pending."
shot activity-filtered "/: subscriber=user-002 (also workflow=, topic=, since=2h)."
echo "## Read-only profile"
echo
shot profiles-readonly-refused "A read-only profile never sends (it can still cancel)."
echo "## Small terminal and resize"
echo
shot frame-trigger-60x16 "The Trigger form at 60x16."
shot resize-history-60x16 "History at 60x16: narrower columns, same rows."
shot resize-40x10 "The 40x10 minimum: the form scrolls to the field in focus."
echo "## Help"
echo
shot frame-help "?: the help screen, generated from the key tables."
echo "## Key table"
echo
echo 'Printed by `novu-console keys` from the same tables as the help screen and'
echo 'the bottom bars, so it cannot drift from the real bindings.'
echo
echo '```'
"$console" keys
echo '```'
} >"$out"
echo "wrote $out"
