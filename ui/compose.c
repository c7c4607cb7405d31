/* compose.c - the event form's model: its fields (one table), the draft
 * kept on every change, the fields errors point at, and its keys. Drawing,
 * editing and sending live beside it (compose_draw.c, compose_edit.c,
 * compose_send.c). */
#include "compose_int.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "clock.h"
#include "dialog.h"
#include "draft.h"
#include "draw.h"
#include "errlog.h"
#include "jsonutil.h"
#include "lists.h"
#include "prompt.h"
#include "uiops.h"
#include "viewer.h"
#include "worker.h"

/* One row per field of the form, in display order (the idea of tig's
 * OPTION_INFO): its label, the request field errors name it by (and other
 * spellings they use), the text it edits, how it is edited, its hint. */
const struct field_info compose_fields[CF_COUNT] = {
	[CF_WORKFLOW] = { "Workflow", { "name", "workflow" },
		offsetof(struct compose, ev.workflow), 0, PK_WORKFLOW,
		"Enter: type the workflow ID (Tab completes)  w: pick from the list" },
	[CF_RECIPIENTS] = { "Recipients", { "to" }, FI_NO_SLOT, FI_NOT_BROADCAST, PK_TEXT,
		"Enter or r: recipients editor (IDs, subscribers, topics, import)" },
	[CF_PAYLOAD] = { "Payload", { "payload" },
		offsetof(struct compose, ev.payload_json), FI_JSON, PK_TEXT,
		"Enter: edit JSON here  E/F4: $EDITOR  x: payloadExample" },
	[CF_OVERRIDES] = { "Overrides", { "overrides" },
		offsetof(struct compose, ev.overrides_json), FI_JSON, PK_TEXT,
		"Enter: edit JSON here  E/F4: $EDITOR" },
	[CF_ACTOR] = { "Actor", { "actor" }, offsetof(struct compose, ev.actor), 0,
		PK_SUBSCRIBER, "Enter: the acting subscriber's ID (Tab completes)" },
	[CF_TENANT] = { "Tenant", { "tenant" }, offsetof(struct compose, ev.tenant), 0,
		PK_TENANT, "Enter: tenant identifier" },
	[CF_CONTEXT] = { "Context", { "context" },
		offsetof(struct compose, ev.context_json), FI_JSON, PK_TEXT,
		"Enter: JSON like {\"tenant\":\"org-acme\"}" },
	[CF_TXN] = { "Transaction", { "transactionId" },
		offsetof(struct compose, ev.transaction_id), 0, PK_TXN,
		"Enter: edit  n: new transactionId (cancel and lookup use it)" },
	[CF_IDEM] = { "Idem. key", { "idempotencyKey", "Idempotency-Key", "idempotency-key" },
		offsetof(struct compose, idem), FI_NOT_BULK, PK_TEXT,
		"Enter: edit; empty sends a generated key (reused on retry)" },
};

const char *
compose_field_label(enum cf_field f)
{
	return (unsigned)f < CF_COUNT ? compose_fields[f].label : "";
}

int
field_visible(const struct compose *c, int f)
{
	if (f < 0 || f >= CF_COUNT)
		return 0;
	if (c->mode == CM_BROADCAST && (compose_fields[f].flags & FI_NOT_BROADCAST))
		return 0;
	return !(c->mode == CM_BULK_EVENT && (compose_fields[f].flags & FI_NOT_BULK));
}

int
field_is_json(int f)
{
	return f >= 0 && f < CF_COUNT && (compose_fields[f].flags & FI_JSON);
}

char **
field_slot(struct compose *c, int f)
{
	if (f < 0 || f >= CF_COUNT || compose_fields[f].slot == FI_NO_SLOT)
		return NULL;
	return (char **)(void *)((char *)c + compose_fields[f].slot);
}

/* A transactionId of the console's choosing (History may swap it for a
 * fresh one when it was used; never one the user typed). */
void
compose_new_txid(struct compose *c)
{
	free(c->ev.transaction_id);
	c->ev.transaction_id = ui_new_transaction_id();
	c->txid_typed = 0;
}

struct compose *
compose_new(enum compose_mode mode, const char *draft_name)
{
	struct compose *c = must_calloc(1, sizeof(*c));

	c->mode = mode;
	c->draft_name = draft_name;
	c->editing = -1;
	c->rcpt_error = -1;
	event_init(&c->ev);
	c->ev.transaction_id = ui_new_transaction_id();
	return c;
}

void
compose_clear_errors(struct compose *c)
{
	int i;

	for (i = 0; i < CF_COUNT; i++) {
		free(c->errors[i]);
		c->errors[i] = NULL;
	}
	c->rcpt_error = -1;
}

void
compose_free(struct compose *c)
{
	if (!c)
		return;
	compose_clear_errors(c);
	event_clear(&c->ev);
	free(c->idem);
	free(c->auto_idem);
	free(c->just_sent);
	free(c->result);
	free(c->schema_for);
	free(c->schema_json);
	free(c);
}

/* ---- drafts ---- */

void
save_draft_with(struct app *a, struct compose *c, int field, const char *text)
{
	struct nc_error err = NC_ERROR_INIT;
	char **slot = field >= 0 ? field_slot(c, field) : NULL;
	char *saved = NULL, *tmp = NULL;
	cJSON *doc, *ev;

	if (!c->draft_name)
		return;
	if (slot && text) {
		/* Save what is being typed, not the old value. */
		tmp = must_strdup(text);
		saved = *slot;
		*slot = tmp;
	}
	doc = cJSON_CreateObject();
	ev = draft_event_to_json(&c->ev);
	if (slot && text) {
		*slot = saved;
		free(tmp);
	}
	if (!doc || !ev) {
		cJSON_Delete(doc);
		cJSON_Delete(ev);
		return;
	}
	cJSON_AddNumberToObject(doc, "version", NC_DRAFT_VERSION);
	cJSON_AddItemToObject(doc, "event", ev);
	if (c->idem && !(slot == &c->idem && text))
		cJSON_AddStringToObject(doc, "idempotencyKey", c->idem);
	else if (slot == &c->idem && text)
		cJSON_AddStringToObject(doc, "idempotencyKey", text);
	cJSON_AddNumberToObject(doc, "focus", c->focus);
	if (draft_write(c->draft_name, doc, a->sync_drafts ? NC_DRAFT_SYNC : 0,
	                &err) != NC_OK)
		app_message(a, MSG_ERROR, "draft not saved: %s", err.message ? err.message : "?");
	nc_error_clear(&err);
	cJSON_Delete(doc);
}

void
compose_save_draft(struct app *a, struct compose *c)
{
	if (prompt_active(a) && c->editing >= 0)
		save_draft_with(a, c, c->editing, prompt_text(a));
	else
		save_draft_with(a, c, -1, NULL);
}

void
compose_load_draft(struct app *a, struct compose *c)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *doc = NULL;
	const cJSON *ev;
	const char *idem;

	if (!c->draft_name)
		return;
	if (draft_read(c->draft_name, &doc, &err) != NC_OK) {
		app_message(a, MSG_WARN, "%s", err.message ? err.message : "draft unreadable");
		nc_error_clear(&err);
		return;
	}
	if (!doc)
		return;
	ev = cJSON_GetObjectItemCaseSensitive(doc, "event");
	if (ev && draft_event_from_json(&c->ev, ev, &err) != NC_OK)
		app_message(a, MSG_WARN, "draft %s: %s", c->draft_name,
		            err.message ? err.message : "unreadable");
	if (str_empty(c->ev.transaction_id)) {
		compose_new_txid(c);
	}
	idem = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "idempotencyKey"));
	str_set(&c->idem, idem);
	c->focus = (int)json_num(doc, "focus", 0);
	if (!field_visible(c, c->focus))
		c->focus = CF_WORKFLOW;
	nc_error_clear(&err);
	cJSON_Delete(doc);
}

void
compose_changed(struct app *a, struct compose *c)
{
	free(c->just_sent);
	c->just_sent = NULL;
	free(c->auto_idem);
	c->auto_idem = NULL;
	free(c->result);
	c->result = NULL;
	save_draft_with(a, c, -1, NULL);
	if (c->on_change)
		c->on_change(a, c);
	app_redraw(a);
}

void
compose_set_event(struct app *a, struct compose *c, const struct nc_event *ev)
{
	struct nc_event copy;

	event_init(&copy);
	if (event_copy(&copy, ev) != NC_OK) {
		app_message(a, MSG_ERROR, "out of memory");
		return;
	}
	event_clear(&c->ev);
	c->ev = copy;
	compose_new_txid(c);
	compose_clear_errors(c);
	c->focus = CF_WORKFLOW;
	compose_changed(a, c);
}

/* ---- error fields ---- */

enum cf_field
compose_field_for(const char *name, long *index, long *event)
{
	size_t k, len;
	int f;

	if (index)
		*index = -1;
	if (event)
		*event = -1;
	if (!name)
		return CF_NONE;
	if (strncmp(name, "events[", 7) == 0) {
		char *end;
		long ev = strtol(name + 7, &end, 10);

		if (event && *end == ']')
			*event = ev;
		name = strchr(name, ']');
		if (!name)
			return CF_NONE;
		name++;
		if (*name == '.')
			name++;
		if (!*name)
			return CF_NONE;
	}
	for (f = 0; f < CF_COUNT; f++) {
		for (k = 0; k < FI_WIRE_NAMES && compose_fields[f].wire[k]; k++) {
			const char *w = compose_fields[f].wire[k];

			len = strlen(w);
			if (strncmp(name, w, len) != 0 ||
			    (name[len] != '\0' && name[len] != '.' && name[len] != '['))
				continue;
			if (f == CF_RECIPIENTS && name[len] == '[' && index)
				*index = strtol(name + len + 1, NULL, 10);
			return (enum cf_field)f;
		}
	}
	return CF_NONE;
}

enum cf_field
compose_field_for_error(const struct nc_error *err, long *index, long *event)
{
	enum cf_field f;
	size_t i;

	if (index)
		*index = -1;
	if (event)
		*event = err->event_index >= 0 ? err->event_index : -1;
	for (i = 0; i < err->nfields; i++) {
		long ev = -1;

		f = compose_field_for(err->fields[i].field, index, &ev);
		if (ev >= 0 && event)
			*event = ev;
		if (f != CF_NONE)
			return f;
		/* A payload-schema error names a path inside the payload. */
		if (err->type && strcmp(err->type, "PAYLOAD_VALIDATION_ERROR") == 0)
			return CF_PAYLOAD;
	}
	if (err->type && strcmp(err->type, "PAYLOAD_VALIDATION_ERROR") == 0)
		return CF_PAYLOAD;
	if (err->http_status == 413)
		return CF_PAYLOAD;
	if (err->message && strstr(err->message, "workflow_not_found"))
		return CF_WORKFLOW;
	if (err->message && strstr(err->message, "dempotency"))
		return CF_IDEM;
	if (err->message && strstr(err->message, "being reused for a different body"))
		return CF_IDEM;
	return CF_NONE;
}

void
compose_mark_errors(struct compose *c, const struct nc_error *err)
{
	long index, event;
	enum cf_field f, first = CF_NONE;
	size_t i;

	compose_clear_errors(c);
	for (i = 0; i < err->nfields; i++) {
		f = compose_field_for(err->fields[i].field, &index, &event);
		if (f == CF_NONE && err->type && strcmp(err->type, "PAYLOAD_VALIDATION_ERROR") == 0)
			f = CF_PAYLOAD;
		if (f == CF_NONE || !field_visible(c, f))
			continue;
		if (!c->errors[f]) {
			if (f == CF_PAYLOAD && strncmp(err->fields[i].field, "payload", 7) != 0)
				c->errors[f] = must_asprintf("%s: %s", err->fields[i].field,
				                         err->fields[i].message);
			else
				c->errors[f] = must_strdup(err->fields[i].message);
		}
		if (f == CF_RECIPIENTS && index >= 0 && c->rcpt_error < 0)
			c->rcpt_error = index;
		if (first == CF_NONE)
			first = f;
	}
	if (first == CF_NONE) {
		f = compose_field_for_error(err, &index, &event);
		if (f != CF_NONE && field_visible(c, f)) {
			c->errors[f] = must_strdup(err->message ? err->message : "error");
			first = f;
		}
	}
	if (first != CF_NONE)
		c->focus = first;
}

void
compose_focus(struct app *a, struct compose *c, enum cf_field f, long index)
{
	if (f == CF_NONE || !field_visible(c, f))
		return;
	c->focus = f;
	if (f == CF_RECIPIENTS && index >= 0) {
		c->rcpt_sel = (int)index;
		rcpt_open(a, c);
	}
	app_redraw(a);
}

/* ---- keys ---- */

static void
move_focus(struct compose *c, int dir)
{
	int f = c->focus;

	do {
		f += dir;
	} while (f >= 0 && f < CF_COUNT && !field_visible(c, f));
	if (f >= 0 && f < CF_COUNT)
		c->focus = f;
}

static void
clear_recipients(struct app *a, void *ctx, int yes)
{
	struct compose *c = ctx;

	if (!yes)
		return;
	while (c->ev.nto)
		event_remove_recipient(&c->ev, c->ev.nto - 1);
	compose_changed(a, c);
}

static void
reset_confirmed(struct app *a, void *ctx, int yes)
{
	struct compose *c = ctx;

	if (!yes)
		return;
	event_clear(&c->ev);
	compose_new_txid(c);
	str_set(&c->idem, NULL);
	compose_clear_errors(c);
	c->focus = CF_WORKFLOW;
	compose_changed(a, c);
	app_message(a, MSG_INFO, "form emptied");
}

static void
clear_field(struct app *a, struct compose *c)
{
	char **slot = field_slot(c, c->focus);

	if (c->focus == CF_RECIPIENTS) {
		if (c->ev.nto)
			dialog_confirm(a, "Recipients", "Remove every recipient?", clear_recipients, c);
		return;
	}
	if (!slot)
		return;
	str_set(slot, NULL);
	if (c->focus == CF_TXN)
		compose_new_txid(c);
	free(c->errors[c->focus]);
	c->errors[c->focus] = NULL;
	compose_changed(a, c);
}

unsigned
compose_handle(struct app *a, struct compose *c, enum ui_req req, int key)
{
	(void)key;
	if (c->send_checking && req != REQ_STOP_SEND && req != REQ_QUIT && req != REQ_HELP &&
	    req != REQ_REDRAW) {
		/* The send's confirmation comes when the check ends: a key typed
		 * ahead for it (a broadcast's workflow ID, y) would land in the
		 * form or start another action instead. */
		app_message(a, MSG_INFO, "checking the payload against %s's payloadSchema before "
		            "sending: the form waits for it (Esc stops the check)",
		            c->ev.workflow ? c->ev.workflow : "the workflow");
		return UI_HANDLED | UI_REDRAW;
	}
	switch (req) {
	case REQ_MOVE_UP:
		move_focus(c, -1);
		break;
	case REQ_MOVE_DOWN:
		move_focus(c, 1);
		break;
	case REQ_MOVE_FIRST:
	case REQ_PAGE_UP:
		c->focus = CF_WORKFLOW;
		break;
	case REQ_MOVE_LAST:
	case REQ_PAGE_DOWN:
		c->focus = c->mode == CM_BULK_EVENT ? CF_TXN : CF_IDEM;
		break;
	case REQ_EDIT:
		compose_edit_field(a, c, c->focus);
		break;
	case REQ_EDIT_EXTERNAL:
		compose_edit_external(a, c);
		break;
	case REQ_SEND:
		compose_send(a, c);
		break;
	case REQ_PREVIEW:
		compose_preview(a, c);
		break;
	case REQ_STEP_PREVIEW:
		compose_step_preview(a, c);
		break;
	case REQ_COPY_CURL:
		compose_copy_curl(a, c);
		break;
	case REQ_PICK_WORKFLOW:
		pick_open(a, LIST_WORKFLOWS, 0, compose_workflow_picked, c);
		break;
	case REQ_RECIPIENTS:
		if (c->mode == CM_BROADCAST)
			return 0;
		c->focus = CF_RECIPIENTS;
		rcpt_open(a, c);
		break;
	case REQ_PREFILL:
		if (str_empty(c->ev.workflow)) {
			app_message(a, MSG_WARN, "set the workflow first");
		} else if (!str_empty(c->ev.payload_json)) {
			dialog_confirm(a, "payloadExample", "Replace the payload with the "
			               "workflow's payloadExample?", compose_prefill_confirmed, c);
		} else {
			compose_prefill_start(a, c, 0);
		}
		break;
	case REQ_NEW_TXN:
		compose_new_txid(c);
		compose_changed(a, c);
		app_message(a, MSG_INFO, "new transactionId %s", c->ev.transaction_id);
		break;
	case REQ_CLEAR_FIELD:
		clear_field(a, c);
		break;
	case REQ_RESET_FORM:
		dialog_confirm(a, "Reset", "Empty the whole form? (A new transactionId is made.)",
		               reset_confirmed, c);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}
