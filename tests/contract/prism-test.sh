#!/usr/bin/env bash
# prism-test.sh - every kind of request novu-console builds, sent by the real
# binary to Stoplight Prism mocking Novu's OpenAPI spec; no request may draw
# a spec violation.
#
#   novu-console --> recording-proxy.js --> prism mock openapi.json
#
# The console does not print response headers, so the proxy records each
# request and the `sl-violations` header Prism answers with; prism-check.js
# then judges the log (see its header for the checks beyond Prism's own).
#
# Why Prism runs WITHOUT --errors: in mock mode --errors adds no detection.
# It only swaps the answer to a request with an Error-severity violation for
# an error response, and it lets Warning-severity violations through
# silently. Prism reports every violation, Error or Warning, in the
# sl-violations header whether or not --errors is given, and this test fails
# on any entry of that header. So the header check is the stricter one, and
# without --errors the console keeps getting the spec's example answers, so
# multi-request commands (a bulk run in several chunks) go on to send their
# later requests, which are checked too.
#
# Exit codes of the console are not asserted: Prism answers with the spec's
# examples (e.g. a trigger "status": "error"), which the console rightly
# reports as failures. What is asserted is what arrived at Prism.
#
# Needs Novu's OpenAPI document, which this repository does not ship: the
# file NOVU_OPENAPI names. Without it the test says so and is skipped.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_env
require_openapi contract/prism

TEST_KEY=sk_test_contract_0a1b2c3d4e5f60718293a4b5c6d7e8f9
export TEST_KEY
PRISM_PID=""
PROXY_PID=""

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$PROXY_PID"
	stop_pid "$PRISM_PID"
	remove_workdir
}
trap cleanup EXIT
trap 'exit 130' INT TERM
make_workdir
mkdir -p "$WORK/out"

# Prism takes a few seconds to load the spec (45 s at most). The port is
# free when picked but could be taken before Prism binds it: if Prism exits,
# try another port, at most 3 times.
start_prism() {
	local i
	for _ in 1 2 3; do
		PRISM_PORT=$(free_port)
		"$NODE_BIN_DIR/prism" mock --host 127.0.0.1 --port "$PRISM_PORT" "$SPEC" \
			>"$WORK/prism.log" 2>&1 &
		PRISM_PID=$!
		for ((i = 0; i < 450; i++)); do
			grep -q 'Prism is listening' "$WORK/prism.log" && return 0
			kill -0 "$PRISM_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$PRISM_PID" 2>/dev/null; then
			stop_pid "$PRISM_PID"
			PRISM_PID=""
			return 1 # alive but not listening in time: no point in retrying
		fi
		PRISM_PID=""
	done
	return 1
}

if ! start_prism; then
	sed 's/^/    | /' "$WORK/prism.log" | tail -30
	abort "Prism did not start on 127.0.0.1"
fi
node "$CONTRACT_DIR/recording-proxy.js" "$PRISM_PORT" "$WORK/proxy.jsonl" "$WORK/proxy.port" \
	>"$WORK/proxy.out" 2>&1 &
PROXY_PID=$!
wait_for_file "$WORK/proxy.port" 30 || abort "the recording proxy did not start"
PROXY_PORT=$(cat "$WORK/proxy.port")
API_URL="http://127.0.0.1:$PROXY_PORT"
wait_for_http "$API_URL/v2/topics" 30 || abort "Prism does not answer through the proxy"
# The probe above is not part of any step: clear the log.
: >"$WORK/proxy.jsonl"
echo "Prism on 127.0.0.1:$PRISM_PORT, recording proxy on 127.0.0.1:$PROXY_PORT"

# step NAME METHOD PATH EXPECT_JSON -- CONSOLE_ARGS...
# EXPECT_JSON adds expectations for prism-check.js: query, body, count,
# bulkEvents, idempotencyKey.
step() {
	local name=$1 method=$2 path=$3 expect=$4 rc
	shift 5
	curl -s -o /dev/null --max-time 5 -X POST "$API_URL/__step/$name" ||
		fail "$name: could not label the step at the proxy"
	console --api-url "$API_URL" "$@" >"$WORK/out/$name.txt" 2>&1
	rc=$?
	node -e '
		const [name, method, path, expect, exit, output] = process.argv.slice(1);
		console.log(JSON.stringify({ name, method, path, ...JSON.parse(expect),
			exit: Number(exit), output }));' \
		"$name" "$method" "$path" "$expect" "$rc" "$WORK/out/$name.txt" \
		>>"$WORK/steps.jsonl" || fail "$name: bad expectation JSON"
}

T=/v1/events/trigger

# ---- self-check: the checks catch a bad request ----
# Sent with curl, not the console: a wrong auth scheme, an enum violation
# (Prism's job), an undeclared body key and query parameter (this test's).
curl -s -o /dev/null --max-time 5 -X POST "$API_URL/__step/self-check"
curl -s -o "$WORK/out/self-check.txt" --max-time 10 -X POST "$API_URL$T?dryRun=1" \
	-H "Authorization: Bearer $TEST_KEY" -H 'Content-Type: application/json' \
	-H 'Accept: application/json' -H 'Idempotency-Key: self-check' \
	-d '{"name":"w","to":["u"],"overrides":{"severity":"urgent"},"controls":{}}'
echo '{"name":"self-check","method":"POST","path":"/v1/events/trigger","exit":0,
	"output":"'"$WORK/out/self-check.txt"'","expectProblems":["Prism flagged",
	"overrides.severity","Authorization is","body key \"controls\" is not declared",
	"query parameter \"dryRun\" is not declared"]}' | tr -d '\n\t' >>"$WORK/steps.jsonl"
echo >>"$WORK/steps.jsonl"
PAYLOAD='{"order":{"id":"A-1001","carrier":"UPS"},"trackingUrl":"https://example.com/track/A-1001"}'
OVERRIDES='{"severity":"high","steps":{"email-step":{"providers":{"sendgrid":{"templateId":"t-1"}},"layoutId":null}},"channels":{"email":{"layoutId":"promo"}},"providers":{"sendgrid":{"ipPoolName":"p"}}}'
CONTEXT='{"tenant":"org-acme","app":{"id":"console","data":{"region":"eu"}}}'
JANE='{"subscriberId":"user-456","email":"jane@example.com","firstName":"Jane","lastName":"Doe","phone":"+15550100","locale":"en-US","timezone":"Europe/Berlin","avatar":"https://example.com/a.png","data":{"plan":"pro"}}'

# ---- trigger ----
step trigger-one-id POST $T '{"body":{"name":"order-shipped"}}' -- \
	trigger order-shipped --to user-123
step trigger-ids POST $T '{"body":{"name":"order-shipped","to":["user-1","user-2","user-3"]}}' -- \
	trigger order-shipped --to user-1 --to user-2 --to user-3
step trigger-subscriber-object POST $T "{\"body\":{\"to\":[$JANE]}}" -- \
	trigger order-shipped --to "$JANE"
step trigger-topic-exclude POST $T \
	'{"body":{"to":[{"type":"Topic","topicKey":"ops-team","exclude":["user-1","user-2"]}]}}' -- \
	trigger order-shipped --topic ops-team --exclude user-1 --exclude user-2
step trigger-two-topics POST $T \
	'{"body":{"to":[{"type":"Topic","topicKey":"a"},{"type":"Topic","topicKey":"b","exclude":["x"]}]}}' -- \
	trigger order-shipped --topic a --topic b --exclude x
step trigger-everything POST $T "{\"idempotencyKey\":\"contract-idem-1\",\"body\":{
	\"name\":\"order-shipped\",
	\"to\":[\"user-123\",$JANE,{\"type\":\"Topic\",\"topicKey\":\"ops-team\",\"exclude\":[\"user-123\"]}],
	\"payload\":$PAYLOAD,\"overrides\":$OVERRIDES,\"transactionId\":\"tx-contract-0001\",
	\"actor\":\"admin-bot\",\"tenant\":\"org-acme\",\"context\":$CONTEXT}}" -- \
	trigger order-shipped --to user-123 --to "$JANE" --topic ops-team --exclude user-123 \
	--payload "$PAYLOAD" --overrides "$OVERRIDES" --actor admin-bot --tenant org-acme \
	--context "$CONTEXT" --transaction-id tx-contract-0001 --idempotency-key contract-idem-1
# The same without a subscriber object, so every other option is checked
# even while --to '{...}' is broken.
step trigger-all-options POST $T "{\"idempotencyKey\":\"contract-idem-4\",\"body\":{
	\"name\":\"order-shipped\",
	\"to\":[\"user-123\",{\"type\":\"Topic\",\"topicKey\":\"ops-team\",\"exclude\":[\"user-123\"]}],
	\"payload\":$PAYLOAD,\"overrides\":$OVERRIDES,\"transactionId\":\"tx-contract-0004\",
	\"actor\":\"admin-bot\",\"tenant\":\"org-acme\",\"context\":$CONTEXT}}" -- \
	trigger order-shipped --to user-123 --topic ops-team --exclude user-123 \
	--payload "$PAYLOAD" --overrides "$OVERRIDES" --actor admin-bot --tenant org-acme \
	--context "$CONTEXT" --transaction-id tx-contract-0004 --idempotency-key contract-idem-4
printf '%s\n' "$PAYLOAD" >"$WORK/payload.json"
step trigger-payload-file POST $T "{\"body\":{\"payload\":$PAYLOAD,\"transactionId\":\"tx-contract-0002\"}}" -- \
	trigger order-shipped --to user-1 --payload "@$WORK/payload.json" --transaction-id tx-contract-0002
step trigger-context-string POST $T '{"body":{"context":{"region":"eu-west"}}}' -- \
	trigger order-shipped --to user-1 --context '{"region":"eu-west"}'

# ---- broadcast ----
B=/v1/events/trigger/broadcast
step broadcast-minimal POST $B '{"body":{"name":"maintenance-notice","payload":{}}}' -- \
	broadcast maintenance-notice --yes
step broadcast-everything POST $B "{\"idempotencyKey\":\"contract-idem-2\",\"body\":{
	\"name\":\"maintenance-notice\",\"payload\":$PAYLOAD,\"overrides\":$OVERRIDES,
	\"transactionId\":\"tx-contract-0003\",\"actor\":\"admin-bot\",\"tenant\":\"org-acme\",
	\"context\":$CONTEXT}}" -- \
	broadcast maintenance-notice --yes --payload "$PAYLOAD" --overrides "$OVERRIDES" \
	--actor admin-bot --tenant org-acme --context "$CONTEXT" \
	--transaction-id tx-contract-0003 --idempotency-key contract-idem-2

# ---- bulk ----
cat >"$WORK/bulk.json" <<EOF
{"events":[
 {"name":"order-shipped","to":"user-123","payload":{"order":{"id":"A-1001"}},"transactionId":"tx-bulk-1"},
 {"name":"order-shipped","to":$JANE,"transactionId":"tx-bulk-2"},
 {"name":"order-shipped","to":[{"type":"Topic","topicKey":"ops-team","exclude":["user-1"]},"user-9"]},
 {"name":"welcome","to":["user-1","user-2"],"payload":$PAYLOAD,"overrides":$OVERRIDES,
  "actor":"admin-bot","tenant":"org-acme","context":$CONTEXT,"transactionId":"tx-bulk-4"}
]}
EOF
step bulk-events-object POST $T/bulk "{\"idempotencyKey\":\"contract-idem-3\",\"body\":{\"events\":[
	{\"name\":\"order-shipped\",\"payload\":{\"order\":{\"id\":\"A-1001\"}},\"transactionId\":\"tx-bulk-1\"},
	{\"name\":\"order-shipped\",\"transactionId\":\"tx-bulk-2\"},
	{\"name\":\"order-shipped\"},
	{\"name\":\"welcome\",\"to\":[\"user-1\",\"user-2\"],\"payload\":$PAYLOAD,\"overrides\":$OVERRIDES,
	 \"actor\":\"admin-bot\",\"tenant\":\"org-acme\",\"context\":$CONTEXT,\"transactionId\":\"tx-bulk-4\"}]}}" -- \
	bulk "$WORK/bulk.json" --idempotency-key contract-idem-3
printf '%s\n' '{"name":"a","to":"user-1"}' '' '{"name":"b","to":["user-2"],"payload":{"k":1}}' \
	>"$WORK/bulk.jsonl"
step bulk-json-lines POST $T/bulk '{"body":{"events":[{"name":"a"},{"name":"b","payload":{"k":1}}]}}' -- \
	bulk "$WORK/bulk.jsonl"
# More than 100 events: a resumable run, split into requests of at most 100.
for i in $(seq 1 150); do
	printf '{"name":"order-shipped","to":"user-%d","payload":{"n":%d}}\n' "$i" "$i"
done >"$WORK/bulk150.jsonl"
step bulk-150-chunked POST $T/bulk '{"count":2,"bulkEvents":150}' -- \
	bulk "$WORK/bulk150.jsonl"

# ---- cancel ----
step cancel DELETE $T/tx-contract-0001 '{}' -- cancel tx-contract-0001
# Any string is a transactionId; it must reach the server URL-encoded.
step cancel-needs-escaping DELETE "$T/tx%201%2F2%3F" '{}' -- cancel 'tx 1/2?'

# ---- reads ----
step workflows GET /v2/workflows '{"query":{"limit":"50","offset":"0"}}' -- workflows
step workflows-search GET /v2/workflows '{"query":{"limit":"10","offset":"0","query":"order ship"}}' -- \
	workflows --search 'order ship' --limit 10
step subscribers GET /v2/subscribers '{"query":{"limit":"50"}}' -- subscribers
step subscribers-search-id GET /v2/subscribers '{"query":{"limit":"5","subscriberId":"user-1"}}' -- \
	subscribers --search user-1 --limit 5
step subscribers-search-email GET /v2/subscribers \
	'{"query":{"limit":"50","email":"jane@example.com"}}' -- subscribers --search jane@example.com
step topics GET /v2/topics '{"query":{"limit":"50"}}' -- topics
step topics-search GET /v2/topics '{"query":{"limit":"100","key":"ops-team"}}' -- \
	topics --search ops-team --limit 100
# Prism's example answer always says hasMore: true, so the console walks
# pages 0..19 and stops at its bound of 20 (1,000 notifications).
step status GET /v1/notifications \
	'{"count":20,"query":{"transactionId":"tx-contract-0001","page":"$index","limit":"50"}}' -- \
	status tx-contract-0001

# ---- preview ----
# The subscriber, the workflow's steps, then one preview per step of the
# workflow Prism's mock answer describes (at least one POST).
W=/v2/workflows/order-shipped
step preview-steps POST "$W/step/{stepId}/preview" "{\"sequence\":[
	{\"method\":\"GET\",\"path\":\"/v2/subscribers/user-1\"},
	{\"method\":\"GET\",\"path\":\"$W\"},
	{\"method\":\"POST\",\"pathPattern\":\"^$W/step/[^/]+/preview\$\"}],
	\"body\":{\"previewPayload\":{\"payload\":$PAYLOAD}}}" -- \
	preview order-shipped --to user-1 --payload "$PAYLOAD"

# ---- judge ----
node "$CONTRACT_DIR/prism-check.js" "$SPEC" "$WORK/proxy.jsonl" "$WORK/steps.jsonl" \
	>"$WORK/check.txt" 2>&1
check_rc=$?
cat "$WORK/check.txt"
n_pass=$(grep -c '^PASS:' "$WORK/check.txt")
n_fail=$(grep -c '^FAIL:' "$WORK/check.txt")
passed=$((passed + n_pass))
failed=$((failed + n_fail))
if [ "$check_rc" -ne 0 ]; then
	fail "prism-check.js failed (exit $check_rc)"
fi
nsteps=$(wc -l <"$WORK/steps.jsonl")
[ "$((n_pass + n_fail))" -ge "$nsteps" ] || fail "only $((n_pass + n_fail)) of $nsteps steps judged"
finish
