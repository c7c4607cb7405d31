#!/usr/bin/env bash
# Exactly once, or visibly unknown, from the headless side: transactionIds
# History has seen are never sent in a new request, a scripted rerun with an
# idempotency key sends the very same bytes, an interrupted send has told
# the user its transactionId and is in History as unknown, a killed bulk run
# resumes without sending any event twice, and every event of a failed bulk
# request gets its line.
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

KEY=sk_sandbox_local
start_sandbox --pending-seconds 30 --rate-limit 0
export NOVU_API_URL="$SB_URL" NOVU_SECRET_KEY="$KEY"
T="$NC_TMP/t"
DB="$NOVU_CONSOLE_STATE_DIR/history.db"

# Per transactionId, under how many idempotency keys the sandbox accepted
# it (2xx): a request repeated with its key is replayed, not delivered, so
# more than one key means delivered more than once.
accepted_per_txid() {
  sb_requests | python3 -c '
import json, sys, collections
c = collections.defaultdict(set)
for r in json.load(sys.stdin):
    if r["path"] != "/v1/events/trigger/bulk" or (r.get("status") or 0) // 100 != 2 or not r.get("body"):
        continue
    for e in json.loads(r["body"])["events"]:
        c[e["transactionId"]].add(r["idempotencyKey"])
print(" ".join("%s=%d" % (k, len(v)) for k, v in sorted(c.items())))'
}
# both_lines STATUS [REST]: the two events of two.jsonl each got a line
# "INDEX<TAB>STATUS<TAB>..." in $T.out (REST: a regex for what follows).
both_lines() {
  [ "$(grep -cE "^[01]	$1	${2:-}" "$T.out")" = 2 ]
}
history_rows() { # SQL WHERE clause -> count
  python3 -c "import sqlite3,sys; print(sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True).execute('SELECT count(*) FROM entries WHERE ' + sys.argv[2]).fetchone()[0])" "$DB" "$1"
}

# --- a typed transactionId that History shows as sent is refused
run_nc "$T" trigger welcome-onboarding --to user-001 --transaction-id typed-tx-1
expect_rc "first send of a typed transactionId" 0 "$T"
before=$(sb_count)
run_nc "$T" trigger welcome-onboarding --to user-002 --transaction-id typed-tx-1
expect_rc "the same typed transactionId again exits 2" 2 "$T"
expect_grep "says it was sent and Novu would drop it" 'typed-tx-1 was already sent.*drop' "$T.err"
check "nothing was sent" test "$(sb_count)" = "$before"

# --- another profile with the same key and URL is the same Novu
# environment: it sees those transactionIds as used too. History keeps a
# fingerprint of the key to tell environments apart, never the key.
cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/twin.ini" <<INI
[api]
url = $SB_URL
INI
chmod 600 "$NOVU_CONSOLE_CONFIG_DIR/profiles/twin.ini"
run_nc "$T" --profile twin trigger welcome-onboarding --to user-002 --transaction-id typed-tx-1
expect_rc "the same typed transactionId under a second profile, same key, exits 2" 2 "$T"
expect_grep "and says it was sent" 'typed-tx-1 was already sent' "$T.err"
check "nothing was sent" test "$(sb_count)" = "$before"
check "History's rows name the environment by a fingerprint" \
  test "$(history_rows "scope LIKE 'key:____________ %'")" -ge 1
check "and never hold the key" test "$(history_rows "instr(scope, '$KEY') > 0")" = 0

# --- a cancel goes to the environment the transaction went to: from
# another key on the same URL it is refused before anything is sent (that
# environment would answer "nothing pending"); the same key cancels it.
echo "sk_development_env_1" > "$NC_TMP/devkey"; chmod 600 "$NC_TMP/devkey"
cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/dev.ini" <<INI
[api]
url = $SB_URL
[secret]
file = $NC_TMP/devkey
INI
chmod 600 "$NOVU_CONSOLE_CONFIG_DIR/profiles/dev.ini"
run_nc "$T" --profile twin trigger comment-digest --to user-004
expect_rc "a digest sent under the second profile" 0 "$T"
TXD=$(head -1 "$T.out")
before=$(sb_count)
(unset NOVU_SECRET_KEY; run_nc "$T" --profile dev cancel "$TXD"; echo "$RC" > "$T.rc")
RC=$(cat "$T.rc")
expect_rc "its cancel from another key on the same URL exits 2" 2 "$T"
expect_grep "and names the profile to cancel it from" 'with another key \(profile twin\), so cancel it with --profile twin' "$T.err"
check "nothing was sent" test "$(sb_count)" = "$before"
run_nc "$T" cancel "$TXD"
expect_rc "the same key under another profile cancels it" 0 "$T"

# --- a rerun with the same idempotency key sends the same bytes
run_nc "$T" trigger welcome-onboarding --to user-003 --payload '{"n":1}' --idempotency-key order-77
expect_rc "keyed send" 0 "$T"
TXK=$(head -1 "$T.out")
run_nc "$T" trigger welcome-onboarding --to user-003 --payload '{"n":1}' --idempotency-key order-77
expect_rc "the rerun with the same key exits 0" 0 "$T"
check "the rerun carries the same transactionId (derived from the key)" test "$(head -1 "$T.out")" = "$TXK"
expect_grep "and says it is a retry" 'retry' "$T.err"
check "both requests had identical bytes and key" python3 -c "
import json, urllib.request
r = [x for x in json.load(urllib.request.urlopen('$SB_URL/__sandbox/requests')) if x.get('idempotencyKey') == 'order-77']
assert len(r) == 2 and r[0]['bodySha'] == r[1]['bodySha'], r"
check "History has one row for it" test "$(history_rows "transaction_id = '$TXK'")" = 1
before=$(sb_count)
run_nc "$T" trigger welcome-onboarding --to user-003 --payload '{"n":2}' --idempotency-key order-77
expect_rc "the same key with another payload exits 2" 2 "$T"
expect_grep "names what differs" 'payload differs' "$T.err"
check "and nothing was sent" test "$(sb_count)" = "$before"

# --- an interrupted send has printed its transactionId and is in History
stop_sandbox
start_sandbox --pending-seconds 30 --rate-limit 0 --latency-ms 4000
export NOVU_API_URL="$SB_URL"
# Killed once it has printed its transactionId (the request is leaving and
# the sandbox holds it for 4 s), however slow the machine is.
"$NC_CONSOLE" trigger welcome-onboarding --to user-004 >"$T.out" 2>"$T.err" </dev/null &
NCP=$!
for i in $(seq 1 300); do [ -s "$T.out" ] && break; sleep 0.05; done
kill -9 "$NCP" 2>/dev/null || true
wait "$NCP" 2>/dev/null || true
TXI=$(head -1 "$T.out")
check "killed mid-send, stdout already holds the transactionId" bash -c "[[ '$TXI' =~ ^[0-9a-f-]{36}\$ ]]"
check "History shows it as unknown" test "$(history_rows "transaction_id = '$TXI' AND response_status = 'unknown'")" = 1
sleep 3   # the sandbox finishes the request the client left

# --- a killed bulk run resumes without sending any event twice
python3 -c "
import json
with open('$NC_TMP/250.jsonl', 'w') as f:
    for i in range(250):
        f.write(json.dumps({'name': 'welcome-onboarding', 'to': 'u%d' % i, 'transactionId': 'k-%03d' % i}) + '\n')"
stop_sandbox
start_sandbox --pending-seconds 30 --rate-limit 0 --latency-ms 1200
export NOVU_API_URL="$SB_URL"
# Killed while its second request is out: after the first was answered.
"$NC_CONSOLE" bulk "$NC_TMP/250.jsonl" >"$T.out" 2>"$T.err" </dev/null &
NCP=$!
for i in $(seq 1 600); do
  [ "$(history_rows "kind = 'bulk' AND response_status = 'processed'" 2>/dev/null || echo 0)" -ge 100 ] && break
  sleep 0.05
done
sleep 0.3
kill -9 "$NCP" 2>/dev/null || true
wait "$NCP" 2>/dev/null || true
check "the kill left the run unfinished" test "$(history_rows "kind = 'bulk' AND response_status IN ('queued','unknown')")" -gt 0
sleep 2
run_nc "$T" bulk --resume
expect_rc "bulk --resume finishes the run" 0 "$T"
check "each of the 250 events was accepted under one key only (once)" python3 -c "
got = '''$(accepted_per_txid)'''.split()
assert len(got) == 250, len(got)
bad = [g for g in got if not g.endswith('=1')]
assert not bad, bad[:5]"
check "History: 250 bulk rows, all processed" test "$(history_rows "kind = 'bulk' AND response_status = 'processed'")" = 250
check "and no other bulk rows" test "$(history_rows "kind = 'bulk'")" = 250

# --- the same file again: its transactionIds were sent
before=$(sb_count)
run_nc "$T" bulk "$NC_TMP/250.jsonl"
expect_rc "a file whose transactionIds were sent exits 2" 2 "$T"
expect_grep "names the events" 'events\[0\] k-000' "$T.err"
check "nothing was sent" test "$(sb_count)" = "$before"

# --- every event of a refused bulk request gets its line
stop_sandbox
start_sandbox --pending-seconds 30 --rate-limit 0
export NOVU_API_URL="$SB_URL"
printf '{"name":"welcome-onboarding","to":"a"}\n{"name":"welcome-onboarding","to":"b"}\n' > "$NC_TMP/two.jsonl"
sb_faults '{"failNext":1,"status":400}'
run_nc "$T" bulk "$NC_TMP/two.jsonl"
expect_rc "a refused bulk request exits 3" 3 "$T"
check "one line per event, with the reason" both_lines failed '[0-9a-f-]{36}	'
cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/fast.ini" <<INI
[api]
url = $SB_URL
[http]
retry_attempts = 2
INI
sb_faults '{"dropNext":5}'
run_nc "$T" --profile fast bulk "$NC_TMP/two.jsonl"
expect_rc "an unanswered bulk request exits 4" 4 "$T"
check "an unanswered bulk request: its events are unknown" both_lines unknown
sb_faults '{"dropNext":0}'
run_nc "$T" --profile fast bulk --resume
expect_rc "the unanswered run resumes" 0 "$T"

# --- a request turned away for now: its events are queued, not failed (a
# script must not send them again itself), and --resume sends them
sb_faults '{"failNext":5,"status":503}'
run_nc "$T" --profile fast bulk "$NC_TMP/two.jsonl"
expect_rc "a bulk request turned away (503) exits 4" 4 "$T"
check "its events are queued" both_lines queued
sb_faults '{"failNext":0}'
run_nc "$T" --profile fast bulk --resume
expect_rc "the queued events go on --resume" 0 "$T"
check "and are processed" both_lines processed

# --- a stopped run given up (bulk --drop): what never left never goes, what
# left unanswered stays unknown, and no resume picks the run again
python3 -c "
import json
with open('$NC_TMP/drop.jsonl', 'w') as f:
    for i in range(250):
        f.write(json.dumps({'name': 'welcome-onboarding', 'to': 'u%d' % i, 'transactionId': 'drop-%03d' % i}) + '\n')"
sb_faults '{"dropNext":5}'
run_nc "$T" --profile fast bulk "$NC_TMP/drop.jsonl" --parallel 1
expect_rc "its first request unanswered: the run stops (exit 4)" 4 "$T"
sb_faults '{"dropNext":0}'
before=$(sb_count)
run_nc "$T" --profile fast bulk --drop
expect_rc "bulk --drop exits 0" 0 "$T"
expect_grep "counts the events never sent" '^bulk run [0-9]* dropped: 150 events never sent' "$T.out"
expect_grep "and those left unknown" '^100 events whose request left without an answer stay unknown' "$T.out"
check "History: 150 dropped, 100 unknown" test "$(history_rows "transaction_id LIKE 'drop-%' AND response_status = 'dropped'")/$(history_rows "transaction_id LIKE 'drop-%' AND response_status = 'unknown'")" = 150/100
run_nc "$T" --profile fast bulk --resume
expect_rc "nothing is left to resume (exit 2)" 2 "$T"
expect_grep "and it says so" 'no unfinished bulk run .* to resume' "$T.err"
run_nc "$T" --profile fast bulk --drop
expect_rc "nor to drop (exit 2)" 2 "$T"
check "nothing was sent by the drop or after it" test "$(sb_count)" = "$before"
check "the events that never left never reached the sandbox" python3 -c "
got = '''$(accepted_per_txid)'''.split()
assert not [g for g in got if g.startswith('drop-1') or g.startswith('drop-2')], got"

# --- one transactionId on two events of a file: Novu would drop the second
# silently, so the file is refused before anything is stored or sent
printf 'workflow,subscriberId,transactionId\nwelcome-onboarding,a,twice-1\nwelcome-onboarding,b,twice-1\n' > "$NC_TMP/twice.csv"
before=$(sb_count)
run_nc "$T" bulk "$NC_TMP/twice.csv"
expect_rc "one transactionId on two events exits 2" 2 "$T"
expect_grep "names it" 'twice-1: more than one event carries it' "$T.err"
check "nothing was sent" test "$(sb_count)" = "$before"

# --- a big file is read and stored a chunk at a time, then sent once
python3 -c "
import json
with open('$NC_TMP/20k.jsonl', 'w') as f:
    for i in range(20000):
        f.write(json.dumps({'name': 'welcome-onboarding', 'to': 'u%d' % (i % 300), 'payload': {'i': i}, 'transactionId': 's-%05d' % i}) + '\n')"
sb_reset
run_nc "$T" bulk "$NC_TMP/20k.jsonl"
expect_rc "20,000 events exit 0" 0 "$T"
check "20,000 result lines, all processed" test "$(grep -c '	processed	' "$T.out")" = 20000
check "sent as 200 bulk requests" test "$(sb_requests | python3 -c 'import json,sys; print(sum(1 for x in json.load(sys.stdin) if x["path"]=="/v1/events/trigger/bulk"))')" = 200
accepted_per_txid > "$NC_TMP/accepted"
check "each of the 20,000 events was accepted once" python3 -c "
got = open('$NC_TMP/accepted').read().split()
assert len(got) == 20000, len(got)
bad = [g for g in got if not g.endswith('=1')]
assert not bad, bad[:5]"
check "History: 20,000 processed rows of the run" test "$(history_rows "kind = 'bulk' AND transaction_id LIKE 's-%' AND response_status = 'processed'")" = 20000
# a sent transactionId in the last chunk only: refused before anything leaves
python3 -c "
import json
with open('$NC_TMP/late.jsonl', 'w') as f:
    for i in range(299):
        f.write(json.dumps({'name': 'welcome-onboarding', 'to': 'u1', 'transactionId': 'late-%03d' % i}) + '\n')
    f.write(json.dumps({'name': 'welcome-onboarding', 'to': 'u1', 'transactionId': 's-19999'}) + '\n')"
before=$(sb_count)
run_nc "$T" bulk "$NC_TMP/late.jsonl"
expect_rc "a sent transactionId in the last chunk exits 2" 2 "$T"
expect_grep "names that event" 'events\[299\] s-19999' "$T.err"
check "nothing of that file was sent" test "$(sb_count)" = "$before"
check "nothing of it is in History" test "$(history_rows "transaction_id LIKE 'late-%'")" = 0

# --- cancel: on the sent row, or a row of its own
run_nc "$T" trigger comment-digest --to user-005
TXC=$(head -1 "$T.out")
run_nc "$T" cancel "$TXC"
expect_rc "cancel exits 0" 0 "$T"
check "the cancel is recorded on the send, with no row of its own" test "$(history_rows "transaction_id = '$TXC'")" = 1
check "outcome on the row" test "$(history_rows "transaction_id = '$TXC' AND cancel_outcome = 'cancelled'")" = 1
run_nc "$T" cancel sent-by-the-backend-1
check "a transaction History never sent gets a cancel row" test "$(history_rows "transaction_id = 'sent-by-the-backend-1' AND kind = 'cancel'")" = 1
run_nc "$T" cancel sent-by-the-backend-1
check "once" test "$(history_rows "transaction_id = 'sent-by-the-backend-1'")" = 1

# --- a state directory others could write: no History, so no send
chmod 777 "$NOVU_CONSOLE_STATE_DIR"
before=$(sb_count)
run_nc "$T" trigger welcome-onboarding --to user-006
expect_rc "a state directory others can write: refused (exit 1)" 1 "$T"
expect_grep "says how to fix it" 'chmod go-w' "$T.err"
check "nothing was sent" test "$(sb_count)" = "$before"
chmod 700 "$NOVU_CONSOLE_STATE_DIR"

expect_no_grep "the key never appears in any output" "$KEY" "$NC_TMP"/t.out "$NC_TMP"/t.err
finish
