#!/usr/bin/env bash
# The headless commands against the real sandbox over loopback: output
# formats, exit codes, validation (nothing sent), retries with one
# idempotency key, cancel, history, profiles and key handling.
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

KEY=sk_sandbox_local
start_sandbox --pending-seconds 30
export NOVU_API_URL="$SB_URL" NOVU_SECRET_KEY="$KEY"
T="$NC_TMP/t"
UUID='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

# --- trigger
run_nc "$T" trigger welcome-onboarding --to user-001 --to user-002 --payload '{"name":"Ada"}'
expect_rc "trigger exits 0" 0 "$T"
check "trigger prints the transactionId first" bash -c "head -1 '$T.out' | grep -qE '$UUID'"
expect_grep "trigger prints the status" '^status: processed$' "$T.out"
TX1=$(head -1 "$T.out")

run_nc "$T" trigger welcome-onboarding --to user-001 --transaction-id my-tx-42 --json
expect_rc "trigger --json exits 0" 0 "$T"
check "--json prints the unwrapped response" python3 -c "
import json; d=json.load(open('$T.out')); assert d['transactionId']=='my-tx-42' and d['status']=='processed', d"

# --- dry run sends nothing and never shows the key
before=$(sb_count)
run_nc "$T" trigger welcome-onboarding --to user-001 --topic ops-team --exclude user-009 --payload '{"a":1}' --dry-run
expect_rc "dry-run exits 0" 0 "$T"
expect_grep "dry-run shows method and URL" "^POST $SB_URL/v1/events/trigger" "$T.out"
expect_grep "dry-run shows the masked key" '^Authorization: ApiKey ' "$T.out"
expect_grep "dry-run shows the idempotency key" '^Idempotency-Key: ' "$T.out"
expect_grep "dry-run shows the topic with exclude" '"type":"Topic","topicKey":"ops-team","exclude":\["user-009"\]' "$T.out"
expect_no_grep "dry-run does not print the key" "$KEY" "$T.out" "$T.err"
check "dry-run sends nothing" test "$(sb_count)" = "$before"

# --- client-side validation: exit 2, the field named, nothing sent
run_nc "$T" trigger welcome
expect_rc "trigger without recipients exits 2" 2 "$T"
expect_grep "names the 'to' field" '\bto\b' "$T.err"
run_nc "$T" trigger welcome-onboarding --to user-001 --payload '{"a": 1,
 "b" 2}'
expect_rc "bad payload JSON exits 2" 2 "$T"
expect_grep "payload error has line and column" 'payload.*line 2, column' "$T.err"
run_nc "$T" trigger welcome-onboarding --to user-001 --payload '[1,2]'
expect_rc "payload must be an object" 2 "$T"
args=(); for i in $(seq 1 101); do args+=(--to "u$i"); done
run_nc "$T" trigger welcome-onboarding "${args[@]}"
expect_rc "101 recipients exit 2" 2 "$T"
expect_grep "says the limit is 100" '100' "$T.err"
run_nc "$T" trigger welcome-onboarding --to user-001 --idempotency-key "$(head -c 300 /dev/zero | tr '\0' k)"
expect_rc "idempotency key over 255 chars exits 2" 2 "$T"
run_nc "$T" trigger welcome-onboarding --to user-001 --context '{"bad key":"x"}'
expect_rc "context type pattern is checked" 2 "$T"
check "nothing was sent by invalid commands" test "$(sb_count)" = "$before"
run_nc "$T" trigger welcome-onboarding --to user-001 --key sk_live_secret
expect_rc "--key on the command line is refused" 2 "$T"
expect_grep "explains why" 'never taken on the command line' "$T.err"
run_nc "$T" trigger
expect_rc "trigger without a workflow exits 2" 2 "$T"
expect_grep "says what is missing and where to find it" 'give the WORKFLOW' "$T.err"
run_nc "$T" trigger welcome-onboarding --to user-001 --frobnicate
expect_rc "unknown option exits 2" 2 "$T"

# --- the API refuses: exit 3
run_nc "$T" trigger no-such-workflow --to user-001
expect_rc "unknown workflow exits 3" 3 "$T"
expect_grep "shows workflow_not_found" 'workflow_not_found' "$T.err"
run_nc "$T" trigger legacy-digest --to user-001
expect_rc "inactive workflow exits 3" 3 "$T"
expect_grep "shows the non-processed status" 'trigger_not_active' "$T.err"
run_nc "$T" trigger order-shipped --to user-001 --payload '{"order":{"carrier":"UPS"}}'
expect_rc "payload schema failure exits 3" 3 "$T"
expect_grep "shows the schema error's field" 'order' "$T.err"

# --- broadcast
run_nc "$T" broadcast maintenance-notice --payload '{"message":"hi"}'
expect_rc "broadcast without --yes refuses" 2 "$T"
run_nc "$T" broadcast maintenance-notice --payload '{"message":"hi"}' --yes
expect_rc "broadcast --yes exits 0" 0 "$T"
check "broadcast prints the transactionId first" bash -c "head -1 '$T.out' | grep -qE '$UUID'"

# --- retries reuse one idempotency key and the same bytes
sb_reset
sb_faults '{"failNext":2,"status":503,"retryAfter":1}'
run_nc "$T" trigger welcome-onboarding --to user-001
expect_rc "trigger succeeds after two 503s" 0 "$T"
check "three attempts, one key, same body" python3 -c "
import json,urllib.request
r=[x for x in json.load(urllib.request.urlopen('$SB_URL/__sandbox/requests')) if x['path']=='/v1/events/trigger']
assert len(r)==3, len(r)
assert len({x['idempotencyKey'] for x in r})==1 and r[0]['idempotencyKey'], r
assert len({json.dumps(x.get('body', x.get('bodySha'))) for x in r})==1, r"
sb_reset
sb_faults '{"failNext":1,"status":429,"retryAfter":1}'
run_nc "$T" trigger welcome-onboarding --to user-001
expect_rc "trigger succeeds after a 429" 0 "$T"
sb_reset
sb_faults '{"failNext":1,"status":422}'
run_nc "$T" trigger welcome-onboarding --to user-001
expect_rc "a 422 is not retried" 3 "$T"
check "exactly one request for the 422" test "$(sb_count)" = 1

# --- cancel
run_nc "$T" trigger comment-digest --to user-003
TXD=$(head -1 "$T.out")
run_nc "$T" cancel "$TXD"
expect_rc "cancel exits 0" 0 "$T"
expect_grep "cancel says cancelled" "^cancelled $TXD" "$T.out"
run_nc "$T" cancel "$TXD"
expect_rc "second cancel exits 0" 0 "$T"
expect_grep "second cancel says nothing pending" "nothing pending" "$T.out"
run_nc "$T" cancel 'odd"id\' --json
check "cancel --json is valid JSON even for odd IDs" python3 -c "
import json; d=json.load(open('$T.out')); assert d=={'transactionId':'odd\"id\\\\','cancelled':False}, d"
run_nc "$T" status "$TXD"
expect_rc "status exits 0" 0 "$T"
expect_grep "status shows the canceled job" 'cancel' "$T.out"

# --- bulk
printf '%s\n' '{"name":"welcome-onboarding","to":"user-001","payload":{"n":1}}' \
  '{"name":"no-such-workflow","to":["user-002"]}' \
  '{"name":"welcome-onboarding","to":{"subscriberId":"user-003","email":"c@example.com"}}' > "$NC_TMP/three.jsonl"
run_nc "$T" bulk "$NC_TMP/three.jsonl"
expect_rc "bulk with a failed slot exits 3" 3 "$T"
check "bulk prints one line per event" test "$(wc -l < "$T.out")" = 3
expect_grep "bulk line: index, status, transactionId" "^0	processed	[0-9a-f-]{36}$" "$T.out"
expect_grep "bulk line for the failed slot" "^1	error	" "$T.out"
python3 -c "
import json
print(json.dumps({'events':[{'name':'welcome-onboarding','to':'user-%03d'%(i%200+1),'payload':{'i':i}} for i in range(250)]}))" > "$NC_TMP/250.json"
sb_reset
run_nc "$T" bulk "$NC_TMP/250.json"
expect_rc "250 events exit 0" 0 "$T"
check "250 result lines" test "$(wc -l < "$T.out")" = 250
check "sent as 3 bulk requests" test "$(sb_requests | python3 -c 'import json,sys; print(sum(1 for x in json.load(sys.stdin) if x["path"]=="/v1/events/trigger/bulk"))')" = 3
# --parallel: bulk requests in flight at once, 1 to 16
before=$(sb_count)
for bad in 0 17 -1 x ''; do
  run_nc "$T" bulk "$NC_TMP/250.json" --parallel "$bad"
  expect_rc "--parallel '$bad' is a usage error" 2 "$T"
  expect_grep "names --parallel and its range ('$bad')" '^novu-console: --parallel .*from 1 to 16' "$T.err"
done
check "a bad --parallel sends nothing" test "$(sb_count)" = "$before"
run_nc "$T" trigger welcome-onboarding --to user-001 --parallel 2
expect_rc "--parallel belongs to bulk only" 2 "$T"
sb_reset
run_nc "$T" bulk "$NC_TMP/250.json" --parallel 3
expect_rc "--parallel 3 exits 0" 0 "$T"
check "--parallel 3: one line per event, each index once" test \
  "$(cut -f1 "$T.out" | sort -n | uniq | wc -l)" = 250
check "--parallel 3: still 3 bulk requests" test "$(sb_requests | python3 -c 'import json,sys; print(sum(1 for x in json.load(sys.stdin) if x["path"]=="/v1/events/trigger/bulk"))')" = 3
run_nc "$T" bulk "$NC_TMP/250.json" --json
expect_rc "over 100 events, --json is refused before sending" 2 "$T"
run_nc "$T" bulk "$NC_TMP/250.json" --dry-run
expect_grep "bulk dry-run shows the plan" '250 events in 3 requests' "$T.out"
python3 -c "
import json
print(json.dumps({'events':[{'name':'welcome-onboarding','to':'u'} for i in range(3)]+[{'name':'','to':'u'}]}))" > "$NC_TMP/bad.json"
run_nc "$T" bulk "$NC_TMP/bad.json"
expect_rc "bulk validation exits 2" 2 "$T"
expect_grep "names the event index" 'events\[3\]' "$T.err"
# the console's CSV import and bulk read files with one reader; values go out as typed
printf 'workflow,to,order.id:json\nwelcome-onboarding,user-001,12345678901234567\n' > "$NC_TMP/events.csv"
run_nc "$T" bulk "$NC_TMP/events.csv" --dry-run
expect_rc "bulk reads a CSV file" 0 "$T"
expect_grep "CSV numbers go out as typed, with a payload" '"payload":\{"order":\{"id":12345678901234567\}\}' "$T.out"
run_nc "$T" trigger welcome-onboarding --to user-001 --actor '{"subscriberId":"bot","firstName":"B"}' --dry-run
expect_grep "--actor JSON goes out as an object" '"actor":\{"subscriberId":"bot","firstName":"B"\}' "$T.out"
run_nc "$T" trigger welcome-onboarding --to $'user-\xff' --dry-run
expect_rc "a --to that is not UTF-8 exits 2" 2 "$T"

# --- history
run_nc "$T" history --limit 5
expect_rc "history exits 0" 0 "$T"
check "history --limit 5 prints 5 rows" test "$(wc -l < "$T.out")" = 5
run_nc "$T" history --search "$TX1"
expect_grep "history finds the first trigger by transactionId" "$TX1" "$T.out"
run_nc "$T" history --search "$TXD"
expect_grep "history shows the cancel outcome" "cancel: cancelled" "$T.out"
run_nc "$T" history --json --search comment-digest
check "history --json is a JSON array filtered by --search" python3 -c "
import json; d=json.load(open('$T.out')); assert d and all('digest' in (x['workflow'] or '') or x['kind']=='cancel' for x in d), d"
expect_no_grep "the key is never in history" "$KEY" "$NOVU_CONSOLE_STATE_DIR"/history.db*

# --- lists
run_nc "$T" workflows
expect_rc "workflows exits 0" 0 "$T"
expect_grep "workflows lists welcome" '^welcome-onboarding ' "$T.out"
run_nc "$T" subscribers --limit 5 --json
check "subscribers --json gives 5" python3 -c "import json; assert len(json.load(open('$T.out')))==5"
# --limit above the API's page of 100 walks the pages (the sandbox has 250).
sb_reset
run_nc "$T" subscribers --limit 500 --json
expect_rc "subscribers --limit 500 exits 0" 0 "$T"
check "subscribers --limit 500 gives all 250, each once" python3 -c "
import json; ids=[x['subscriberId'] for x in json.load(open('$T.out'))]
assert len(ids)==250 and len(set(ids))==250, len(ids)"
sb_requests >"$T.req"
check "... in three pages of at most 100, following the cursor" python3 -c "
import json; q=[r['query'] for r in json.load(open('$T.req')) if r['path']=='/v2/subscribers']
assert len(q)==3 and q[0]=='limit=100' and all(x.startswith('limit=100&after=') for x in q[1:]), q"
run_nc "$T" subscribers --limit 150
check "subscribers --limit 150 prints 150" test "$(wc -l <"$T.out")" -ge 150
expect_grep "subscribers --limit 150 says more remain" '^150 of 250 subscribers .more' "$T.err"
sb_reset
run_nc "$T" workflows --limit 500 --json
run_nc "$T" topics --limit 500 --json
expect_rc "topics --limit 500 exits 0" 0 "$T"
sb_requests >"$T.req"
check "workflows and topics --limit 500 ask for pages of 100 (not 50)" python3 -c "
import json; r=json.load(open('$T.req'))
assert [(x['path'], x['query']) for x in r] == [('/v2/workflows', 'limit=100&offset=0'), ('/v2/topics', 'limit=100')], r"

# --- profiles: read-only, retries, key sources
cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/ro.ini" <<INI
# a read-only profile
[api]
url = $SB_URL
[safety]
read_only = true
INI
run_nc "$T" --profile ro trigger welcome-onboarding --to user-001
expect_rc "read-only profile refuses to send" 2 "$T"
expect_grep "says read-only" 'read-only' "$T.err"
run_nc "$T" trigger comment-digest --to user-004
TXR=$(head -1 "$T.out")
run_nc "$T" --profile ro cancel "$TXR"
expect_rc "read-only profile may cancel" 0 "$T"
run_nc "$T" --profile nope trigger welcome-onboarding --to u
expect_rc "unknown profile exits 2" 2 "$T"
expect_grep "lists available profiles" 'ro' "$T.err"

echo "sk_file_secret_123456" > "$NC_TMP/key"; chmod 644 "$NC_TMP/key"
cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/filekey.ini" <<INI
[api]
url = $SB_URL
[secret]
file = $NC_TMP/key
INI
(unset NOVU_SECRET_KEY; run_nc "$T" --profile filekey trigger welcome-onboarding --to u; echo $RC > "$T.rc")
RC=$(cat "$T.rc"); expect_rc "world-readable key file refused" 2 "$T"
expect_grep "says chmod 600" 'chmod 600' "$T.err"
expect_no_grep "refusal does not print the key" "sk_file_secret_123456" "$T.out" "$T.err"

cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/down.ini" <<INI
[api]
url = http://127.0.0.1:9
[http]
retry_attempts = 2
retry_max_time = 3
connect_timeout = 2
INI
(unset NOVU_API_URL; run_nc "$T" --profile down trigger welcome-onboarding --to u; echo $RC > "$T.rc")
RC=$(cat "$T.rc"); expect_rc "unreachable server exits 4" 4 "$T"
run_nc "$T" --api-url http://example.com trigger welcome-onboarding --to u
expect_rc "plain http to a non-loopback host is refused" 2 "$T"

# --- no key at all: the console starts its own sandbox
(unset NOVU_SECRET_KEY NOVU_API_URL; export NOVU_SANDBOX_BIN="$NC_SANDBOX"
 run_nc "$T" trigger welcome-onboarding --to user-001; echo $RC > "$T.rc")
RC=$(cat "$T.rc"); expect_rc "with no key, trigger runs against the embedded sandbox" 0 "$T"
expect_grep "and says on stderr that nothing reaches Novu" 'local sandbox.*nothing reaches Novu' "$T.err"
cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/nokey.ini" <<INI
[api]
url = https://novu.example.com
INI
(unset NOVU_SECRET_KEY NOVU_API_URL; export NOVU_SANDBOX_BIN="$NC_SANDBOX"
 run_nc "$T" --profile nokey trigger welcome-onboarding --to user-001; echo $RC > "$T.rc")
RC=$(cat "$T.rc"); expect_rc "a profile without a key is an error, not a quiet sandbox send" 2 "$T"
expect_grep "names the missing [secret]" 'gives no key' "$T.err"

expect_no_grep "the key never appears in any output" "$KEY" "$NC_TMP"/t.out "$NC_TMP"/t.err
finish
