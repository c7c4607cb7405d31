#!/bin/bash
# A send that got no answer may have been delivered. ^S on the unchanged
# form retries it under its key (Novu replays it); on a changed form it
# would be a second notification, so the console asks first and says how to
# check. A broadcast's typed confirmation says which of the two it is.
. "$(dirname "$0")/lib.sh"

start_sandbox --rate-limit 0
mkdir -p "$NOVU_CONSOLE_CONFIG_DIR/profiles"
cat >"$NOVU_CONSOLE_CONFIG_DIR/profiles/once.ini" <<EOI
[secret]
env = NOVU_SECRET_KEY
[http]
retry_attempts = 1
EOI
chmod 600 "$NOVU_CONSOLE_CONFIG_DIR/profiles/once.ini"
# drop_next PATH: the sandbox answers neither the next request to PATH nor
# its one retry (retry_attempts = 1).
drop_next() {
	curl -s --max-time 5 -X POST -d "{\"dropNext\":2,\"path\":\"$1\"}" \
		"http://127.0.0.1:$SANDBOX_PORT/__sandbox/faults" >/dev/null
}

# The trigger: unanswered; then the form changes and ^S asks; n sends nothing.
drop_next /v1/events/trigger
steps '
<Enter>
order-shipped<Enter>
r
a
user-1<Enter>
<Esc>
<C-s>
:save-screen unanswered-trigger.screen
r
a
user-2<Enter>
<Esc>
<C-s>
:save-screen unanswered-changed-ask.screen
n
:save-screen unanswered-changed-declined.screen
'
run_console 80 24 --profile once

# The broadcast: unanswered; ^S on the same form says it is a retry.
drop_next /v1/events/trigger/broadcast
steps '
2
<Enter>
order-shipped<Enter>
<C-s>
order-shipped<Enter>
:save-screen unanswered-broadcast.screen
<C-s>
:save-screen unanswered-broadcast-retry-ask.screen
order-shipped<Enter>
:save-screen unanswered-broadcast-retried.screen
'
run_console 80 24 --profile once
for s in trigger changed-ask changed-declined broadcast broadcast-retry-ask broadcast-retried; do
	assert_screen "unanswered-$s"
done
sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || { echo "FAIL: $TEST_NAME: see above"; FAILED=1; }
import json, sys
reqs = json.load(open(sys.argv[1]))
trig = [r for r in reqs if r["path"] == "/v1/events/trigger"]
bc = [r for r in reqs if r["path"] == "/v1/events/trigger/broadcast"]
# the trigger went once, unanswered (its attempts: one key, one body); the
# changed form was not sent
assert len({r["idempotencyKey"] for r in trig}) == 1, trig
assert len({r["bodySha"] for r in trig}) == 1, trig
assert not [r for r in trig if r["status"]], [r["status"] for r in trig]
# the broadcast: unanswered, then the very same request under its key,
# answered once
assert len({r["idempotencyKey"] for r in bc}) == 1, "the retry changed the key"
assert len({r["bodySha"] for r in bc}) == 1, "the retry changed the bytes"
assert [r["status"] for r in bc if r["status"]] == [201], [r["status"] for r in bc]
EOP
finish
