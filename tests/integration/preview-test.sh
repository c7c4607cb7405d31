#!/usr/bin/env bash
# `novu-console preview`: every seeded workflow, each step as the sandbox
# renders it (POST /v2/workflows/{id}/step/{stepId}/preview) for the --to
# subscriber, or the API's first one, and the payload; what it sends; and
# its failures with their exit codes (bad payload or step: 2, nothing sent;
# unknown workflow or subscriber: 3; server failure: 4).
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

start_sandbox
export NOVU_API_URL="$SB_URL" NOVU_SECRET_KEY=sk_sandbox_local
T="$NC_TMP/t"
# A payload giving every variable the seeded steps use but trackingUrl.
PAYLOAD='{"order":{"id":"A-7","carrier":"DHL"},"postTitle":"Launch","postUrl":"https://x.example/p",
"invoiceId":"INV-9","amount":12.5,"currency":"EUR","service":"API","startsAt":"09:00",
"duration":"1 h"}'

# --- every seeded workflow, every step
run_nc "$T.wf" workflows --json
check "workflows listed" test -s "$T.wf.out"
for wf in $(python3 -c "import json; print(' '.join(w['workflowId'] for w in json.load(open('$T.wf.out'))))"); do
  sb_reset
  curl -s -H "Authorization: ApiKey $NOVU_SECRET_KEY" "$SB_URL/v2/workflows/$wf" >"$T.detail"
  run_nc "$T" preview "$wf" --to user-001 --payload "$PAYLOAD"
  expect_rc "$wf: exit 0" 0 "$T"
  check "$wf: one section per step, each naming its stepId, in order" python3 - "$T.out" "$T.detail" <<'PY'
import json, re, sys
out = open(sys.argv[1]).read()
steps = json.load(open(sys.argv[2]))["data"]["steps"]
heads = re.findall(r"^== Step (\d+)/(\d+): .* \((\w+), ([\w-]+)\) ==$", out, re.M)
assert [(h[2], h[3]) for h in heads] == [(s["type"], s["stepId"]) for s in steps], (heads, steps)
assert all(h[1] == str(len(steps)) for h in heads), heads
assert out.startswith("Preview of %s for user-001 (Jane Doe): %d steps" % (
    json.load(open(sys.argv[2]))["data"]["workflowId"], len(steps))), out[:80]
PY
  check "$wf: one preview request per step, for user-001 and the payload" python3 - "$wf" "$T.detail" <<PY
import json, sys, urllib.request
reqs = json.load(urllib.request.urlopen("$SB_URL/__sandbox/requests"))
wf, steps = sys.argv[1], json.load(open(sys.argv[2]))["data"]["steps"]
posts = [r for r in reqs if r["method"] == "POST" and r["path"].endswith("/preview")]
assert [r["path"] for r in posts] == ["/v2/workflows/%s/step/%s/preview" % (wf, s["stepId"])
                                      for s in steps], posts
for r in posts:
    b = json.loads(r["body"])["previewPayload"]
    # PreviewPayloadDto's subscriber (SubscriberResponseDtoOptional): the
    # stored subscriber's fields it declares, nothing else.
    assert b["subscriber"]["firstName"] == "Jane" and b["subscriber"]["_id"], b
    assert set(b["subscriber"]) <= {"_id", "firstName", "lastName", "email", "phone",
                                    "avatar", "locale", "timezone", "data"}, b
    assert b["payload"]["order"]["id"] == "A-7", b
PY
  expect_no_grep "$wf: every variable given is filled in" '{{payload.order' "$T.out"
  expect_no_grep "$wf: the key is never printed" "$NOVU_SECRET_KEY" "$T.out" "$T.err"
done

# --- the workflows with a payloadSchema: their steps use only fields of it,
# so the example `workflows --schema` builds fills every variable
for wf in order-shipped payment-reminder; do
  run_nc "$T.ex" workflows --schema "$wf" --json
  example=$(python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['example']))" "$T.ex.out")
  run_nc "$T" preview "$wf" --to user-001 --payload "$example"
  expect_rc "$wf: the schema's example previews" 0 "$T"
  expect_no_grep "$wf: no payload variable is left unfilled by the example" '{{payload.' "$T.out"
done

# --- what the sections say
run_nc "$T" preview order-shipped --to user-001 --payload "$PAYLOAD"
expect_grep "in-app subject rendered" '^Subject +Order A-7 has shipped$' "$T.out"
expect_grep "in-app primary button with its link" '^Primary +Track package -> \{\{payload.trackingUrl\}\}$' "$T.out"
expect_grep "a missing variable shows as Novu shows it" '\{\{payload.trackingUrl\}\}' "$T.out"
expect_grep "e-mail HTML as text" '^Your order A-7 left our warehouse with DHL.$' "$T.out"
expect_grep "links numbered after their text" '^Questions\? Visit our help centre\[2\].$' "$T.out"
expect_grep "links listed" '^  \[2\] https://shop.example.com/help$' "$T.out"
expect_no_grep "no HTML tags left" '<p>' "$T.out"
run_nc "$T" preview payment-reminder --step wait-a-day --to user-002
expect_grep "--step: only that step" '^== Step 1/1: Wait \(delay, wait-a-day\) ==$' "$T.out"
expect_grep "a delay says how long it waits" '^Delay +waits 1 day before the next step$' "$T.out"
run_nc "$T" preview legacy-digest --step digest-weekly --to user-002
expect_grep "a digest says what it collects" '^Digest +collects events for 1 week' "$T.out"
run_nc "$T" preview comment-digest --step in-app-summary --to user-003 --payload '{"postTitle":"Launch"}'
expect_grep "a step after a digest sees its 3 events" '^Subject +3 new comments$' "$T.out"
printf '%s' '{"order":{"id":"A-1","carrier":"DHL"},"trackingUrl":"https://t.example/1"}' >"$T.payload"
run_nc "$T" preview order-shipped --to '{"subscriberId":"user-001","firstName":"Ana"}' --payload "@$T.payload"
expect_rc "--to object and --payload @file: exit 0" 0 "$T"
expect_grep "the object's fields win over the stored subscriber" '^Preview of order-shipped for user-001 \(Ana Doe\)' "$T.out"
expect_grep "the payload file is used" '^  \[1\] https://t.example/1$' "$T.out"
run_nc "$T" preview welcome-onboarding --payload '{"x":"\u001b]52;c;eA==\u0007"}' --to '{"subscriberId":"user-001","firstName":"E\u001b[2Jvil"}'
check "server text reaches the terminal defused" python3 -c "
d=open('$T.out','rb').read(); assert b'\x1b' not in d and b'E?[2Jvil' in d, d[:200]"

# --- no --to: the first subscriber the API lists, said on stderr
run_nc "$T" preview welcome-onboarding
expect_rc "no --to: exit 0" 0 "$T"
first=$(curl -s -H "Authorization: ApiKey $NOVU_SECRET_KEY" "$SB_URL/v2/subscribers?limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["subscriberId"])')
expect_grep "no --to: the API's first subscriber" "^Preview of welcome-onboarding for $first " "$T.out"
expect_grep "no --to: said on stderr" "previewing for $first, the first subscriber the API lists" "$T.err"

# --- failures
sb_reset
run_nc "$T" preview order-shipped --payload '[1]'
expect_rc "payload not an object: exit 2" 2 "$T"
expect_grep "payload not an object: said" 'payload must be a JSON object' "$T.err"
run_nc "$T" preview order-shipped --to a --to b
expect_rc "two --to: exit 2" 2 "$T"
check "nothing was asked of the API" test "$(sb_count)" = 0
run_nc "$T" preview order-shipped --to user-001 --step nope
expect_rc "unknown --step: exit 2" 2 "$T"
expect_grep "unknown --step: said" 'workflow order-shipped has no step nope' "$T.err"
run_nc "$T" preview no-such-workflow --to user-001
expect_rc "unknown workflow: exit 3" 3 "$T"
expect_grep "unknown workflow: the API's message and status" 'HTTP 404 Not Found from GET /v2/workflows/no-such-workflow' "$T.err"
run_nc "$T" preview order-shipped --to ghost
expect_rc "unknown subscriber: exit 3" 3 "$T"
expect_grep "unknown subscriber: said" 'Subscriber: ghost was not found' "$T.err"
sb_faults '{"failNext":20,"status":500}'
run_nc "$T" preview order-shipped --to user-001 --max-wait 2
expect_rc "server failure: exit 4" 4 "$T"
run_nc "$T" preview order-shipped --topic t
expect_rc "--topic is not a preview option: exit 2" 2 "$T"

stop_sandbox
finish
