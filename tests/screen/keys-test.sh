#!/bin/bash
# The README's key table is exactly what `novu-console keys` prints (both,
# and the help screen, come from the key tables in ui/keymap.c).
. "$(dirname "$0")/lib.sh"

"$NC_CONSOLE" keys >"$WORK/keys.txt" 2>"$WORK/keys.err" || {
	echo "FAIL: $TEST_NAME: novu-console keys failed"; cat "$WORK/keys.err"; FAILED=1; finish; }
assert_contains "$WORK/keys.txt" "Cancel the selected transaction"
readme="$NC_SOURCE_DIR/ui/README-screens.md"
# The table is the last code block of the README.
awk '/^## Key table/{t=1} t&&/^```$/{n++; next} t&&n==1' "$readme" >"$WORK/readme-keys.txt"
if ! diff -u "$WORK/readme-keys.txt" "$WORK/keys.txt"; then
	echo "FAIL: $TEST_NAME: ui/README-screens.md's key table is out of date"
	echo "update: tests/screen/gen-readme-screens.sh $NC_CONSOLE"
	FAILED=1
fi
finish
