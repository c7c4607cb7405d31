#!/usr/bin/env bash
# tests/reliability/faults.sh fault|kill|race EVENTS SEED [FAIL_RATE DROP_RATE | KILLS]
#
# One reliability experiment against the sandbox, counted from the server's
# own request log (not from what the console says):
#   fault  EVENTS events in one `bulk` under --fail-rate/--drop-rate (503s
#          and dropped connections), then `bulk --resume` until done.
#   kill   the same run SIGKILLed at KILLS random points (during the first
#          send and during resumes), then resumed until done.
#   race   killed once, then two `bulk --resume` at the same time.
# Prints one line of key=value counts: requests (API requests the sandbox
# saw), accepted (distinct transactionIds accepted), duplicates (accepted
# under two or more idempotency keys: delivered twice), lost (events never
# accepted), crashes (exits by a signal other than our SIGKILL), runs
# (console invocations), refused_as_busy (a resume told another process
# holds the run). Exits 1 when duplicates, losses or crashes.
# Needs NC_CONSOLE and NC_SANDBOX (as ctest sets them).
set -eu
. "$(dirname "$0")/../lib/testlib.sh"
kind=$1 n=$2 seed=$3
RANDOM=$seed
export NOVU_SECRET_KEY=sk_sandbox_local
cat >"$NOVU_CONSOLE_CONFIG_DIR/profiles/default.ini" <<'INI'
[http]
timeout = 5
retry_attempts = 3
retry_max_time = 20
INI
chmod 600 "$NOVU_CONSOLE_CONFIG_DIR/profiles/default.ini"
case $kind in
  fault) start_sandbox --seed "$seed" --rate-limit 0 --fail-rate "${4:-0.2}" --fail-status 503 \
                       --drop-rate "${5:-0.1}" ;;
  kill|race) start_sandbox --seed "$seed" --rate-limit 0 --latency-ms 800 ;;
  *) echo "unknown experiment $kind"; exit 2 ;;
esac
export NOVU_API_URL="$SB_URL"
EV="$NC_TMP/events.jsonl"
python3 -c "
import sys
for i in range(int(sys.argv[1])):
    print('{\"name\":\"welcome-onboarding\",\"to\":\"user-%d\",\"payload\":{\"i\":%d}}' % (i, i))" "$n" >"$EV"

runs=0 crashes=0
note_rc() { # RC [KILLED]
  runs=$((runs + 1))
  if [ "$1" -ge 128 ] && [ "${2:-0}" != 1 ]; then crashes=$((crashes + 1)); fi
}
# run_killed ARGS...: start the console and, once the sandbox has seen a
# request from it (at most 10 s), SIGKILL it after a random 0-1.9 s more.
run_killed() {
  local before pid rc i
  before=$(sb_count)
  "$NC_CONSOLE" "$@" >>"$NC_TMP/out" 2>>"$NC_TMP/err" </dev/null &
  pid=$!
  for i in $(seq 1 200); do
    [ "$(sb_count)" -gt "$before" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  sleep "$((RANDOM % 2)).$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null || true
  set +e; { wait "$pid"; } 2>/dev/null; rc=$?; set -e
  note_rc "$rc" 1
}
run_plain() {
  set +e; timeout 120 "$NC_CONSOLE" "$@" >>"$NC_TMP/out" 2>>"$NC_TMP/err" </dev/null; RC=$?; set -e
  note_rc "$RC"
}
# Resume until nothing is left (exit 2: no unfinished run), at most 40 times.
resume_until_done() {
  local i
  for i in $(seq 1 40); do
    run_plain bulk --resume
    [ "$RC" = 2 ] && grep -q 'no unfinished bulk run' "$NC_TMP/err" && return 0
  done
  return 1
}

case $kind in
  fault) run_plain bulk "$EV" ;;
  kill)
    run_killed bulk "$EV"
    for _ in $(seq 2 "${4:-3}"); do run_killed bulk --resume; done ;;
  race)
    run_killed bulk "$EV"
    "$NC_CONSOLE" bulk --resume >"$NC_TMP/r1.out" 2>"$NC_TMP/r1.err" </dev/null & p1=$!
    "$NC_CONSOLE" bulk --resume >"$NC_TMP/r2.out" 2>"$NC_TMP/r2.err" </dev/null & p2=$!
    set +e; wait "$p1"; r1=$?; wait "$p2"; r2=$?; set -e
    note_rc "$r1"; note_rc "$r2"
    cat "$NC_TMP"/r[12].err >>"$NC_TMP/err" ;;
esac
done_ok=1
resume_until_done || done_ok=0

counts=$(sb_requests | python3 -c '
import json, sys, collections
n = int(sys.argv[1])
reqs = json.load(sys.stdin)
keys = collections.defaultdict(set)
api = [r for r in reqs if not r["path"].startswith("/__sandbox")]
for r in api:
    if r["path"] != "/v1/events/trigger/bulk" or (r.get("status") or 0) // 100 != 2:
        continue
    if not r.get("body"):
        print("unlogged body"); sys.exit(1)
    for e in json.loads(r["body"])["events"]:
        keys[e["transactionId"]].add(r["idempotencyKey"])
dups = sum(1 for v in keys.values() if len(v) > 1)
print("requests=%d accepted=%d duplicates=%d lost=%d" % (len(api), len(keys), dups, n - len(keys)))
' "$n")
refused=$(grep -c 'is being sent by' "$NC_TMP/err" || true)
echo "experiment=$kind events=$n seed=$seed $counts crashes=$crashes runs=$runs" \
     "refused_as_busy=$refused finished=$done_ok"
case " $counts " in *" duplicates=0 lost=0 "*) ;; *) exit 1 ;; esac
[ "$crashes" = 0 ] && [ "$done_ok" = 1 ]
