#!/bin/bash
# The payload form from the workflow's payloadSchema. order-shipped: its
# nested order.id edited (and mid-typing), then missing: ^S refused, the
# form reopened at the row; a bad date-time and a bad email refused on ^S;
# order.items, an array of objects with a required sku, gets items with
# `a` (the new item's missing sku shows), one is filled with wide
# characters and shown at 60 columns, the middle one removed with `d` (the
# JSON view shows the other bytes kept); ^S then sends. payment-reminder:
# its enum as a pick list, a number below its minimum, 1.50 kept through
# the JSON view and back, a 44x16 terminal; a restored draft the schema
# refuses is refused too. The sandbox sees one trigger, with the fixed
# payload.
. "$(dirname "$0")/lib.sh"

start_sandbox
steps '
<Enter>
order-shipped<Enter>
r
a
user-1<Enter>
<Esc>
<Down>
<Enter>
:save-screen pf-open.screen
<Down>
<Enter>
<C-a><C-k>B-2002
:save-screen pf-typing.screen
<Enter>
:save-screen pf-edited.screen
<Del>
:save-screen pf-missing.screen
<C-s>
:save-screen pf-refused.screen
<Esc>
:save-screen pf-refused-form.screen
<Enter>
:save-screen pf-reopened.screen
<Enter>
B-2002<Enter>
<Down>
<Down>
<Enter>
yesterday<Enter>
:save-screen pf-datetime.screen
<Down>
<Down>
<Down>
<Enter>
not-an-email<Enter>
:save-screen pf-email.screen
<C-s>
:save-screen pf-format-refused.screen
<Enter>
<C-a><C-k>2026-01-15T09:30:00Z<Enter>
<Down>
<Down>
<Down>
<Enter>
<C-a><C-k>jane@example.com<Enter>
<Up>
<Up>
a
:save-screen pf-item-added.screen
<Enter>
<Enter>
SKU-1<Enter>
<Down>
<Enter>
東京 Express Zoë<Enter>
<Down>
<Enter>
2<Enter>
:resize 60 16
:save-screen pf-wide.screen
:resize 80 24
a
<Enter>
<Enter>
SKU-2<Enter>
a
<Enter>
<Enter>
SKU-3<Enter>
<Up>
<Up>
<Up>
<Up>
<Up>
:save-screen pf-items-three.screen
d
:save-screen pf-item-removed.screen
:resize 120 24
J
:save-screen pf-item-removed-json.screen
<Esc>
:resize 80 24
<C-s>
:save-screen pf-sent.screen
<Esc>
<Del>
<Up>
<Up>
<Enter>
<C-a><C-k>payment-reminder<Enter>
<Down>
<Down>
<Enter>
<Down>
<Down>
<Enter>
:save-screen pf-enum-pick.screen
<Down>
<Enter>
:save-screen pf-enum-picked.screen
<Up>
<Enter>
<C-a><C-k>-3<Enter>
:save-screen pf-minimum.screen
<Enter>
<C-a><C-k>1.50<Enter>
J
:save-screen pf-json.screen
<Esc>
:save-screen pf-back.screen
:resize 44 16
:save-screen pf-narrow.screen
'
run_console 80 24
for s in open typing edited missing refused refused-form reopened datetime email \
	format-refused item-added wide items-three item-removed item-removed-json sent \
	enum-pick enum-picked minimum json back narrow; do
	assert_screen "pf-$s"
done
# The form spliced the payload: the example's layout and key order, 1.50
# as typed, the picked currency.
python3 - "$NOVU_CONSOLE_STATE_DIR/drafts/trigger.json" <<'EOP' || { echo "FAIL: $TEST_NAME: draft payload"; FAILED=1; }
import json, sys
payload = json.load(open(sys.argv[1]))["event"]["payload"]
want = '{\n  "invoiceId": "INV-2041",\n  "amount": 1.50,\n  "currency": "USD"\n}'
assert payload == want, repr(payload)
EOP
# Run 2: a restored draft the schema refuses (amount below its minimum):
# ^S asks for the workflow's schema first, then refuses.
python3 - "$NOVU_CONSOLE_STATE_DIR/drafts/trigger.json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
d["event"]["payload"] = d["event"]["payload"].replace("1.50", "-1")
json.dump(d, open(sys.argv[1], "w"))
EOP
steps '
<C-s>
:save-screen pf-draft-refused.screen
'
run_console 80 24
assert_screen pf-draft-refused
sandbox_get /__sandbox/requests >"$WORK/requests.json"
python3 - "$WORK/requests.json" <<'EOP' || { echo "FAIL: $TEST_NAME: see above"; FAILED=1; }
import json, sys
t = [json.loads(r["body"]) for r in json.load(open(sys.argv[1]))
     if r["path"] == "/v1/events/trigger"]
assert len(t) == 1, t
assert t[0]["name"] == "order-shipped", t
assert t[0]["payload"] == {
    "order": {"carrier": "UPS", "id": "B-2002", "shippedAt": "2026-01-15T09:30:00Z",
              "items": [{"sku": "SKU-1", "name": "東京 Express Zoë", "quantity": 2},
                        {"sku": "SKU-3"}]},
    "trackingUrl": "https://example.com/track/A-1001",
    "customerEmail": "jane@example.com"}, t
EOP
finish
