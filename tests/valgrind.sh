#!/usr/bin/env bash
# Run every unit test program under valgrind memcheck; any error fails.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
status=0
for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  if ! valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
       --trace-children=yes "$t" --jobs 1 >/tmp/nc-vg.$$ 2>&1; then
    echo "valgrind: $(basename "$t") FAILED"; tail -40 /tmp/nc-vg.$$; status=1
  else
    echo "valgrind: $(basename "$t") clean"
  fi
done
rm -f /tmp/nc-vg.$$
exit $status
