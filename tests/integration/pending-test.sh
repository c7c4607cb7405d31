#!/usr/bin/env bash
# `novu-console pending`: find the transactions that still have a delay or
# digest waiting, triggered by someone else's backend (the sandbox seeds
# some at start), with each filter, past one page, and cancel them: one,
# several, one that was sent in between, from a read-only profile, and an
# API that fails partway through the page walk.
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

start_sandbox --pending-seconds 120
export NOVU_API_URL="$SB_URL" NOVU_SECRET_KEY=sk_sandbox_local
T="$NC_TMP/t"
TXID='[0-9a-f]{8}-[0-9a-f-]{27}'
rows() { grep -cE "$TXID" "$1" || true; }

# --- what the backend left waiting (seeded): 4 pending, 1 delivered
run_nc "$T" pending
expect_rc "pending exits 0" 0 "$T"
check "lists the 4 seeded pending transactions" test "$(rows "$T.out")" = 4
expect_grep "a digest says until when (approximate) and its events" \
  'comment-digest +[0-9a-f-]{36} user-001 +digest until ~[0-9-]+ [0-9:]+Z \(3 events\)' "$T.out"
expect_grep "a timed digest shows its schedule" 'digest, timed: at 09:00 on monday \(5 events\)' "$T.out"
expect_grep "a delay says until when" 'payment-reminder .*user-003 +delay until ~' "$T.out"
check "newest first" python3 -c "
import re; t=[l.split()[0] for l in open('$T.out')]; assert t == sorted(t, reverse=True), t"

# --max-wait, as every command takes it: a bound on each call, checked
run_nc "$T" pending --max-wait 30
expect_rc "pending --max-wait 30 exits 0" 0 "$T"
check "and lists the same 4" test "$(rows "$T.out")" = 4
run_nc "$T" pending --max-wait 0
expect_rc "pending --max-wait 0 exits 2" 2 "$T"
expect_grep "says what --max-wait takes" 'a number above 0' "$T.err"

run_nc "$T" pending --json
check "--json has the fields" python3 -c "
import json; d=json.load(open('$T.out')); assert len(d)==4, d
x=[r for r in d if r['waiting']=='digest' and r.get('events')==3][0]
assert x['subscribers']=='user-001' and x['untilApproximate'] and x['until'].endswith('Z'), x
assert [r for r in d if r.get('schedule')=='at 09:00 on monday']"

# --- each filter, and what the API was asked
sb_reset
run_nc "$T" pending --subscriber user-001
check "--subscriber user-001: its 2 pending digests" test "$(rows "$T.out")" = 2
run_nc "$T" pending --subscriber user-001 --subscriber user-003
check "--subscriber twice: 3" test "$(rows "$T.out")" = 3
run_nc "$T" pending --workflow payment-reminder
check "--workflow payment-reminder: the delay" test "$(rows "$T.out")" = 1
expect_grep "--workflow: the delay's row" 'payment-reminder' "$T.out"
run_nc "$T" pending --topic vip
check "--topic vip: 1" test "$(rows "$T.out")" = 1
expect_grep "--topic vip: user-002's digest" 'user-002' "$T.out"
run_nc "$T" pending --since 30m
check "--since 30m: the 2 newest" test "$(rows "$T.out")" = 2
run_nc "$T" pending --until 1h
check "--until 1h: the 2 older" test "$(rows "$T.out")" = 2
run_nc "$T" pending --since "$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)" --until 1h
check "--since ISO --until 1h: the delay only" test "$(rows "$T.out")" = 1
sb_requests >"$T.req"
check "filters go to the API as Novu names them" python3 -c "
import json; r=json.load(open('$T.req'))
q=[x['query'] for x in r if x['path']=='/v1/notifications']
assert any('subscriberIds=user-001&subscriberIds=user-003' in s for s in q), q
assert any('templates=' in s for s in q), q
assert any('topicKey=vip' in s for s in q), q
assert any('after=' in s and 'before=' in s for s in q), q
assert all('limit=50' in s for s in q), q
assert any(x['path']=='/v2/workflows' for x in r), 'workflow not resolved'"

run_nc "$T" pending --since yesterday
expect_rc "--since yesterday is a usage error" 2 "$T"
expect_grep "says what --since takes" '30m, 2h, 7d or an ISO 8601' "$T.err"
run_nc "$T" pending --workflow no-such-workflow
expect_rc "an unknown workflow exits 2" 2 "$T"
expect_grep "names it" 'no-such-workflow' "$T.err"

# --- more than one page: 60 digests for one subscriber from a bulk run
python3 -c "
import json
for i in range(60): print(json.dumps({'name':'comment-digest','to':'user-050','payload':{'i':i}}))" >"$NC_TMP/bulk.jsonl"
run_nc "$T" bulk "$NC_TMP/bulk.jsonl"
expect_rc "bulk of 60 digests" 0 "$T"
run_nc "$T" pending --subscriber user-050
check "all 60 listed (past page 0)" test "$(rows "$T.out")" = 60
check "page 1 was read" bash -c "curl -s '$SB_URL/__sandbox/requests' | grep -q 'page=1'"
run_nc "$T" pending --subscriber user-050 --limit 10
check "--limit 10: 10 rows" test "$(rows "$T.out")" = 10
expect_grep "--limit says it stopped early" 'stopped after 1 page .*feed has more' "$T.err"

# --- cancel one, then several; each recorded in History
run_nc "$T" pending --workflow payment-reminder --cancel --yes
expect_rc "cancel one exits 0" 0 "$T"
expect_grep "one line: cancelled" "^$TXID +cancelled$" "$T.out"
DELAY=$(grep -oE "^$TXID" "$T.out" | head -1)
run_nc "$T" history --search "$DELAY"
expect_grep "the cancel is in History" "cancel: cancelled" "$T.out"
run_nc "$T" status "$DELAY"
expect_grep "its waiting jobs are canceled" 'delay +canceled' "$T.out"

run_nc "$T" pending --subscriber user-001 --cancel
expect_rc "--cancel without a terminal or --yes refuses (2)" 2 "$T"
expect_grep "says to add --yes" 'add --yes' "$T.err"
run_nc "$T" pending --subscriber user-001 --cancel --yes --json
expect_rc "cancel several exits 0" 0 "$T"
check "two JSON outcomes, both cancelled" python3 -c "
import json; o=[json.loads(l) for l in open('$T.out')]
assert len(o)==2 and all(x['cancelled'] and x['outcome']=='cancelled' for x in o), o"
run_nc "$T" pending --subscriber user-001
check "nothing pending left for user-001" test "$(rows "$T.out")" = 0
expect_grep "says nothing matches" 'nothing pending matches' "$T.err"

# --- on a terminal it shows the count and asks (script(1) gives it one)
if command -v script >/dev/null 2>&1; then
  ask() { # ANSWER ARGS...: run on a pseudo-terminal, typing ANSWER
    local answer=$1; shift
    set +e
    printf '%s\n' "$answer" | timeout 60 script -qec "$NC_CONSOLE pending $*" /dev/null >"$T.out" 2>&1
    RC=$?
    set -e
  }
  ask n --topic vip --cancel
  expect_rc "declined: exit 2" 2 "$T"
  expect_grep "asks with the count" 'cancel the 1 transaction found\? \[y/N\]' "$T.out"
  expect_grep "says nothing was cancelled" 'declined; nothing was cancelled' "$T.out"
  ask y --subscriber user-050 --limit 1 --cancel
  expect_rc "answered y: exit 0" 0 "$T"
  expect_grep "answered y: cancelled" "$TXID +cancelled" "$T.out"
else
  echo "skip - script(1) is not installed: the terminal question is not tested"
fi

# --- read-only profiles may list and cancel
cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/ro.ini" <<INI
[api]
url = $SB_URL
[safety]
read_only = true
INI
run_nc "$T" --profile ro pending --topic vip --cancel --yes
expect_rc "read-only profile lists and cancels" 0 "$T"
expect_grep "read-only: cancelled" 'cancelled$' "$T.out"

# --- sent in between: a 4 s window; each answer takes 2.5 s, so the list
# (at ~2.5 s) sees it waiting and the cancel (at ~5 s) finds it sent
curl -s -X POST "$SB_URL/__sandbox/pending-seed?windowSeconds=4" >/dev/null
sb_faults '{"latencyMs":2500}'
run_nc "$T" pending --subscriber user-003 --cancel --yes
sb_faults '{"latencyMs":0}'
expect_rc "nothing pending is not a failure (0)" 0 "$T"
expect_grep "says nothing pending" "^$TXID +nothing pending$" "$T.out"

# --- the API fails partway through the page walk
run_nc "$T" bulk "$NC_TMP/bulk.jsonl"
run_nc "$T" pending --subscriber user-050 --limit 1000
BEFORE=$(rows "$T.out")
walk_with_fault() { # STATUS: page 0 answers, then the API fails
  sb_faults '{"latencyMs":800}'
  ( rc=0; timeout 120 "$NC_CONSOLE" pending --subscriber user-050 --cancel --yes \
      >"$T.out" 2>"$T.err" </dev/null || rc=$?; echo "$rc" >"$T.rc" ) &
  local walker=$!
  sleep 0.4
  sb_faults "{\"failNext\":20,\"status\":$1,\"latencyMs\":0}"
  wait "$walker" || true
  RC=$(cat "$T.rc")
  sb_faults '{"failNext":0}'
}
walk_with_fault 500
expect_rc "5xx partway through the walk exits 4" 4 "$T"
check "nothing was cancelled on a partial list" bash -c "! grep -q cancelled '$T.out'"
walk_with_fault 403
expect_rc "4xx partway through the walk exits 3" 3 "$T"
run_nc "$T" pending --subscriber user-050 --limit 1000
check "all $BEFORE are still pending" test "$(rows "$T.out")" = "$BEFORE"

finish
