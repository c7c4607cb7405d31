#!/usr/bin/env bash
# tests/valgrind.sh [BUILD] [unit|console|all]: valgrind memcheck over the
# unit test programs (unit) and over the real console and the sandbox that
# serves it in two scripted screen flows (console); all: both, the default.
# Any memcheck error or definite leak fails.
set -euo pipefail
build=${1:-build}
what=${2:-all}
cd "$(dirname "$0")/.."
root=$PWD
log=$(mktemp -d /tmp/nc-vg.XXXXXX)
trap 'rm -rf "$log"' EXIT
# --read-inline-info=no: memcheck reads no DWARF inline tables. The build
# it runs on is -O0, so nearly nothing of ours is inlined and every report
# keeps its file:line frames; and each Criterion test is a fresh exec that
# read them again, some 15% of the stage's CPU (test_jsonutil 36 -> 29 s,
# test_import 49 -> 43 s of user time).
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --read-inline-info=no"

# Memcheck runs the code ~30 times slower. Of the bulk engine's runs with
# several requests in flight it keeps the quick-answer one and the abort
# (the paths that free transfers still on the wire); the thousand-event
# overlap, failure and rate-limit runs, the same code at length, are left to
# the ASan pass, which runs every test.
vg_filter() {
  case $1 in
    test_bulkrun) echo '--filter=!(parallel/four*|parallel/failure*|parallel_paced/*)' ;;
  esac
}

run_unit() {
  local t=$1 name filter extra=()
  name=$(basename "$t")
  filter=$(vg_filter "$name")
  [ -z "$filter" ] || extra=("$filter")
  # Criterion forks a worker per test: follow children. Not into the
  # sandbox the HTTP tests start, nor the shell and rm of their clean-ups:
  # memcheck would start again for each (a second of CPU apiece, most of
  # the sandbox's share spent serving the tests 30 times slower). The
  # sandbox gets its own memcheck run below, serving the console.
  # Each line says how long its binary took, so the slow ones show.
  if $VG --trace-children=yes --trace-children-skip='*/novu-sandbox,/bin/*,/usr/bin/*' \
      "$t" --jobs 1 "${extra[@]}" >"$log/$name" 2>&1; then
    echo "valgrind: $name clean ($SECONDS s)"
  else
    echo "valgrind: $name FAILED"; tail -40 "$log/$name"; return 1
  fi
}
export -f run_unit vg_filter
export VG log
# A smaller big store (see test_histdb.c big_rows): its filter counts enter
# every row in the index, which memcheck runs ~30 times slower. And a run of
# six requests, not twelve, for the quick-answer bulk test (test_bulkrun.c
# fast_events): still enough to reuse slots, 40 s less.
export NC_TEST_BIG_ROWS=10000 NC_TEST_FAST_EVENTS=600

status=0
if [ "$what" != console ]; then
  ls "$build"/tests/test_* | xargs -P "$(nproc)" -I{} bash -c 'run_unit {}' || status=1
fi
[ "$what" != unit ] || exit $status

export NC_CONSOLE="$root/$build/novu-console" NC_SANDBOX="$root/$build/novu-sandbox"
export NC_SOURCE_DIR="$root" NC_WRAPPER="$VG" NC_SANDBOX_WRAPPER="$VG" NC_TIMEOUT=240
for t in send-cancel frame; do
  if bash "tests/screen/$t-test.sh" >"$log/$t" 2>&1; then
    echo "valgrind: console and sandbox in screen/$t clean"
  else
    echo "valgrind: console or sandbox in screen/$t FAILED"; tail -40 "$log/$t"; status=1
  fi
done
exit $status
