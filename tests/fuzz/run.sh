#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS [TARGET...]: build the libFuzzer targets with
# clang (-fsanitize=fuzzer,address,undefined) in build-fuzz/ and run each for
# SECONDS, starting from tests/fuzz/corpus/<target>/ (new inputs go to a
# scratch corpus, not into the source tree). Prints, per target, the
# executions and whether it found anything; a finding's input is kept in
# build-fuzz/findings/<target>/ and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}; shift || true
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: skipped: clang is not installed (scripts/deps.sh --test installs it)"
  exit 0
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(import_events import_recipients apierror profile json)
bdir=build-fuzz
CC=clang cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNC_FUZZ=ON -DNC_SANITIZE=ON \
  -DNC_TESTS=OFF -DNC_BENCH=OFF -DNC_WERROR=ON >/dev/null
cmake --build "$bdir" -j"${NC_JOBS:-2}" --target fuzz_all >/dev/null
found=0
# known_finding TARGET LOG: the finding matches a line of known-findings.txt.
known_finding() {
  local pat
  while IFS=$'\t' read -r tgt pat; do
    [ "$tgt" = "$1" ] && grep -qE -- "$pat" "$2" && return 0
  done < <(grep -v '^#' tests/fuzz/known-findings.txt)
  return 1
}
# One libFuzzer process per target, as many at once as there are cores:
# each is single-threaded, and SECONDS is wall time, so running them one
# after another left all but one core idle for the whole stage.
fuzz_one() {
  local t=$1 work="$bdir/corpus/$1" finds="$bdir/findings/$1"
  rm -rf "$work"; mkdir -p "$work" "$finds"
  ASAN_OPTIONS=detect_leaks=1 "$bdir/tests/fuzz/fuzz_$t" -max_total_time="$secs" \
    -rss_limit_mb=2048 -max_len=65536 -timeout=10 -artifact_prefix="$finds/" -print_final_stats=1 \
    "$work" "tests/fuzz/corpus/$t" >"$bdir/fuzz-$t.log" 2>&1
  echo $? >"$bdir/fuzz-$t.rc"
}
export -f fuzz_one
export bdir secs
printf '%s\n' "${targets[@]}" | xargs -P "${NC_JOBS:-$(nproc)}" -I{} bash -c 'fuzz_one {}'
printf '%-20s %12s %8s  %s\n' target executions seconds result
for t in "${targets[@]}"; do
  log="$bdir/fuzz-$t.log"
  rc=$(cat "$bdir/fuzz-$t.rc" 2>/dev/null || echo 1)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  what=$(grep -m1 -oE 'ERROR: [A-Za-z]+: [a-z-]+|deadly signal|out-of-memory|timeout' "$log" | head -1 || true)
  if [ "$rc" -eq 0 ]; then res="no findings"
  elif known_finding "$t" "$log"; then res="KNOWN: $what (tests/fuzz/known-findings.txt; fuzzing stopped there)"
  else res="FINDING: $what (see $log)"; found=1; fi
  printf '%-20s %12s %8s  %s\n' "$t" "${execs:-?}" "$secs" "$res"
done
exit $found
