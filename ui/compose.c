/* compose.c - the event form: drawing, editing, preview, send, drafts. */
#include "compose.h"

#include <ctype.h>
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

/* A transactionId of the console's choosing (History may swap it for a
 * fresh one when it was used; never one the user typed). */
static void
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
	cJSON *root;
	char *printed, *out;
	size_t i, o = 0, tabs = 0;
	int at_line_start = 1;

	if (str_empty(text))
		return NULL;
	root = cJSON_Parse(text);
	if (!root)
		return NULL;
	printed = cJSON_Print(root);
	cJSON_Delete(root);
	if (!printed)
		return NULL;
	for (i = 0; printed[i]; i++)
		tabs += printed[i] == '\t';
	out = must_malloc(strlen(printed) + tabs + 1);
	/* cJSON indents with tabs and puts one after each colon: two spaces
	 * per level of indentation, one space after a colon. */
	for (i = 0; printed[i]; i++) {
		if (printed[i] == '\t' && at_line_start) {
			out[o++] = ' ';
			out[o++] = ' ';
		} else if (printed[i] == '\t') {
			out[o++] = ' ';
		} else {
			out[o++] = printed[i];
			at_line_start = printed[i] == '\n';
		}
	}
	out[o] = '\0';
	free(printed);
	return out;
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
	if (f == CF_TXN && strcmp(*slot ? *slot : "", line) != 0)
		c->txid_typed = *line != '\0';
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
	struct nc_send_request rq;

	/* What ^S sends, as the core builds it (an ID derived from a typed
	 * key included). */
	memset(&rq, 0, sizeof(rq));
	rq.kind = c->mode == CM_BROADCAST ? NC_SEND_BROADCAST : NC_SEND_TRIGGER;
	rq.ev = &c->ev;
	rq.txid_origin = c->txid_typed ? NC_ID_USER : NC_ID_AUTO;
	rq.idempotency_key = compose_idem(c);
	rq.key_origin = str_empty(c->idem) ? NC_ID_AUTO : NC_ID_USER;
	return ops_prepare(&rq, p, err);
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
	struct nc_ops ops;
	struct compose *c;
	enum compose_mode mode;
	struct nc_event ev;
	struct nc_send_request rq;
	char *idem;
	int64_t resend_id;          /* > 0: resend this History row (ops_resend) */
	struct nc_send_outcome out;
	struct nc_error err;
	enum nc_status st;
};

static void
send_run(void *data, struct worker *w)
{
	struct send_job *j = data;

	(void)w;
	if (j->resend_id > 0)
		j->st = ops_resend(&j->ops, j->resend_id, NULL, NULL, &j->out, &j->err);
	else
		j->st = ops_send_event(&j->ops, &j->rq, &j->out, &j->err);
}

static const char *
job_txid(const struct send_job *j)
{
	if (j->out.res.transaction_id)
		return j->out.res.transaction_id;
	return j->ev.transaction_id ? j->ev.transaction_id : "?";
}

/* After a processed send the form is a new notification: a new ID, a new
 * key, and the next ^S is a new send. */
static void
form_after_processed(struct app *a, struct compose *c, const char *txid)
{
	free(c->just_sent);
	c->just_sent = must_strdup(txid);
	compose_new_txid(c);
	free(c->auto_idem);
	c->auto_idem = NULL;
	save_draft_with(a, c, -1, NULL);
}

/* What History changed before sending, for the form and the status line. */
static void
note_replacements(struct app *a, struct send_job *j)
{
	struct compose *c = j->c;

	if (j->out.replaced_txid && c && c->ev.transaction_id &&
	    strcmp(c->ev.transaction_id, j->out.replaced_txid) == 0) {
		str_set(&c->ev.transaction_id, j->ev.transaction_id);
		save_draft_with(a, c, -1, NULL);
	}
	if (j->out.replaced_txid)
		app_message(a, MSG_INFO, "transactionId %s was sent before (History): this send "
		            "used %s", j->out.replaced_txid, j->ev.transaction_id);
}

static char *
result_text(struct app *a, struct send_job *j, const char *kind, enum msg_kind *mk)
{
	struct compose *c = j->c;
	const char *txn = job_txid(j);

	switch (j->out.result) {
	case NC_SEND_PROCESSED:
		*mk = MSG_OK;
		app_message(a, MSG_OK, "%s %s: %s%s (recorded in History, 4)", kind,
		            j->ev.workflow ? j->ev.workflow : "", j->out.res.status,
		            j->out.retry_of_row ? ", a retry of the earlier send" : "");
		return must_asprintf("Sent: %s · transactionId %s · HTTP %ld", j->out.res.status,
		                     txn, j->out.info.http_status);
	case NC_SEND_NOT_PROCESSED:
		*mk = MSG_WARN;
		app_message(a, MSG_WARN, "%s %s: the API answered %s (in History)", kind,
		            j->ev.workflow ? j->ev.workflow : "",
		            j->out.res.status ? j->out.res.status : "without a status");
		return must_asprintf("Accepted but %s%s%s · transactionId %s",
		                     j->out.res.status ? j->out.res.status : "not processed",
		                     j->out.res.error ? ": " : "",
		                     j->out.res.error ? j->out.res.error : "", txn);
	case NC_SEND_UNKNOWN:
		*mk = MSG_WARN;
		/* Kept for its details, but not shown as a failure. */
		errlog_add(a, &j->err, c ? (c->mode == CM_BROADCAST ? SCR_BROADCAST : SCR_TRIGGER) :
		           SCR_HISTORY, kind);
		app_message(a, MSG_WARN, "no answer: the %s may have reached Novu (History shows "
		            "it as unknown)", kind);
		return must_asprintf("Unknown: no answer, it may have been accepted · transactionId "
		                     "%s kept, so ^S again retries it with the same key", txn);
	default:
		*mk = MSG_ERROR;
		errlog_add(a, &j->err, c ? (c->mode == CM_BROADCAST ? SCR_BROADCAST : SCR_TRIGGER) :
		           SCR_HISTORY, kind);
		if (c)
			compose_mark_errors(c, &j->err);
		app_message(a, MSG_ERROR, "%s%s", j->err.message ? j->err.message : "failed",
		            c && compose_field_for_error(&j->err, NULL, NULL) != CF_NONE ?
		            " (f goes to the field)" : "");
		scr_errors_show_latest(a);
		if (j->out.result == NC_SEND_REFUSED_HERE)
			return must_asprintf("Not sent: %s", j->err.message ? j->err.message : "?");
		if (j->err.http_status)
			return must_asprintf("Failed: HTTP %ld %s", j->err.http_status,
			                     j->err.message ? j->err.message : "");
		return must_asprintf("Failed: %s", j->err.message ? j->err.message : "error");
	}
}

static void
send_job_free(struct send_job *j)
{
	event_clear(&j->ev);
	send_outcome_clear(&j->out);
	nc_error_clear(&j->err);
	free(j->idem);
	free(j);
}

static void
send_done(struct app *a, void *data)
{
	struct send_job *j = data;
	struct compose *c = j->c;
	const char *kind = j->mode == CM_BROADCAST ? "broadcast" : "trigger";
	enum msg_kind mk = MSG_INFO;
	char *result;

	note_replacements(a, j);
	result = result_text(a, j, kind, &mk);
	if (j->st == NC_OK && j->err.message)   /* sent; History could not keep the answer */
		app_message(a, MSG_ERROR, "%s", j->err.message);
	if (c && j->out.result == NC_SEND_PROCESSED)
		form_after_processed(a, c, job_txid(j));
	if (c) {
		free(c->result);
		c->result = result;
		c->result_kind = mk;
	} else {
		free(result);
	}
	scr_history_invalidate(a);
	send_job_free(j);
}

static int
send_submit(struct app *a, struct send_job *j)
{
	session_ops(a->s, &j->ops);
	if (worker_submit_send(a->worker, j->mode == CM_BROADCAST ? "Sending broadcast" :
	                       "Sending trigger", send_run, send_done, j) != 0) {
		send_job_free(j);
		app_message(a, MSG_WARN, "a request is running; send again when it ends");
		return -1;
	}
	return 0;
}

int
compose_send_event(struct app *a, struct compose *c, enum compose_mode mode,
                   const struct nc_event *ev, const char *idem, int idem_typed,
                   int txid_typed)
{
	struct send_job *j = must_calloc(1, sizeof(*j));

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
	j->rq.kind = mode == CM_BROADCAST ? NC_SEND_BROADCAST : NC_SEND_TRIGGER;
	j->rq.ev = &j->ev;
	j->rq.txid_origin = txid_typed ? NC_ID_USER : NC_ID_AUTO;
	j->rq.idempotency_key = j->idem;
	j->rq.key_origin = idem_typed ? NC_ID_USER : NC_ID_AUTO;
	return send_submit(a, j);
}

int
compose_resend_row(struct app *a, enum compose_mode mode, int64_t id)
{
	struct send_job *j = must_calloc(1, sizeof(*j));

	j->mode = mode;
	j->resend_id = id;
	event_init(&j->ev);
	nc_error_init(&j->err);
	return send_submit(a, j);
}

static void
send_start(struct app *a, struct compose *c)
{
	if (compose_send_event(a, c, c->mode, &c->ev, compose_idem(c), !str_empty(c->idem),
	                       c->txid_typed) == 0) {
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

static void compose_send_checked_form(struct app *a, struct compose *c);

/* ^S on a form that was just sent: a second notification only on purpose. */
static void
send_again_confirmed(struct app *a, void *ctx, int yes)
{
	struct compose *c = ctx;

	if (!yes) {
		app_message(a, MSG_INFO, "not sent again");
		return;
	}
	free(c->just_sent);
	c->just_sent = NULL;
	compose_send_checked_form(a, c);
}

static void
compose_send(struct app *a, struct compose *c)
{
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
	if (c->just_sent) {
		char *text = must_asprintf("This form was just sent (transactionId %s) and has not "
		                           "changed since. Send it again, as a second notification "
		                           "with a new transactionId?", c->just_sent);

		dialog_confirm(a, "Send again?", text, send_again_confirmed, c);
		free(text);
		return;
	}
	compose_send_checked_form(a, c);
}

/* The form's own checks, then the workflow's state, then the send. */
static void
compose_send_checked_form(struct app *a, struct compose *c)
{
	const struct nc_workflow *wf;

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
