#!/usr/bin/env bash
# Retries of the headless commands against the sandbox's injected faults:
# one stderr line per wait, every 5xx retried, --max-wait bounding the call
# (and overriding the profile's retry_max_time), its validation. Waits here
# are real but short (Retry-After: 1).
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

KEY=sk_sandbox_local
start_sandbox
export NOVU_API_URL="$SB_URL" NOVU_SECRET_KEY="$KEY"
T="$NC_TMP/t"
trigger_count() {
  sb_requests | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if r["path"]=="/v1/events/trigger"))'
}

# --- each wait is said on stderr, and the call goes through
sb_reset
sb_faults '{"failNext":2,"status":503,"retryAfter":1}'
run_nc "$T" trigger welcome-onboarding --to user-001
expect_rc "503 twice, then sent: exit 0" 0 "$T"
expect_grep "first wait said" '^novu-console: HTTP 503, retry 2/5 in 1\.0 s$' "$T.err"
expect_grep "second wait said" '^novu-console: HTTP 503, retry 3/5 in 1\.0 s$' "$T.err"
check "one line per wait" test "$(grep -c 'retry [0-9]/5 in' "$T.err")" = 2
check "three attempts reached the server" test "$(trigger_count)" = 3

# --- a 500 and a 501 are retried like any 5xx
for status in 500 501; do
  sb_reset
  sb_faults "{\"failNext\":1,\"status\":$status,\"retryAfter\":1}"
  run_nc "$T" trigger welcome-onboarding --to user-001
  expect_rc "$status once, then sent: exit 0" 0 "$T"
  expect_grep "$status retry said" "^novu-console: HTTP $status, retry 2/5 in 1\\.0 s\$" "$T.err"
done

# --- --max-wait ends the call before a wait that would pass it
sb_reset
sb_faults '{"failNext":5,"status":503,"retryAfter":1}'
run_nc "$T" --max-wait 1.5 trigger welcome-onboarding --to user-001
expect_rc "--max-wait 1.5 with the server down: exit 4" 4 "$T"
expect_grep "the one wait that fitted was said" 'HTTP 503, retry 2/5 in 1\.0 s' "$T.err"
expect_grep "the error says the budget ended it" \
  'retries stopped: the next wait \(1 s\) would end past the call.s time budget of 1\.5 s \(--max-wait' "$T.err"
check "two attempts in 1.5 s" test "$(trigger_count)" = 2

# --- a Retry-After past the 30 s cap is cut to it, which --max-wait cannot hold
sb_reset
sb_faults '{"failNext":1,"status":429,"retryAfter":86400}'
run_nc "$T" --max-wait 2 trigger welcome-onboarding --to user-001
expect_rc "a day's Retry-After with --max-wait 2: exit 3 at once" 3 "$T"
expect_grep "the capped wait is what would not fit" 'the next wait \(30 s\) would end past the call.s time budget of 2 s' "$T.err"
check "one attempt" test "$(trigger_count)" = 1

# --- --max-wait overrides the profile's [http] retry_max_time
cat > "$NOVU_CONSOLE_CONFIG_DIR/profiles/short.ini" <<INI
[api]
url = $SB_URL
[http]
retry_max_time = 1
INI
sb_reset
sb_faults '{"failNext":1,"status":503,"retryAfter":2}'
(unset NOVU_API_URL; run_nc "$T" --profile short trigger welcome-onboarding --to user-001; echo $RC > "$T.rc")
RC=$(cat "$T.rc"); expect_rc "the profile's 1 s budget cannot wait 2 s: exit 4" 4 "$T"
expect_grep "and names the profile setting" 'retry_max_time' "$T.err"
sb_reset
sb_faults '{"failNext":1,"status":503,"retryAfter":2}'
(unset NOVU_API_URL; run_nc "$T" --profile short --max-wait 10 trigger welcome-onboarding --to user-001; echo $RC > "$T.rc")
RC=$(cat "$T.rc"); expect_rc "--max-wait 10 overrides it: exit 0" 0 "$T"
expect_grep "after one 2 s wait" 'HTTP 503, retry 2/5 in 2\.0 s' "$T.err"

# --- validation: a positive number, the message names the option and the fix
for bad in 0 -3 abc 1e9 ''; do
  before=$(trigger_count)
  run_nc "$T" --max-wait "$bad" trigger welcome-onboarding --to user-001
  expect_rc "--max-wait '$bad' is a usage error" 2 "$T"
  expect_grep "names --max-wait and the fix ('$bad')" '^novu-console: --max-wait .*a number above 0 .*e\.g\. --max-wait 30' "$T.err"
  check "nothing sent ('$bad')" test "$(trigger_count)" = "$before"
done
run_nc "$T" --help
expect_grep "--help lists --max-wait" '--max-wait SECONDS' "$T.out"
run_nc "$T" workflows --max-wait 5
expect_rc "--max-wait is global: after the command too" 0 "$T"

finish
