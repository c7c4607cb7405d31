/* compose.c - the event form: drawing, editing, preview, send, drafts. */
#include "compose.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
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

#define LABEL_W 12

static const char *const field_labels[CF_COUNT] = {
	"Workflow", "Recipients", "Payload", "Overrides", "Actor", "Tenant",
	"Context", "Transaction", "Idem. key"
};

static const char *const field_hints[CF_COUNT] = {
	"Enter: type the workflow ID (Tab completes)  w: pick from the list",
	"Enter or r: recipients editor (IDs, subscribers, topics, import)",
	"Enter: edit JSON here  E/F4: $EDITOR  x: payloadExample",
	"Enter: edit JSON here  E/F4: $EDITOR",
	"Enter: the acting subscriber's ID (Tab completes)",
	"Enter: tenant identifier",
	"Enter: JSON like {\"tenant\":\"org-acme\"}",
	"Enter: edit  n: new transactionId (cancel and lookup use it)",
	"Enter: edit; empty sends a generated key (reused on retry)",
};

const char *
compose_field_label(enum cf_field f)
{
	return (unsigned)f < CF_COUNT ? field_labels[f] : "";
}

static int
field_visible(const struct compose *c, int f)
{
	if (f == CF_RECIPIENTS && c->mode == CM_BROADCAST)
		return 0;
	if (f == CF_IDEM && c->mode == CM_BULK_EVENT)
		return 0;
	return f >= 0 && f < CF_COUNT;
}

static int
field_is_json(int f)
{
	return f == CF_PAYLOAD || f == CF_OVERRIDES || f == CF_CONTEXT;
}

/* The string a field edits, or NULL for the recipients. */
static char **
field_slot(struct compose *c, int f)
{
	switch (f) {
	case CF_WORKFLOW: return &c->ev.workflow;
	case CF_PAYLOAD: return &c->ev.payload_json;
	case CF_OVERRIDES: return &c->ev.overrides_json;
	case CF_ACTOR: return &c->ev.actor;
	case CF_TENANT: return &c->ev.tenant;
	case CF_CONTEXT: return &c->ev.context_json;
	case CF_TXN: return &c->ev.transaction_id;
	case CF_IDEM: return &c->idem;
	default: return NULL;
	}
}

static enum prompt_kind
field_prompt_kind(int f)
{
	switch (f) {
	case CF_WORKFLOW: return PK_WORKFLOW;
	case CF_ACTOR: return PK_SUBSCRIBER;
	case CF_TENANT: return PK_TENANT;
	case CF_TXN: return PK_TXN;
	default: return PK_TEXT;
	}
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
	free(c->result);
	free(c);
}

/* ---- drafts ---- */

static void
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
		free(c->ev.transaction_id);
		c->ev.transaction_id = ui_new_transaction_id();
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
	free(c->ev.transaction_id);
	c->ev.transaction_id = ui_new_transaction_id();
	compose_clear_errors(c);
	c->focus = CF_WORKFLOW;
	compose_changed(a, c);
}

/* ---- error fields ---- */

enum cf_field
compose_field_for(const char *name, long *index, long *event)
{
	static const struct { const char *prefix; enum cf_field f; } map[] = {
		{ "name", CF_WORKFLOW }, { "workflow", CF_WORKFLOW }, { "to", CF_RECIPIENTS },
		{ "payload", CF_PAYLOAD }, { "overrides", CF_OVERRIDES },
		{ "actor", CF_ACTOR }, { "tenant", CF_TENANT }, { "context", CF_CONTEXT },
		{ "transactionId", CF_TXN }, { "idempotencyKey", CF_IDEM },
		{ "Idempotency-Key", CF_IDEM }, { "idempotency-key", CF_IDEM },
	};
	size_t i, len;

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
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		len = strlen(map[i].prefix);
		if (strncmp(name, map[i].prefix, len) == 0 &&
		    (name[len] == '\0' || name[len] == '.' || name[len] == '[')) {
			if (map[i].f == CF_RECIPIENTS && name[len] == '[' && index)
				*index = strtol(name + len + 1, NULL, 10);
			return map[i].f;
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

/* ---- drawing ---- */

struct fline {
	int field;
	int sub;     /* 0: the field's row; k > 0: line k of a JSON value */
};

static int
count_lines(const char *s)
{
	int n = 1;

	if (str_empty(s))
		return 1;
	for (; *s; s++)
		n += *s == '\n';
	if (s[-1] == '\n')
		n--;
	return n;
}

/* Line k (0-based) of s into a malloc'd string. */
static char *
nth_line(const char *s, int k)
{
	const char *end;

	if (!s)
		return must_strdup("");
	while (k-- > 0) {
		s = strchr(s, '\n');
		if (!s)
			return must_strdup("");
		s++;
	}
	end = strchr(s, '\n');
	return end ? must_strndup(s, (size_t)(end - s)) : must_strdup(s);
}

static void
draw_value(struct app *a, struct compose *c, int f, int y, int x, int w)
{
	char buf[512];
	const struct nc_workflow *wf;
	char *line;
	int used;

	switch (f) {
	case CF_WORKFLOW:
		if (str_empty(c->ev.workflow)) {
			draw_text(y, x, w, "(none)", ROLE_DIM);
			return;
		}
		used = draw_text_cut(y, x, w, c->ev.workflow, ROLE_NORMAL);
		wf = lists_workflow(a, c->ev.workflow);
		if (wf && w - used > 4) {
			int active = wf->status && strcmp(wf->status, "ACTIVE") == 0;

			snprintf(buf, sizeof(buf), "  %s%s%s", wf->status ? wf->status : "?",
			         str_empty(wf->steps) ? "" : " · ", wf->steps ? wf->steps : "");
			draw_text_cut(y, x + used, w - used, buf, active ? ROLE_DIM : ROLE_WARN);
		} else if (!wf && (a->lists->loaded & LIST_WORKFLOWS) && w - used > 4) {
			draw_text_cut(y, x + used, w - used, "  (not in the workflow list)", ROLE_WARN);
		}
		return;
	case CF_RECIPIENTS: {
		char *sum = event_recipients_summary(&c->ev, sizeof(buf));

		snprintf(buf, sizeof(buf), "%zu/%d", c->ev.nto, NC_MAX_RECIPIENTS);
		used = draw_text(y, x, w, buf, c->ev.nto > NC_MAX_RECIPIENTS ? ROLE_ERROR :
		                 c->ev.nto ? ROLE_LABEL : ROLE_DIM);
		if (c->ev.nto && sum)
			draw_text_cut(y, x + used + 2, w - used - 2, sum, ROLE_NORMAL);
		else if (!c->ev.nto)
			draw_text(y, x + used + 2, w - used - 2, "(none)", ROLE_DIM);
		free(sum);
		return;
	}
	case CF_IDEM:
		if (!str_empty(c->idem))
			draw_text_cut(y, x, w, c->idem, ROLE_NORMAL);
		else if (c->auto_idem)
			draw_text_cut(y, x, w, c->auto_idem, ROLE_DIM);
		else
			draw_text(y, x, w, "(generated per send)", ROLE_DIM);
		return;
	default:
		break;
	}
	{
		char **slot = field_slot(c, f);
		const char *v = slot ? *slot : NULL;

		if (str_empty(v)) {
			draw_text(y, x, w, field_is_json(f) ? "{}" : "(optional)", ROLE_DIM);
			return;
		}
		/* The payload gets rows of its own when there is room;
		 * otherwise JSON is shown on one line. */
		line = f == CF_PAYLOAD && c->payload_rows > 1 ? nth_line(v, 0) : str_one_line(v);
		draw_text_cut(y, x, w, line, ROLE_NORMAL);
		free(line);
	}
}

static void
draw_field_row(struct app *a, struct compose *c, int f, int y, int x, int w)
{
	int focused = c->focus == f;
	char label[32];

	if (c->errors[f])
		draw_text(y, x, 1, "!", ROLE_ERROR);
	else if (focused)
		draw_text(y, x, 1, ">", ROLE_LABEL);
	snprintf(label, sizeof(label), "%-*s", LABEL_W - 1, field_labels[f]);
	draw_text(y, x + 1, LABEL_W - 1, label, focused ? ROLE_CURSOR : ROLE_LABEL);
	if (c->editing == f && prompt_active(a)) {
		prompt_anchor(a, y, x + LABEL_W + 1, w - LABEL_W - 1);
		return;
	}
	draw_value(a, c, f, y, x + LABEL_W + 1, w - LABEL_W - 1);
}

static const char *
mode_header(const struct compose *c)
{
	switch (c->mode) {
	case CM_TRIGGER:
		return "POST /v1/events/trigger  (at most 100 recipients)";
	case CM_BROADCAST:
		return "POST /v1/events/trigger/broadcast  (every subscriber)";
	default:
		return "Bulk event  (Esc: back to the list)";
	}
}

void
compose_draw(struct app *a, struct compose *c, int y, int x, int h, int w)
{
	struct fline lines[CF_COUNT + 16];
	int nl = 0, nvis = 0, f, k, extra, avail, header, first, i, focus_line = 0;
	int payload_lines = count_lines(c->ev.payload_json);

	for (f = 0; f < CF_COUNT; f++)
		nvis += field_visible(c, f);
	header = h >= nvis + 4;
	avail = h - 2 - header;      /* result and problem lines at the bottom */
	extra = avail - nvis;
	for (f = 0; f < CF_COUNT; f++) {
		if (!field_visible(c, f))
			continue;
		if (f == c->focus)
			focus_line = nl;
		lines[nl].field = f;
		lines[nl++].sub = 0;
		if (f == CF_PAYLOAD) {
			/* All of it or one line: a cut JSON text misleads. */
			c->payload_rows = payload_lines > 1 && payload_lines - 1 <= extra ?
				payload_lines : 1;
			for (k = 1; k < c->payload_rows; k++, extra--) {
				lines[nl].field = f;
				lines[nl++].sub = k;
			}
		}
	}
	if (avail < 1)
		avail = 1;
	/* Keep the focused field in view. */
	if (c->top > focus_line)
		c->top = focus_line;
	if (c->top < focus_line - avail + 1)
		c->top = focus_line - avail + 1;
	if (c->top > nl - avail)
		c->top = nl - avail;
	if (c->top < 0)
		c->top = 0;
	first = c->top;
	if (header)
		draw_text_cut(y++, x + 1, w - 1, mode_header(c), ROLE_DIM);
	for (i = 0; i < avail && first + i < nl; i++) {
		struct fline *l = &lines[first + i];

		if (l->sub == 0) {
			draw_field_row(a, c, l->field, y + i, x, w);
		} else {
			char *text = nth_line(c->ev.payload_json, l->sub);

			draw_text_cut(y + i, x + LABEL_W + 1, w - LABEL_W - 1, text, ROLE_NORMAL);
			free(text);
		}
	}
	y += avail;
	if (c->result)
		draw_text_cut(y, x + 1, w - 1, c->result,
		              c->result_kind == MSG_OK ? ROLE_OK :
		              c->result_kind == MSG_ERROR ? ROLE_ERROR : ROLE_WARN);
	y++;
	if (c->focus >= 0 && c->errors[c->focus]) {
		char *msg = must_asprintf("! %s", c->errors[c->focus]);

		draw_text_cut(y, x + 1, w - 1, msg, ROLE_ERROR);
		free(msg);
	} else if (c->focus >= 0) {
		draw_text_cut(y, x + 1, w - 1, field_hints[c->focus], ROLE_DIM);
	}
}

/* ---- editing ---- */

static void
prefill_start(struct app *a, struct compose *c, int quiet);

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
	str_set(slot, *line ? line : NULL);
	if (f == CF_TXN && !*line)
		*slot = ui_new_transaction_id();
	free(c->errors[f]);
	c->errors[f] = NULL;
	compose_changed(a, c);
	if (workflow_changed && str_empty(c->ev.payload_json) && *line)
		prefill_start(a, c, 1);
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
	static const char *const names[CF_COUNT] = {
		[CF_PAYLOAD] = "payload", [CF_OVERRIDES] = "overrides", [CF_CONTEXT] = "context"
	};
	char **slot = field_slot(j->c, j->field);
	char *msg = slot ? check_json_field(*slot, names[j->field], line, col) : NULL;

	free(j->c->errors[j->field]);
	j->c->errors[j->field] = msg ? must_strdup(msg) : NULL;
	app_redraw(a);
	return msg;
}

static void
edit_field(struct app *a, struct compose *c, int f)
{
	char **slot = field_slot(c, f);

	if (f == CF_RECIPIENTS) {
		rcpt_open(a, c);
		return;
	}
	if (!slot)
		return;
	if (field_is_json(f)) {
		struct json_edit_ctx *j = must_calloc(1, sizeof(*j));
		char *title = must_asprintf("%s (JSON object)", field_labels[f]);

		j->c = c;
		j->field = f;
		textedit_open(a, title, slot, json_changed, json_check, j);
		free(title);
		return;
	}
	c->editing = f;
	prompt_start(a, field_prompt_kind(f), field_labels[f], *slot, edit_done, c);
	prompt_on_change(a, edit_changed);
}

static void
edit_external(struct app *a, struct compose *c)
{
	char **slot = field_slot(c, c->focus);
	char *out = NULL, errbuf[256];
	long line, col;
	char *msg;
	static const char *const names[CF_COUNT] = {
		[CF_PAYLOAD] = "payload", [CF_OVERRIDES] = "overrides", [CF_CONTEXT] = "context"
	};

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
	msg = check_json_field(*slot, names[c->focus], &line, &col);
	free(c->errors[c->focus]);
	c->errors[c->focus] = msg;
	if (msg)
		app_message(a, MSG_ERROR, "%s", msg);
	else
		app_message(a, MSG_OK, "%s updated from the editor", field_labels[c->focus]);
}

/* ---- payloadExample ---- */

struct prefill_job {
	struct nc_client *client;
	struct compose *c;
	char *workflow;
	char *example;
	int quiet;
	enum nc_status st;
	struct nc_error err;
};

static void
prefill_run(void *data, struct worker *w)
{
	struct prefill_job *j = data;

	(void)w;
	j->st = api_workflow_payload_example(j->client, j->workflow, &j->example, &j->err);
}

static void
prefill_done(struct app *a, void *data)
{
	struct prefill_job *j = data;
	struct compose *c = j->c;

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
	nc_error_clear(&j->err);
	free(j->workflow);
	free(j->example);
	free(j);
}

static void
prefill_start(struct app *a, struct compose *c, int quiet)
{
	struct prefill_job *j;

	if (!a->s->client || str_empty(c->ev.workflow))
		return;
	j = must_calloc(1, sizeof(*j));
	j->client = a->s->client;
	j->c = c;
	j->workflow = must_strdup(c->ev.workflow);
	j->quiet = quiet;
	nc_error_init(&j->err);
	if (worker_submit(a->worker, "Fetching payloadExample", prefill_run, prefill_done, j)) {
		if (!quiet)
			app_message(a, MSG_WARN, "busy: try again when the running request ends");
		free(j->workflow);
		free(j);
	}
}

static void
prefill_confirmed(struct app *a, void *ctx, int yes)
{
	if (yes)
		prefill_start(a, ctx, 0);
}

/* ---- workflow pick ---- */

static void
workflow_picked(struct app *a, void *ctx, char **keys, size_t n)
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
	if (str_empty(c->ev.payload_json))
		prefill_start(a, c, 1);
}

/* ---- preview, curl, send ---- */

static const char *
compose_idem(struct compose *c)
{
	if (!str_empty(c->idem))
		return c->idem;
	if (c->mode == CM_BULK_EVENT)
		return NULL;
	if (!c->auto_idem)
		c->auto_idem = ui_new_idempotency_key();
	return c->auto_idem;
}

static enum nc_event_use
compose_use(const struct compose *c)
{
	return c->mode == CM_TRIGGER ? NC_USE_TRIGGER :
	       c->mode == CM_BROADCAST ? NC_USE_BROADCAST : NC_USE_BULK_ENTRY;
}

/* Validate; on failure mark the fields and say what is wrong. */
static int
compose_validate(struct app *a, struct compose *c)
{
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st;

	if (str_empty(c->ev.transaction_id))
		c->ev.transaction_id = ui_new_transaction_id();
	st = event_validate(&c->ev, compose_use(c), NULL, &err);
	if (st == NC_OK && c->mode != CM_BULK_EVENT)
		st = idempotency_key_validate(c->idem, &err);
	if (st == NC_OK) {
		compose_clear_errors(c);
		nc_error_clear(&err);
		return 1;
	}
	compose_mark_errors(c, &err);
	if (err.nfields > 1)
		app_message(a, MSG_ERROR, "%s (and %zu more; fields marked !) - nothing was sent",
		            err.message ? err.message : "invalid", err.nfields - 1);
	else
		app_message(a, MSG_ERROR, "%s - nothing was sent",
		            err.message ? err.message : "invalid");
	nc_error_clear(&err);
	return 0;
}

static enum nc_status
compose_prepare(struct compose *c, struct nc_prepared *p, struct nc_error *err)
{
	const char *idem = compose_idem(c);

	memset(p, 0, sizeof(*p));
	if (c->mode == CM_BROADCAST)
		return api_prepare_broadcast(&c->ev, idem, p, err);
	return api_prepare_trigger(&c->ev, idem, p, err);
}

static char *
prepared_curl(struct app *a, const struct nc_prepared *p)
{
	struct nc_http_request req = prepared_request(p);

	if (!a->s->client)
		return NULL;
	return client_curl_command(a->s->client, &req);
}

static unsigned
preview_action(struct app *a, void *ctx, enum ui_req req)
{
	if (req != REQ_COPY_CURL)
		return 0;
	clip_copy(a, ctx, "last-curl.sh", "curl command");
	return UI_HANDLED | UI_REDRAW;
}

static void
compose_preview(struct app *a, struct compose *c)
{
	static const enum ui_req bar[] = { REQ_COPY_CURL };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_prepared p;
	struct nc_http_request req;
	struct viewer *v;
	char *text, *curl;

	if (!compose_validate(a, c))
		return;
	if (compose_prepare(c, &p, &err) != NC_OK) {
		compose_mark_errors(c, &err);
		app_message(a, MSG_ERROR, "%s", err.message ? err.message : "cannot build the request");
		nc_error_clear(&err);
		return;
	}
	req = prepared_request(&p);
	if (a->s->client)
		text = client_dump_request(a->s->client, &req);
	else
		text = must_asprintf("%s %s\n\n%s\n", p.method, p.path, p.body ? p.body : "");
	curl = prepared_curl(a, &p);
	{
		/* The exact bytes first; then the body again, laid out. */
		char *pretty = json_pretty_text(p.body);

		if (pretty) {
			char *both = must_asprintf("%s\n\nThe body again, formatted for reading:\n%s\n",
			                       text ? text : "", pretty);

			free(text);
			text = both;
			free(pretty);
		}
	}
	v = viewer_open(a, c->mode == CM_BULK_EVENT ? "Preview: this event as a single trigger" :
	                "Preview: the exact request (the key is masked)", text ? text : "");
	if (curl)
		viewer_set_actions(v, preview_action, curl, NULL, bar, 1);
	free(text);
	prepared_clear(&p);
}

static void
compose_copy_curl(struct app *a, struct compose *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_prepared p;
	char *curl;

	if (!compose_validate(a, c))
		return;
	if (compose_prepare(c, &p, &err) != NC_OK) {
		app_message(a, MSG_ERROR, "%s", err.message ? err.message : "cannot build the request");
		nc_error_clear(&err);
		return;
	}
	curl = prepared_curl(a, &p);
	if (curl)
		clip_copy(a, curl, "last-curl.sh", "curl command");
	else
		app_message(a, MSG_WARN, "no API client (offline): nothing to copy");
	free(curl);
	prepared_clear(&p);
}

struct send_job {
	struct nc_client *client;
	struct compose *c;
	enum compose_mode mode;
	struct nc_event ev;
	char *idem;
	char *profile;
	struct nc_trigger_result res;
	struct nc_send_info info;
	struct nc_error err;
	enum nc_status st;
};

static void
send_run(void *data, struct worker *w)
{
	struct send_job *j = data;

	(void)w;
	if (j->mode == CM_BROADCAST)
		j->st = api_broadcast(j->client, &j->ev, j->idem, &j->res, &j->info, &j->err);
	else
		j->st = api_trigger(j->client, &j->ev, j->idem, &j->res, &j->info, &j->err);
}

static void
send_record(struct app *a, struct send_job *j)
{
	struct nc_history_entry e;
	struct nc_error herr = NC_ERROR_INIT;
	char *summary = j->mode == CM_BROADCAST ? must_strdup("(all subscribers)") :
		event_recipients_summary(&j->ev, 200);
	char kind[16];

	if (!a->s->history) {
		free(summary);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.time_ms = ui_now_ms();
	e.profile = j->profile;
	snprintf(kind, sizeof(kind), "%s", j->mode == CM_BROADCAST ? "broadcast" : "trigger");
	e.kind = kind;
	e.workflow = j->ev.workflow;
	e.recipients = summary;
	e.transaction_id = j->res.transaction_id ? j->res.transaction_id : j->ev.transaction_id;
	e.idempotency_key = j->info.idempotency_key ? j->info.idempotency_key : j->idem;
	e.http_status = j->info.http_status ? j->info.http_status : j->err.http_status;
	e.response_status = j->st == NC_OK ? j->res.status
	                    : j->st == NC_E_ABORTED ? (char *)(uintptr_t)"unknown" : NULL;
	e.error = j->st == NC_E_ABORTED
	          ? (char *)(uintptr_t)"stopped waiting for the answer: it may have reached Novu"
	          : j->st != NC_OK ? j->err.message : j->res.error;
	e.request_json = j->info.request_body;
	e.response_json = j->info.response_body ? j->info.response_body : j->err.raw_body;
	if (histdb_append(a->s->history, &e, &herr) != NC_OK)
		app_message(a, MSG_ERROR, "not recorded in history: %s",
		            herr.message ? herr.message : "?");
	nc_error_clear(&herr);
	free(summary);
	scr_history_invalidate(a);
}

static void
send_done(struct app *a, void *data)
{
	struct send_job *j = data;
	struct compose *c = j->c;
	const char *txn = j->res.transaction_id ? j->res.transaction_id : j->ev.transaction_id;
	const char *kind = j->mode == CM_BROADCAST ? "broadcast" : "trigger";
	char *result = NULL;
	enum msg_kind result_kind;

	/* Recorded even without an answer: a request the user stopped waiting
	 * for may have reached Novu, and History is where an operator finds the
	 * transactionId to cancel it. */
	send_record(a, j);
	if (j->st == NC_OK && trigger_result_ok(&j->res)) {
		result = must_asprintf("Sent: %s · transactionId %s · HTTP %ld", j->res.status,
		                   txn, j->info.http_status);
		result_kind = MSG_OK;
		app_message(a, MSG_OK, "%s %s: %s (recorded in History, 4)", kind,
		            j->ev.workflow, j->res.status);
		if (c) {
			/* The next send is a new transaction. */
			free(c->ev.transaction_id);
			c->ev.transaction_id = ui_new_transaction_id();
			free(c->auto_idem);
			c->auto_idem = NULL;
			save_draft_with(a, c, -1, NULL);
		}
	} else if (j->st == NC_OK) {
		result = must_asprintf("Accepted but %s%s%s · transactionId %s",
		                   j->res.status ? j->res.status : "not processed",
		                   j->res.error ? ": " : "", j->res.error ? j->res.error : "", txn);
		result_kind = MSG_WARN;
		app_message(a, MSG_WARN, "%s %s: the API answered %s (in History)", kind,
		            j->ev.workflow, j->res.status ? j->res.status : "without a status");
	} else if (j->st == NC_E_ABORTED) {
		result = must_asprintf("Stopped waiting: the request may have reached Novu · "
		                   "transactionId %s kept, so a resend is deduplicated", txn);
		result_kind = MSG_WARN;
		app_message(a, MSG_WARN, "stopped waiting for the answer");
	} else {
		errlog_add(a, &j->err, c ? (c->mode == CM_BROADCAST ? SCR_BROADCAST : SCR_TRIGGER) :
		           SCR_HISTORY, kind);
		if (c)
			compose_mark_errors(c, &j->err);
		if (j->err.http_status)
			result = must_asprintf("Failed: HTTP %ld %s", j->err.http_status,
			                   j->err.message ? j->err.message : "");
		else
			result = must_asprintf("Failed: %s", j->err.message ? j->err.message : "error");
		result_kind = MSG_ERROR;
		app_message(a, MSG_ERROR, "%s%s", j->err.message ? j->err.message : "failed",
		            c && compose_field_for_error(&j->err, NULL, NULL) != CF_NONE ?
		            " (f goes to the field)" : "");
		scr_errors_show_latest(a);
	}
	if (c) {
		free(c->result);
		c->result = result;
		c->result_kind = result_kind;
	} else {
		free(result);
	}
	event_clear(&j->ev);
	trigger_result_clear(&j->res);
	send_info_clear(&j->info);
	nc_error_clear(&j->err);
	free(j->idem);
	free(j->profile);
	free(j);
}

int
compose_send_event(struct app *a, struct compose *c, enum compose_mode mode,
                   const struct nc_event *ev, const char *idem)
{
	struct send_job *j = must_calloc(1, sizeof(*j));

	j->client = a->s->client;
	j->c = c;
	j->mode = mode;
	event_init(&j->ev);
	nc_error_init(&j->err);
	if (event_copy(&j->ev, ev) != NC_OK) {
		free(j);
		app_message(a, MSG_ERROR, "out of memory");
		return -1;
	}
	j->idem = must_strdup(idem);
	j->profile = must_strdup(a->s->profile.name ? a->s->profile.name : "");
	if (worker_submit(a->worker, mode == CM_BROADCAST ? "Sending broadcast" :
	                  "Sending trigger", send_run, send_done, j) != 0) {
		event_clear(&j->ev);
		free(j->idem);
		free(j->profile);
		free(j);
		app_message(a, MSG_WARN, "a request is running; send again when it ends");
		return -1;
	}
	return 0;
}

static void
send_start(struct app *a, struct compose *c)
{
	if (compose_send_event(a, c, c->mode, &c->ev, compose_idem(c)) == 0) {
		free(c->result);
		c->result = NULL;
	}
}

static void
broadcast_confirmed(struct app *a, void *ctx, int yes)
{
	if (yes)
		send_start(a, ctx);
	else
		app_message(a, MSG_INFO, "broadcast not sent");
}

static void
send_checked(struct app *a, struct compose *c)
{
	if (c->mode == CM_BROADCAST) {
		char *text = must_asprintf("This sends \"%s\" to EVERY subscriber of the environment "
		                       "(profile %s). Type the workflow ID to confirm, Esc to "
		                       "back out.", c->ev.workflow,
		                       a->s->profile.name ? a->s->profile.name : "(none)");

		dialog_typed_confirm(a, "Broadcast to all subscribers", text, c->ev.workflow,
		                     broadcast_confirmed, c);
		free(text);
		return;
	}
	send_start(a, c);
}

static void
inactive_confirmed(struct app *a, void *ctx, int yes)
{
	if (yes)
		send_checked(a, ctx);
	else
		app_message(a, MSG_INFO, "not sent");
}

static void
compose_send(struct app *a, struct compose *c)
{
	const struct nc_workflow *wf;

	if (c->mode == CM_BULK_EVENT) {
		app_message(a, MSG_INFO, "this is one bulk event: Esc returns to the list, "
		            "^S there sends them all");
		return;
	}
	if (a->s->profile.read_only) {
		char *text = must_asprintf("Profile %s is read-only: it can look at lists and "
		                       "History and cancel transactions, but never send.",
		                       a->s->profile.name ? a->s->profile.name : "");

		dialog_message(a, "Read-only profile", text);
		free(text);
		return;
	}
	if (!a->s->client) {
		app_message(a, MSG_ERROR, "offline: no API client");
		return;
	}
	if (worker_busy(a->worker)) {
		app_message(a, MSG_WARN, "a request is running; send again when it ends");
		return;
	}
	if (!compose_validate(a, c))
		return;
	wf = lists_workflow(a, c->ev.workflow);
	if (wf && wf->status && strcmp(wf->status, "ACTIVE") != 0) {
		char *text = must_asprintf("Workflow %s is %s: Novu will answer trigger_not_active "
		                       "and send nothing. Send anyway?", c->ev.workflow, wf->status);

		dialog_confirm(a, "Workflow not active", text, inactive_confirmed, c);
		free(text);
		return;
	}
	send_checked(a, c);
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
	c->ev.transaction_id = ui_new_transaction_id();
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
		*slot = ui_new_transaction_id();
	free(c->errors[c->focus]);
	c->errors[c->focus] = NULL;
	compose_changed(a, c);
}

unsigned
compose_handle(struct app *a, struct compose *c, enum ui_req req, int key)
{
	(void)key;
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
		edit_field(a, c, c->focus);
		break;
	case REQ_EDIT_EXTERNAL:
		edit_external(a, c);
		break;
	case REQ_SEND:
		compose_send(a, c);
		break;
	case REQ_PREVIEW:
		compose_preview(a, c);
		break;
	case REQ_COPY_CURL:
		compose_copy_curl(a, c);
		break;
	case REQ_PICK_WORKFLOW:
		pick_open(a, LIST_WORKFLOWS, 0, workflow_picked, c);
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
			               "workflow's payloadExample?", prefill_confirmed, c);
		} else {
			prefill_start(a, c, 0);
		}
		break;
	case REQ_NEW_TXN:
		free(c->ev.transaction_id);
		c->ev.transaction_id = ui_new_transaction_id();
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
