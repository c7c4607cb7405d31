#!/usr/bin/env bash
# One sandbox world across processes: the headless commands (each starting
# its own sandbox when no key is configured), sandboxes started side by side
# on one --state-dir, `sandbox reset`, eviction at the cap, and a torn
# journal line.
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

KEY=sk_sandbox_local
T="$NC_TMP/t"
WORLD_DIR="$NOVU_CONSOLE_STATE_DIR/sandbox"
JOURNAL="$WORLD_DIR/sandbox-world.jsonl"

# post URL BODY [IDEMPOTENCY_KEY]: prints "STATUS BODY".
post() {
  local args=(-s -o "$T.body" -w '%{http_code}' -H "Authorization: ApiKey $KEY"
              -H 'Content-Type: application/json' -d "$2")
  [ -n "${3:-}" ] && args+=(-H "Idempotency-Key: $3")
  printf '%s %s' "$(curl "${args[@]}" "$1/v1/events/trigger")" "$(cat "$T.body")"
}
notifications() { # URL TRANSACTION_ID
  curl -s -H "Authorization: ApiKey $KEY" "$1/v1/notifications?transactionId=$2&limit=50"
}
count_of() { python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))'; }

# --- consecutive headless commands, no key: one world
run_nc "$T" trigger comment-digest --to u1
expect_rc "headless trigger on the sandbox exits 0" 0 "$T"
TX=$(head -1 "$T.out")
check "the world is saved under the state directory" test -s "$JOURNAL"
check "the journal is private (0600)" test "$(stat -c %a "$JOURNAL")" = 600
check "its directory is private (0700)" test "$(stat -c %a "$WORLD_DIR")" = 700
run_nc "$T" cancel "$TX"
expect_rc "cancel in a second process exits 0" 0 "$T"
expect_grep "the second process cancels the first one's digest" "^cancelled $TX" "$T.out"
run_nc "$T" cancel "$TX"
expect_grep "a third process sees it already cancelled" "nothing pending|not cancel|no pending" "$T.out"

# --- two sandboxes side by side on one state directory
start_sandbox --state-dir "$WORLD_DIR" --rate-limit 0
A_URL=$SB_URL A_PID=$SB_PID
start_sandbox --state-dir "$WORLD_DIR" --rate-limit 0
B_URL=$SB_URL B_PID=$SB_PID

BODY='{"name":"welcome-onboarding","to":"u2","transactionId":"tx-shared-1"}'
R=$(post "$A_URL" "$BODY" key-1)
check "first use of a key on sandbox A is processed" bash -c "[[ '$R' == 201* ]]"
R=$(curl -s -D - -o /dev/null -H "Authorization: ApiKey $KEY" -H 'Content-Type: application/json' \
      -H 'Idempotency-Key: key-1' -d "$BODY" "$B_URL/v1/events/trigger")
check "sandbox B replays A's key with the same body" bash -c "grep -qi '^Idempotency-Replay: true' <<<'$R'"
R=$(post "$B_URL" '{"name":"welcome-onboarding","to":"u3"}' key-1)
check "sandbox B answers 422 for A's key with another body" bash -c "[[ '$R' == 422* ]]"
check "sandbox B lists A's transaction" test "$(notifications "$B_URL" tx-shared-1 | count_of)" = 1
post "$B_URL" '{"name":"payment-reminder","to":"u4","transactionId":"tx-from-b"}' >/dev/null
check "sandbox A lists B's transaction" test "$(notifications "$A_URL" tx-from-b | count_of)" = 1
R=$(curl -s -X DELETE -H "Authorization: ApiKey $KEY" "$A_URL/v1/events/trigger/tx-from-b")
check "sandbox A cancels B's pending transaction" test "$R" = '{"data":true}'
R=$(notifications "$B_URL" tx-from-b)
check "sandbox B sees the cancel" bash -c "grep -q '\"canceled\"' <<<'$R'"

# --- a restart loads the world; reset empties it for everyone
stop_sandbox "$A_PID"
start_sandbox --state-dir "$WORLD_DIR" --rate-limit 0
A_URL=$SB_URL
check "a restarted sandbox still knows the transaction" \
  test "$(notifications "$A_URL" tx-shared-1 | count_of)" = 1
run_nc "$T" sandbox reset
expect_rc "sandbox reset exits 0" 0 "$T"
expect_grep "sandbox reset says what it did" "removed .*sandbox-world.jsonl" "$T.out"
check "a running sandbox starts over after sandbox reset" \
  test "$(notifications "$B_URL" tx-shared-1 | count_of)" = 0
run_nc "$T" sandbox reset
expect_grep "a second reset finds nothing to remove" "already empty" "$T.out"
R=$(post "$B_URL" '{"name":"welcome-onboarding","to":"u3"}' key-1)
check "after the reset the key is new again" bash -c "[[ '$R' == 201* ]]"
check "the other running sandbox sees the new world" \
  bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: ApiKey $KEY' -H 'Content-Type: application/json' -H 'Idempotency-Key: key-1' -d '{\"name\":\"welcome-onboarding\",\"to\":\"u3\"}' '$A_URL/v1/events/trigger')\" = 201 ]"
post "$A_URL" '{"name":"welcome-onboarding","to":"u5","transactionId":"tx-before-post-reset"}' >/dev/null
curl -s -X POST "$A_URL/__sandbox/reset" >/dev/null
check "POST /__sandbox/reset empties the other sandbox too" \
  test "$(notifications "$B_URL" tx-before-post-reset | count_of)" = 0
run_nc "$T" sandbox frobnicate
expect_rc "an unknown sandbox action exits 2" 2 "$T"

# --- eviction at the cap instead of refusal
CAP_DIR="$NC_TMP/capworld"
start_sandbox --state-dir "$CAP_DIR" --world-cap 5 --rate-limit 0
C_URL=$SB_URL C_PID=$SB_PID
ok=1
for i in 1 2 3 4 5 6 7 8; do
  R=$(post "$C_URL" "{\"name\":\"welcome-onboarding\",\"to\":\"u1\",\"transactionId\":\"cap-$i\"}" "cap-key-$i")
  [[ "$R" == 201* ]] || ok=0
done
check "past the cap new triggers are still accepted" test "$ok" = 1
check "the oldest transaction is evicted" test "$(notifications "$C_URL" cap-1 | count_of)" = 0
check "the newest transaction is kept" test "$(notifications "$C_URL" cap-8 | count_of)" = 1
R=$(post "$C_URL" '{"name":"welcome-onboarding","to":"u9"}' cap-key-1)
check "the oldest idempotency key is evicted (the key is new again)" bash -c "[[ '$R' == 201* ]]"
R=$(curl -s -D - -o /dev/null -H "Authorization: ApiKey $KEY" -H 'Content-Type: application/json' \
      -H 'Idempotency-Key: cap-key-8' \
      -d '{"name":"welcome-onboarding","to":"u1","transactionId":"cap-8"}' "$C_URL/v1/events/trigger")
check "the newest idempotency key is kept" bash -c "grep -qi '^Idempotency-Replay: true' <<<'$R'"
stop_sandbox "$C_PID"
start_sandbox --state-dir "$CAP_DIR" --world-cap 5 --rate-limit 0
check "a restart keeps the cap's newest transactions" \
  test "$(notifications "$SB_URL" cap-8 | count_of)" = 1
check "a restart does not bring evicted ones back" \
  test "$(notifications "$SB_URL" cap-1 | count_of)" = 0
stop_sandbox

# --- compaction at start: a journal of mostly dead records is rewritten
COMPACT_DIR="$NC_TMP/compact"
start_sandbox --state-dir "$COMPACT_DIR" --world-cap 5 --rate-limit 0
K_URL=$SB_URL K_PID=$SB_PID
for b in $(seq 1 12); do
  curl -s -o /dev/null -H "Authorization: ApiKey $KEY" -H 'Content-Type: application/json' \
    -d "$(jq -nc --arg b "$b" '{events:[range(100)|{name:"welcome-onboarding",to:"u1",payload:{},transactionId:"k-\($b)-\(.)"}]}')" \
    "$K_URL/v1/events/trigger/bulk"
done
before=$(wc -l <"$COMPACT_DIR/sandbox-world.jsonl")
start_sandbox --state-dir "$COMPACT_DIR" --world-cap 5 --rate-limit 0
# The journal is read after the port is up; a first request waits for it.
check "the compacted world keeps the newest transactions" \
  test "$(notifications "$SB_URL" k-12-99 | count_of)" = 1
after=$(wc -l <"$COMPACT_DIR/sandbox-world.jsonl")
check "a new sandbox compacts a journal of dead records ($before -> $after lines)" \
  test "$before" -ge 1200 -a "$after" -lt 50
post "$K_URL" '{"name":"welcome-onboarding","to":"u1","transactionId":"after-compaction"}' >/dev/null
check "a sandbox running during the compaction writes to the new journal" \
  test "$(notifications "$SB_URL" after-compaction | count_of)" = 1
check "and still sees the world after reloading it" \
  test "$(notifications "$K_URL" k-12-99 | count_of)" = 1
stop_sandbox
stop_sandbox "$K_PID"

# --- a torn last line is skipped, not fatal
TORN_DIR="$NC_TMP/torn"
start_sandbox --state-dir "$TORN_DIR" --rate-limit 0
post "$SB_URL" '{"name":"welcome-onboarding","to":"u1","transactionId":"before-tear"}' >/dev/null
stop_sandbox
printf '{"k":"txn","id":"torn-txn","wf":"welcome-onbo' >>"$TORN_DIR/sandbox-world.jsonl"
start_sandbox --state-dir "$TORN_DIR" --rate-limit 0
check "a sandbox starts on a journal with a torn last line" \
  test "$(notifications "$SB_URL" before-tear | count_of)" = 1
check "the torn record is skipped" test "$(notifications "$SB_URL" torn-txn | count_of)" = 0
post "$SB_URL" '{"name":"welcome-onboarding","to":"u1","transactionId":"after-tear"}' >/dev/null
stop_sandbox
start_sandbox --state-dir "$TORN_DIR" --rate-limit 0
check "records written after the torn line are read back" \
  test "$(notifications "$SB_URL" after-tear | count_of)" = 1
stop_sandbox

finish
