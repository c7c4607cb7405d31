#!/usr/bin/env bash
# server-e2e-test.sh - Novu's own end-to-end tests, replayed against the
# sandbox: every HTTP-observable assertion of the e2e files below becomes one
# case here, named "<file in novuhq/novu> :: <test title> :: <what>".
#
#   apps/api/src/app/events/e2e/bulk-trigger.e2e.ts
#   apps/api/src/app/events/e2e/trigger-event.e2e.ts
#   apps/api/src/app/events/e2e/trigger-event-topic.e2e.ts
#   apps/api/src/app/events/e2e/cancel-event.e2e.ts
#   apps/api/src/app/shared/framework/idempotency.e2e.ts
#   apps/api/src/app/rate-limiting/guards/throttler.guard.e2e.ts
#
# Novu's tests create their own workflows; here the sandbox's seeded ones
# stand in (welcome-onboarding: plain, comment-digest: digest,
# payment-reminder: delay, ops-team: topic of user-001..006). The
# idempotency and throttler tests hit Novu's testing controllers
# (/v1/testing/idempotency, /v1/rate-limiting*), which the sandbox does not
# have: their assertions are replayed on the events endpoints, which carry
# the same interceptor and guard. Where Novu's servers disagree, the newest
# behaviour is asserted (see doc/sandbox-fidelity.md).
#
# Skipped, because they need Novu's internals (database, queues, worker,
# providers, caches, feature-flag services, user sessions):
# - bulk-trigger "should generate message and notification based on a bulk
#   event": messages and their rendered content (only the notification
#   count is checked).
# - trigger-event: every test about filters, digests merging, integrations,
#   providers, channels, subscriber upserts in the DB, message content,
#   TTLs, webhook filters, avatars, seen/read, workflow overrides and
#   tenant variants; "should fail to trigger with missing variables",
#   "should fill trigger payload with default variables", "should trigger
#   with given required variables" and "should handle empty workflow
#   scenario" (they create workflows with template variables or no steps,
#   which the seeded world has not).
# - trigger-event.e2e "should broadcast trigger to all subscribers": counts
#   messages in the DB; the sandbox keeps at most 200 notifications per
#   transaction, so only uniqueness per subscriber is checked.
# - trigger-event-topic: message contents, SMS, digestKey tests.
# - cancel-event: the follower/merged digest tests (digests merging across
#   triggers is worker behaviour the sandbox does not model).
# - idempotency "correct cache key when apiKey is used" and "authToken and
#   apiKey combination" (read Novu's cache), and every Bearer-token case
#   (the sandbox accepts only ApiKey auth).
# - throttler "Scenarios" (they configure limits per test through the
#   testing controller) and the Bearer-token case.
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

KEY=sk_sandbox_local
AUTH="Authorization: ApiKey $KEY"
OUT="$NC_TMP/r"
DOCS_LINK=https://docs.novu.co/additional-resources/idempotency
E2E=apps/api/src/app/events/e2e
IDEM=apps/api/src/app/shared/framework/idempotency.e2e.ts
THR=apps/api/src/app/rate-limiting/guards/throttler.guard.e2e.ts

# req METHOD PATH [BODY [CURL_ARGS...]]: body in $OUT.b, headers in $OUT.h,
# status in CODE.
req() {
  local m=$1 p=$2 body=${3:-}
  shift 2
  [ $# -gt 0 ] && shift
  local args=(-s -m 30 -o "$OUT.b" -D "$OUT.h" -w '%{http_code}' -X "$m")
  [ -n "${NO_AUTH:-}" ] || args+=(-H "$AUTH")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  CODE=$(curl "${args[@]}" "$@" "$BASE$p")
}
j() { jq -r "$@" "$OUT.b"; }
hdr() { grep -i "^$1:" "$OUT.h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
expect() { # NAME WANT GOT
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want: $2
got:  $3"; fi
}
notif_subs() { # TRANSACTION_ID: the subscriberIds reached, sorted, one line
  curl -s -H "$AUTH" "$BASE/v1/notifications?transactionId=$1&limit=50" |
    jq -r '[.data[].subscriber.subscriberId]|sort|join(" ")'
}

start_sandbox --rate-limit 0
BASE=$SB_URL

# --- bulk-trigger.e2e.ts -------------------------------------------------

T="$E2E/bulk-trigger.e2e.ts :: should return the response array in correct order"
req POST /v1/events/trigger/bulk '{"events":[
  {"transactionId":"1111","name":"welcome-onboarding","to":"user-001","payload":{"firstName":"A"}},
  {"transactionId":"2222","name":"comment-digest","to":"user-001","payload":{"firstName":"A"}},
  {"transactionId":"3333","name":"welcome-onboarding","to":"user-002","payload":{"firstName":"A"}}]}'
expect "$T :: 201 with three results" "201|3" "$CODE|$(j '.data|length')"
expect "$T :: each processed and acknowledged, in order" \
  "processed:true:1111 processed:true:2222 processed:true:3333" \
  "$(j '[.data[]|"\(.status):\(.acknowledged):\(.transactionId)"]|join(" ")')"

T="$E2E/bulk-trigger.e2e.ts :: should generate message and notification based on a bulk event"
req POST /v1/events/trigger/bulk '{"events":[{"transactionId":"bulk-notif-1","name":"welcome-onboarding","to":"user-003","payload":{}}]}'
expect "$T :: one notification for the subscriber" "user-003" "$(notif_subs bulk-notif-1)"

T="$E2E/bulk-trigger.e2e.ts :: should throw an error when sending more than 100 events"
req POST /v1/events/trigger/bulk "$(jq -nc '{events:[range(101)|{name:"welcome-onboarding",to:"user-001",payload:{}}]}')"
# Oct-2024 servers answered 400 with message[0]; the newest answer 422 with
# the ValidationErrorDto (CONTRACT 3.1).
expect "$T :: refused as a whole with the message" \
  "422|events must contain no more than 100 elements" "$CODE|$(j '.errors.events.messages[0]')"

T="$E2E/bulk-trigger.e2e.ts :: should handle bulk if one of the events returns errors"
req POST /v1/events/trigger/bulk '{"events":[
  {"transactionId":"1111","name":"non-existing-trigger","to":"user-001","payload":{"firstName":"A"}},
  {"transactionId":"2222","name":"welcome-onboarding","to":"user-001","payload":{"firstName":"A"}},
  {"transactionId":"1111","payload":{"firstName":"A"}}]}'
expect "$T :: 201 with three results" "201|3" "$CODE|$(j '.data|length')"
expect "$T :: the unknown workflow fails its slot" "error|workflow_not_found" \
  "$(j '.data[0].status')|$(j '.data[0].error[0]')"
expect "$T :: the next event is processed" processed "$(j '.data[1].status')"
expect "$T :: the event without name and to fails its slot (newest server)" \
  "error|identifier should not be null or undefined|to should not be null or undefined" \
  "$(j '.data[2].status')|$(j '.data[2].error[0]')|$(j '.data[2].error|last')"
expect "$T :: error slots carry their transactionId (newest server)" "1111|1111" \
  "$(j '.data[0].transactionId')|$(j '.data[2].transactionId')"

# --- trigger-event.e2e.ts -------------------------------------------------

T="$E2E/trigger-event.e2e.ts :: should return correct status when using a non existing tenant"
req POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","payload":{},"tenant":"test1"}'
expect "$T :: status no_tenant_found" "201|no_tenant_found" "$CODE|$(j .data.status)"

T="$E2E/trigger-event.e2e.ts :: should trigger an event successfully"
req POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","payload":{"firstName":"Testing of User Name","urlVariable":"/test/url/path"}}'
expect "$T :: processed and acknowledged" "201|processed|true" \
  "$CODE|$(j .data.status)|$(j .data.acknowledged)"

T="$E2E/trigger-event.e2e.ts :: should throw an error when workflow identifier provided is not in the database"
req POST /v1/events/trigger '{"name":"non-existent-template-identifier","to":"user-001","payload":{"myUser":{"lastName":"Test"}}}'
expect "$T :: 422 workflow_not_found, Unprocessable Entity" \
  "422|422|workflow_not_found|Unprocessable Entity" \
  "$CODE|$(j .statusCode)|$(j .message)|$(j .error)"

T="$E2E/trigger-event.e2e.ts :: should broadcast trigger to all subscribers"
req POST /v1/events/trigger/broadcast '{"name":"welcome-onboarding","payload":{"organizationName":"Umbrella Corp"},"transactionId":"bc-all-1"}'
expect "$T :: processed" "201|processed" "$CODE|$(j .data.status)"
subs=$(notif_subs bc-all-1 | tr ' ' '\n')
expect "$T :: every notified subscriber once" "$(sort -u <<<"$subs" | wc -l)" "$(wc -l <<<"$subs")"

# --- trigger-event-topic.e2e.ts -------------------------------------------------

T="$E2E/trigger-event-topic.e2e.ts :: should trigger an event successfully"
req POST /v1/events/trigger '{"name":"welcome-onboarding","to":[{"type":"Topic","topicKey":"ops-team"}],"payload":{},"transactionId":"topic-1"}'
expect "$T :: processed" "201|processed" "$CODE|$(j .data.status)"
expect "$T :: the topic's subscribers are reached" \
  "user-001 user-002 user-003 user-004 user-005 user-006" "$(notif_subs topic-1)"

T="$E2E/trigger-event-topic.e2e.ts :: should exclude actor from topic events trigger"
req POST /v1/events/trigger '{"name":"welcome-onboarding","to":[{"type":"Topic","topicKey":"ops-team"}],"payload":{},"actor":{"subscriberId":"user-001"},"transactionId":"topic-actor-1"}'
expect "$T :: the actor gets nothing, the others one each" \
  "user-002 user-003 user-004 user-005 user-006" "$(notif_subs topic-actor-1)"

T="$E2E/trigger-event-topic.e2e.ts :: should only exclude actor from topic, should send event if actor explicitly included"
req POST /v1/events/trigger '{"name":"welcome-onboarding","to":[{"type":"Topic","topicKey":"ops-team"},"user-001"],"payload":{},"actor":{"subscriberId":"user-001"},"transactionId":"topic-actor-2"}'
expect "$T :: every subscriber, the actor included, once" \
  "user-001 user-002 user-003 user-004 user-005 user-006" "$(notif_subs topic-actor-2)"

# --- cancel-event.e2e.ts -------------------------------------------------

for wf in comment-digest:digest payment-reminder:delay; do
  T="$E2E/cancel-event.e2e.ts :: should be able to cancel ${wf#*:}"
  tx="cancel-${wf#*:}-1"
  req POST /v1/events/trigger "{\"name\":\"${wf%%:*}\",\"to\":\"user-001\",\"payload\":{},\"transactionId\":\"$tx\"}"
  req DELETE "/v1/events/trigger/$tx"
  expect "$T :: DELETE answers true" "200|true" "$CODE|$(j .data)"
  req GET "/v1/notifications?transactionId=$tx"
  expect "$T :: the ${wf#*:} job is canceled" canceled \
    "$(j --arg t "${wf#*:}" '[.data[0].jobs[]|select(.type==$t)|.status]|join(",")')"
done

# --- idempotency.e2e.ts -------------------------------------------------

IDEM_BODY='{"name":"welcome-onboarding","to":"user-001","payload":{}}'

T="$IDEM :: when enabled :: should return cached same response for duplicate requests"
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 1'
first=$(j .data.transactionId) k1=$(hdr Idempotency-Key)
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 1'
expect "$T :: same answer, both with the key, the second a replay" "201|$first|1|1|true" \
  "$CODE|$(j .data.transactionId)|$k1|$(hdr Idempotency-Key)|$(hdr Idempotency-Replay)"

T="$IDEM :: when enabled :: should return conflict when concurrent requests are made"
stop_sandbox
start_sandbox --rate-limit 0 --latency-ms 1500
BASE=$SB_URL
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 4' &
slow=$!
sleep 0.5
OUT="$NC_TMP/r2" req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 4'
wait "$slow"
OUT="$NC_TMP/r2"
expect "$T :: 409 Conflict with the message" \
  '409|409|Conflict|Request with key "4" is currently being processed. Please retry after 1 second' \
  "$CODE|$(j .statusCode)|$(j .error)|$(j .message)"
expect "$T :: Retry-After 1, the docs link and the key" "1|$DOCS_LINK|4" \
  "$(hdr Retry-After)|$(hdr Link)|$(hdr Idempotency-Key)"
OUT="$NC_TMP/r"
expect "$T :: the first request succeeds" "201|4" "$(head -1 "$OUT.h" | cut -d' ' -f2)|$(hdr Idempotency-Key)"
stop_sandbox
start_sandbox --rate-limit 0
BASE=$SB_URL

T="$IDEM :: when enabled :: should return conflict when different body is sent for same key"
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 5'
req POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-002","payload":{}}' -H 'Idempotency-Key: 5'
expect "$T :: 422 with the message" \
  '422|422|Unprocessable Entity|Request with key "5" is being reused for a different body' \
  "$CODE|$(j .statusCode)|$(j .error)|$(j .message)"
expect "$T :: the key and the docs link" "5|$DOCS_LINK" "$(hdr Idempotency-Key)|$(hdr Link)"

T="$IDEM :: when enabled :: should return non cached response for unique requests"
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 6'
first=$(j .data.transactionId) k1=$(hdr Idempotency-Key)
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 7'
expect "$T :: different answers, each with its own key" "different|6|7" \
  "$([ "$first" != "$(j .data.transactionId)" ] && echo different)|$k1|$(hdr Idempotency-Key)"

T="$IDEM :: when enabled :: should return non cached response for GET requests"
req GET /v2/workflows "" -H 'Idempotency-Key: 8'
expect "$T :: 200 without an Idempotency-Key header" "200|" "$CODE|$(hdr Idempotency-Key)"

T="$IDEM :: when enabled :: should return cached error response for duplicate requests"
req POST /v1/events/trigger '{"name":"no-such-workflow","to":"user-001","payload":{}}' -H 'Idempotency-Key: 9'
m1=$(j .message)
req POST /v1/events/trigger '{"name":"no-such-workflow","to":"user-001","payload":{}}' -H 'Idempotency-Key: 9'
expect "$T :: the same 422 twice, with the key" "422|$m1|422|9" \
  "$CODE|$(j .message)|$(j .statusCode)|$(hdr Idempotency-Key)"

T="$IDEM :: when enabled :: should return 400 when key bigger than allowed limit"
long=$(printf '0%.0s' $(seq 256))
req POST /v1/events/trigger "$IDEM_BODY" -H "Idempotency-Key: $long"
expect "$T :: 400 with the message" \
  "400|400|idempotencyKey \"$long\" has exceeded the maximum allowed length of 255 characters" \
  "$CODE|$(j .statusCode)|$(j .message)"

T="$IDEM :: Allowed Authentication Security Schemes :: should set Idempotency-Key header when ApiKey security scheme is used to authenticate"
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 10'
expect "$T :: the header is set" 10 "$(hdr Idempotency-Key)"

T="$IDEM :: Allowed Authentication Security Schemes :: should NOT set rate limit headers when NO authorization header is present"
NO_AUTH=1 req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 10'
expect "$T :: 401 without an Idempotency-Key header" "401|" "$CODE|$(hdr Idempotency-Key)"

stop_sandbox
start_sandbox --rate-limit 0 --no-idempotency
BASE=$SB_URL
T="$IDEM :: when disabled :: should not return cached same response for duplicate requests"
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 1'
first=$(j .data.transactionId)
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 1'
expect "$T :: two different answers, no replay" "201|different|" \
  "$CODE|$([ "$first" != "$(j .data.transactionId)" ] && echo different)|$(hdr Idempotency-Replay)"
T="$IDEM :: when disabled :: should return non cached response for unique requests"
req POST /v1/events/trigger "$IDEM_BODY" -H 'Idempotency-Key: 7'
expect "$T :: answered, without idempotency headers" "201|" "$CODE|$(hdr Idempotency-Key)"
T="$IDEM :: when disabled :: should return non cached response for GET requests"
req GET /v2/workflows "" -H 'Idempotency-Key: 8'
expect "$T :: 200 without an Idempotency-Key header" "200|" "$CODE|$(hdr Idempotency-Key)"
T="$IDEM :: when disabled :: should not return cached error response for duplicate requests"
req POST /v1/events/trigger '{"name":"no-such-workflow","to":"user-001","payload":{}}' -H 'Idempotency-Key: 9'
req POST /v1/events/trigger '{"name":"no-such-workflow","to":"user-001","payload":{}}' -H 'Idempotency-Key: 9'
expect "$T :: the error is computed again, not replayed" "422|" "$CODE|$(hdr Idempotency-Replay)"
stop_sandbox

# --- throttler.guard.e2e.ts -------------------------------------------------

start_sandbox
BASE=$SB_URL
T="$THR :: Feature Flag :: should set rate limit headers when the Feature Flag is enabled"
req GET /v1/notifications
expect "$T :: RateLimit-Limit is set" set "$([ -n "$(hdr RateLimit-Limit)" ] && echo set)"
T="$THR :: Allowed Authentication Security Schemes :: should set rate limit headers when ApiKey security scheme is used to authenticate"
expect "$T :: RateLimit-Limit is set" set "$([ -n "$(hdr RateLimit-Limit)" ] && echo set)"
T="$THR :: Allowed Authentication Security Schemes :: should NOT set rate limit headers when NO authorization header is present"
NO_AUTH=1 req GET /v1/notifications
expect "$T :: 401 without RateLimit-Limit" "401|" "$CODE|$(hdr RateLimit-Limit)"

req GET /v1/notifications
policy=$(hdr RateLimit-Policy)
for p in 'limit:^[0-9]+;' 'w:;w=[0-9]+' 'burst:;burst=[0-9]+' 'comment:comment="[a-zA-Z ]*"' \
         'category:category="(global|trigger|configuration|webhook)"' 'cost:cost="(single|bulk)"' \
         'serviceLevel:serviceLevel="[a-zA-Z]*"'; do
  T="$THR :: RateLimit-Policy :: should include the ${p%%:*} parameter"
  check "$T :: $policy" grep -qE "${p#*:}" <<<"$policy"
done
T="$THR :: RateLimit-Policy :: should separate the params with a semicolon"
expect "$T :: seven parameters" 7 "$(tr ';' '\n' <<<"$policy" | wc -l)"

T="$THR :: Rate Limit Decorators :: Controller WITHOUT Decorators :: should use the global category for an endpoint WITHOUT category decorator"
expect "$T :: /v1/notifications is global" 'category="global"' "$(grep -o 'category="[a-z]*"' <<<"$policy")"
T="$THR :: Rate Limit Decorators :: Controller WITHOUT Decorators :: should use the single cost for an endpoint WITHOUT cost decorator"
expect "$T :: /v1/notifications costs single" 'cost="single"' "$(grep -o 'cost="[a-z]*"' <<<"$policy")"
T="$THR :: Rate Limit Decorators :: Controller WITH Decorators :: should use the category decorator defined on the controller for an endpoint WITHOUT category decorator"
req DELETE /v1/events/trigger/no-such-transaction
expect "$T :: the events controller's trigger category" 'category="trigger"' \
  "$(hdr RateLimit-Policy | grep -o 'category="[a-z]*"')"
T="$THR :: Rate Limit Decorators :: Controller WITH Decorators :: should use the cost decorator defined on the controller for an endpoint WITHOUT cost decorator"
# The events controller has no controller-wide cost: cancel keeps single,
# and bulk's own decorator gives bulk (next case).
expect "$T :: cancel costs single" 'cost="single"' "$(hdr RateLimit-Policy | grep -o 'cost="[a-z]*"')"
T="$THR :: Rate Limit Decorators :: Controller WITH Decorators :: should override the cost decorator defined on the controller for an endpoint WITH cost decorator"
req POST /v1/events/trigger/bulk '{"events":[{"name":"welcome-onboarding","to":"user-001","payload":{}}]}'
expect "$T :: bulk's own decorator: cost bulk" 'cost="bulk"' "$(hdr RateLimit-Policy | grep -o 'cost="[a-z]*"')"
stop_sandbox

start_sandbox --rate-limit 0
BASE=$SB_URL
T="$THR :: Feature Flag :: should NOT set rate limit headers when the Feature Flag is disabled"
req GET /v1/notifications
expect "$T :: no RateLimit-Limit" "200|" "$CODE|$(hdr RateLimit-Limit)"
stop_sandbox

finish
