/* compose_int.h - what the files of the event form share (compose.c the
 * model and keys, compose_draw.c, compose_edit.c, compose_send.c,
 * compose_preview.c); nothing outside them includes it. */
#ifndef NC_UI_COMPOSE_INT_H
#define NC_UI_COMPOSE_INT_H

#include <stddef.h>

#include "compose.h"
#include "prompt.h"

#define LABEL_W 12             /* the label column */

#define FI_JSON          0x1   /* a JSON object: the JSON editor, $EDITOR */
#define FI_NOT_BROADCAST 0x2   /* not on the Broadcast form */
#define FI_NOT_BULK      0x4   /* not in a bulk event (the request has one) */
#define FI_NO_SLOT ((size_t)-1)
#define FI_WIRE_NAMES 3

/* One field of the form; compose_fields[] has one per enum cf_field. */
struct field_info {
	const char *label;                 /* the left column */
	const char *wire[FI_WIRE_NAMES];   /* request field names errors use;
	                                      wire[0] is the one requests use */
	size_t slot;                       /* offsetof(struct compose, its text)
	                                      or FI_NO_SLOT (the recipients) */
	unsigned flags;                    /* FI_* */
	enum prompt_kind prompt;           /* what Tab completes while typing */
	const char *hint;                  /* the bottom line when focused */
};
extern const struct field_info compose_fields[CF_COUNT];

/* compose.c */
int field_visible(const struct compose *c, int f);
int field_is_json(int f);
/* The text field f edits (into c), or NULL for the recipients. */
char **field_slot(struct compose *c, int f);
/* A transactionId of the console's choosing (History may swap a used one
 * for a fresh one; never one the user typed). */
void compose_new_txid(struct compose *c);
/* Save the draft; with field >= 0 and text, as if field held text (what is
 * being typed right now). */
void save_draft_with(struct app *a, struct compose *c, int field, const char *text);

/* compose_edit.c */
void compose_edit_field(struct app *a, struct compose *c, int f);
/* The JSON editor on field f (the payload form's JSON view, too). */
void compose_edit_json(struct app *a, struct compose *c, int f);
void compose_edit_external(struct app *a, struct compose *c);
/* Fetch the workflow's payloadExample into the payload (quiet: no message
 * when there is none, and only into an empty payload) and keep its
 * payloadSchema. */
void compose_prefill_start(struct app *a, struct compose *c, int quiet);
/* The workflow's payloadSchema when it was fetched for the workflow the
 * form names now, else NULL. */
const char *compose_schema(const struct compose *c);
/* The form's workflow was asked for its schema (it may have none). */
int compose_schema_known(const struct compose *c);
/* Fetch the workflow's schema, then ^S again (compose_send). */
void compose_check_then_send(struct app *a, struct compose *c);
void compose_prefill_confirmed(struct app *a, void *ctx, int yes);
void compose_workflow_picked(struct app *a, void *ctx, char **keys, size_t n);

/* compose_send.c */
/* The key a send uses: the typed one, else one made up and kept while the
 * form is unchanged (so a retry is deduplicated); NULL in a bulk event. */
const char *compose_idem(struct compose *c);
void compose_send(struct app *a, struct compose *c);
void compose_preview(struct app *a, struct compose *c);
void compose_copy_curl(struct app *a, struct compose *c);

/* compose_preview.c */
/* What each step will say (`v`): for the first subscriber recipient, or on
 * the Broadcast form for the subscriber picked from the list; fetched on
 * the worker, shown in a viewer; failures go to the Errors screen. */
void compose_step_preview(struct app *a, struct compose *c);

#endif
