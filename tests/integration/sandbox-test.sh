#!/usr/bin/env bash
# sandbox-test.sh - novu-sandbox over real HTTP: start-up contract, auth,
# every endpoint, Novu's validation/limit errors, idempotency (replay, 422,
# 409), token-bucket 429s, pending -> cancel, notification statuses, the
# fault and request-log control endpoints, pagination, and clean shutdown.
#
# Needs NC_SANDBOX (the binary), curl and jq. Every sandbox it starts binds
# 127.0.0.1 on a free port and is killed on exit.
set -u

SB=${NC_SANDBOX:?set NC_SANDBOX to the novu-sandbox binary}
for tool in curl jq; do
	command -v "$tool" >/dev/null || { echo "sandbox-test: $tool is required"; exit 1; }
done

TMP=$(mktemp -d /tmp/sandbox-test.XXXXXX)
PIDS=()
PASSED=0
FAILED=0

cleanup() {
	local p
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | head -c 1500 | sed 's/^/       /'
	return 0
}

# expect NAME WANT GOT
expect() {
	if [ "$3" = "$2" ]; then pass "$1"; else fail "$1" "want: $2
got:  $3"; fi
}
# expect_re NAME REGEX GOT
expect_re() {
	if printf '%s' "$3" | grep -qE -- "$2"; then pass "$1"; else fail "$1" "want /$2/
got:  $3"; fi
}
# check NAME COMMAND...
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }

# --- sandboxes ---------------------------------------------------------------

NSB=0
# start_sb ARGS...: start a sandbox; sets SB_URL, SB_PID, SB_OUT, SB_ERR.
start_sb() {
	local i name
	NSB=$((NSB + 1))
	# Subshells count NSB from the same value: the shell's pid keeps names apart.
	name="$TMP/sb$NSB.$BASHPID"
	SB_OUT="$name.out" SB_ERR="$name.err"
	rm -f "$name.port"
	"$SB" --port 0 --port-file "$name.port" "$@" >"$SB_OUT" 2>"$SB_ERR" &
	SB_PID=$!
	PIDS+=("$SB_PID")
	for i in $(seq 1 100); do
		[ -s "$name.port" ] && [ -s "$SB_OUT" ] && break
		sleep 0.05
	done
	if ! [ -s "$name.port" ]; then
		echo "sandbox did not start: $*"
		cat "$SB_ERR"
		exit 1
	fi
	SB_URL="http://127.0.0.1:$(tr -d '\n' <"$name.port")"
}

# stop_sb PID [SIGNAL]: SIGTERM (or SIGNAL), wait up to 5 s; sets STOP_RC
# to the exit status ("hung" if it had to be killed).
stop_sb() {
	local pid=$1 sig=${2:-TERM} i
	kill -s "$sig" "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		STOP_RC=hung
		return
	fi
	wait "$pid"
	STOP_RC=$?
	# Sanitizer builds exit non-zero on any error or leak: every sandbox
	# must stop cleanly.
	[ "$STOP_RC" = 0 ] || fail "sandbox $pid exited with $STOP_RC" \
		"$(tail -n 20 "$TMP"/sb*.err 2>/dev/null)"
}

# --- HTTP ----------------------------------------------------------------------

KEY=sk_test_2f9c81d0e4
AUTH="Authorization: ApiKey $KEY"
BASE=
OUT="$TMP/r"
CODE=

# http METHOD PATH [BODY [CURL-ARGS...]]: BODY "" sends none, "@file" a file,
# with Content-Type $CT (default application/json). Writes $OUT.b (body),
# $OUT.h (headers), $OUT.c (status); sets CODE.
http() {
	local m=$1 p=$2 body=${3:-}
	shift 2
	[ $# -gt 0 ] && shift
	local args=(-s -m 30 -o "$OUT.b" -D "$OUT.h" -w '%{http_code}' -X "$m" -H "$AUTH")
	if [ -n "$body" ]; then
		args+=(-H "Content-Type: ${CT:-application/json}" --data-binary "$body")
	fi
	CODE=$(curl "${args[@]}" "$@" "$BASE$p")
	echo "$CODE" >"$OUT.c"
}
# j [JQ-OPTIONS] FILTER: jq -r over the last body.
j() { jq -r "$@" "$OUT.b" 2>/dev/null; }
# hdr NAME: a header of the last final response ('' if absent).
hdr() { grep -i "^$1:" "$OUT.h" | tail -1 | cut -d' ' -f2- | tr -d '\r'; }
ctl() { curl -s -m 30 -X "$1" -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$BASE$2"; }

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
ISO_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'
# The request and response bodies of the repository (tests/fixtures).
EX=${NC_FIXTURES_DIR:-$(dirname "$0")/../fixtures}
[ -f "$EX/trigger.request.json" ] || { echo "sandbox-test: no fixtures in '$EX'"; exit 1; }

# --- command line ----------------------------------------------------------

"$SB" --help >"$TMP/help" 2>&1
expect "--help exits 0" 0 $?
"$SB" --frobnicate >/dev/null 2>"$TMP/badopt"
expect "an unknown option exits 2" 2 $?
"$SB" --fail-rate 1.5 >/dev/null 2>&1
expect "--fail-rate above 1 is refused" 2 $?
"$SB" --port >/dev/null 2>&1
expect "an option without its value is refused" 2 $?

# A big bucket here; the default policy is checked in the rate-limit part.
start_sb --key "$KEY" --rate-limit 100000
MAIN_PID=$SB_PID MAIN_URL=$SB_URL MAIN_ERR=$SB_ERR BASE=$MAIN_URL
expect_re "prints exactly one banner line" '^novu-sandbox listening on http://127\.0\.0\.1:[0-9]+$' \
	"$(cat "$SB_OUT")"
expect "banner is the only stdout line" 1 "$(wc -l <"$SB_OUT")"
expect "port file matches the banner" "$SB_URL" "$(sed 's/^novu-sandbox listening on //' "$SB_OUT")"

# --- auth ------------------------------------------------------------------------

AUTH="X-Nothing: 1" http GET /v2/workflows
expect "no Authorization -> 401" 401 "$CODE"
expect "401 is an ErrorDto" "401|/v2/workflows" "$(j '"\(.statusCode)|\(.path)"')"
expect_re "401 carries an ISO timestamp" "$ISO_RE" "$(j .timestamp)"
AUTH="Authorization: ApiKey wrong" http GET /v2/workflows
expect "wrong key -> 401" 401 "$CODE"
AUTH="Authorization: Bearer $KEY" http GET /v2/workflows
expect "Bearer scheme -> 401" 401 "$CODE"
AUTH="Authorization: ApiKey  $KEY" http GET /v2/workflows
expect "two spaces after ApiKey -> 401" 401 "$CODE"
http GET /v2/workflows
expect "right key -> 200" 200 "$CODE"
expect "JSON content type" "application/json; charset=utf-8" "$(hdr Content-Type)"

# --- routing -----------------------------------------------------------------------

http GET /v1/nothing-here
expect "unknown route -> 404" 404 "$CODE"
expect "404 is an ErrorDto" 404 "$(j .statusCode)"
http GET /v1/events/trigger
expect "wrong method -> 405" 405 "$CODE"
expect_re "405 says what is allowed" POST "$(hdr Allow)"
http PUT /v2/subscribers
expect "PUT on a list -> 405" 405 "$CODE"
http GET "/v2/workflows/?limit=1"
expect "a trailing slash is tolerated" "200|1" "$CODE|$(j '.data.workflows|length')"

# --- trigger ---------------------------------------------------------------------------

http POST /v1/events/trigger "@$EX/trigger.request.json"
expect "trigger example -> 201" 201 "$CODE"
expect "trigger answer is the wrapped DTO" \
	'{"data":{"acknowledged":true,"status":"processed","transactionId":"7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a17"}}' \
	"$(cat "$OUT.b")"
expect "RateLimit-Limit on triggers" 100000 "$(hdr RateLimit-Limit)"
expect_re "RateLimit-Remaining is a number" '^[0-9]+$' "$(hdr RateLimit-Remaining)"
expect_re "RateLimit-Reset is a number" '^[0-9]+$' "$(hdr RateLimit-Reset)"
expect "RateLimit-Policy for a single trigger" \
	'100000;w=5;burst=110000;comment="token bucket";category="trigger";cost="single";serviceLevel="free"' \
	"$(hdr RateLimit-Policy)"
expect "no Idempotency-Key header without a key" "" "$(hdr Idempotency-Key)"

http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}'
expect "trigger without transactionId -> 201" 201 "$CODE"
expect_re "a UUID v4 transactionId is generated" "$UUID_RE" "$(j .data.transactionId)"
TX_WELCOME=$(j .data.transactionId)

http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","transactionId":""}'
expect_re "an empty transactionId gets a generated one" "$UUID_RE" "$(j .data.transactionId)"

http POST /v1/events/trigger '{"name":"legacy-digest","to":"user-001","transactionId":"tx-inactive"}'
expect "inactive workflow -> 201" 201 "$CODE"
expect "inactive workflow: trigger_not_active, with its transactionId" \
	'{"acknowledged":true,"status":"trigger_not_active","transactionId":"tx-inactive"}' "$(j -c .data)"

http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","tenant":"org-nowhere"}'
expect "unknown tenant -> no_tenant_found, with a transactionId" "201|no_tenant_found|true" \
	"$CODE|$(j .data.status)|$(j '.data.transactionId|test("^[0-9a-f-]{36}$")')"
http POST /v1/events/trigger '{"name":"legacy-digest","to":"user-001","tenant":"org-nowhere"}'
expect "the tenant is checked before the active flag" no_tenant_found "$(j .data.status)"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","tenant":"org-acme"}'
expect "known tenant -> processed" processed "$(j .data.status)"

# --- trigger validation ------------------------------------------------------------

http POST /v1/events/trigger '{"payload":{}}'
expect "missing name and to -> 422" 422 "$CODE"
expect "422 message" "Validation Error" "$(j .message)"
expect "name messages" '["name should not be null or undefined","name must be a string"]' \
	"$(j -c .errors.name.messages)"
expect "to messages" '["to should not be null or undefined"]' "$(j -c .errors.to.messages)"
expect "value omitted for undefined fields" false "$(j '.errors.name|has("value")')"

http POST /v1/events/trigger '{"name":42,"to":"user-001"}'
expect "name of the wrong type -> 422" "422|name must be a string|42" \
	"$CODE|$(j '.errors.name.messages|join(",")')|$(j .errors.name.value)"

TO101=$(jq -nc '{name:"welcome-onboarding",to:[range(101)|"u\(.)"]}')
http POST /v1/events/trigger "$TO101"
expect "101 recipients -> 422" "422|to must contain no more than 100 elements" \
	"$CODE|$(j '.errors.to.messages[0]')"
TO100=$(jq -nc '{name:"welcome-onboarding",to:[range(100)|"user-\(.+1|tostring|("00"+.)[-3:])"]}')
http POST /v1/events/trigger "$TO100"
expect "100 recipients are fine" 201 "$CODE"

http POST /v1/events/trigger '{"name":"welcome-onboarding","to":["user-001",""]}'
expect "empty subscriberId string -> 422 on to.1" "422|subscriberId should not be empty" \
	"$CODE|$(j '.errors["to.1"].messages[0]')"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":[{"type":"Topic","topicKey":""}]}'
expect "empty topicKey -> 422 on to.0.topicKey" "422|topicKey should not be empty" \
	"$CODE|$(j '.errors["to.0.topicKey"].messages[0]')"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":{"email":"a@b.c"}}'
expect "subscriber object without subscriberId -> 422" 422 "$CODE"
expect "names to.subscriberId" "subscriberId should not be null or undefined" \
	"$(j '.errors["to.subscriberId"].messages[0]')"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":[{"type":"Group","id":1}]}'
expect "unknown recipient type -> 422" "422|true" "$CODE|$(j '.errors|has("to.0.type")')"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":17}'
expect "to of the wrong type -> 422" "422|true" "$CODE|$(j '.errors|has("to")')"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","payload":[1,2]}'
expect "payload not an object -> 422" "422|payload must be an object" \
	"$CODE|$(j '.errors.payload.messages[0]')"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","payload":null}'
expect "payload null is allowed (optional)" 201 "$CODE"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","context":{"bad key":"x"}}'
expect "context type pattern -> 422" "422|true" "$CODE|$(j '.errors|has("context.bad key")')"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","context":{"tenant":"org-acme","app":{"id":"console","data":{"r":1}}}}'
expect "valid context -> 201" 201 "$CODE"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001","bridgeUrl":"http://localhost:4000"}'
expect "private bridgeUrl -> 422" "422|true" "$CODE|$(j '.errors|has("bridgeUrl")')"

http POST /v1/events/trigger '{"name":"no-such-workflow","to":"user-001"}'
expect "unknown workflow -> 422" 422 "$CODE"
expect "workflow_not_found without an errors map" "workflow_not_found|false" \
	"$(j .message)|$(j 'has("errors")')"

# --- payload schema ---------------------------------------------------------------------

http POST /v1/events/trigger '{"name":"order-shipped","to":"user-001","payload":{"order":{"carrier":"UPS"}}}'
expect "schema failure -> 400" 400 "$CODE"
expect "PAYLOAD_VALIDATION_ERROR" PAYLOAD_VALIDATION_ERROR "$(j .type)"
expect "error names the field" "order.id|must have required property 'id'|#/properties/order/required" \
	"$(j '.errors[0]|"\(.field)|\(.message)|\(.schemaPath)"')"
expect "error carries the offending value" '{"carrier":"UPS"}' "$(j -c '.errors[0].value')"
expect "message sums it up" "Payload validation failed: order.id: must have required property 'id'" \
	"$(j .message)"
expect "the schema is included" object "$(j '.schema.properties.order.type')"
http POST /v1/events/trigger '{"name":"order-shipped","to":"user-001","payload":{"order":{"id":7},"trackingUrl":1}}'
expect "two type errors reported" "400|2|order.id|must be string" \
	"$CODE|$(j '.errors|length')|$(j '.errors[0].field')|$(j '.errors[0].message')"
http POST /v1/events/trigger '{"name":"order-shipped","to":"user-001"}'
expect "missing payload is checked as {}" "400|order" "$CODE|$(j '.errors[0].field')"
http POST /v1/events/trigger '{"name":"payment-reminder","to":"user-001","payload":{"currency":"JPY"}}'
expect "enum violation -> 400" "400|must be equal to one of the allowed values" \
	"$CODE|$(j '.errors[0].message')"

# --- body checks ----------------------------------------------------------------------

CT=text/plain http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}'
expect "text/plain: the body is ignored, so 422 (not 415)" "422|name should not be null or undefined" \
	"$CODE|$(j '.errors.name.messages[0]')"
CT=application/x-www-form-urlencoded http POST /v1/events/trigger 'name=welcome-onboarding&to=user-001'
expect "a form body is parsed as body-parser's urlencoded does" "201|processed" "$CODE|$(j .data.status)"
CT="application/json; charset=utf-8" http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}'
expect "application/json with charset is fine" 201 "$CODE"
http POST /v1/events/trigger '{"name":"welcome-onboarding",'
expect "malformed JSON -> 400" "400|400" "$CODE|$(j .statusCode)"
http POST /v1/events/trigger '[1,2,3]'
expect "a JSON array body -> 400" 400 "$CODE"

{ printf '{"name":"welcome-onboarding","to":"user-001","payload":{"blob":"'
  head -c 524300 /dev/zero | tr '\0' a
  printf '"}}'; } >"$TMP/big.json"
http POST /v1/events/trigger "@$TMP/big.json"
expect "payload over 512 KB -> 413" 413 "$CODE"
expect_re "413 message gives the size" '^Payload size \(524311 bytes\) exceeds maximum allowed size of 524288 bytes' \
	"$(j .message)"
{ printf '{"name":"welcome-onboarding","to":"user-001","payload":{"blob":"'
  head -c 524200 /dev/zero | tr '\0' a
  printf '"}}'; } >"$TMP/fits.json"
http POST /v1/events/trigger "@$TMP/fits.json"
expect "payload just under 512 KB -> 201" 201 "$CODE"
{ printf '{"events":[{"name":"welcome-onboarding","to":"user-001"},{"name":"welcome-onboarding","to":"user-002","payload":{"blob":"'
  head -c 524300 /dev/zero | tr '\0' a
  printf '"}}]}'; } >"$TMP/bigbulk.json"
http POST /v1/events/trigger/bulk "@$TMP/bigbulk.json"
expect "bulk with one oversize event -> 413" 413 "$CODE"
expect_re "bulk 413 names index and workflow" '^Event at index 1 \(workflow: "welcome-onboarding"\) has payload size \(524311 bytes\)' \
	"$(j .message)"
head -c 120000 /dev/zero | tr '\0' a >"$TMP/120k"
http GET /v2/workflows "@$TMP/120k"
expect "raw body over 100 KB outside /v1/events -> 413" 413 "$CODE"

# --- bulk -----------------------------------------------------------------------------------

http POST /v1/events/trigger/bulk "@$EX/bulk.request.json"
expect "bulk example -> 201" 201 "$CODE"
# The fixture's error slot has no transactionId (an older server); the
# newest server adds the event's own.
expect "bulk answer matches the fixture" "$(jq -c . "$EX/bulk.response.json")" \
	"$(jq -c 'del(.data[]|select(.status=="error")|.transactionId)' "$OUT.b")"
expect "the error slot carries its event's transactionId" 0b6f3c1e-5d2a-4f7e-8c9b-1a2b3c4d5e61 \
	"$(j '.data[1].transactionId')"
expect "bulk policy says cost bulk" 'cost="bulk"' "$(hdr RateLimit-Policy | grep -o 'cost="bulk"')"
EV101=$(jq -nc '{events:[range(101)|{name:"welcome-onboarding",to:"user-001"}]}')
http POST /v1/events/trigger/bulk "$EV101"
expect "101 events -> 422" "422|events must contain no more than 100 elements" \
	"$CODE|$(j '.errors.events.messages[0]')"
http POST /v1/events/trigger/bulk '{"events":[]}'
expect "no events -> 422" "422|true" "$CODE|$(j '.errors|has("events")')"
http POST /v1/events/trigger/bulk '{}'
expect "missing events -> 422" 422 "$CODE"
http POST /v1/events/trigger/bulk '{"events":[{"name":"welcome-onboarding","to":"user-001","payload":{}},{"to":"user-002","payload":{}}]}'
expect "a malformed event fails only its slot" "201|processed|error|identifier should not be null or undefined" \
	"$CODE|$(j '[.data[0].status,.data[1].status,.data[1].error[0]]|join("|")')"
http POST /v1/events/trigger/bulk '{"events":[{"name":"welcome-onboarding","to":"user-001","payload":{}},{"name":"order-shipped","to":"user-002","payload":{}}]}'
expect "a schema failure fails only its slot" "201|processed|error|true" \
	"$CODE|$(j '[.data[0].status,.data[1].status,(.data[1].error[0]|startswith("Payload validation failed"))|tostring]|join("|")')"
http POST /v1/events/trigger/bulk '{"events":[{"name":"welcome-onboarding","to":"user-001"}]}'
expect "a bulk event without payload fails its slot" "201|error|payload should not be null or undefined" \
	"$CODE|$(j '[.data[0].status,.data[0].error[0]]|join("|")')"
http POST /v1/events/trigger/bulk '{"events":[{"name":"legacy-digest","to":"user-001","payload":{}},{"name":"comment-digest","to":"user-002","payload":{}}]}'
expect "bulk slots keep their own status" "trigger_not_active|processed" \
	"$(j '[.data[].status]|join("|")')"

# --- broadcast ---------------------------------------------------------------------------

http POST /v1/events/trigger/broadcast "@$EX/broadcast.request.json"
expect "broadcast example -> 201" 201 "$CODE"
expect "broadcast answer matches the fixture" "$(jq -c . "$EX/broadcast.response.json")" "$(jq -c . "$OUT.b")"
http POST /v1/events/trigger/broadcast '{"name":"maintenance-notice"}'
expect "broadcast needs a payload" "422|payload should not be null or undefined" \
	"$CODE|$(j '.errors.payload.messages[0]')"
http GET "/v1/notifications?transactionId=c2d4e6f8-1a3b-4c5d-8e7f-901234567890&limit=50"
expect "broadcast fans out to subscribers" "50|true" "$(j '.data|length')|$(j .hasMore)"

# --- notifications ---------------------------------------------------------------------

http GET "/v1/notifications?transactionId=$TX_WELCOME"
expect "notifications are unwrapped" "false|10|0" "$(j .hasMore)|$(j .pageSize)|$(j .page)"
expect "one notification for one subscriber" 1 "$(j '.data|length')"
expect "welcome jobs complete at once" "in_app:completed email:completed sms:completed" \
	"$(j '[.data[0].jobs[]|"\(.type):\(.status)"]|join(" ")')"
expect "notification fields" "user-001|Welcome onboarding|$TX_WELCOME" \
	"$(j '.data[0]|"\(.subscriber.subscriberId)|\(.template.name)|\(.transactionId)"')"
expect "completed jobs have a Success detail" Success "$(j '.data[0].jobs[0].executionDetails[0].status')"

http GET "/v1/notifications?transactionId=7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a17&limit=50"
# user-123, user-456 and ops-team (user-001..006) without the excluded user-123.
expect "topic fan-out with exclude, no duplicates" 8 "$(j '.data|length')"
expect "topic recipients carry the topic" 6 "$(j '[.data[]|select(.topics[0].topicKey=="ops-team")]|length')"
expect "severity override is kept" high "$(j '.data[0].severity')"
http GET "/v1/notifications?transactionId=7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a17&limit=3&page=2"
expect "notification paging" "2|false|2" "$(j '.data|length')|$(j .hasMore)|$(j .page)"
http GET "/v1/notifications?transactionId=7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a17&limit=3"
expect "hasMore on a first page" true "$(j .hasMore)"
http GET "/v1/notifications?transactionId=never-sent"
expect "unknown transaction -> empty list" "200|0" "$CODE|$(j '.data|length')"
http GET "/v1/notifications?limit=51"
expect "notifications limit over 50 -> 422" 422 "$CODE"
http GET "/v1/notifications?limit=2"
expect "notifications without a filter list the newest" "200|2" "$CODE|$(j '.data|length')"
expect "notifications use the global bucket" 'category="global"' \
	"$(hdr RateLimit-Policy | grep -o 'category="global"')"

# --- inline subscribers are upserted -------------------------------------------------------

http POST /v1/events/trigger '{"name":"welcome-onboarding","to":[{"subscriberId":"sb-new-1","firstName":"Zoë","lastName":"Ørsted","email":"zoe@example.com","data":{"plan":"pro"}}],"actor":{"subscriberId":"sb-actor-1","firstName":"Ann"}}'
expect "inline subscriber trigger -> 201" 201 "$CODE"
http GET "/v2/subscribers?subscriberId=sb-new-1"
expect "inline subscriber was created" "1|Zoë|Ørsted|pro" \
	"$(j '.totalCount')|$(j '.data[0].firstName')|$(j '.data[0].lastName')|$(j '.data[0].data.plan')"
http GET "/v2/subscribers?subscriberId=sb-actor-1"
expect "actor object was upserted" Ann "$(j '.data[0].firstName')"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":{"subscriberId":"sb-new-1","email":null,"locale":"nb-NO"}}'
http GET "/v2/subscribers?subscriberId=sb-new-1"
expect "a second upsert updates only the given fields" "Zoë|null|nb-NO" \
	"$(j '.data[0].firstName')|$(j '.data[0].email')|$(j '.data[0].locale')"

# --- pick lists -----------------------------------------------------------------------------

http GET "/v2/workflows?limit=100"
expect "workflows are wrapped with totalCount" "6|6" "$(j '.data.totalCount')|$(j '.data.workflows|length')"
expect "every workflow has stepTypeOverviews" true "$(j '[.data.workflows[]|(.stepTypeOverviews|length>0)]|all')"
expect "configuration bucket" 'category="configuration"' "$(hdr RateLimit-Policy | grep -o 'category="configuration"')"
http GET "/v2/workflows?limit=2&offset=4"
expect "limit/offset" "2|6" "$(j '.data.workflows|length')|$(j .data.totalCount)"
http GET "/v2/workflows?limit=2&offset=6"
expect "offset past the end" "0|6" "$(j '.data.workflows|length')|$(j .data.totalCount)"
http GET "/v2/workflows?query=DIGEST"
expect "query searches name and id, any case" "comment-digest legacy-digest" \
	"$(j '[.data.workflows[].workflowId]|join(" ")')"
http GET "/v2/workflows?status=INACTIVE"
expect "status filter" "legacy-digest|INACTIVE" "$(j '.data.workflows[0].workflowId')|$(j '.data.workflows[0].status')"
http GET "/v2/workflows?status=ACTIVE&status=INACTIVE"
expect "repeated status keys" 6 "$(j .data.totalCount)"
http GET "/v2/workflows?status[]=ACTIVE"
expect "status[] form" 5 "$(j .data.totalCount)"
http GET "/v2/workflows?status=BROKEN"
expect "bad status -> 422" 422 "$CODE"
http GET "/v2/workflows?limit=0"
expect "limit 0 -> 422" "422|true" "$CODE|$(j '.errors|has("limit")')"
http GET "/v2/workflows?orderBy=name&orderDirection=ASC&limit=1"
expect "orderBy name ASC" comment-digest "$(j '.data.workflows[0].workflowId')"
http GET "/v2/workflows?tags=billing"
expect "tags filter" payment-reminder "$(j '[.data.workflows[].workflowId]|join(" ")')"
http GET "/v2/workflows/order-shipped"
expect "workflow detail is wrapped" order-shipped "$(j .data.workflowId)"
expect "detail has the payload example" '{"order":{"id":"A-1001","carrier":"UPS"},"trackingUrl":"https://example.com/track/A-1001"}' \
	"$(j -c .data.payloadExample)"
expect "detail has the payload schema" '["order"]' "$(j -c .data.payloadSchema.required)"
expect "lastTriggeredAt moved on trigger" true \
	"$(j '.data.lastTriggeredAt != "2025-06-20T10:15:30.000Z"')"
http GET "/v2/workflows/comment-digest"
expect "a workflow without schema has none" "false|false" \
	"$(j '.data|has("payloadSchema")')|$(j '.data|has("payloadExample")')"
http GET "/v2/workflows/no-such-workflow"
expect "unknown workflow detail -> 404" "404|404" "$CODE|$(j .statusCode)"

http GET "/v2/topics"
expect "topics are unwrapped, 5 of them" "5|5|null|null" \
	"$(j '.data|length')|$(j .totalCount)|$(j .next)|$(j .previous)"
expect "topic items have key and name" true "$(j '[.data[]|(.key and .name and ._id)]|all')"
http GET "/v2/topics?key=ops-team"
expect "topic key filter" "1|Operations team" "$(j '.data|length')|$(j '.data[0].name')"
http GET "/v2/topics?limit=2"
expect "topic paging has a next cursor" "2|true" "$(j '.data|length')|$(j '.next!=null')"
http GET "/v2/topics?limit=101"
expect "topics limit over 100 -> 422" 422 "$CODE"

# Subscribers: walk forward to the end, then back again.
http GET "/v2/subscribers"
expect "default page of 10, newest first" "10|null" "$(j '.data|length')|$(j .previous)"
TOTAL=$(j .totalCount)
expect "totalCount counts seeds and upserts" true "$([ "$TOTAL" -ge 250 ] && echo true)"
: >"$TMP/ids"
CURSOR= PAGES=0 LAST_PREV=
while [ $PAGES -lt 20 ]; do
	http GET "/v2/subscribers?limit=100&orderDirection=ASC${CURSOR:+&after=$CURSOR}"
	PAGES=$((PAGES + 1))
	j '.data[].subscriberId' >>"$TMP/ids"
	[ $PAGES = 1 ] && FIRST_PREV=$(j .previous)
	LAST_PREV=$(j .previous)
	CURSOR=$(j '.next // empty')
	[ -z "$CURSOR" ] && break
done
expect "walk ends with next null" "" "$CURSOR"
expect "first page has previous null" null "$FIRST_PREV"
expect "walk saw every subscriber once" "$TOTAL|$TOTAL" "$(wc -l <"$TMP/ids" | tr -d ' ')|$(sort -u "$TMP/ids" | wc -l | tr -d ' ')"
expect "ASC starts at user-001" user-001 "$(head -1 "$TMP/ids")"
expect "pages of 100" "$(( (TOTAL + 99) / 100 ))" "$PAGES"
http GET "/v2/subscribers?limit=100&orderDirection=ASC&before=$LAST_PREV"
expect "before= goes back one page" "100|$(sed -n "$(( (PAGES - 2) * 100 + 1 ))p" "$TMP/ids")" \
	"$(j '.data|length')|$(j '.data[0].subscriberId')"
http GET "/v2/subscribers?name=zo%C3%AB%20%C3%98rsted"
expect "non-ASCII names are stored and searchable" "Zoë Ørsted" \
	"$(j '.data[] | select(.subscriberId=="user-003") | "\(.firstName) \(.lastName)"')"
http GET "/v2/subscribers?email=JANE.DOE@example.com"
expect "email filter ignores case" user-001 "$(j '.data[0].subscriberId')"
http GET "/v2/subscribers?subscriberId=user-042"
expect "subscriberId filter" "1|user-042" "$(j .totalCount)|$(j '.data[0].subscriberId')"
http GET "/v2/subscribers?limit=101"
expect "limit over 100 -> 422" 422 "$CODE"
http GET "/v2/subscribers?limit=abc"
expect "non-numeric limit -> 422" 422 "$CODE"
http GET "/v2/subscribers?after=x&before=y"
expect "after and before together -> 400" 400 "$CODE"

# --- cancel and pending work -----------------------------------------------------------------

http POST /v1/events/trigger '{"name":"payment-reminder","to":"user-010","transactionId":"tx-pay-1"}'
http GET "/v1/notifications?transactionId=tx-pay-1"
expect "delay workflow is pending" "email:completed delay:delayed sms:pending" \
	"$(j '[.data[0].jobs[]|"\(.type):\(.status)"]|join(" ")')"
http DELETE /v1/events/trigger/tx-pay-1
expect "cancel while pending -> true" '200|{"data":true}' "$CODE|$(cat "$OUT.b")"
expect "cancel spends a trigger token" 'cost="single"' "$(hdr RateLimit-Policy | grep -o 'cost="single"')"
http GET "/v1/notifications?transactionId=tx-pay-1"
expect "cancelled jobs show canceled" "email:completed delay:canceled sms:canceled" \
	"$(j '[.data[0].jobs[]|"\(.type):\(.status)"]|join(" ")')"
http DELETE /v1/events/trigger/tx-pay-1
expect "second cancel -> false" '200|{"data":false}' "$CODE|$(cat "$OUT.b")"
http DELETE /v1/events/trigger/no-such-transaction
expect "cancel of an unknown id -> false" '200|{"data":false}' "$CODE|$(cat "$OUT.b")"
http DELETE "/v1/events/trigger/$TX_WELCOME"
expect "cancel of a finished transaction -> false" '{"data":false}' "$(cat "$OUT.b")"
http POST /v1/events/trigger '{"name":"comment-digest","to":"user-011","transactionId":"tx/with?odd chars"}'
http DELETE "/v1/events/trigger/tx%2Fwith%3Fodd%20chars"
expect "URL-encoded transactionId cancels" '{"data":true}' "$(cat "$OUT.b")"
http POST /v1/events/trigger '{"name":"payment-reminder","to":"user-012","transactionId":"tx-pay-1"}'
expect "a reused transactionId is still accepted" "201|processed" "$CODE|$(j .data.status)"
http DELETE /v1/events/trigger/tx-pay-1
expect "...but creates nothing new to cancel" '{"data":false}' "$(cat "$OUT.b")"

# --- idempotency ------------------------------------------------------------------------------

BODY1='{"name":"welcome-onboarding","to":"user-020"}'
http POST /v1/events/trigger "$BODY1" -H 'Idempotency-Key: idem-1'
expect "first use -> 201" 201 "$CODE"
expect "first use echoes Idempotency-Key" "idem-1|" "$(hdr Idempotency-Key)|$(hdr Idempotency-Replay)"
FIRST=$(cat "$OUT.b")
http POST /v1/events/trigger '{ "name" : "welcome-onboarding",  "to" : "user-020" }' -H 'Idempotency-Key: idem-1'
expect "same key, same body (other whitespace) -> replay" "201|true|idem-1" \
	"$CODE|$(hdr Idempotency-Replay)|$(hdr Idempotency-Key)"
expect "replay returns the stored body (same generated id)" "$FIRST" "$(cat "$OUT.b")"
expect "replay still carries rate-limit headers" true "$([ -n "$(hdr RateLimit-Remaining)" ] && echo true)"
http POST /v1/events/trigger '{"to":"user-020","name":"welcome-onboarding"}' -H 'Idempotency-Key: idem-1'
expect "same key, keys reordered -> 422" 422 "$CODE"
expect "reuse message" 'Request with key "idem-1" is being reused for a different body' "$(j .message)"
expect "reuse answer links the docs" "https://docs.novu.co/additional-resources/idempotency" "$(hdr Link)"
LONGKEY=$(head -c 256 /dev/zero | tr '\0' k)
http POST /v1/events/trigger "$BODY1" -H "Idempotency-Key: $LONGKEY"
expect "key over 255 chars -> 400" 400 "$CODE"
expect_re "400 explains the limit" 'maximum allowed length of 255 characters' "$(j .message)"
http POST /v1/events/trigger "$BODY1" -H "Idempotency-Key: ${LONGKEY:1}"
expect "key of exactly 255 chars is fine" 201 "$CODE"
http POST /v1/events/trigger '{"name":"welcome-onboarding"}' -H 'Idempotency-Key: idem-422'
expect "validation error with a key" "422|idem-422" "$CODE|$(hdr Idempotency-Key)"
http POST /v1/events/trigger '{"name":"welcome-onboarding"}' -H 'Idempotency-Key: idem-422'
expect "validation 422s are cached and replayed" "422|true" "$CODE|$(hdr Idempotency-Replay)"
http POST /v1/events/trigger "$BODY1" -H 'Idempotency-Key;'
expect "an empty key counts as no key" "201|" "$CODE|$(hdr Idempotency-Key)"
http GET /v2/workflows "" -H 'Idempotency-Key: idem-1'
expect "GET ignores idempotency" "200|" "$CODE|$(hdr Idempotency-Replay)"
http DELETE /v1/events/trigger/whatever "" -H 'Idempotency-Key: idem-1'
expect "DELETE ignores idempotency" "200|" "$CODE|$(hdr Idempotency-Replay)"

# In flight: a slow first request, then the same key again.
ctl POST /__sandbox/faults '{"latencyMs":1500}' >/dev/null
OUT="$TMP/slow" http POST /v1/events/trigger "$BODY1" -H 'Idempotency-Key: idem-slow' &
SLOW=$!
sleep 0.5
T0=$(date +%s%N)
http POST /v1/events/trigger "$BODY1" -H 'Idempotency-Key: idem-slow'
expect "same key while in flight -> 409" 409 "$CODE"
expect "409 asks to retry after 1 s" "1|Conflict" "$(hdr Retry-After)|$(j .error)"
expect 'in-flight message' 'Request with key "idem-slow" is currently being processed. Please retry after 1 second' \
	"$(j .message)"
wait $SLOW
expect "the slow first request still succeeds" 201 "$(cat "$TMP/slow.c")"
ctl POST /__sandbox/faults '{"latencyMs":0}' >/dev/null
http POST /v1/events/trigger "$BODY1" -H 'Idempotency-Key: idem-slow'
expect "after it finished -> replay" "201|true" "$CODE|$(hdr Idempotency-Replay)"
expect "replay body equals the slow answer" "$(cat "$TMP/slow.b")" "$(cat "$OUT.b")"

# --- latency, concurrency -------------------------------------------------------------------------

# 1.5 s each: one after another they would take 4.5 s, together about 1.5 s;
# the wide gap keeps the check true on a busy machine.
ctl POST /__sandbox/faults '{"latencyMs":1500}' >/dev/null
T0=$(date +%s%N)
OUT="$TMP/c1" http GET /v2/topics &
C1=$!
OUT="$TMP/c2" http GET /v2/topics &
C2=$!
OUT="$TMP/c3" http GET /v2/topics &
C3=$!
wait $C1 $C2 $C3
MS=$(( ($(date +%s%N) - T0) / 1000000 ))
ctl POST /__sandbox/faults '{"latencyMs":0}' >/dev/null
expect "slow requests all answered" "200 200 200" "$(cat "$TMP/c1.c") $(cat "$TMP/c2.c") $(cat "$TMP/c3.c")"
check "latency applies ($MS ms >= 1500)" [ "$MS" -ge 1500 ]
check "slow requests overlap ($MS ms < 3000, not the 4500 of one at a time)" [ "$MS" -lt 3000 ]

# --- faults and the request log ---------------------------------------------------------------

expect "reset answers ok" true "$(ctl POST /__sandbox/reset | jq -r .ok)"
expect "reset clears the request log" 0 "$(ctl GET /__sandbox/requests | jq length)"
ctl POST /__sandbox/faults '{"failNext":2,"status":503,"retryAfter":1}' >/dev/null
http POST /v1/events/trigger "$BODY1" -H 'Idempotency-Key: idem-f'
expect "failNext 1/2 -> 503" "503|1|503" "$CODE|$(hdr Retry-After)|$(j .statusCode)"
http POST /v1/events/trigger "$BODY1" -H 'Idempotency-Key: idem-f'
expect "failNext 2/2 -> 503" 503 "$CODE"
http POST /v1/events/trigger "$BODY1" -H 'Idempotency-Key: idem-f'
expect "then the request goes through (faults are not cached)" "201|" "$CODE|$(hdr Idempotency-Replay)"
ctl POST /__sandbox/faults '{"failNext":1,"status":502,"path":"/v2/topics"}' >/dev/null
http GET /v2/workflows
expect "a path-bound fault lets another path through" 200 "$CODE"
http GET /v2/topics
expect "and fails its own path" 502 "$CODE"
http GET /v2/topics
expect "once" 200 "$CODE"
ctl POST /__sandbox/faults '{"path":null}' >/dev/null
ctl POST /__sandbox/faults '{"failNext":1,"status":429}' >/dev/null
http GET /v2/topics
expect "injected 429 gets Retry-After 1 by default" "429|1|API rate limit exceeded" \
	"$CODE|$(hdr Retry-After)|$(j .message)"
ctl POST /__sandbox/faults '{"failNext":1,"status":500}' >/dev/null
http GET /v2/topics
expect_re "injected 500 has an errorId" "$UUID_RE" "$(j .errorId)"
expect "and no Retry-After" "" "$(hdr Retry-After)"
ctl POST /__sandbox/faults '{"failNext":1,"status":422,"retryAfter":0}' >/dev/null
http GET /v2/topics
expect "any status can be injected" "422|" "$CODE|$(hdr Retry-After)"
ctl POST /__sandbox/faults '{"dropNext":1}' >/dev/null
curl -s -m 10 -o /dev/null -H "$AUTH" "$BASE/v2/topics"
expect "dropNext closes the connection without an answer (curl 52)" 52 $?
http GET /v2/topics
expect "after the drop it answers again" 200 "$CODE"
expect "GET /__sandbox/faults shows the state" "0|0" \
	"$(ctl GET /__sandbox/faults | jq -r '"\(.failNext)|\(.dropNext)"')"
expect "bad faults body -> 400" 400 \
	"$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST -d '{"failNext":"x"}' "$BASE/__sandbox/faults")"

ctl GET /__sandbox/requests >"$TMP/log.json"
expect "the log has every API request" 11 "$(jq length "$TMP/log.json")"
expect "log entries carry method/path/status/time" "POST|/v1/events/trigger|503|idem-f" \
	"$(jq -r '.[0]|"\(.method)|\(.path)|\(.status)|\(.idempotencyKey)"' "$TMP/log.json")"
expect_re "log time is ISO" "$ISO_RE" "$(jq -r '.[0].time' "$TMP/log.json")"
expect "log keeps the body" "$BODY1" "$(jq -r '.[0].body' "$TMP/log.json")"
expect "bodySha is SHA-256 of the bytes" "$(printf '%s' "$BODY1" | sha256sum | cut -d' ' -f1)" \
	"$(jq -r '.[0].bodySha' "$TMP/log.json")"
expect "the dropped request is logged as dropped" "true|null" \
	"$(jq -r '[.[]|select(.dropped)][0]|"\(.dropped)|\(.status)"' "$TMP/log.json")"
SEQ=$(jq -r '.[-1].seq' "$TMP/log.json")
http GET "/v2/topics?key=vip"
expect "since= returns only newer entries" "1|key=vip" \
	"$(ctl GET "/__sandbox/requests?since=$SEQ" | jq -r '"\(length)|\(.[0].query)"')"
expect "control endpoints need no auth and are not logged" 404 \
	"$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/__sandbox/nope")"

check "access log has one line per request" grep -q 'GET /v2/topics?key=vip -> 200' "$MAIN_ERR"
check "access log never shows the key" bash -c "! grep -qF -- '$KEY' '$MAIN_ERR'"

# --- rate limiting ----------------------------------------------------------------------------

start_sb --key "$KEY" --quiet
BASE=$SB_URL
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}'
expect "default policy (CONTRACT 4.5)" \
	'201|300|329|300;w=5;burst=330;comment="token bucket";category="trigger";cost="single";serviceLevel="free"' \
	"$CODE|$(hdr RateLimit-Limit)|$(hdr RateLimit-Remaining)|$(hdr RateLimit-Policy)"
expect "a spent token refills within a second" 1 "$(hdr RateLimit-Reset)"
http POST /v1/events/trigger/bulk '{"events":[{"name":"welcome-onboarding","to":"user-001"}]}'
expect "bulk policy" '201|300;w=5;burst=330;comment="token bucket";category="trigger";cost="bulk";serviceLevel="free"' \
	"$CODE|$(hdr RateLimit-Policy)"
http GET /v2/subscribers
expect "lists: configuration bucket, full" '200|329|300;w=5;burst=330;comment="token bucket";category="configuration";cost="single";serviceLevel="free"' \
	"$CODE|$(hdr RateLimit-Remaining)|$(hdr RateLimit-Policy)"
http GET /v1/notifications
expect "notifications: global bucket" 'category="global"' "$(hdr RateLimit-Policy | grep -o 'category="global"')"
stop_sb "$SB_PID"

# A slow refill (300 tokens per 3000 s) makes the arithmetic exact.
start_sb --key "$KEY" --rate-window 3000 --quiet
BASE=$SB_URL
R=""
http POST /v1/events/trigger/bulk '{"events":[{"name":"welcome-onboarding","to":"user-001"}]}'
R="$R $CODE:$(hdr RateLimit-Remaining)"
http POST /v1/events/trigger/broadcast '{"name":"maintenance-notice","payload":{}}'
R="$R $CODE:$(hdr RateLimit-Remaining)"
http POST /v1/events/trigger/broadcast '{"name":"maintenance-notice","payload":{}}'
R="$R $CODE:$(hdr RateLimit-Remaining)"
http POST /v1/events/trigger/broadcast '{"name":"maintenance-notice","payload":{}}'
R="$R $CODE:$(hdr RateLimit-Remaining)"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}'
R="$R $CODE:$(hdr RateLimit-Remaining)"
expect "bulk and broadcast cost 100 each from a burst of 330" " 201:230 201:130 201:30 429:30 201:29" "$R"
http POST /v1/events/trigger/bulk '{"events":[{"name":"welcome-onboarding","to":"user-001"}]}'
# 29 tokens left, 100 needed, 0.1 token/s: about 710 s.
expect_re "Retry-After: seconds until 100 tokens are back" '^429\|7(0[5-9]|10)$' "$CODE|$(hdr Retry-After)"
stop_sb "$SB_PID"

start_sb --key "$KEY" --rate-limit 3 --rate-window 60 --quiet
RL_PID=$SB_PID BASE=$SB_URL
R=""
for i in 1 2 3; do
	http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}'
	R="$R $CODE:$(hdr RateLimit-Remaining)"
done
expect "three tokens, three triggers" " 201:2 201:1 201:0" "$R"
expect "policy with a small bucket" '3;w=60;burst=3;comment="token bucket";category="trigger";cost="single";serviceLevel="free"' \
	"$(hdr RateLimit-Policy)"
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}' -H 'Idempotency-Key: rl-1'
expect "fourth -> 429" 429 "$CODE"
expect "429 is an ErrorDto" "429|API rate limit exceeded" "$(j .statusCode)|$(j .message)"
expect_re "429 has Retry-After" '^[1-9][0-9]*$' "$(hdr Retry-After)"
expect "429 keeps the rate-limit headers" "3|0" "$(hdr RateLimit-Limit)|$(hdr RateLimit-Remaining)"
expect "429 is not an idempotent answer" "" "$(hdr Idempotency-Key)"
http DELETE /v1/events/trigger/x
expect "cancel shares the trigger bucket" 429 "$CODE"
http GET /v2/workflows
expect "reads have their own bucket" 200 "$CODE"
curl -s -m 10 -X POST "$BASE/__sandbox/reset" >/dev/null
http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}' -H 'Idempotency-Key: rl-1'
expect "reset refills the bucket; the 429 was not cached" "201|" "$CODE|$(hdr Idempotency-Replay)"
http POST /v1/events/trigger/bulk '{"events":[{"name":"welcome-onboarding","to":"user-001"}]}'
expect "bulk costs 100 tokens: never fits a bucket of 3" "429|bulk" \
	"$CODE|$(hdr RateLimit-Policy | sed -n 's/.*cost="\([a-z]*\)".*/\1/p')"
stop_sb "$RL_PID"

start_sb --key "$KEY" --rate-limit 10 --rate-window 60 --quiet
BASE=$SB_URL
N=0
for i in $(seq 1 12); do
	http GET /v2/topics
	[ "$CODE" = 200 ] && N=$((N + 1))
done
expect "burst is floor(limit * 1.1)" 11 "$N"
stop_sb "$SB_PID"

start_sb --key "$KEY" --rate-limit 0 --quiet
BASE=$SB_URL
http GET /v2/topics
expect "--rate-limit 0 turns limiting off (no headers)" "200|" "$CODE|$(hdr RateLimit-Limit)"
stop_sb "$SB_PID"

# --- pending window expiry ------------------------------------------------------------------

start_sb --key "$KEY" --pending-seconds 1 --quiet
BASE=$SB_URL
http POST /v1/events/trigger '{"name":"comment-digest","to":["user-001","user-002"],"transactionId":"tx-digest"}'
http GET "/v1/notifications?transactionId=tx-digest"
expect "digest pending at first" "2|digest:delayed in_app:pending email:pending" \
	"$(j '.data|length')|$(j '[.data[0].jobs[]|"\(.type):\(.status)"]|join(" ")')"
sleep 1.3
http GET "/v1/notifications?transactionId=tx-digest"
expect "after the pending window all jobs complete" "digest:completed in_app:completed email:completed" \
	"$(j '[.data[1].jobs[]|"\(.type):\(.status)"]|join(" ")')"
http DELETE /v1/events/trigger/tx-digest
expect "cancel after the window -> false" '{"data":false}' "$(cat "$OUT.b")"
stop_sb "$SB_PID"

# --- random faults and --seed ---------------------------------------------------------------

start_sb --key "$KEY" --fail-rate 1 --fail-status 502 --quiet
BASE=$SB_URL
http GET /v2/topics
expect "--fail-rate 1 fails everything with --fail-status" "502|502|" "$CODE|$(j .statusCode)|$(hdr Retry-After)"
stop_sb "$SB_PID"

start_sb --key "$KEY" --fail-rate 1 --quiet
BASE=$SB_URL
http GET /v2/topics
expect "default fail status 503 with Retry-After 1" "503|1" "$CODE|$(hdr Retry-After)"
stop_sb "$SB_PID"

start_sb --key "$KEY" --drop-rate 1 --quiet
BASE=$SB_URL
curl -s -m 10 -o /dev/null -H "$AUTH" "$BASE/v2/topics"
expect "--drop-rate 1 drops every request" 52 $?
stop_sb "$SB_PID"

seeded_run() {
	local s=""
	start_sb --key "$KEY" --fail-rate 0.5 --seed 42 --quiet
	BASE=$SB_URL
	for i in $(seq 1 16); do http GET /v2/topics; s="$s$CODE "; done
	for i in $(seq 1 40); do
		http POST /v1/events/trigger '{"name":"welcome-onboarding","to":"user-001"}'
		[ "$CODE" = 201 ] && break
	done
	s="$s$(j .data.transactionId)"
	stop_sb "$SB_PID"
	echo "$s exit:$STOP_RC"
}
RUN1=$(seeded_run)
RUN2=$(seeded_run)
expect "--seed repeats faults and generated ids" "$RUN1" "$RUN2"
expect_re "seeded sandboxes stop cleanly" ' exit:0$' "$RUN1"
check "--fail-rate 0.5 fails some and passes some" bash -c "echo '$RUN1' | grep -q 503 && echo '$RUN1' | grep -q 200"

# --- shutdown -----------------------------------------------------------------------------------

stop_sb "$MAIN_PID"
expect "SIGTERM stops cleanly with status 0" 0 "$STOP_RC"
check "shutdown is logged" grep -q 'SIGTERM, shutting down' "$MAIN_ERR"
start_sb --key "$KEY" --quiet --latency-ms 5000
BASE=$SB_URL
OUT="$TMP/late" http GET /v2/topics &
LATE=$!
sleep 0.3
T0=$(date +%s%N)
stop_sb "$SB_PID" INT
MS=$(( ($(date +%s%N) - T0) / 1000000 ))
expect "SIGINT stops cleanly even with a slow request in flight" 0 "$STOP_RC"
wait $LATE
check "shutdown does not wait out the latency ($MS ms)" [ "$MS" -lt 3000 ]
check "--quiet logs nothing" test ! -s "$SB_ERR"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
