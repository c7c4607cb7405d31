#!/usr/bin/env bash
# The headless commands against a hostile server (tests/hostile/hostile.c),
# one mode at a time: each must end with a clear error or a clean result,
# never a crash, never a hang, and never a raw escape byte on the terminal.
set -eu
. "$(dirname "$0")/../lib/testlib.sh"

: "${NC_HOSTILE:?NC_HOSTILE must name the nc-hostile binary}"
export NOVU_SECRET_KEY=sk_hostile_test_key
T="$NC_TMP/t"
EV="$NC_TMP/events.jsonl"
for i in 1 2 3; do echo "{\"name\":\"wf\",\"to\":\"u$i\"}"; done >"$EV"
# Short timeouts and one attempt: a hostile answer must end fast.
cat >"$NOVU_CONSOLE_CONFIG_DIR/profiles/default.ini" <<'INI'
[http]
timeout = 3
connect_timeout = 2
retry_attempts = 1
INI
chmod 600 "$NOVU_CONSOLE_CONFIG_DIR/profiles/default.ini"

HS_PID=
start_hostile() { # MODE
  local pf="$NC_TMP/hport.$RANDOM"
  [ -n "$HS_PID" ] && { kill "$HS_PID" 2>/dev/null || true; wait "$HS_PID" 2>/dev/null || true; }
  HS_LOG="$NC_TMP/hostile-$1.log"
  : >"$HS_LOG"
  "$NC_HOSTILE" --mode "$1" --port-file "$pf" --log "$HS_LOG" --lifetime 240 &
  HS_PID=$!
  NC_PIDS+=("$HS_PID")
  for _ in $(seq 1 100); do [ -s "$pf" ] && break; sleep 0.05; done
  [ -s "$pf" ] || { echo "hostile server did not start"; exit 1; }
  export NOVU_API_URL="http://127.0.0.1:$(cat "$pf")"
}

# No ESC, BEL, CSI (C1 0x9b as UTF-8 or raw), DEL or other C0 but \t \n.
no_raw_controls() { # PREFIX
  python3 - "$1.out" "$1.err" <<'PY'
import sys
for f in sys.argv[1:]:
    data = open(f, 'rb').read()
    bad = [b for b in data if (b < 0x20 and b not in (9, 10)) or b == 0x7f]
    if bad or b'\xc2\x9b' in data or b'\x9b' in data.replace(b'\xc2\x9b', b''):
        print(f"{f}: raw control bytes {sorted(set(bad))[:8]}"); sys.exit(1)
PY
}
expect_clean() { # NAME PREFIX
  if no_raw_controls "$2"; then pass "$1"; else fail "$1" "$(head -c 400 "$2.out" "$2.err" | cat -v)"; fi
}
expect_no_crash() { # NAME
  if [ "$RC" -lt 128 ] && [ "$RC" != 124 ]; then pass "$1"; else fail "$1 (exit $RC)" "$(cat -v "$T.err" | head)"; fi
}
valid_json() { python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$1"; }

# --- escapes in every text field of 2xx answers
start_hostile escapes
run_nc "$T" trigger wf --to u1
expect_clean "trigger: no raw escapes" "$T"
expect_grep "trigger: the status is shown, defused" 'status: processed\?\]52;c' "$T.out"
run_nc "$T" trigger wf --to u1 --json
expect_clean "trigger --json: no raw escapes" "$T"
check "trigger --json: still valid JSON holding the text" bash -c "
  python3 -c \"import json; d=json.load(open('$T.out')); assert '\x1b' in d['status'], d\""
run_nc "$T" bulk "$EV"
expect_clean "bulk: no raw escapes" "$T"
check "bulk: one line per event, three fields or more" bash -c "[ \$(grep -c \$'^[0-9]\t' '$T.out') = 3 ]"
run_nc "$T" bulk "$EV" --json
expect_clean "bulk --json: no raw escapes" "$T"
check "bulk --json: valid JSON" valid_json "$T.out"
run_nc "$T" history
expect_clean "history: stored text comes back defused" "$T"
run_nc "$T" history --json
expect_clean "history --json: no raw escapes" "$T"
check "history --json: valid JSON" valid_json "$T.out"
check "history keeps the text as received" bash -c "
  python3 -c \"import json; d=json.load(open('$T.out')); assert any('\x1b' in (e['status'] or '') for e in d), d\""
for cmd in workflows subscribers topics; do
  run_nc "$T" "$cmd"
  expect_rc "$cmd: exits 0" 0 "$T"
  expect_clean "$cmd: no raw escapes" "$T"
  run_nc "$T" "$cmd" --json
  expect_clean "$cmd --json: no raw escapes" "$T"
  check "$cmd --json: valid JSON" valid_json "$T.out"
done
run_nc "$T" status some-tx
expect_clean "status: no raw escapes" "$T"
expect_grep "status: the job is listed" 'email' "$T.out"
run_nc "$T" preview wf --to u1
expect_rc "preview: a step Novu could not render exits 3" 3 "$T"
expect_clean "preview: no raw escapes" "$T"
expect_grep "preview: the subject is shown, defused" '^Subject +s\?\]52;c' "$T.out"
expect_grep "preview: the error is shown, defused" '^Error +t\?\]52;c' "$T.out"

# --- escapes in the transactionIds answered: not ours, so not taken
start_hostile escapes-txid
run_nc "$T" trigger wf --to u1
expect_rc "foreign transactionId: exit 3" 3 "$T"
expect_clean "foreign transactionId: no raw escapes" "$T"
expect_grep "foreign transactionId: says so" 'another transactionId' "$T.err"
run_nc "$T" bulk "$EV"
expect_clean "bulk, foreign transactionIds: no raw escapes" "$T"
run_nc "$T" history
expect_clean "history after foreign transactionIds: no raw escapes" "$T"

# --- escapes in an error answer, and in a body that is not JSON
start_hostile escapes-error
run_nc "$T" trigger wf --to u1
expect_rc "422 with escapes: exit 3" 3 "$T"
expect_clean "422 with escapes: no raw escapes" "$T"
start_hostile escapes-text
run_nc "$T" trigger wf --to u1 --json
expect_no_crash "non-JSON 201 under --json: no crash"
expect_clean "non-JSON 201 under --json: printed defused" "$T"

# --- broken framing and bodies: a clear error, no crash, no hang
expect_mode() { # MODE WANT_RC PATTERN [ARGS...]
  local m=$1 want=$2 pat=$3; shift 3
  start_hostile "$m"
  local t0=$SECONDS
  run_nc "$T" "${@:-trigger}" $( [ $# -eq 0 ] && echo wf --to u1 )
  expect_no_crash "$m: no crash"
  expect_rc "$m: exit $want" "$want" "$T"
  [ -n "$pat" ] && expect_grep "$m: says $pat" "$pat" "$T.err"
  expect_clean "$m: no raw control bytes" "$T"
  check "$m: ends within 60 s" test $((SECONDS - t0)) -lt 60
}
expect_mode cl-huge 4 'no answer'
expect_mode cl-blank 4 'no answer'
expect_mode cl-short 3 'not|unreadable|could not'
expect_mode truncated 3 'not|unreadable|could not'
expect_mode nested 3 'not|unreadable|could not'
expect_mode big 3 'larger|not|unreadable'
expect_mode slowloris 4 '[Tt]imeout|timed out'
expect_mode redirect 3 'localhost:[0-9]+/__redirected'
check "redirect: the key never followed it" bash -c "! grep -q '^.* /__redirected' '$HS_LOG'"

# --- bulk answers that do not match the events sent
for m in bulk-fewer bulk-more bulk-other; do
  start_hostile "$m"
  run_nc "$T" bulk "$EV"
  expect_no_crash "$m: no crash"
  expect_clean "$m: no raw control bytes" "$T"
  check "$m: one line per event sent" bash -c "[ \$(grep -c \$'^[0-9]\t' '$T.out') = 3 ]"
done
start_hostile bulk-fewer
run_nc "$T" bulk "$EV"
expect_rc "bulk-fewer: exit 3 (an event has no result)" 3 "$T"
start_hostile bulk-more
run_nc "$T" bulk "$EV"
expect_rc "bulk-more: exit 0 (results matched by slot and transactionId; extras ignored)" 0 "$T"
start_hostile bulk-other
run_nc "$T" bulk "$EV"
expect_rc "bulk-other: exit 3 (results for other transactions)" 3 "$T"
expect_no_grep "bulk-other: the foreign transactionId is not taken as ours" "someone-elses-tx" "$T.out"
finish
