#!/usr/bin/env bash
# A payload against its workflow's schema, from the command line: for a
# table of payloads against the seeded workflows, `trigger --check` must
# give the same verdict (each field and message, in order) as the
# sandbox's own 400 PAYLOAD_VALIDATION_ERROR for the same payload, and
# send nothing; `workflows --schema` prints the schema and an example
# payload that fits it.
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

KEY=sk_sandbox_local
start_sandbox
export NOVU_API_URL="$SB_URL" NOVU_SECRET_KEY="$KEY"
T="$NC_TMP/t"

# Event posts the sandbox has seen (--check must add none).
event_posts() {
  sb_requests | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r.get("method") == "POST"))'
}

# "field|message" lines of a --check --json answer, or of the sandbox's
# 400 errors list (empty for a 201).
check_lines() { python3 -c '
import json, sys
for p in json.load(open(sys.argv[1])): print(p["field"] + "|" + p["message"])' "$1"; }
server_lines() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for e in d.get("errors", []): print(e["field"] + "|" + e["message"])' "$1"; }

# agree NAME WORKFLOW PAYLOAD WANT_PROBLEMS: the check and the sandbox
# agree, and the check finds WANT_PROBLEMS problems.
agree() {
  local name=$1 wf=$2 payload=$3 want=$4 code before
  before=$(event_posts)
  run_nc "$T" trigger "$wf" --check --json --payload "$payload"
  check "$name: --check sends nothing" test "$(event_posts)" = "$before"
  code=$(curl -s -o "$T.srv" -w '%{http_code}' -H "Authorization: ApiKey $KEY" \
    -H 'Content-Type: application/json' -X POST "$SB_URL/v1/events/trigger" \
    -d "{\"name\":\"$wf\",\"to\":\"user-001\",\"payload\":$payload}")
  if [ "$want" = 0 ]; then
    expect_rc "$name: fits, exit 0" 0 "$T"
    check "$name: the sandbox accepts it (201)" test "$code" = 201
  else
    expect_rc "$name: does not fit, exit 2" 2 "$T"
    check "$name: the sandbox refuses it (400)" test "$code" = 400
  fi
  check_lines "$T.out" > "$T.mine"
  server_lines "$T.srv" > "$T.theirs"
  if diff -u "$T.theirs" "$T.mine" > "$T.diff"; then pass "$name: same fields and messages"
  else fail "$name: --check and the sandbox disagree" "$(cat "$T.diff")"; fi
  check "$name: $want problem(s)" test "$(wc -l < "$T.mine")" -eq "$want"
}

agree "order: the minimum" order-shipped '{"order":{"id":"A-1"}}' 0
agree "order: every field" order-shipped '{"order":{"id":"A-1","carrier":"DHL",
  "shippedAt":"2026-01-15T09:30:00+01:00","items":[{"sku":"S1","quantity":2},{"sku":"S2"}]},
  "trackingUrl":"https://example.com/t/A-1","customerEmail":"jane@example.com"}' 0
agree "order: nested required" order-shipped '{"order":{"carrier":"UPS"}}' 1
agree "order: missing payload object" order-shipped '{}' 1
agree "order: types" order-shipped '{"order":{"id":7},"trackingUrl":1}' 2
agree "order: nested type" order-shipped '{"order":"A-1"}' 1
agree "order: minLength" order-shipped '{"order":{"id":""}}' 1
agree "order: enum and formats" order-shipped '{"order":{"id":"A-1","carrier":"Royal Mail",
  "shippedAt":"2026-01-15T09:30:00"},"trackingUrl":"track/A-1","customerEmail":"jane"}' 4
agree "order: array of objects" order-shipped '{"order":{"id":"A-1",
  "items":[{"sku":"S1","quantity":2},{"quantity":0},{"sku":"","quantity":1.5}]}}' 4
agree "reminder: empty (defaults fill in)" payment-reminder '{}' 0
agree "reminder: every field" payment-reminder '{"invoiceId":"INV-1","amount":9.5,
  "currency":"USD","dueDate":"2024-02-29","payUrl":"https://pay.example.com/i/1",
  "billingContact":{"email":"billing@example.com"},"lines":[{"description":"Plan","amount":9.5}]}' 0
agree "reminder: enum and minimum" payment-reminder '{"currency":"JPY","amount":-1}' 2
agree "reminder: date, nested required" payment-reminder '{"dueDate":"2026-02-29",
  "payUrl":"https://pay.example.com/i/1","billingContact":{"name":"Ann"}}' 2
agree "reminder: email, array items" payment-reminder '{"billingContact":{"email":"billing@example"},
  "lines":[{"description":"Plan","amount":"9"},{}]}' 4
agree "no schema: anything goes" welcome-onboarding '{"anything":[1,{"x":null}]}' 0

# --- the text form: field path, message and the fix; nothing sent
before=$(event_posts)
run_nc "$T" trigger order-shipped --to user-001 --check --payload '{"order":{"carrier":"Royal Mail"},"customerEmail":"jane"}'
expect_rc "text --check: exit 2" 2 "$T"
expect_grep "names the path and the fix" "^order.id: must have required property 'id' \(add \"id\" to order\)$" "$T.out"
expect_grep "lists the allowed values" '^order.carrier: must be equal to one of the allowed values \(use one of: "UPS", "DHL", "FedEx", "USPS"\)$' "$T.out"
expect_grep "shows a valid sample of the format" '^customerEmail: must match format "email" \(write it like "jane.doe@example.com"\)$' "$T.out"
expect_grep "says nothing was sent" '3 problems in the payload of order-shipped; nothing was sent' "$T.err"
check "text --check sent nothing" test "$(event_posts)" = "$before"
run_nc "$T" trigger order-shipped --check --payload '{"order":{"id":"A-1"}}'
expect_rc "text --check of a fitting payload: exit 0" 0 "$T"
expect_grep "says it fits" "^ok: the payload fits order-shipped's payload schema$" "$T.out"
run_nc "$T" trigger order-shipped --check --payload '{"order":'
expect_rc "--check of broken JSON: exit 2" 2 "$T"
expect_grep "with its position" 'payload.*line 1, column' "$T.err"
run_nc "$T" trigger no-such-workflow --check --payload '{}'
expect_rc "--check of an unknown workflow: the API's 404, exit 3" 3 "$T"
run_nc "$T" workflows --check
expect_rc "--check belongs to trigger only" 2 "$T"

# --- workflows --schema
for wf in order-shipped payment-reminder; do
  run_nc "$T" workflows --schema "$wf"
  expect_rc "$wf --schema: exit 0" 0 "$T"
  expect_grep "$wf --schema: the schema" "^payloadSchema of $wf:$" "$T.out"
  expect_grep "$wf --schema: an example" '^example payload' "$T.out"
  run_nc "$T" workflows --schema "$wf" --json
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["example"]))' "$T.out" > "$T.example"
  run_nc "$T.ex" trigger "$wf" --check --payload "@$T.example"
  expect_rc "$wf: the printed example fits the schema" 0 "$T.ex"
  curl -s -H "Authorization: ApiKey $KEY" "$SB_URL/v2/workflows/$wf" |
    python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["data"]["payloadExample"]))' > "$T.seeded"
  run_nc "$T.ex" trigger "$wf" --check --payload "@$T.seeded"
  expect_rc "$wf: the seeded payloadExample fits the schema" 0 "$T.ex"
done
run_nc "$T" workflows --schema order-shipped --json
check "the example takes defaults, enums and format samples" python3 -c "
import json; d = json.load(open('$T.out')); e = d['example']; o = e['order']
assert d['workflowId'] == 'order-shipped' and d['validatePayload'] is True, d
assert o['carrier'] == 'UPS' and o['items'][0]['quantity'] == 1, o
assert o['shippedAt'] == '2026-01-15T09:30:00Z' and e['trackingUrl'].startswith('https://'), e
assert '@' in e['customerEmail'], e
assert d['payloadSchema']['properties']['order']['properties']['carrier']['enum'][0] == 'UPS'"
run_nc "$T" workflows --schema welcome-onboarding
expect_rc "a workflow without a schema: exit 0" 0 "$T"
expect_grep "says it has none" 'welcome-onboarding has no payload schema' "$T.err"
run_nc "$T" workflows --schema no-such-workflow
expect_rc "an unknown workflow: exit 3" 3 "$T"
run_nc "$T" workflows --schema
expect_rc "--schema needs the workflow" 2 "$T"

finish
