#!/usr/bin/env bash
# Exactly once under faults, one seed each (scripts/reliability runs more):
# a bulk run through 503s and dropped connections, and one SIGKILLed at
# random points then resumed; the sandbox's log must show every event
# accepted, none under two idempotency keys, and no crash.
set -eu
dir=$(dirname "$0")/../reliability
rc=0
"$dir/faults.sh" fault 300 1 0.2 0.1 || rc=1
"$dir/faults.sh" kill 300 1 2 || rc=1
exit $rc
