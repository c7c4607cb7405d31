/* compose_edit.c - editing a field: readline for text, the JSON editor or $EDITOR for JSON, the payload form, the payloadExample and payloadSchema and the workflow picker. */
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
#include "payloadform.h"
#include "prompt.h"
#include "uiops.h"
#include "viewer.h"
#include "worker.h"

/* ---- JSON helpers ---- */

char *
json_pretty_text(const char *text)
{
	return str_empty(text) ? NULL : json_pretty(text, strlen(text));
}

/* Check a JSON field: NULL when fine (empty is fine), else a message with
 * line and column. */
static char *
check_json_field(const char *text, const char *field, long *line, long *col)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *root;
	char *msg = NULL;
	const char *p;

	*line = *col = 0;
	for (p = text ? text : ""; *p && isspace((unsigned char)*p); p++)
		;
	if (!*p)
		return NULL;
	root = json_parse_field(text, strlen(text), field, 1, &err);
	if (root) {
		cJSON_Delete(root);
		return NULL;
	}
	if (err.nfields) {
		msg = must_strdup(err.fields[0].message);
		*line = err.fields[0].line;
		*col = err.fields[0].column;
	} else {
		msg = must_strdup(err.message ? err.message : "invalid JSON");
	}
	nc_error_clear(&err);
	return msg;
}

/* ---- editing ---- */

static void
edit_changed(struct app *a, void *ctx, const char *text)
{
	struct compose *c = ctx;

	save_draft_with(a, c, c->editing, text);
}

static void
edit_done(struct app *a, void *ctx, const char *line)
{
	struct compose *c = ctx;
	int f = c->editing;
	char **slot = field_slot(c, f);
	int workflow_changed;

	c->editing = -1;
	if (!line || !slot) {
		/* Esc keeps the old value; at quit the draft already holds
		 * the text being typed. */
		if (!a->quitting)
			save_draft_with(a, c, -1, NULL);
		return;
	}
	workflow_changed = f == CF_WORKFLOW &&
		strcmp(c->ev.workflow ? c->ev.workflow : "", line) != 0;
	if (f == CF_TXN && strcmp(*slot ? *slot : "", line) != 0)
		c->txid_typed = *line != '\0';
	str_set(slot, *line ? line : NULL);
	if (f == CF_TXN && !*line)
		*slot = ui_new_transaction_id();
	free(c->errors[f]);
	c->errors[f] = NULL;
	compose_changed(a, c);
	/* Quiet: the example only fills an empty payload; the schema is
	 * kept either way. */
	if (workflow_changed && *line)
		compose_prefill_start(a, c, 1);
}

struct json_edit_ctx {
	struct compose *c;
	int field;
};

static void
json_changed(struct app *a, void *ctx)
{
	struct json_edit_ctx *j = ctx;

	free(j->c->errors[j->field]);
	j->c->errors[j->field] = NULL;
	compose_changed(a, j->c);
}

static char *
json_check(struct app *a, void *ctx, long *line, long *col)
{
	struct json_edit_ctx *j = ctx;
	char **slot = field_slot(j->c, j->field);
	char *msg = slot ? check_json_field(*slot, compose_fields[j->field].wire[0], line, col) : NULL;

	free(j->c->errors[j->field]);
	j->c->errors[j->field] = msg ? must_strdup(msg) : NULL;
	app_redraw(a);
	return msg;
}

void
compose_edit_json(struct app *a, struct compose *c, int f)
{
	struct json_edit_ctx *j = must_calloc(1, sizeof(*j));
	char *title = must_asprintf("%s (JSON object)", compose_fields[f].label);

	j->c = c;
	j->field = f;
	textedit_open(a, title, field_slot(c, f), json_changed, json_check, j);
	free(title);
}

static struct prefill_job *prefill_submit(struct app *a, struct compose *c, int quiet,
                                          int open_form);

/* The payload opens as a form when the workflow has a payloadSchema; the
 * schema not fetched yet is fetched first (the form opens when it
 * arrives), and without one it is the JSON editor. */
static void
edit_payload(struct app *a, struct compose *c)
{
	if (compose_schema(c)) {
		payloadform_open(a, c, 0);
	} else if (!str_empty(c->ev.workflow) && a->s->client &&
	           (!c->schema_for || strcmp(c->schema_for, c->ev.workflow) != 0)) {
		prefill_submit(a, c, 1, 1);
	} else {
		compose_edit_json(a, c, CF_PAYLOAD);
	}
}

void
compose_edit_field(struct app *a, struct compose *c, int f)
{
	char **slot = field_slot(c, f);

	if (f == CF_RECIPIENTS) {
		rcpt_open(a, c);
		return;
	}
	if (!slot)
		return;
	if (f == CF_PAYLOAD) {
		edit_payload(a, c);
		return;
	}
	if (field_is_json(f)) {
		compose_edit_json(a, c, f);
		return;
	}
	c->editing = f;
	prompt_start(a, compose_fields[f].prompt, compose_fields[f].label, *slot, edit_done, c);
	prompt_on_change(a, edit_changed);
}

void
compose_edit_external(struct app *a, struct compose *c)
{
	char **slot = field_slot(c, c->focus);
	char *out = NULL, errbuf[256];
	long line, col;
	char *msg;

	if (!field_is_json(c->focus) || !slot) {
		app_message(a, MSG_INFO, "$EDITOR edits the JSON fields: payload, overrides, context");
		return;
	}
	if (ui_edit_external(a, *slot ? *slot : "{\n}\n", ".json", &out, errbuf,
	                     sizeof(errbuf)) != 0) {
		app_message(a, MSG_ERROR, "%s", errbuf);
		return;
	}
	str_set(slot, out);
	free(out);
	compose_changed(a, c);
	msg = check_json_field(*slot, compose_fields[c->focus].wire[0], &line, &col);
	free(c->errors[c->focus]);
	c->errors[c->focus] = msg;
	if (msg)
		app_message(a, MSG_ERROR, "%s", msg);
	else
		app_message(a, MSG_OK, "%s updated from the editor", compose_fields[c->focus].label);
}

/* ---- payloadExample ---- */

struct prefill_job {
	struct nc_client *client;
	struct compose *c;
	char *workflow;
	char *example;
	char *schema;
	int validates;             /* Novu checks triggers against schema */
	int quiet;
	int open_form;             /* Enter on the payload waits for the schema */
	int then_send;             /* ^S waits for it (see compose_check_then_send) */
	enum nc_status st;
	struct nc_error err;
};

static void
prefill_run(void *data, struct worker *w)
{
	struct prefill_job *j = data;

	(void)w;
	j->st = api_workflow_payload(j->client, j->workflow, &j->example, &j->schema,
	                             &j->validates, &j->err);
}

const char *
compose_schema(const struct compose *c)
{
	if (!c->schema_for || !c->ev.workflow || strcmp(c->schema_for, c->ev.workflow) != 0)
		return NULL;
	return c->schema_json;
}

int
compose_schema_known(const struct compose *c)
{
	return c->schema_for && c->ev.workflow && strcmp(c->schema_for, c->ev.workflow) == 0;
}

/* Keep the schema when the form still names the workflow it came with. A
 * workflow the server does not know has none; a send that waited for the
 * schema goes on without one when the fetch failed (the server checks). */
static void
keep_schema(struct compose *c, struct prefill_job *j)
{
	int none = j->err.http_status == 404 || (j->then_send && j->st != NC_E_ABORTED);

	if (!c->ev.workflow || strcmp(c->ev.workflow, j->workflow) != 0)
		return;
	if (j->st != NC_OK && !none)
		return;
	str_set(&c->schema_for, j->workflow);
	free(c->schema_json);
	c->schema_json = j->schema;
	c->schema_enforced = j->validates;
	j->schema = NULL;
}

/* Enter on the payload waited for the schema: open what fits now, when
 * the form is still in front with the payload focused. */
static void
open_when_fetched(struct app *a, struct compose *c)
{
	struct view *top = app_top(a);
	int in_front = (top->ops == &scr_trigger_ops && a->forms[0] == c) ||
	               (top->ops == &scr_broadcast_ops && a->forms[1] == c);

	if (c->focus != CF_PAYLOAD)
		return;
	if (!in_front) {
		if (compose_schema(c))
			app_message(a, MSG_INFO, "%s's payloadSchema is here: Enter opens the "
			            "payload form", c->ev.workflow);
		return;
	}
	if (compose_schema(c))
		payloadform_open(a, c, 0);
	else
		compose_edit_json(a, c, CF_PAYLOAD);
}

static void
prefill_job_free(struct prefill_job *j)
{
	nc_error_clear(&j->err);
	free(j->workflow);
	free(j->example);
	free(j->schema);
	free(j);
}

static void
prefill_done(struct app *a, void *data)
{
	struct prefill_job *j = data;
	struct compose *c = j->c;

	keep_schema(c, j);
	if (j->then_send) {
		c->send_checking = 0;
		/* Esc stopped the wait: the user chose not to send yet. */
		if (j->st == NC_E_ABORTED)
			app_message(a, MSG_INFO, "not sent: stopped while asking for %s's "
			            "payloadSchema", j->workflow);
		else if (!compose_schema_known(c))
			app_message(a, MSG_WARN, "not sent: the form now names another workflow "
			            "than %s, whose payloadSchema was checked; ^S checks and sends it",
			            j->workflow);
		prefill_job_free(j);
		if (compose_schema_known(c))
			compose_send(a, c);
		return;
	}
	if (j->st != NC_OK) {
		/* A workflow typed but not (yet) known is not worth an entry in
		 * Errors; the send will say so if it stays unknown. */
		if (j->st != NC_E_ABORTED && !(j->quiet && j->err.http_status == 404)) {
			errlog_add(a, &j->err, SCR_COUNT, "payloadExample");
			if (!j->quiet || j->err.http_status != 404)
				app_message(a, MSG_WARN, "payloadExample of %s: %s", j->workflow,
				            j->err.message ? j->err.message : "failed");
		}
	} else if (!j->example) {
		if (!j->quiet)
			app_message(a, MSG_INFO, "%s has no payloadExample", j->workflow);
	} else if (!j->quiet || str_empty(c->ev.payload_json)) {
		char *pretty = json_pretty_text(j->example);

		str_set(&c->ev.payload_json, pretty ? pretty : j->example);
		free(pretty);
		free(c->errors[CF_PAYLOAD]);
		c->errors[CF_PAYLOAD] = NULL;
		compose_changed(a, c);
		app_message(a, MSG_OK, "payload filled from %s's payloadExample", j->workflow);
	}
	if (j->open_form)
		open_when_fetched(a, c);
	prefill_job_free(j);
}

static struct prefill_job *
prefill_submit(struct app *a, struct compose *c, int quiet, int open_form)
{
	struct prefill_job *j;

	if (!a->s->client || str_empty(c->ev.workflow))
		return NULL;
	j = must_calloc(1, sizeof(*j));
	j->client = a->s->client;
	j->c = c;
	j->workflow = must_strdup(c->ev.workflow);
	j->quiet = quiet;
	j->open_form = open_form;
	nc_error_init(&j->err);
	if (worker_submit(a->worker, "Fetching the workflow's payloadExample and payloadSchema",
	                  prefill_run, prefill_done, j)) {
		if (!quiet || open_form)
			app_message(a, MSG_WARN, "busy: try again when the running request ends");
		free(j->workflow);
		free(j);
		return NULL;
	}
	return j;
}

void
compose_check_then_send(struct app *a, struct compose *c)
{
	struct prefill_job *j = prefill_submit(a, c, 1, 0);

	/* Set before the worker finishes: its answer is only read on this
	 * thread, in prefill_done. */
	if (j) {
		j->then_send = 1;
		c->send_checking = 1;
	}
}

void
compose_prefill_start(struct app *a, struct compose *c, int quiet)
{
	prefill_submit(a, c, quiet, 0);
}

void
compose_prefill_confirmed(struct app *a, void *ctx, int yes)
{
	if (yes)
		compose_prefill_start(a, ctx, 0);
}

/* ---- workflow pick ---- */

void
compose_workflow_picked(struct app *a, void *ctx, char **keys, size_t n)
{
	struct compose *c = ctx;
	const struct nc_workflow *wf;

	if (!n)
		return;
	str_set(&c->ev.workflow, keys[0]);
	app_remember(a, PK_WORKFLOW, keys[0]);
	free(c->errors[CF_WORKFLOW]);
	c->errors[CF_WORKFLOW] = NULL;
	c->focus = CF_WORKFLOW;
	compose_changed(a, c);
	wf = lists_workflow(a, keys[0]);
	if (wf && wf->status && strcmp(wf->status, "ACTIVE") != 0)
		app_message(a, MSG_WARN, "%s is %s: a trigger will not run it", keys[0], wf->status);
	compose_prefill_start(a, c, 1);
}

