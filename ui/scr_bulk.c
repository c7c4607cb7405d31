/* scr_bulk.c - the bulk builder: a list of events (workflow, recipients,
 * payload) with add, duplicate, edit, delete and reorder; n/100 with a
 * clear refusal of the 101st; import of CSV / JSON Lines; sending through
 * bulkrun (requests of at most 100, paced, resumable, recorded in History)
 * with a progress bar; results per event, index-aligned. */
#include "app.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulkrun.h"
#include "bulkschema.h"
#include "compose.h"
#include "dialog.h"
#include "draft.h"
#include "draw.h"
#include "errlog.h"
#include "import.h"
#include "jsonutil.h"
#include "viewer.h"
#include "uiops.h"
#include "worker.h"

/* What History says of an event of the list: a sent event stays sent
 * across edits, imports and restarts. */
enum bstate {
	BS_NEW,            /* not sent (or its request was refused) */
	BS_QUEUED,         /* in a stored run, not sent yet: R resumes it */
	BS_UNKNOWN,        /* sent, no answer: may have been accepted */
	BS_PROCESSED,
	BS_NOT_PROCESSED,  /* accepted with another status */
	BS_FAILED,         /* refused: its transactionId is still unused */
};

struct item {
	enum bstate state;
	char *text;              /* the Result column */
	unsigned char user_txid; /* its transactionId came from the user's file */
};

struct bulk {
	struct nc_event *evs;
	struct item *items;      /* index-aligned with evs */
	size_t n, cap;
	int sel, top;
	/* items[] is written by the worker's progress callback while a run is
	 * going (evs[] never is), so it is guarded by mu. */
	pthread_mutex_t mu;
	int running;
	int64_t run_id;
};

static struct bulk *
bulk_of(struct app *a)
{
	return app_screen_priv(a, SCR_BULK);
}

/* Caller holds mu. */
static void
item_set(struct bulk *b, size_t i, enum bstate state, char *text)
{
	if (i >= b->n) {
		free(text);
		return;
	}
	free(b->items[i].text);
	b->items[i].text = text;
	b->items[i].state = state;
}

static enum ui_role
state_role(enum bstate s)
{
	switch (s) {
	case BS_PROCESSED: return ROLE_OK;
	case BS_QUEUED:
	case BS_UNKNOWN: return ROLE_WARN;
	case BS_NOT_PROCESSED:
	case BS_FAILED: return ROLE_ERROR;
	default: return ROLE_NORMAL;
	}
}

/* Sending it again as it is would repeat a transactionId Novu has. */
static int
state_used_txid(enum bstate s)
{
	return s == BS_QUEUED || s == BS_UNKNOWN || s == BS_PROCESSED || s == BS_NOT_PROCESSED;
}

static enum bstate
state_of_row(const struct nc_history_entry *e)
{
	if (!e->id)
		return BS_NEW;
	if (!e->response_status)
		return BS_FAILED;
	if (strcmp(e->response_status, HISTDB_QUEUED) == 0)
		return BS_QUEUED;
	if (strcmp(e->response_status, HISTDB_UNKNOWN) == 0)
		return BS_UNKNOWN;
	return strcmp(e->response_status, "processed") == 0 ? BS_PROCESSED : BS_NOT_PROCESSED;
}

static char *
row_text(const struct nc_history_entry *e, enum bstate s)
{
	switch (s) {
	case BS_NEW: return NULL;
	case BS_PROCESSED: return must_asprintf("processed %s", e->transaction_id);
	case BS_QUEUED:
		return e->error ? must_asprintf("queued: %s", e->error)
		                : must_strdup("queued: R resumes");
	case BS_UNKNOWN: return must_strdup("unknown: may be accepted");
	default:
		return must_asprintf("%s%s%s", e->response_status ? e->response_status : "failed",
		                     e->error ? ": " : "", e->error ? e->error : "");
	}
}

/* Every event's state from History, by transactionId. */
static void
refresh_from_history(struct app *a, struct bulk *b)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *rows;
	const char **txids;
	size_t i;

	if (!a->s->history || !b->n)
		return;
	rows = must_calloc(b->n, sizeof(*rows));
	txids = must_calloc(b->n, sizeof(*txids));
	for (i = 0; i < b->n; i++)
		txids[i] = b->evs[i].transaction_id;
	if (histdb_latest_sends(a->s->history, a->s->scope, a->s->profile.name, txids, b->n,
	                        rows, &err) == NC_OK) {
		pthread_mutex_lock(&b->mu);
		for (i = 0; i < b->n; i++) {
			enum bstate st = state_of_row(&rows[i]);

			item_set(b, i, st, row_text(&rows[i], st));
			histdb_entry_clear(&rows[i]);
		}
		pthread_mutex_unlock(&b->mu);
	} else {
		app_message(a, MSG_WARN, "History: %s", err.message ? err.message : "?");
	}
	nc_error_clear(&err);
	free(rows);
	free(txids);
}

static size_t
count_state(struct bulk *b, int (*pred)(enum bstate))
{
	size_t i, k = 0;

	for (i = 0; i < b->n; i++)
		k += pred(b->items[i].state) != 0;
	return k;
}

/* Sent by ^S: new events, refused ones, and (with a new transactionId)
 * accepted-but-not-processed ones. */
static int
state_to_send(enum bstate s)
{
	return s == BS_NEW || s == BS_FAILED || s == BS_NOT_PROCESSED;
}

static int
state_pending(enum bstate s)
{
	return s == BS_QUEUED || s == BS_UNKNOWN;
}

static int
state_processed(enum bstate s)
{
	return s == BS_PROCESSED;
}

/* ---- the draft ---- */

static void
bulk_save(struct app *a, struct bulk *b)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *doc = cJSON_CreateObject(), *arr;
	size_t i;

	if (!doc)
		return;
	cJSON_AddNumberToObject(doc, "version", NC_DRAFT_VERSION);
	arr = cJSON_AddArrayToObject(doc, "events");
	for (i = 0; arr && i < b->n; i++) {
		cJSON *e = draft_event_to_json(&b->evs[i]);

		if (e)
			cJSON_AddItemToArray(arr, e);
	}
	if (draft_write("bulk", doc, a->sync_drafts ? NC_DRAFT_SYNC : 0, &err) != NC_OK)
		app_message(a, MSG_ERROR, "bulk draft not saved: %s", err.message ? err.message : "?");
	nc_error_clear(&err);
	cJSON_Delete(doc);
}

void
scr_bulk_save(struct app *a)
{
	struct bulk *b = bulk_of(a);

	/* Written on every change; only a list that exists needs it again. */
	if (b && b->n)
		bulk_save(a, b);
}

/* Room for n events. Pointers into evs/items do not survive it. */
static void
bulk_reserve(struct bulk *b, size_t n)
{
	size_t old = b->cap;

	if (n <= b->cap)
		return;
	b->cap = n > b->cap * 2 ? n : b->cap * 2;
	pthread_mutex_lock(&b->mu);
	b->evs = must_realloc(b->evs, b->cap * sizeof(*b->evs));
	b->items = must_realloc(b->items, b->cap * sizeof(*b->items));
	memset(b->items + old, 0, (b->cap - old) * sizeof(*b->items));
	pthread_mutex_unlock(&b->mu);
}

/* Append ev (taken over: the caller's copy is not freed) as a new item. */
static void
bulk_append(struct bulk *b, struct nc_event *ev, int user_txid)
{
	bulk_reserve(b, b->n + 1);
	b->evs[b->n] = *ev;
	memset(&b->items[b->n], 0, sizeof(b->items[b->n]));
	b->items[b->n].user_txid = (unsigned char)(user_txid != 0);
	b->n++;
}

static void
bulk_load(struct app *a, struct bulk *b)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *doc = NULL, *item;

	if (draft_read("bulk", &doc, &err) != NC_OK) {
		app_message(a, MSG_WARN, "%s", err.message ? err.message : "bulk draft unreadable");
		nc_error_clear(&err);
		return;
	}
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "events")) {
		struct nc_event ev;

		event_init(&ev);
		if (draft_event_from_json(&ev, item, &err) == NC_OK)
			bulk_append(b, &ev, 0);
		else
			event_clear(&ev);
		nc_error_clear(&err);
	}
	cJSON_Delete(doc);
}

static void
bulk_changed(struct app *a, struct bulk *b)
{
	bulk_save(a, b);
	app_redraw(a);
}

/* ---- screen ---- */

static void
bulk_open(struct app *a, struct view *v)
{
	struct bulk *b = v->priv;

	pthread_mutex_init(&b->mu, NULL);
	a->bulk = b;
	bulk_load(a, b);
	/* After a restart too, every event shows what became of it. */
	refresh_from_history(a, b);
}

static void
bulk_done(struct app *a, struct view *v)
{
	struct bulk *b = v->priv;
	size_t i;

	(void)a;
	for (i = 0; i < b->n; i++) {
		event_clear(&b->evs[i]);
		free(b->items[i].text);
	}
	free(b->evs);
	free(b->items);
	pthread_mutex_destroy(&b->mu);
}

static char *
payload_summary(const char *json)
{
	return str_empty(json) ? must_strdup("{}") : str_one_line(json);
}

/* The list's size and what ^S would send of it: only the events never
 * sent or refused go (the rest are processed, or R's to resume), so the
 * request count is of those. Returns that count. */
static size_t
bulk_heading(struct bulk *b, char *head, size_t cap)
{
	size_t i, to_send = 0;

	pthread_mutex_lock(&b->mu);
	for (i = 0; i < b->n; i++)
		to_send += state_to_send(b->items[i].state) != 0;
	pthread_mutex_unlock(&b->mu);
	if (to_send == b->n && b->n <= NC_MAX_BULK_EVENTS)
		snprintf(head, cap, "Bulk: %zu/%d events in one request", b->n, NC_MAX_BULK_EVENTS);
	else if (to_send == b->n)
		snprintf(head, cap, "Bulk: %zu events, sent as %zu requests of at most %d", b->n,
		         bulk_plan_count(b->n), NC_MAX_BULK_EVENTS);
	else if (!to_send)
		snprintf(head, cap, "Bulk: %zu events, none left for ^S to send", b->n);
	else if (to_send <= NC_MAX_BULK_EVENTS)
		snprintf(head, cap, "Bulk: %zu events, ^S sends %zu of them in one request", b->n,
		         to_send);
	else
		snprintf(head, cap, "Bulk: %zu events, ^S sends %zu of them as %zu requests of at "
		         "most %d", b->n, to_send, bulk_plan_count(to_send), NC_MAX_BULK_EVENTS);
	return to_send;
}

static void
bulk_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct bulk *b = v->priv;
	int rows = h - 3, i, flex, wfw, rcw, plw, resw;
	char head[200];
	size_t to_send;

	(void)a;
	to_send = bulk_heading(b, head, sizeof(head));
	draw_text_pad(y, x, w, head, b->n == NC_MAX_BULK_EVENTS ? ROLE_WARN : ROLE_TITLE);
	if (!b->n) {
		draw_text_cut(y + 2, x + 2, w - 2, "No events yet. a: add one  i: import CSV or "
		              "JSON Lines (more than 100 are sent in several requests)", ROLE_DIM);
		return;
	}
	resw = w >= 80 ? 24 : 14;
	wfw = w >= 80 ? 18 : 12;
	flex = w - 6 - wfw - 1 - resw - 1;
	rcw = flex / 2;
	plw = flex - rcw - 1;
	snprintf(head, sizeof(head), "%5s %-*s %-*s %-*s %s", "#", wfw, "Workflow", rcw,
	         "Recipients", plw > 0 ? plw : 0, "Payload", "Result");
	draw_text_pad(y + 1, x, w, head, ROLE_LABEL);
	if (b->sel >= (int)b->n)
		b->sel = (int)b->n - 1;
	if (b->sel < 0)
		b->sel = 0;
	if (b->sel < b->top)
		b->top = b->sel;
	if (b->sel >= b->top + rows)
		b->top = b->sel - rows + 1;
	pthread_mutex_lock(&b->mu);
	for (i = 0; i < rows && b->top + i < (int)b->n; i++) {
		int idx = b->top + i, row = y + 2 + i, cur = idx == b->sel, cx = x;
		const struct nc_event *ev = &b->evs[idx];
		enum ui_role role = cur ? ROLE_CURSOR : ROLE_NORMAL;
		char num[16], *rc = event_recipients_summary(ev, 200), *pl = payload_summary(ev->payload_json);

		draw_blank(row, x, w, role);
		snprintf(num, sizeof(num), "%c%4d", cur ? '>' : ' ', idx + 1);
		draw_text(row, cx, 5, num, cur ? role : ROLE_DIM);
		cx += 6;
		draw_text_cut(row, cx, wfw, str_empty(ev->workflow) ? "(none)" : ev->workflow,
		              str_empty(ev->workflow) && !cur ? ROLE_ERROR : role);
		cx += wfw + 1;
		draw_text_cut(row, cx, rcw, ev->nto ? (rc ? rc : "") : "(none)",
		              !ev->nto && !cur ? ROLE_ERROR : role);
		cx += rcw + 1;
		if (plw > 0) {
			draw_text_cut(row, cx, plw, pl, role);
			cx += plw + 1;
		}
		if (b->items[idx].text)
			draw_text_cut(row, cx, resw, b->items[idx].text,
			              cur ? role : state_role(b->items[idx].state));
		free(rc);
		free(pl);
	}
	pthread_mutex_unlock(&b->mu);
	snprintf(head, sizeof(head), "event %d of %zu%s", b->sel + 1, b->n,
	         to_send > NC_MAX_BULK_EVENTS ? "  (over 100: ^S shows the plan)" : "");
	draw_text_cut(y + h - 1, x, w, head, ROLE_DIM);
}

/* ---- the event editor ---- */

struct event_view {
	struct compose *c;
	size_t index;
};

static void
event_changed(struct app *a, struct compose *c)
{
	struct bulk *b = bulk_of(a);
	struct event_view *ev = c->owner;

	struct item *it;

	if (ev->index >= b->n)
		return;
	it = &b->items[ev->index];
	if (state_used_txid(it->state)) {
		/* Its transactionId went out with the old content: the edited
		 * event is a new one. */
		free(c->ev.transaction_id);
		c->ev.transaction_id = ui_new_transaction_id();
		app_message(a, MSG_INFO, "event %zu was sent: the edited copy is a new event "
		            "with transactionId %s", ev->index + 1, c->ev.transaction_id);
	}
	if (it->state != BS_NEW) {
		pthread_mutex_lock(&b->mu);
		item_set(b, ev->index, BS_NEW, NULL);
		it->user_txid = 0;
		pthread_mutex_unlock(&b->mu);
	}
	event_clear(&b->evs[ev->index]);
	if (event_copy(&b->evs[ev->index], &c->ev) != NC_OK)
		app_message(a, MSG_ERROR, "out of memory");
	bulk_changed(a, b);
}

static void
ev_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct event_view *ev = v->priv;

	compose_draw(a, ev->c, y, x, h, w);
}

static unsigned
ev_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct event_view *ev = v->priv;

	if (req == REQ_BACK)
		return UI_HANDLED | UI_POP | UI_REDRAW;
	return compose_handle(a, ev->c, req, key);
}

static void
ev_done(struct app *a, struct view *v)
{
	struct event_view *ev = v->priv;

	(void)a;
	compose_free(ev->c);
}

static const struct keymap *const ev_maps[] = { &km_form, &km_move, &km_global, NULL };

static const struct view_ops event_ops = {
	.name = "bulk event", .keymaps = ev_maps, .private_size = sizeof(struct event_view),
	.draw = ev_draw, .handle = ev_handle, .done = ev_done,
};

static struct compose *
open_event(struct app *a, struct bulk *b, size_t index)
{
	struct event_view *ev = view_push_on(a, SCR_BULK, &event_ops);

	ev->index = index;
	ev->c = compose_new(CM_BULK_EVENT, NULL);
	event_clear(&ev->c->ev);
	if (event_copy(&ev->c->ev, &b->evs[index]) != NC_OK)
		app_message(a, MSG_ERROR, "out of memory");
	ev->c->on_change = event_changed;
	ev->c->owner = ev;
	return ev->c;
}

void
scr_bulk_jump(struct app *a, long index, const char *field)
{
	struct bulk *b = bulk_of(a);
	struct compose *c;
	long ri, evi;
	enum cf_field f = compose_field_for(field, &ri, &evi);

	app_unwind(a, SCR_BULK);
	app_switch(a, SCR_BULK);
	if (index < 0 && evi >= 0)
		index = evi;
	if (index < 0 || (size_t)index >= b->n) {
		app_message(a, MSG_INFO, "the error names no event of this list");
		return;
	}
	b->sel = (int)index;
	c = open_event(a, b, (size_t)index);
	if (f != CF_NONE)
		compose_focus(a, c, f, ri);
	app_message(a, MSG_INFO, "event %ld%s%s", index + 1, field ? ": " : "", field ? field : "");
}

/* ---- add, duplicate, delete, move, import ---- */

static int
refuse_101st(struct app *a, struct bulk *b)
{
	char *text;

	if (b->n < NC_MAX_BULK_EVENTS)
		return 0;
	text = must_asprintf("A bulk request holds at most %d events and this list has %zu. Send "
	                 "it first, or import a file: an import of more than %d events is sent "
	                 "as several requests.", NC_MAX_BULK_EVENTS, b->n, NC_MAX_BULK_EVENTS);
	dialog_message(a, "No room for event 101", text);
	free(text);
	return 1;
}

/* Add a new event, a copy of event `from` when from >= 0. */
static void
add_event(struct app *a, struct bulk *b, long from)
{
	struct nc_event ev;

	if (refuse_101st(a, b))
		return;
	/* Built aside: appending may move the array `from` points into. */
	event_init(&ev);
	if (from >= 0) {
		if (event_copy(&ev, &b->evs[from]) != NC_OK)
			app_message(a, MSG_ERROR, "out of memory");
		free(ev.transaction_id);
		ev.transaction_id = NULL;
	} else if (b->n) {
		/* Most bulk lists use one workflow: start from the last one's. */
		str_set(&ev.workflow, b->evs[b->n - 1].workflow);
	} else if (a->forms[0] && !str_empty(a->forms[0]->ev.workflow)) {
		str_set(&ev.workflow, a->forms[0]->ev.workflow);
	}
	ev.transaction_id = ui_new_transaction_id();
	bulk_append(b, &ev, 0);
	b->sel = (int)b->n - 1;
	bulk_changed(a, b);
	if (from < 0)
		open_event(a, b, b->n - 1);
	else
		app_message(a, MSG_OK, "duplicated as event %zu (new transactionId)", b->n);
}

static void
delete_event(struct app *a, struct bulk *b)
{
	size_t i = (size_t)b->sel;

	if (!b->n)
		return;
	event_clear(&b->evs[i]);
	free(b->items[i].text);
	memmove(b->evs + i, b->evs + i + 1, (b->n - i - 1) * sizeof(*b->evs));
	memmove(b->items + i, b->items + i + 1, (b->n - i - 1) * sizeof(*b->items));
	b->n--;
	if (b->sel >= (int)b->n && b->sel > 0)
		b->sel--;
	bulk_changed(a, b);
	app_message(a, MSG_INFO, "event %zu removed (%zu left)", i + 1, b->n);
}

static void
move_event(struct app *a, struct bulk *b, int dir)
{
	int to = b->sel + dir;
	struct nc_event tmp;
	struct item it;

	if (to < 0 || to >= (int)b->n)
		return;
	tmp = b->evs[b->sel];
	b->evs[b->sel] = b->evs[to];
	b->evs[to] = tmp;
	it = b->items[b->sel];
	b->items[b->sel] = b->items[to];
	b->items[to] = it;
	b->sel = to;
	bulk_changed(a, b);
}

static void
import_entered(struct app *a, void *ctx, const char *line)
{
	struct bulk *b = ctx;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_import_options opts = { NULL };
	struct nc_event *evs = NULL;
	char *path, *shown;
	size_t n = 0, i;

	if (!line || !*line)
		return;
	path = expand_home(line);
	shown = path_for_display(path);
	if (b->n)
		opts.workflow = b->evs[b->sel].workflow;
	else if (a->forms[0])
		opts.workflow = a->forms[0]->ev.workflow;
	if (import_events_file(path, &opts, &evs, &n, &err) == NC_OK) {
		bulk_reserve(b, b->n + n);
		for (i = 0; i < n; i++) {
			int given = !str_empty(evs[i].transaction_id);

			if (!given) {
				free(evs[i].transaction_id);
				evs[i].transaction_id = ui_new_transaction_id();
			}
			bulk_append(b, &evs[i], given);
		}
		free(evs);
		refresh_from_history(a, b);
		bulk_changed(a, b);
		if (b->n > NC_MAX_BULK_EVENTS)
			app_message(a, MSG_OK, "imported %zu events from %s: %zu in all, sent as %zu "
			            "requests of at most %d", n, shown, b->n, bulk_plan_count(b->n),
			            NC_MAX_BULK_EVENTS);
		else
			app_message(a, MSG_OK, "imported %zu events from %s (%zu/%d)", n, shown, b->n,
			            NC_MAX_BULK_EVENTS);
	} else {
		app_message(a, MSG_ERROR, "%s: %s", shown, err.message ? err.message : "cannot import");
	}
	nc_error_clear(&err);
	free(path);
	free(shown);
}

/* ---- send ---- */

#define BAD_EVENTS_LOGGED 100   /* per run, so one bad file cannot flood Errors */

struct bulk_job {
	struct nc_ops ops;
	struct worker *w;
	struct bulk *b;
	int64_t run_id;
	enum nc_status st;
	struct nc_error err;
	/* Events the API answered with an error of their own (201 with
	 * status "error"), for the Errors screen: list index and text. */
	size_t bad[BAD_EVENTS_LOGGED];
	char *bad_text[BAD_EVENTS_LOGGED];
	size_t nbad;
	size_t answered;   /* requests that came back (or failed) in this run */
	int resumed;       /* a stored run resumed with R, not this list's ^S */
	size_t events, events_ok, in_list;   /* of the requests answered */
};

/* The list's index of the event carrying txid, or -1. */
static long
index_of_txid(const struct bulk *b, const char *txid)
{
	size_t i;

	for (i = 0; txid && i < b->n; i++)
		if (b->evs[i].transaction_id && strcmp(b->evs[i].transaction_id, txid) == 0)
			return (long)i;
	return -1;
}

/* An event the API did not process: its row and, for Errors, a note.
 * Caller holds mu. */
static void
note_bad_event(struct bulk_job *j, size_t k, const struct nc_trigger_result *r)
{
	char *text = must_asprintf("%s%s%s", r->status ? r->status : "error",
	                           r->error ? ": " : "", r->error ? r->error : "");

	if (j->nbad < BAD_EVENTS_LOGGED) {
		j->bad[j->nbad] = k;
		j->bad_text[j->nbad++] = must_strdup(text);
	}
	item_set(j->b, k, BS_NOT_PROCESSED, text);
}

/* Main thread: each event's own error on the Errors screen, where f jumps
 * to that event. */
static void
log_bad_events(struct app *a, struct bulk_job *j)
{
	size_t i;

	for (i = 0; i < j->nbad; i++) {
		struct nc_error e = NC_ERROR_INIT;
		char field[40];

		snprintf(field, sizeof(field), "events[%zu]", j->bad[i]);
		nc_error_set(&e, NC_E_API, NULL, "event %zu: %s", j->bad[i] + 1, j->bad_text[i]);
		nc_error_add_field(&e, field, j->bad_text[i], NULL, NULL);
		errlog_add(a, &e, SCR_BULK, "bulk event");
		nc_error_clear(&e);
		free(j->bad_text[i]);
	}
	j->nbad = 0;
}

/* Worker thread: results go to the events they belong to, found by
 * transactionId, so a resumed run lands on the right rows too. */
static void
bulk_progress(void *ctx, const struct nc_bulk_progress *p)
{
	struct bulk_job *j = ctx;
	struct bulk *b = j->b;
	char text[96];
	size_t i;

	if (p->waiting_ms > 0)
		snprintf(text, sizeof(text), "waiting for rate-limit tokens");
	else
		snprintf(text, sizeof(text), "request %zu of %zu", p->chunk + 1, p->nchunks);
	worker_set_progress(j->w, p->events_done, p->events_total, text);
	if (p->waiting_ms > 0)   /* the status line counts it down */
		worker_set_wait(j->w, "next request", p->waiting_ms);
	else
		j->answered++;
	if (p->waiting_ms > 0 || !p->txids)
		return;
	pthread_mutex_lock(&b->mu);
	for (i = 0; i < p->nresults; i++) {
		const struct nc_trigger_result *r = p->results ? &p->results[i] : NULL;
		long k = index_of_txid(b, p->txids[i]);
		const char *why = p->error && p->error->message ? p->error->message : "failed";

		j->events++;
		j->events_ok += r && trigger_result_ok(r);
		if (k < 0)
			continue;
		j->in_list++;
		if (r && trigger_result_ok(r))
			item_set(b, (size_t)k, BS_PROCESSED, must_asprintf("processed %s",
			         p->txids[i]));
		else if (r)
			note_bad_event(j, (size_t)k, r);
		else if (p->chunk_unknown)
			item_set(b, (size_t)k, BS_UNKNOWN, must_strdup("unknown: may be accepted"));
		else
			item_set(b, (size_t)k, BS_FAILED, must_asprintf("not sent: %s", why));
	}
	pthread_mutex_unlock(&b->mu);
}

static void
bulk_run(void *data, struct worker *w)
{
	struct bulk_job *j = data;

	j->w = w;
	j->st = bulkrun_send(&j->ops, j->run_id, NC_BULK_PARALLEL_DEFAULT, bulk_progress, j,
	                     &j->err);
}

static void
bulk_run_done(struct app *a, void *data)
{
	struct bulk_job *j = data;
	struct bulk *b = j->b;
	size_t ok, waiting;

	b->running = 0;
	log_bad_events(a, j);
	/* History has the last word: it holds what every event came to. */
	refresh_from_history(a, b);
	ok = count_state(b, state_processed);
	waiting = count_state(b, state_pending);
	scr_history_invalidate(a);
	if (j->st == NC_OK && j->answered == 0) {
		/* Another console or a headless resume finished it meanwhile. */
		app_message(a, MSG_OK, "bulk run %lld: nothing was left to send (every request "
		            "had been sent and answered); see History", (long long)j->run_id);
	} else if (j->st == NC_OK && j->resumed && j->in_list < j->events) {
		/* A run stored by another list (a headless bulk, another draft):
		 * this list's counts would say nothing about it. */
		app_message(a, j->events_ok < j->events ? MSG_WARN : MSG_OK, "bulk run %lld "
		            "resumed: %zu of the %zu events sent now were processed (each in "
		            "History)", (long long)j->run_id, j->events_ok, j->events);
	} else if (j->st == NC_OK) {
		app_message(a, b->n - ok ? MSG_WARN : MSG_OK, "bulk sent: %zu processed, %zu not "
		            "(results per event below; all in History)", ok, b->n - ok);
	} else if (j->st == NC_E_ABORTED) {
		app_message(a, MSG_WARN, "bulk run stopped: %zu events unknown or queued; R resumes "
		            "(nothing is sent twice)", waiting);
	} else {
		errlog_add(a, &j->err, SCR_BULK, "bulk");
		app_message(a, MSG_ERROR, "bulk run stopped: %s (R resumes after a fix)",
		            j->err.message ? j->err.message : "failed");
		scr_errors_show_latest(a);
	}
	nc_error_clear(&j->err);
	free(j);
}

static void
start_run(struct app *a, struct bulk *b, int64_t run_id, int resumed)
{
	struct bulk_job *j = must_calloc(1, sizeof(*j));

	session_ops(a->s, &j->ops);
	j->b = b;
	j->run_id = run_id;
	j->resumed = resumed;
	nc_error_init(&j->err);
	if (worker_submit_send(a->worker, "Sending bulk", bulk_run, bulk_run_done, j) != 0) {
		free(j);
		app_message(a, MSG_WARN, "a request is running; try again when it ends");
		return;
	}
	b->running = 1;
	b->run_id = run_id;
}

/* The events ^S sends (copies) and their indices in the list. */
struct send_set {
	struct nc_event *evs;
	unsigned char *user_txid;
	size_t *index;
	size_t n;
};

static void
send_set_free(struct send_set *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		event_clear(&ss->evs[i]);
	free(ss->evs);
	free(ss->user_txid);
	free(ss->index);
	memset(ss, 0, sizeof(*ss));
}

static void
send_set_make(struct bulk *b, struct send_set *ss)
{
	size_t i;

	memset(ss, 0, sizeof(*ss));
	ss->evs = must_calloc(b->n + 1, sizeof(*ss->evs));
	ss->user_txid = must_calloc(b->n + 1, 1);
	ss->index = must_calloc(b->n + 1, sizeof(*ss->index));
	for (i = 0; i < b->n; i++) {
		if (!state_to_send(b->items[i].state))
			continue;
		if (event_copy(&ss->evs[ss->n], &b->evs[i]) != NC_OK)
			continue;
		/* Accepted but not processed: that ID is Novu's now. */
		ss->user_txid[ss->n] = b->items[i].user_txid &&
		                       b->items[i].state != BS_NOT_PROCESSED;
		ss->index[ss->n++] = i;
	}
}

/* IDs the core replaced (History had them) go back into the list. */
static size_t
send_set_take_ids(struct bulk *b, const struct send_set *ss)
{
	size_t i, changed = 0;

	for (i = 0; i < ss->n; i++) {
		struct nc_event *ev = &b->evs[ss->index[i]];

		if (ev->transaction_id && ss->evs[i].transaction_id &&
		    strcmp(ev->transaction_id, ss->evs[i].transaction_id) == 0)
			continue;
		str_set(&ev->transaction_id, ss->evs[i].transaction_id);
		changed++;
	}
	return changed;
}

static void
send_confirmed(struct app *a, void *ctx, int yes)
{
	struct bulk *b = ctx;
	struct nc_error err = NC_ERROR_INIT;
	struct send_set ss;
	struct nc_ops ops;
	int64_t run_id = 0;
	size_t changed;
	enum nc_status st;

	if (!yes) {
		app_message(a, MSG_INFO, "not sent");
		return;
	}
	session_ops(a->s, &ops);
	send_set_make(b, &ss);
	st = bulkrun_create(&ops, "bulk builder", ss.evs, ss.n, ss.user_txid, NULL, &run_id,
	                    &err);
	if (st != NC_OK) {
		long idx, evi;

		compose_field_for_error(&err, &idx, &evi);
		if (evi >= 0 && (size_t)evi < ss.n)
			b->sel = (int)ss.index[evi];
		app_message(a, MSG_ERROR, "%s - nothing was sent", err.message ? err.message : "?");
		nc_error_clear(&err);
		send_set_free(&ss);
		return;
	}
	changed = send_set_take_ids(b, &ss);
	send_set_free(&ss);
	bulk_save(a, b);
	refresh_from_history(a, b);   /* all "queued" now */
	if (changed)
		app_message(a, MSG_INFO, "%zu event%s had a transactionId that was used already: "
		            "given new ones", changed, changed == 1 ? "" : "s");
	start_run(a, b, run_id, 0);
}

/* Check every event to be sent; select and report the first that is wrong. */
static int
bulk_validate(struct app *a, struct bulk *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct nc_error err = NC_ERROR_INIT;
		char prefix[40];

		if (!state_to_send(b->items[i].state))
			continue;
		snprintf(prefix, sizeof(prefix), "events[%zu].", i);
		if (event_validate(&b->evs[i], NC_USE_BULK_ENTRY, prefix, &err) != NC_OK) {
			b->sel = (int)i;
			app_message(a, MSG_ERROR, "event %zu: %s - nothing was sent (Enter edits it)",
			            i + 1, err.message ? err.message : "invalid");
			nc_error_clear(&err);
			return 0;
		}
		nc_error_clear(&err);
	}
	return 1;
}

static int
bulk_may_send(struct app *a, void (*again)(struct app *a, void *ctx))
{
	if (a->s->profile.read_only) {
		dialog_message(a, "Read-only profile", "This profile can cancel, not send.");
		return 0;
	}
	if (!a->s->client || !a->s->history) {
		app_message(a, MSG_ERROR, !a->s->client ? "offline: no API client" :
		            "bulk runs need History (it stores them so they can resume)");
		return 0;
	}
	if (worker_busy(a->worker)) {   /* a list load: again() runs after it */
		app_send_when_idle(a, again, NULL);
		return 0;
	}
	return 1;
}

static void bulk_send(struct app *a, struct bulk *b);
static void bulk_resume(struct app *a);

static void
bulk_send_again(struct app *a, void *ctx)
{
	struct bulk *b = bulk_of(a);

	(void)ctx;
	if (b)
		bulk_send(a, b);
}

static void
bulk_resume_again(struct app *a, void *ctx)
{
	(void)ctx;
	bulk_resume(a);
}

/* bulk_may_send, and there are events to send. */
static int
bulk_can_send(struct app *a, struct bulk *b)
{
	if (!bulk_may_send(a, bulk_send_again))
		return 0;
	if (!b->n) {
		app_message(a, MSG_INFO, "no events: a adds one, i imports a file");
		return 0;
	}
	return 1;
}

static char *
plan_text(size_t n, size_t sent, size_t pending)
{
	size_t k = bulk_plan_count(n), rest = n % NC_MAX_BULK_EVENTS;
	char split[64], left[160] = "";

	if (sent || pending)
		snprintf(left, sizeof(left), " Left out: %zu processed%s%.0zu%s.", sent,
		         pending ? ", " : "", pending, pending ? " unknown or queued (R resumes those)"
		                                        : "");
	if (k == 1)
		return must_asprintf("Send %zu event%s in one bulk request (POST "
		                     "/v1/events/trigger/bulk, 100 rate-limit tokens)?%s", n,
		                     n == 1 ? "" : "s", left);
	if (rest)
		snprintf(split, sizeof(split), "%zu of %d and one of %zu", k - 1, NC_MAX_BULK_EVENTS,
		         rest);
	else
		snprintf(split, sizeof(split), "%zu of %d", k, NC_MAX_BULK_EVENTS);
	return must_asprintf("Plan: %zu events in %zu requests (%s), the first alone, then up "
	                     "to %d at a time, paced by the RateLimit headers. Each request has "
	                     "its own idempotency key; a stopped run resumes (R) without sending "
	                     "any event twice.%s Send?", n, k, split, NC_BULK_PARALLEL_DEFAULT,
	                     left);
}

/* The plan and its y/N: the last step before a send. */
static void
confirm_plan(struct app *a, struct bulk *b)
{
	size_t todo = count_state(b, state_to_send), sent = count_state(b, state_processed);
	char *text = plan_text(todo, sent, count_state(b, state_pending));

	dialog_confirm(a, todo < b->n ? "Send the unsent and failed only" :
	               bulk_plan_count(todo) > 1 ? "Send in several requests" : "Send bulk", text,
	               send_confirmed, b);
	free(text);
}

/* Event i does not fit its workflow's payloadSchema: its row says what to
 * change, and Errors gets one entry with every problem (f there opens the
 * event at its payload). */
static void
note_schema_problems(struct app *a, struct bulk *b, size_t i, const struct nc_payload_check *pc)
{
	struct nc_error e = NC_ERROR_INIT;
	const struct nc_payload_problem *p0 = &pc->items[0];
	size_t k;

	nc_error_set(&e, NC_E_INVALID, NULL, "event %zu: %s: %s (%s)", i + 1, p0->field,
	             p0->message, p0->fix);
	for (k = 0; k < pc->n; k++) {
		const struct nc_payload_problem *p = &pc->items[k];
		char *field = strcmp(p->field, "payload") == 0 ?
		              must_asprintf("events[%zu].payload", i) :
		              must_asprintf("events[%zu].payload.%s", i, p->field);
		char *msg = must_asprintf("%s (%s)", p->message, p->fix);

		nc_error_add_field(&e, field, msg, NULL, p->schema_path);
		free(field);
		free(msg);
	}
	errlog_add(a, &e, SCR_BULK, "bulk event payloadSchema");
	nc_error_clear(&e);
	pthread_mutex_lock(&b->mu);
	item_set(b, i, b->items[i].state == BS_NEW ? BS_FAILED : b->items[i].state,
	         must_asprintf("%s: %s", p0->field, p0->fix));
	pthread_mutex_unlock(&b->mu);
}

/* Each event to send against its workflow's schema; 0 (and the first bad
 * event selected and named) when any does not fit. */
static int
events_fit_schemas(struct app *a, struct bulk *b, const struct bulkschema *s)
{
	size_t i, bad = 0;
	char *first = NULL;

	for (i = 0; i < b->n; i++) {
		struct nc_payload_check pc;
		struct nc_error err = NC_ERROR_INIT;

		if (!state_to_send(b->items[i].state))
			continue;
		memset(&pc, 0, sizeof(pc));
		/* A payload that is not JSON was refused by bulk_validate. */
		if (bulkschema_check(s, &b->evs[i], &pc, &err) == NC_OK && pc.n) {
			if (!bad++) {
				b->sel = (int)i;
				/* The fix first, as the trigger form's refusal. */
				first = must_asprintf("event %zu: %s: %s (%s)", i + 1, pc.items[0].field,
				                      pc.items[0].fix, pc.items[0].message);
			}
			note_schema_problems(a, b, i, &pc);
		}
		payload_check_clear(&pc);
		nc_error_clear(&err);
	}
	if (bad)
		app_message(a, MSG_ERROR, "not sent: %s; %zu event%s do%s not fit %s payloadSchema "
		            "(5: Errors lists them)", first, bad, bad == 1 ? "" : "s",
		            bad == 1 ? "es" : "", bad == 1 ? "its workflow's" : "their workflows'");
	free(first);
	return bad == 0;
}

/* Main thread: the schemas are here (or not): check, then the plan. */
static void
schemas_fetched(struct app *a, void *ctx, const struct bulkschema *s, enum nc_status st,
                const struct nc_error *err, const char *workflow)
{
	struct bulk *b = ctx;

	if (st == NC_E_ABORTED) {
		app_message(a, MSG_INFO, "not sent: stopped while reading the payloadSchemas");
		return;
	}
	if (st != NC_OK) {
		errlog_add(a, err, SCR_BULK, "payloadSchema for bulk");
		app_message(a, MSG_ERROR, "not sent: reading %s's payloadSchema failed: %s",
		            workflow ? workflow : "?", err->message ? err->message : "?");
		return;
	}
	if (events_fit_schemas(a, b, s))
		confirm_plan(a, b);
}

static void
bulk_send(struct app *a, struct bulk *b)
{
	size_t sent, pending, i;
	unsigned char *want;

	if (!bulk_can_send(a, b))
		return;
	refresh_from_history(a, b);
	sent = count_state(b, state_processed);
	pending = count_state(b, state_pending);
	if (!count_state(b, state_to_send)) {
		app_message(a, MSG_INFO, "every event was sent already (%zu processed, %zu unknown "
		            "or queued: R resumes those); X clears the processed ones", sent, pending);
		return;
	}
	if (!bulk_validate(a, b))
		return;
	/* Novu refuses an event its workflow's schema refuses (validatePayload
	 * on): name it before anything goes out. */
	want = must_calloc(b->n, 1);
	for (i = 0; i < b->n; i++)
		want[i] = state_to_send(b->items[i].state) != 0;
	if (bulkschema_fetch(a, b->evs, b->n, want, schemas_fetched, b) != 0)
		app_message(a, MSG_WARN, "a request is running; try again when it ends");
	free(want);
}

static void
clear_sent(struct app *a, struct bulk *b)
{
	size_t i = 0, gone = 0;

	while (i < b->n) {
		if (b->items[i].state != BS_PROCESSED) {
			i++;
			continue;
		}
		b->sel = (int)i;
		event_clear(&b->evs[i]);
		free(b->items[i].text);
		memmove(b->evs + i, b->evs + i + 1, (b->n - i - 1) * sizeof(*b->evs));
		memmove(b->items + i, b->items + i + 1, (b->n - i - 1) * sizeof(*b->items));
		b->n--;
		gone++;
	}
	if (b->sel >= (int)b->n)
		b->sel = b->n ? (int)b->n - 1 : 0;
	bulk_changed(a, b);
	if (gone)
		app_message(a, MSG_INFO, "%zu processed events cleared (%zu left; all stay in "
		            "History)", gone, b->n);
	else
		app_message(a, MSG_INFO, "no processed events to clear");
}

static void
resume_confirmed(struct app *a, void *ctx, int yes)
{
	struct bulk *b = bulk_of(a);
	int64_t *run = ctx;

	if (yes)
		start_run(a, b, *run, 1);
	free(run);
}

/* Whether another process (a second console, a headless resume) is sending
 * run_id right now: then say so instead of offering to resume it. Looking
 * takes the run's lock for a moment; bulkrun_send() takes it for good. */
static int
run_sent_elsewhere(struct app *a, int64_t run_id)
{
	struct nc_error err = NC_ERROR_INIT;
	long holder = 0;

	if (histdb_bulk_claim(a->s->history, run_id, &holder, &err) != NC_OK) {
		nc_error_clear(&err);
		return 0;   /* the send will say what is wrong */
	}
	if (!holder) {
		histdb_bulk_release(a->s->history, run_id);
		return 0;
	}
	if (holder > 0)
		app_message(a, MSG_WARN, "bulk run %lld is being sent by process %ld (another "
		            "console or command): R resumes what is left once it stops",
		            (long long)run_id, holder);
	else
		app_message(a, MSG_WARN, "bulk run %lld is being sent by another process: R "
		            "resumes what is left once it stops", (long long)run_id);
	return 1;
}

static int
cmp_strp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Events of run_id still to send (queued, or unknown: their request goes
 * again under its key) that are no longer in the list - deleted after a
 * stop, or another list's run. R sends them too: the dialog says so. */
static size_t
run_events_not_in_list(struct app *a, const struct bulk *b, int64_t run_id)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *rows = NULL;
	const char **ids = must_malloc((b->n ? b->n : 1) * sizeof(*ids));
	size_t n = 0, k = 0, i, missing = 0;
	enum bstate st;

	for (i = 0; i < b->n; i++)
		if (b->evs[i].transaction_id)
			ids[k++] = b->evs[i].transaction_id;
	qsort(ids, k, sizeof(*ids), cmp_strp);
	if (histdb_bulk_run_entries(a->s->history, run_id, &rows, &n, &err) != NC_OK)
		n = 0;
	for (i = 0; i < n; i++) {
		st = state_of_row(&rows[i]);
		if ((st == BS_QUEUED || st == BS_UNKNOWN) &&
		    (!rows[i].transaction_id ||
		     !bsearch(&rows[i].transaction_id, ids, k, sizeof(*ids), cmp_strp)))
			missing++;
		histdb_entry_clear(&rows[i]);
	}
	free(rows);
	free(ids);
	nc_error_clear(&err);
	return missing;
}

static void
bulk_resume(struct app *a)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_bulk_chunk *chunks = NULL;
	int64_t run_id = 0, *ctx;
	size_t n = 0, i, pending = 0, missing;
	char *text, *note = NULL;
	enum nc_status st;

	if (!bulk_may_send(a, bulk_resume_again))
		return;
	st = histdb_bulk_last_unfinished(a->s->history, a->s->scope, a->s->profile.name,
	                                 &run_id, &err);
	if (st != NC_OK || !run_id) {
		app_message(a, MSG_INFO, "%s", err.message ? err.message : "no stopped bulk run to resume");
		nc_error_clear(&err);
		return;
	}
	if (run_sent_elsewhere(a, run_id))
		return;
	if (histdb_bulk_pending(a->s->history, run_id, &chunks, &n, &err) == NC_OK) {
		for (i = 0; i < n; i++) {
			pending += !chunks[i].done;
			bulk_chunk_clear(&chunks[i]);
		}
		free(chunks);
	}
	nc_error_clear(&err);
	ctx = must_malloc(sizeof(*ctx));
	*ctx = run_id;
	missing = run_events_not_in_list(a, bulk_of(a), run_id);
	if (missing)
		note = must_asprintf(" %zu of its events still to send %s not in this list "
		                     "(deleted from it, or stored by another list or command): "
		                     "the run holds %s, so %s too.", missing,
		                     missing == 1 ? "is" : "are", missing == 1 ? "it" : "them",
		                     missing == 1 ? "it goes" : "they go");
	text = pending == 1
	       ? must_asprintf("Resume bulk run %lld: 1 request still to send, with its stored "
	                       "body and idempotency key (nothing is sent twice)?%s",
	                       (long long)run_id, note ? note : "")
	       : must_asprintf("Resume bulk run %lld: %zu requests still to send, with their "
	                       "stored bodies and idempotency keys (nothing is sent twice)?%s",
	                       (long long)run_id, pending, note ? note : "");
	dialog_confirm(a, "Resume", text, resume_confirmed, ctx);
	free(note);
	free(text);
}

/* ---- dropping a stopped run ---- */

/* A run's events still to send: never left (queued), and left without an
 * answer (unknown). */
static void
run_left_counts(struct app *a, int64_t run_id, size_t *queued, size_t *unknown)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *rows = NULL;
	size_t n = 0, i;

	*queued = *unknown = 0;
	if (histdb_bulk_run_entries(a->s->history, run_id, &rows, &n, &err) != NC_OK)
		n = 0;
	for (i = 0; i < n; i++) {
		switch (state_of_row(&rows[i])) {
		case BS_QUEUED: (*queued)++; break;
		case BS_UNKNOWN: (*unknown)++; break;
		default: break;
		}
		histdb_entry_clear(&rows[i]);
	}
	free(rows);
	nc_error_clear(&err);
}

static void
drop_confirmed(struct app *a, void *ctx, int yes)
{
	struct nc_error err = NC_ERROR_INIT;
	struct bulk *b = bulk_of(a);
	int64_t *run = ctx;
	size_t dropped = 0, unknown = 0;
	struct nc_ops ops;

	if (yes) {
		session_ops(a->s, &ops);
		if (bulkrun_drop(&ops, *run, &dropped, &unknown, &err) != NC_OK)
			app_message(a, MSG_ERROR, "bulk run %lld not dropped: %s", (long long)*run,
			            err.message ? err.message : "History could not be written");
		else if (unknown && dropped)
			app_message(a, MSG_WARN, "bulk run %lld dropped: %zu events never sent, none "
			            "will be; %zu stay unknown (their request left: u on History asks "
			            "Novu)", (long long)*run, dropped, unknown);
		else if (unknown)
			app_message(a, MSG_WARN, "bulk run %lld dropped: its %zu events whose request "
			            "left stay unknown (u on History asks Novu)", (long long)*run,
			            unknown);
		else
			app_message(a, MSG_INFO, "bulk run %lld dropped: %zu events never sent, "
			            "none will be", (long long)*run, dropped);
		if (b)
			refresh_from_history(a, b);
	}
	nc_error_clear(&err);
	free(run);
}

/* Give up the stopped run R would resume: what never left never goes. */
static void
bulk_drop_run(struct app *a, struct bulk *b)
{
	struct nc_error err = NC_ERROR_INIT;
	int64_t run_id = 0, *ctx;
	size_t queued, unknown;
	char *text, *never = NULL, *also = NULL;

	if (b->running) {
		app_message(a, MSG_WARN, "the list is being sent: ^X stops it, then A drops what "
		            "is left");
		return;
	}
	if (!a->s->history) {
		app_message(a, MSG_ERROR, "bulk runs need History (it stores them)");
		return;
	}
	if (histdb_bulk_last_unfinished(a->s->history, a->s->scope, a->s->profile.name,
	                                &run_id, &err) != NC_OK || !run_id) {
		app_message(a, MSG_INFO, "%s", err.message ? err.message : "no stopped bulk run to drop");
		nc_error_clear(&err);
		return;
	}
	if (run_sent_elsewhere(a, run_id))
		return;
	run_left_counts(a, run_id, &queued, &unknown);
	if (queued)
		never = must_asprintf("%zu events never sent are recorded as dropped", queued);
	if (unknown)
		also = must_asprintf("%s%zu events whose request left without an answer stay "
		                     "unknown (Novu may have them: u on History asks)",
		                     queued ? "; " : "", unknown);
	text = must_asprintf("Drop bulk run %lld? R no longer sends what is left of it: %s%s.%s",
	                     (long long)run_id, never ? never : "", also ? also : "",
	                     queued ? " Dropped events in this list go on a later ^S as new "
	                              "events, with new transactionIds." : "");
	ctx = must_malloc(sizeof(*ctx));
	*ctx = run_id;
	dialog_confirm(a, "Drop the stopped run", text, drop_confirmed, ctx);
	free(never);
	free(also);
	free(text);
}

/* ---- the request ^S sends, shown and copied ---- */

/* The bulk request holding the selected event (or the first one to send),
 * as ^S would send it; its key is made when it is sent. */
static int
prepare_selected_request(struct bulk *b, struct nc_prepared *p, size_t *req, size_t *nreq,
                         struct nc_error *err)
{
	struct send_set ss;
	size_t k = 0, i, start, count;
	enum nc_status st;

	send_set_make(b, &ss);
	if (!ss.n) {
		send_set_free(&ss);
		nc_error_set(err, NC_E_USAGE, NULL, "every event was sent already: nothing for "
		             "^S to send");
		return -1;
	}
	for (i = 0; i < ss.n; i++)
		if (ss.index[i] == (size_t)b->sel)
			k = i / NC_MAX_BULK_EVENTS;
	*req = k;
	*nreq = bulk_plan_count(ss.n);
	bulk_plan_range(ss.n, k, &start, &count);
	st = api_prepare_bulk(ss.evs + start, count, NULL, p, err);
	send_set_free(&ss);
	return st == NC_OK ? 0 : -1;
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
bulk_preview(struct app *a, struct bulk *b, int copy)
{
	static const enum ui_req bar[] = { REQ_COPY_CURL };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_http_request req;
	struct nc_prepared p;
	size_t k = 0, nreq = 0;
	char *dump = NULL, *curl = NULL, *pretty, *text, title[120];
	struct viewer *v;

	if (prepare_selected_request(b, &p, &k, &nreq, &err) != 0) {
		app_message(a, MSG_ERROR, "%s", err.message ? err.message : "cannot build the request");
		nc_error_clear(&err);
		return;
	}
	req = prepared_request(&p);
	if (a->s->client) {
		dump = client_dump_request(a->s->client, &req);
		curl = client_curl_command(a->s->client, &req);
	}
	if (copy) {
		if (curl)
			clip_copy(a, curl, "last-curl.sh", "curl command");
		else
			app_message(a, MSG_WARN, "no API client (offline): nothing to copy");
		free(curl);
		free(dump);
		prepared_clear(&p);
		return;
	}
	pretty = json_pretty_text(p.body);
	text = must_asprintf("%s\n\nThe body again, formatted for reading:\n%s\n",
	                     dump ? dump : "", pretty ? pretty : "");
	snprintf(title, sizeof(title), "Preview: bulk request %zu of %zu as ^S sends it (its "
	         "Idempotency-Key is made when it is sent)", k + 1, nreq);
	v = viewer_open(a, title, text);
	if (curl)
		viewer_set_actions(v, preview_action, curl, NULL, bar, 1);
	free(pretty);
	free(text);
	free(dump);
	prepared_clear(&p);
}

static unsigned
bulk_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct bulk *b = v->priv;
	int page = app_body_h(a) - 4;

	(void)key;
	if (b->running && (req == REQ_ADD || req == REQ_DUPLICATE || req == REQ_DELETE ||
	                   req == REQ_MOVE_ITEM_UP || req == REQ_MOVE_ITEM_DOWN ||
	                   req == REQ_IMPORT || req == REQ_EDIT)) {
		app_message(a, MSG_WARN, "the list is being sent; edit it when the run ends");
		return UI_HANDLED;
	}
	switch (req) {
	case REQ_MOVE_UP:
		if (b->sel > 0)
			b->sel--;
		break;
	case REQ_MOVE_DOWN:
		if (b->sel + 1 < (int)b->n)
			b->sel++;
		break;
	case REQ_PAGE_UP:
		b->sel = b->sel > page ? b->sel - page : 0;
		break;
	case REQ_PAGE_DOWN:
		b->sel = b->sel + page < (int)b->n ? b->sel + page : (int)b->n - 1;
		break;
	case REQ_MOVE_FIRST:
		b->sel = 0;
		break;
	case REQ_MOVE_LAST:
		b->sel = (int)b->n - 1;
		break;
	case REQ_ADD:
		add_event(a, b, -1);
		break;
	case REQ_DUPLICATE:
		if (b->n)
			add_event(a, b, b->sel);
		break;
	case REQ_EDIT:
		if (b->n)
			open_event(a, b, (size_t)b->sel);
		break;
	case REQ_DELETE:
		delete_event(a, b);
		break;
	case REQ_MOVE_ITEM_UP:
		move_event(a, b, -1);
		break;
	case REQ_MOVE_ITEM_DOWN:
		move_event(a, b, 1);
		break;
	case REQ_IMPORT:
		dialog_input(a, "Import events (CSV with a header, or JSON Lines)", "File", NULL,
		             PK_PATH, import_entered, b);
		break;
	case REQ_SEND:
		bulk_send(a, b);
		break;
	case REQ_RESUME:
		bulk_resume(a);   /* a stored run, whatever the list holds */
		break;
	case REQ_DROP_RUN:
		bulk_drop_run(a, b);
		break;
	case REQ_PREVIEW:
	case REQ_COPY_CURL:
		if (b->n)
			bulk_preview(a, b, req == REQ_COPY_CURL);
		break;
	case REQ_CLEAR_SENT:
		clear_sent(a, b);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static const struct keymap *const bulk_maps[] = { &km_bulk, &km_move, &km_global, NULL };

const struct view_ops scr_bulk_ops = {
	.name = "Bulk", .keymaps = bulk_maps, .private_size = sizeof(struct bulk),
	.open = bulk_open, .draw = bulk_draw, .handle = bulk_handle, .done = bulk_done,
};
