#!/bin/bash
# History with 100,000 entries: open, jump to the end and back, page, and
# filter without delay (only the visible rows are read; a filter matching
# every row counts to 1000+ at first, and exactly at the end); mark two and
# cancel both; resend one with a new transactionId; load one into the form.
. "$(dirname "$0")/lib.sh"

start_sandbox
# Create the database (the console does, on start), then 100,000 rows in
# one transaction, one minute apart, newest first = highest id.
steps ':quit'
run_console 80 24
python3 - "$NOVU_CONSOLE_STATE_DIR/history.db" <<'EOP'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO entries (time_ms, profile, kind, workflow, recipients, transaction_id,
                     http_status, response_status, request_json)
SELECT 1790000000000 - (100001 - x) * 60000, 'bulk-load', 'trigger', 'order-shipped',
       'user-' || x, printf('%08x-0000-4000-8000-%012x', x, 7), 201, 'processed',
       '{"name":"order-shipped","to":"user-' || x ||
       '","payload":{"order":{"id":"A-' || x || '"}},"transactionId":"' ||
       printf('%08x-0000-4000-8000-%012x', x, 7) || '"}'
FROM c""")
db.commit()
EOP

steps '
4
:save-screen history-100k-top.screen
<End>
:save-screen history-100k-end.screen
<PgUp><PgUp>
:save-screen history-100k-pgup.screen
<Home>
/
user-99990<Enter>
:save-screen history-100k-filter.screen
/
<C-a><C-k>processed<Enter>
:save-screen history-100k-filter-many.screen
<End>
:save-screen history-100k-filter-many-end.screen
/
<C-a><C-k><Enter>
<Space><Space>
:save-screen history-marked.screen
C
:save-screen history-cancel-marked-confirm.screen
y
:save-screen history-cancel-marked.screen
<Down><Down>
R
:save-screen history-resend-confirm.screen
y
<Home>
:save-screen history-resent.screen
<Down>
o
:save-screen history-to-form.screen
'
start=$(date +%s)
run_console 80 24
elapsed=$(( $(date +%s) - start ))
# Generous bound: a run that reads all 100,000 rows per key takes minutes;
# this one takes 3 s alone, and 20 s in the ASan build beside memcheck.
if [ "$elapsed" -gt 60 ]; then
	echo "FAIL: $TEST_NAME: 100,000 entries took ${elapsed}s to browse"
	FAILED=1
fi
for s in 100k-top 100k-end 100k-pgup 100k-filter 100k-filter-many 100k-filter-many-end marked cancel-marked-confirm cancel-marked \
         resend-confirm resent to-form; do
	assert_screen "history-$s"
done
finish
