#!/usr/bin/env bash
# sdk-compare-test.sh - novu-console against Novu's official Node SDK
# (@novu/api): the same logical requests through both clients must arrive
# the same at a capture server on 127.0.0.1, except for the differences
# allow-listed (with reasons) in sdk-compare.js. See that file's header.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_env

TEST_KEY=sk_test_contract_0a1b2c3d4e5f60718293a4b5c6d7e8f9
export TEST_KEY NC_CONSOLE NC_FIXTURES_DIR
COMPARE_PID=""

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$COMPARE_PID"
	remove_workdir
}
trap cleanup EXIT
trap 'exit 130' INT TERM
make_workdir
export WORK

# The capture server lives inside sdk-compare.js, so stopping that process
# stops the server. Bounded: 240 s for the whole comparison (ctest's own
# limit for this test is 300 s).
timeout 240 node "$CONTRACT_DIR/sdk-compare.js" >"$WORK/compare.txt" 2>&1 &
COMPARE_PID=$!
wait "$COMPARE_PID"
rc=$?
COMPARE_PID=""
cat "$WORK/compare.txt"
passed=$(grep -c '^PASS:' "$WORK/compare.txt")
failed=$(grep -c '^FAIL:' "$WORK/compare.txt")
[ "$rc" -eq 0 ] || fail "sdk-compare.js exited with $rc"
[ "$((passed + failed))" -gt 0 ] || fail "no comparison ran"
finish
