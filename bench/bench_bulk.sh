#!/usr/bin/env bash
# bench_bulk.sh - bulk runs over HTTP against the local sandbox: the console's
# `bulk` command (10,000 events, 100 per request, recorded in History) with
# one request in flight and with eight, against peers sending the same 100
# requests to the same kind of sandbox:
#   - curl over keep-alive: one process reading a config file (the key in
#     the file, never argv), one request after another, and the same file
#     with --parallel --parallel-max 8;
#   - the official Node SDK (@novu/api triggerBulk), one after another and
#     eight at once, when it could be installed;
# each without added latency and with 20 ms added to every answer (a far
# server's round trip). Then a rate-limited run: 5,000 events through the
# sandbox's default (free-plan) bucket, against the least time that bucket
# allows, with the 429s it drew.
#
# usage: bench_bulk.sh BUILD_DIR WORK_DIR [SDK_DIR]
# Prints "row<TAB>name<TAB>ours<TAB>peer<TAB>ratio" and "note<TAB>text"
# lines, as the C benchmarks do. SDK_DIR holds node_modules/@novu/api.
set -euo pipefail

build=$1
work=$2
sdk=${3:-}
console=$build/novu-console
sandbox=$build/novu-sandbox
here=$(cd "$(dirname "$0")" && pwd)
key=sk_sandbox_local
# Smaller figures for a quick check of the script itself.
events=${NC_BENCH_BULK_EVENTS:-10000}
reps=${NC_BENCH_BULK_REPS:-3}
rl_events=${NC_BENCH_BULK_RL_EVENTS:-5000}

mkdir -p "$work"
sb_pid=

note() { printf 'note\t%s\n' "$*"; }
row() { printf 'row\t%s\t%s\t%s\t%s\n' "$@"; }
now_ns() { date +%s%N; }

# ---- the sandbox, fresh for each run (it slows as it stores more) ----
sb_start() {
  rm -f "$work/port"
  "$sandbox" --port 0 --port-file "$work/port" --quiet "$@" > /dev/null &
  sb_pid=$!
  for _ in $(seq 200); do
    [ -s "$work/port" ] && break
    sleep 0.025
  done
  [ -s "$work/port" ] || { echo "sandbox did not start" >&2; exit 1; }
  sb_url="http://127.0.0.1:$(cat "$work/port")"
}
sb_stop() {
  [ -n "$sb_pid" ] && kill "$sb_pid" 2> /dev/null && wait "$sb_pid" 2> /dev/null || true
  sb_pid=
}
trap sb_stop EXIT
sb_latency() {
  curl -s -X POST -d "{\"latencyMs\":$1}" "$sb_url/__sandbox/faults" > /dev/null
}
# How many bulk requests the sandbox answered with each status: "201:100".
sb_statuses() {
  curl -s "$sb_url/__sandbox/requests" | python3 -c '
import collections, json, sys
c = collections.Counter(str(r["status"]) for r in json.load(sys.stdin)
                        if r["path"] == "/v1/events/trigger/bulk")
print(" ".join("%s:%d" % kv for kv in sorted(c.items())))'
}

# ---- the data: one events file for the console, the same 100 bodies for
# the peers ----
python3 - "$work" "$events" "$rl_events" <<'EOF'
import json, os, sys, uuid
work, n, rl = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def event(i):
    return {"name": "order-shipped", "to": [{"subscriberId": "user-%05d" % (i % 500)}],
            "payload": {"order": {"id": "A-%06d" % i, "carrier": "UPS"}},
            "transactionId": str(uuid.uuid4())}
evs = [event(i) for i in range(n)]
with open(os.path.join(work, "events.jsonl"), "w") as f:
    for e in evs:
        f.write(json.dumps({"workflow": e["name"], "to": e["to"][0]["subscriberId"],
                            "payload": e["payload"]}) + "\n")
with open(os.path.join(work, "events-rl.jsonl"), "w") as f:
    for e in evs[:rl]:
        f.write(json.dumps({"workflow": e["name"], "to": e["to"][0]["subscriberId"],
                            "payload": e["payload"]}) + "\n")
os.makedirs(os.path.join(work, "bodies"), exist_ok=True)
for k in range(n // 100):
    with open(os.path.join(work, "bodies", "b%d.json" % k), "w") as f:
        json.dump({"events": evs[k * 100:(k + 1) * 100]}, f, separators=(",", ":"))
EOF
nreq=$((events / 100))

# One config for both curl peers: every request's key and body, the key in
# the file rather than on the command line.
curl_config() {
  local k
  for ((k = 0; k < nreq; k++)); do
    printf 'url = "%s/v1/events/trigger/bulk"\n' "$sb_url"
    printf 'header = "Authorization: ApiKey %s"\n' "$key"
    printf 'header = "Content-Type: application/json"\n'
    printf 'header = "Accept: application/json"\n'
    printf 'header = "Idempotency-Key: bench-%s-%d"\n' "$RANDOM$RANDOM" "$k"
    printf 'data-binary = "@%s/bodies/b%d.json"\n' "$work" "$k"
    printf 'output = "/dev/null"\n'
    printf 'write-out = "%%{http_code}\\n"\n'
    if [ "$k" -lt $((nreq - 1)) ]; then printf 'next\n'; fi
  done > "$work/curl.cfg"
}

# run_one PEER: one run of one peer on a fresh sandbox; prints seconds.
# Every request must come back 201 (checked in the sandbox's log).
run_one() {
  local peer=$1 lat=$2 t0 t1 state ok
  sb_start --rate-limit 0
  sb_latency "$lat"
  state=$work/state-$peer
  rm -rf "$state" "$work/cfgdir"
  mkdir -p "$state" "$work/cfgdir"
  case $peer in
    curl-seq|curl-par) curl_config ;;
  esac
  t0=$(now_ns)
  case $peer in
    console-1|console-8)
      NOVU_SECRET_KEY=$key NOVU_CONSOLE_STATE_DIR=$state NOVU_CONSOLE_CONFIG_DIR=$work/cfgdir \
        "$console" --api-url "$sb_url" bulk "$work/events.jsonl" --parallel "${peer#console-}" \
        > "$work/out" 2> "$work/err" ;;
    curl-seq)
      curl -s -K "$work/curl.cfg" > "$work/out" 2> "$work/err" ;;
    curl-par)
      curl -s --parallel --parallel-max 8 -K "$work/curl.cfg" > "$work/out" 2> "$work/err" ;;
    sdk-1|sdk-8)
      NODE_PATH=$sdk/node_modules NC_BENCH_URL=$sb_url NOVU_SECRET_KEY=$key \
        node "$here/bulk_sdk_peer.js" "$work/bodies" "$nreq" "${peer#sdk-}" \
        > "$work/out" 2> "$work/err" ;;
  esac
  t1=$(now_ns)
  ok=$(sb_statuses)
  sb_stop
  if [ "$ok" != "201:$nreq" ]; then
    echo "$peer: bulk answers $ok, not 201:$nreq" >&2
    cat "$work/err" >&2
    exit 1
  fi
  echo "$(( (t1 - t0) / 1000000 ))"
}

fmt_n() { python3 -c "print(f'{$1:,}')"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
fmt_s() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
ratio() { awk -v ours="$1" -v peer="$2" 'BEGIN { r = peer / ours; printf (r < 10 ? "%.2f×" : "%.1f×"), r }'; }

peers="console-1 console-8 curl-seq curl-par"
if [ -n "$sdk" ] && [ -d "$sdk/node_modules/@novu/api" ]; then
  peers="$peers sdk-1 sdk-8"
  sdk_ver=$(node -p "require('$sdk/node_modules/@novu/api/package.json').version")
else
  sdk_ver=
fi

declare -A ms
for lat in 0 20; do
  for peer in $peers; do : > "$work/times-$peer-$lat"; done
  # The peers alternate run by run, so a slow spell hits them all.
  for ((r = 0; r < reps; r++)); do
    for peer in $peers; do
      run_one "$peer" "$lat" >> "$work/times-$peer-$lat"
    done
  done
  for peer in $peers; do
    ms[$peer-$lat]=$(median < "$work/times-$peer-$lat")
  done
done

label() {
  case $1 in
    curl-seq) echo "curl, one process, keep-alive, one at a time" ;;
    curl-par) echo "curl --parallel --parallel-max 8, one process" ;;
    sdk-1) echo "@novu/api $sdk_ver triggerBulk, one at a time" ;;
    sdk-8) echo "@novu/api $sdk_ver triggerBulk, 8 at once" ;;
  esac
}
for lat in 0 20; do
  where="no added latency"
  [ "$lat" = 0 ] || where="$lat ms added to each answer"
  for pair in "console-1 curl-seq" "console-8 curl-par" "console-1 sdk-1" "console-8 sdk-8"; do
    set -- $pair
    [ -n "${ms[$2-$lat]:-}" ] || continue
    inflight=1
    [ "$1" = console-8 ] && inflight=8
    row "Bulk run, $(fmt_n "$events") events in $nreq requests, $inflight in flight, $where" \
      "$(fmt_s "${ms[$1-$lat]}")" "$(fmt_s "${ms[$2-$lat]}") ($(label "$2"))" \
      "$(ratio "${ms[$1-$lat]}" "${ms[$2-$lat]}")"
  done
done

# ---- the rate-limited run: the sandbox's default bucket ----
sb_start
policy=$(curl -s -i -X POST -H "Authorization: ApiKey $key" -H 'Content-Type: application/json' \
  -d '{"events":[]}' "$sb_url/v1/events/trigger/bulk" | tr -d '\r' |
  sed -n 's/^[Rr]ate[Ll]imit-[Pp]olicy: //p')
sb_stop
limit=$(sed -n 's/^\([0-9]*\);w=.*/\1/p' <<< "$policy")
window=$(sed -n 's/.*;w=\([0-9]*\).*/\1/p' <<< "$policy")
burst=$(sed -n 's/.*burst=\([0-9]*\).*/\1/p' <<< "$policy")
sb_start
state=$work/state-rl
rm -rf "$state" "$work/cfgdir"
mkdir -p "$state" "$work/cfgdir"
t0=$(now_ns)
NOVU_SECRET_KEY=$key NOVU_CONSOLE_STATE_DIR=$state NOVU_CONSOLE_CONFIG_DIR=$work/cfgdir \
  "$console" --api-url "$sb_url" bulk "$work/events-rl.jsonl" --parallel 8 \
  > "$work/out" 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
t1=$(now_ns)
statuses=$(sb_statuses)
sb_stop
rl_ms=$(( (t1 - t0) / 1000000 ))
waits=$(grep -c 'waiting .* for rate-limit tokens' "$work/err" || true)
n429=$(tr ' ' '\n' <<< "$statuses" | sed -n 's/^429://p')
min_ms=$(awk -v n="$rl_events" -v b="$burst" -v l="$limit" -v w="$window" \
  'BEGIN { t = (n - b) / (l / w) * 1000; print (t > 0 ? int(t) : 0) }')
row "Bulk run, $(fmt_n "$rl_events") events, 8 in flight, rate-limited ($limit tokens per $window s, burst $burst)" \
  "$(fmt_s "$rl_ms"), ${n429:-0} × 429" "$(fmt_s "$min_ms") (the least the bucket allows)" \
  "$(ratio "$rl_ms" "$min_ms")"

# The same job through the official SDK, 8 at once on the same bucket: it
# does not pace itself, it retries the 429s it draws.
if [ -n "$sdk_ver" ]; then
  sb_start
  sdk_rl_ok=1
  t0=$(now_ns)
  NODE_PATH=$sdk/node_modules NC_BENCH_URL=$sb_url NOVU_SECRET_KEY=$key \
    node "$here/bulk_sdk_peer.js" "$work/bodies" "$((rl_events / 100))" 8 \
    > "$work/out" 2> "$work/err" || sdk_rl_ok=0
  t1=$(now_ns)
  sdk_statuses=$(sb_statuses)
  sb_stop
  sdk_rl_ms=$(( (t1 - t0) / 1000000 ))
  sdk_429=$(tr ' ' '\n' <<< "$sdk_statuses" | sed -n 's/^429://p')
  if [ "$sdk_rl_ok" = 1 ]; then
    row "Bulk run, $(fmt_n "$rl_events") events, 8 in flight, rate-limited ($limit tokens per $window s, burst $burst), vs the SDK" \
      "$(fmt_s "$rl_ms"), ${n429:-0} × 429" \
      "$(fmt_s "$sdk_rl_ms"), ${sdk_429:-0} × 429 (@novu/api $sdk_ver triggerBulk, 8 at once, its own retries)" \
      "$(ratio "$rl_ms" "$sdk_rl_ms")"
  else
    note "Rate-limited run through @novu/api $sdk_ver (8 at once): it gave up after $(fmt_s "$sdk_rl_ms") with ${sdk_429:-0} answers of 429 (bulk answers $sdk_statuses): $(head -c 200 "$work/err")"
  fi
fi

# ---- where the time goes: two more runs of ours (not timed above), 8 in
# flight, no added latency. The first stamps each progress line as it
# comes; the second takes CPU samples by library when perf is installed
# (perf slows the process, so it is not the one stamped) ----
profile_run() {
  sb_start --rate-limit 0
  state=$work/state-profile
  rm -rf "$state" "$work/cfgdir"
  mkdir -p "$state" "$work/cfgdir"
  t0=$(now_ns)
  NOVU_SECRET_KEY=$key NOVU_CONSOLE_STATE_DIR=$state NOVU_CONSOLE_CONFIG_DIR=$work/cfgdir \
    "$@" "$console" --api-url "$sb_url" bulk "$work/events.jsonl" --parallel 8 \
    2>&1 > /dev/null | while IFS= read -r line; do
      [[ $line == *"request "*" sent "* ]] && echo "$(( ($(now_ns) - t0) / 1000000 ))"
    done > "$work/stamps"
  end_ms=$(( ($(now_ns) - t0) / 1000000 ))
  sb_stop
}
profile_run
first_ms=$(head -1 "$work/stamps")
last_ms=$(tail -1 "$work/stamps")
rest_ms=$((last_ms - first_ms))
note "Where the time goes (one more run of ours, 8 in flight, no added latency, $(fmt_s "$end_ms") in all): the first request was answered $(fmt_s "$first_ms") after the start, most of it reading and validating the file and storing the run in History ($(fmt_n "$events") event rows and $nreq request bodies, in one transaction); the other $((nreq - 1)) requests took $(fmt_s "$rest_ms"), $(awk -v r="$rest_ms" -v n="$((nreq - 1))" 'BEGIN { printf "%.1f", r / n }') ms each. Each turn of the send loop commits the answers that came back (every event's result) together with the requests that go next (their events marked unknown) in one transaction, on the sending thread. History's filter index is not touched: the run's rows are entered in it, in one statement, by the next filter that reads it."
rm -f "$work/perf.data"
if command -v perf > /dev/null; then
  profile_run perf record -q -F 999 -o "$work/perf.data"
fi
if [ -s "$work/perf.data" ]; then
  shares=$(perf report -i "$work/perf.data" --stdio --no-children --sort dso 2> /dev/null |
    awk '$1 ~ /%$/ && n < 5 { printf "%s%s %s", (n++ ? ", " : ""), $2, $1 }')
  note "CPU samples of a third run by library (perf record -F 999): $shares."
fi

note "Each run: a fresh sandbox on 127.0.0.1 (plain HTTP, rate limits off except in the last row), $(fmt_n "$events") events of workflow order-shipped, one subscriber and a small payload each, sent as $nreq bulk requests of 100. Every request had to come back 201 (checked in the sandbox's request log). Times are wall clock of the whole process, median of $reps runs; the peers alternate run by run."
note "Ours: \`novu-console bulk FILE --parallel N\`, which reads and validates the file, stores the run in History (a fresh state directory: every event with its transactionId, every request with its body and key) and commits each request on its way (before it leaves) and its answer with every event's result (after); answers and departures of one turn share a commit. The peers get their bodies and transactionIds prepared before the clock starts and record nothing."
note "curl: one process with a config file holding each request's URL, headers (key, Idempotency-Key) and body file; \`curl -K\` sends them one after another over one kept-alive connection, \`curl --parallel --parallel-max 8 -K\` up to 8 at once."
if [ -n "$sdk_ver" ]; then
  note "@novu/api $sdk_ver: installed with npm into the benchmark's build folder (not a dependency of the project); one Node.js process calls triggerBulk for each of the $nreq requests, awaiting each, or from 8 lanes at once. Its figure includes starting Node and loading the SDK, as ours includes reading the file."
else
  note "@novu/api: could not be installed from the npm registry in this run, so its rows are missing; the curl rows stand."
fi
note "Rate-limited row: the sandbox's default bucket ($policy), the free plan's; a bulk request costs 100 tokens. The least time is (events ÷ 100 × 100 tokens − burst) ÷ refill rate: the burst is spent at once, the rest at the refill rate. Ours paced itself on the RateLimit-* headers: $waits waits for tokens, bulk answers $statuses."
