#!/bin/bash
# With no key the console starts the local sandbox but does not wait for it:
# it hands the sandbox a socket that is already listening, so the whole
# first frame is drawn while the sandbox is still held back (a wrapper waits
# for a gate file before it runs the real one). Once the gate opens, the
# lists the console asked for arrive and a send is processed, once. A
# sandbox that cannot be started is named, with the fix.
. "$(dirname "$0")/lib.sh"
use_tmux

cat >"$WORK/late-sandbox" <<EOF
#!/bin/sh
# Held back until the test opens the gate.
while [ ! -e "$WORK/gate" ]; do sleep 0.05; done
exec "$NC_SANDBOX" "\$@"
EOF
chmod +x "$WORK/late-sandbox"
export NOVU_SANDBOX_BIN="$WORK/late-sandbox"

start_console
wait_for "Enter Edit"
assert_pane "sandbox"
# The frame is up and the sandbox has not run yet: the console's child is
# still the wrapper, waiting at the gate (it becomes the sandbox by exec).
held=$(pgrep -f "$WORK/late-sandbox")
if [ -z "$held" ]; then
	echo "FAIL: $TEST_NAME: the sandbox was not held back when the frame was drawn"
	FAILED=1
	finish
fi
touch "$WORK/gate"

# The workflow list the console asked for arrives; pick order-shipped from
# it, then its payloadExample arrives.
$T send-keys -t nc w
wait_for "Workflows: 6 loaded of 6" 150
$T send-keys -t nc /
$T send-keys -t nc -l "order-sh"
$T send-keys -t nc Enter Enter
wait_for '"carrier"' 100
$T send-keys -t nc r a
$T send-keys -t nc -l "user-1"
$T send-keys -t nc Enter
wait_for "Recipients 1/100"
$T send-keys -t nc Escape
$T send-keys -t nc C-s
wait_for "Sent: processed"
assert_contains /proc/"$held"/cmdline "novu-sandbox"
$T send-keys -t nc 4
wait_for "processed"
python3 - "$NOVU_CONSOLE_STATE_DIR/history.db" >"$WORK/rows.txt" <<'EOP'
import sqlite3, sys
for kind, status, n in sqlite3.connect(sys.argv[1]).execute(
        "SELECT kind, response_status, count(*) FROM entries GROUP BY 1, 2"):
    print(kind, status, n)
EOP
assert_contains "$WORK/rows.txt" "trigger processed 1"
$T send-keys -t nc q
wait_gone "Enter Detail"

# A sandbox that cannot be started: said at once, with what to do.
(cd "$WORK" && NOVU_SANDBOX_BIN="$WORK/no-such-sandbox" timeout 20 "$NC_CONSOLE" trigger \
	order-shipped --to user-1 >"$WORK/out" 2>"$WORK/err")
rc=$?
if [ "$rc" != 2 ]; then
	echo "FAIL: $TEST_NAME: a missing sandbox exits $rc, not 2"
	FAILED=1
fi
assert_contains "$WORK/err" "could not be started (No such file or directory); set NOVU_SECRET_KEY"
finish
