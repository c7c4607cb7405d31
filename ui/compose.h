/* compose.h - the event form shared by the Trigger and Broadcast screens
 * and the bulk builder's event editor: workflow, recipients, payload,
 * overrides, actor, tenant, context, transactionId, idempotency key.
 *
 * The form edits a struct nc_event directly (JSON fields stay as typed
 * text, see request.h). Every change is saved as a draft (draft.h) so a
 * crash, a kill or a failed send loses nothing; the draft is restored at
 * start. The send itself runs on the worker; its answer goes to History,
 * and a failure to the Errors screen, whose detail opens.
 */
#ifndef NC_UI_COMPOSE_H
#define NC_UI_COMPOSE_H

#include "app.h"
#include "request.h"

enum compose_mode { CM_TRIGGER, CM_BROADCAST, CM_BULK_EVENT };

enum cf_field {
	CF_WORKFLOW, CF_RECIPIENTS, CF_PAYLOAD, CF_OVERRIDES, CF_ACTOR, CF_TENANT,
	CF_CONTEXT, CF_TXN, CF_IDEM, CF_COUNT, CF_NONE = -1
};

struct compose {
	enum compose_mode mode;
	struct nc_event ev;
	char *idem;                /* typed Idempotency-Key; empty: generated */
	char *auto_idem;           /* generated key, reused while the body is
	                              unchanged so a retry is deduplicated */
	char *just_sent;           /* transactionId of the processed send the
	                              form has not changed since, or NULL */
	int send_checking;         /* ^S waits for the payloadSchema check:
	                              keys wait too (compose_handle) */
	int txid_typed;            /* the user typed the transactionId: History
	                              refuses it when used, never swaps it */
	int focus;                 /* enum cf_field */
	int editing;               /* field under the readline prompt, or -1 */
	int top;                   /* first field row shown (small terminals) */
	int payload_rows;          /* rows the payload got at the last draw */
	char *errors[CF_COUNT];    /* problem per field, or NULL */
	long rcpt_error;           /* recipient index an error names, or -1 */
	char *result;              /* outcome of the last send */
	enum msg_kind result_kind;
	const char *draft_name;    /* "trigger", "broadcast", or NULL */
	/* Bulk event editor: called after every change. */
	void (*on_change)(struct app *a, struct compose *c);
	void *owner;
	int rcpt_sel;              /* selection in the recipients editor */
	int rcpt_top;
	/* The workflow's payloadSchema (fetched on the worker with its
	 * payloadExample, see compose_prefill_start): schema_for names the
	 * workflow it was fetched for; schema_json is NULL when that
	 * workflow has none. schema_enforced: Novu refuses triggers the
	 * schema refuses (validatePayload is on); otherwise the schema only
	 * guides the form and ^S sends what Novu would accept. */
	char *schema_for;
	char *schema_json;
	int schema_enforced;
};

struct compose *compose_new(enum compose_mode mode, const char *draft_name);
void compose_free(struct compose *c);

void compose_draw(struct app *a, struct compose *c, int y, int x, int h, int w);
unsigned compose_handle(struct app *a, struct compose *c, enum ui_req req, int key);

/* Something in the form changed: forget the generated idempotency key and
 * the last result, save the draft. */
void compose_changed(struct app *a, struct compose *c);
/* Restore the saved draft (at start). A draft that cannot be read is
 * reported, never deleted. */
void compose_load_draft(struct app *a, struct compose *c);
/* Save now (also called on quit). */
void compose_save_draft(struct app *a, struct compose *c);

/* Replace the form's event (History "to form", resend). A fresh
 * transactionId is generated. */
void compose_set_event(struct app *a, struct compose *c, const struct nc_event *ev);

/* Send ev (copied) as a trigger or a broadcast on the worker, through the
 * core's send use case (ops.h: History checked first, recorded before it
 * leaves). idem_typed / txid_typed: the user typed that key / ID (History
 * then refuses a used one instead of swapping it). The outcome goes to the
 * status line, and to the form when c is not NULL (then c must be the form
 * ev came from); a failure is added to the Errors screen, whose detail
 * opens. Returns -1 when the worker is busy. Checks (read-only,
 * confirmations) are the caller's. */
int compose_send_event(struct app *a, struct compose *c, enum compose_mode mode,
                       const struct nc_event *ev, const char *idem, int idem_typed,
                       int txid_typed);
/* Resend History row id with its stored key and bytes (ops_resend), the
 * same way. */
int compose_resend_row(struct app *a, enum compose_mode mode, int64_t id);

/* Mark the fields an error names and focus the first. */
void compose_mark_errors(struct compose *c, const struct nc_error *err);
void compose_clear_errors(struct compose *c);
/* The form field a request field name points at ("to[3]" -> CF_RECIPIENTS
 * with *index 3; "events[2].payload" -> CF_PAYLOAD with *event 2).
 * index/event may be NULL; they get -1 when absent. */
enum cf_field compose_field_for(const char *name, long *index, long *event);
/* Which field an error is about (its first field entry, or what the
 * message means: workflow_not_found -> CF_WORKFLOW, 413 -> CF_PAYLOAD). */
enum cf_field compose_field_for_error(const struct nc_error *err, long *index, long *event);
/* Move the focus to field f (opening the recipients editor on recipient
 * index when given). */
void compose_focus(struct app *a, struct compose *c, enum cf_field f, long index);
const char *compose_field_label(enum cf_field f);

/* Pretty-print JSON text with two-space indents; NULL when it does not
 * parse. Caller frees. */
char *json_pretty_text(const char *text);

/* The recipients editor over the form (rcpt.c). */
void rcpt_open(struct app *a, struct compose *c);
/* The JSON editor (textedit.c): edits *slot in place; `changed` after each
 * edit, `check` when the user leaves (returns an error text to show, or
 * NULL when fine; the editor frees it). */
typedef void (*textedit_changed_fn)(struct app *a, void *ctx);
typedef char *(*textedit_check_fn)(struct app *a, void *ctx, long *line, long *col);
void textedit_open(struct app *a, const char *title, char **slot,
                   textedit_changed_fn changed, textedit_check_fn check, void *ctx);

#endif
