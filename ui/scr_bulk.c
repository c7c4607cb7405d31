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
#include "compose.h"
#include "dialog.h"
#include "draft.h"
#include "draw.h"
#include "errlog.h"
#include "import.h"
#include "uiops.h"
#include "worker.h"

struct bulk {
	struct nc_event *evs;
	size_t n, cap;
	int sel, top;
	/* Results, index-aligned with evs; written by the worker's progress
	 * callback while a run is going, so guarded by mu. */
	pthread_mutex_t mu;
	char **result;
	enum ui_role *result_role;
	size_t nresult;
	int running;
	int64_t run_id;
};

static struct bulk *
bulk_of(struct app *a)
{
	return app_screen_priv(a, SCR_BULK);
}

static void
results_clear(struct bulk *b)
{
	size_t i;

	pthread_mutex_lock(&b->mu);
	for (i = 0; i < b->nresult; i++)
		free(b->result[i]);
	free(b->result);
	free(b->result_role);
	b->result = NULL;
	b->result_role = NULL;
	b->nresult = 0;
	pthread_mutex_unlock(&b->mu);
}

static void
results_alloc(struct bulk *b, size_t n)
{
	results_clear(b);
	pthread_mutex_lock(&b->mu);
	b->result = must_calloc(n + 1, sizeof(*b->result));
	b->result_role = must_calloc(n + 1, sizeof(*b->result_role));
	b->nresult = n;
	pthread_mutex_unlock(&b->mu);
}

/* Caller holds mu. */
static void
result_set(struct bulk *b, size_t i, enum ui_role role, char *text)
{
	if (i >= b->nresult) {
		free(text);
		return;
	}
	free(b->result[i]);
	b->result[i] = text;
	b->result_role[i] = role;
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

static void
bulk_reserve(struct bulk *b, size_t n)
{
	if (n > b->cap) {
		b->cap = n > b->cap * 2 ? n : b->cap * 2;
		b->evs = must_realloc(b->evs, b->cap * sizeof(*b->evs));
	}
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
		bulk_reserve(b, b->n + 1);
		event_init(&b->evs[b->n]);
		if (draft_event_from_json(&b->evs[b->n], item, &err) == NC_OK)
			b->n++;
		nc_error_clear(&err);
	}
	cJSON_Delete(doc);
}

static void
bulk_changed(struct app *a, struct bulk *b)
{
	results_clear(b);
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
}

static void
bulk_done(struct app *a, struct view *v)
{
	struct bulk *b = v->priv;
	size_t i;

	(void)a;
	results_clear(b);
	for (i = 0; i < b->n; i++)
		event_clear(&b->evs[i]);
	free(b->evs);
	pthread_mutex_destroy(&b->mu);
}

static char *
payload_summary(const char *json)
{
	return str_empty(json) ? must_strdup("{}") : str_one_line(json);
}

static void
bulk_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct bulk *b = v->priv;
	int rows = h - 3, i, flex, wfw, rcw, plw, resw;
	char head[200];

	(void)a;
	if (b->n <= NC_MAX_BULK_EVENTS)
		snprintf(head, sizeof(head), "Bulk: %zu/%d events in one request", b->n,
		         NC_MAX_BULK_EVENTS);
	else
		snprintf(head, sizeof(head), "Bulk: %zu events, sent as %zu requests of at most %d",
		         b->n, bulk_plan_count(b->n), NC_MAX_BULK_EVENTS);
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
		if ((size_t)idx < b->nresult && b->result[idx])
			draw_text_cut(row, cx, resw, b->result[idx], cur ? role : b->result_role[idx]);
		free(rc);
		free(pl);
	}
	pthread_mutex_unlock(&b->mu);
	snprintf(head, sizeof(head), "event %d of %zu%s", b->sel + 1, b->n,
	         b->n > NC_MAX_BULK_EVENTS ? "  (over 100: ^S shows the plan)" : "");
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

	if (ev->index >= b->n)
		return;
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

static void
add_event(struct app *a, struct bulk *b, const struct nc_event *from)
{
	struct nc_event *ev;

	if (refuse_101st(a, b))
		return;
	bulk_reserve(b, b->n + 1);
	ev = &b->evs[b->n];
	event_init(ev);
	if (from) {
		event_copy(ev, from);
		free(ev->transaction_id);
		ev->transaction_id = NULL;
	} else if (b->n) {
		/* Most bulk lists use one workflow: start from the last one's. */
		str_set(&ev->workflow, b->evs[b->n - 1].workflow);
	} else if (a->forms[0] && !str_empty(a->forms[0]->ev.workflow)) {
		str_set(&ev->workflow, a->forms[0]->ev.workflow);
	}
	ev->transaction_id = ui_new_transaction_id();
	b->n++;
	b->sel = (int)b->n - 1;
	bulk_changed(a, b);
	if (!from)
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
	memmove(b->evs + i, b->evs + i + 1, (b->n - i - 1) * sizeof(*b->evs));
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

	if (to < 0 || to >= (int)b->n)
		return;
	tmp = b->evs[b->sel];
	b->evs[b->sel] = b->evs[to];
	b->evs[to] = tmp;
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
			b->evs[b->n] = evs[i];
			if (str_empty(b->evs[b->n].transaction_id)) {
				free(b->evs[b->n].transaction_id);
				b->evs[b->n].transaction_id = ui_new_transaction_id();
			}
			b->n++;
		}
		free(evs);
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

struct bulk_job {
	struct nc_client *client;
	struct nc_history *h;
	struct worker *w;
	struct bulk *b;
	char *profile;
	int64_t run_id;
	int same_events;      /* results map onto the builder's list */
	size_t nchunks_done, nchunks;
	enum nc_status st;
	struct nc_error err;
};

static void
bulk_progress(void *ctx, const struct nc_bulk_progress *p)
{
	struct bulk_job *j = ctx;
	struct bulk *b = j->b;
	char text[96];
	size_t i;

	if (p->waiting_ms > 0)
		snprintf(text, sizeof(text), "waiting %.1f s for rate-limit tokens",
		         (double)p->waiting_ms / 1000.0);
	else
		snprintf(text, sizeof(text), "request %zu of %zu", p->chunk + 1, p->nchunks);
	worker_set_progress(j->w, p->events_done, p->events_total, text);
	if (!j->same_events || p->waiting_ms > 0)
		return;
	pthread_mutex_lock(&b->mu);
	for (i = 0; i < p->nresults; i++) {
		const struct nc_trigger_result *r = &p->results[i];
		int ok = trigger_result_ok(r);

		result_set(b, p->first_event + i, ok ? ROLE_OK : ROLE_ERROR,
		           ok ? must_asprintf("%s %s", r->status, r->transaction_id ? r->transaction_id : "")
		              : must_asprintf("%s%s%s", r->status ? r->status : "error",
		                          r->error ? ": " : "", r->error ? r->error : ""));
	}
	if (p->chunk_status != NC_OK && p->error) {
		size_t k, first = p->chunk * NC_MAX_BULK_EVENTS;

		for (k = first; k < first + NC_MAX_BULK_EVENTS && k < b->nresult; k++)
			result_set(b, k, ROLE_ERROR, must_asprintf("not sent: %s",
			           p->error->message ? p->error->message : "failed"));
	}
	pthread_mutex_unlock(&b->mu);
}

static void
bulk_run(void *data, struct worker *w)
{
	struct bulk_job *j = data;

	j->w = w;
	j->st = bulkrun_send(j->client, j->h, j->profile, j->run_id, bulk_progress, j, &j->err);
}

static void
bulk_run_done(struct app *a, void *data)
{
	struct bulk_job *j = data;
	struct bulk *b = j->b;
	size_t i, ok = 0, bad = 0;

	b->running = 0;
	pthread_mutex_lock(&b->mu);
	for (i = 0; i < b->nresult; i++) {
		if (b->result[i] && b->result_role[i] == ROLE_OK)
			ok++;
		else if (b->result[i])
			bad++;
	}
	pthread_mutex_unlock(&b->mu);
	scr_history_invalidate(a);
	if (j->st == NC_OK) {
		app_message(a, bad ? MSG_WARN : MSG_OK, "bulk sent: %zu processed, %zu not "
		            "(results per event below; all in History)", ok, bad);
	} else if (j->st == NC_E_ABORTED) {
		app_message(a, MSG_WARN, "bulk run stopped: R resumes it (finished requests are "
		            "not sent again)");
	} else {
		errlog_add(a, &j->err, SCR_BULK, "bulk");
		app_message(a, MSG_ERROR, "bulk run stopped: %s (R resumes after a fix)",
		            j->err.message ? j->err.message : "failed");
		scr_errors_show_latest(a);
	}
	nc_error_clear(&j->err);
	free(j->profile);
	free(j);
}

static void
start_run(struct app *a, struct bulk *b, int64_t run_id, int same_events)
{
	struct bulk_job *j = must_calloc(1, sizeof(*j));

	j->client = a->s->client;
	j->h = a->s->history;
	j->b = b;
	j->profile = must_strdup(a->s->profile.name ? a->s->profile.name : "");
	j->run_id = run_id;
	j->same_events = same_events;
	nc_error_init(&j->err);
	if (worker_submit(a->worker, "Sending bulk", bulk_run, bulk_run_done, j) != 0) {
		free(j->profile);
		free(j);
		app_message(a, MSG_WARN, "a request is running; try again when it ends");
		return;
	}
	b->running = 1;
	b->run_id = run_id;
}

static void
send_confirmed(struct app *a, void *ctx, int yes)
{
	struct bulk *b = ctx;
	struct nc_error err = NC_ERROR_INIT;
	int64_t run_id = 0;
	char *scope;
	enum nc_status st;

	if (!yes) {
		app_message(a, MSG_INFO, "not sent");
		return;
	}
	scope = session_run_scope(a->s);
	st = bulkrun_create(a->s->history, scope, "bulk builder", b->evs, b->n, &run_id, &err);
	free(scope);
	if (st != NC_OK) {
		long idx, evi;

		compose_field_for_error(&err, &idx, &evi);
		if (evi >= 0 && evi < (long)b->n)
			b->sel = (int)evi;
		app_message(a, MSG_ERROR, "%s - nothing was sent", err.message ? err.message : "?");
		nc_error_clear(&err);
		return;
	}
	bulk_save(a, b);
	results_alloc(b, b->n);
	start_run(a, b, run_id, 1);
}

/* Check every event; select and report the first that is wrong. */
static int
bulk_validate(struct app *a, struct bulk *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct nc_error err = NC_ERROR_INIT;
		char prefix[40];

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
bulk_can_send(struct app *a, struct bulk *b)
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
	if (worker_busy(a->worker)) {
		app_message(a, MSG_WARN, "a request is running; try again when it ends");
		return 0;
	}
	if (!b->n) {
		app_message(a, MSG_INFO, "no events: a adds one, i imports a file");
		return 0;
	}
	return 1;
}

static void
bulk_send(struct app *a, struct bulk *b)
{
	size_t i, k = bulk_plan_count(b->n);
	char *text;


	if (!bulk_can_send(a, b) || !bulk_validate(a, b))
		return;
	for (i = 0; i < b->n; i++)
		if (str_empty(b->evs[i].transaction_id)) {
			free(b->evs[i].transaction_id);
			b->evs[i].transaction_id = ui_new_transaction_id();
		}
	if (k == 1) {
		text = must_asprintf("Send %zu event%s in one bulk request (POST /v1/events/trigger/bulk, "
		                 "100 rate-limit tokens)?", b->n, b->n == 1 ? "" : "s");
	} else {
		size_t rest = b->n % NC_MAX_BULK_EVENTS;
		char split[64];

		if (rest)
			snprintf(split, sizeof(split), "%zu of %d and one of %zu", k - 1,
			         NC_MAX_BULK_EVENTS, rest);
		else
			snprintf(split, sizeof(split), "%zu of %d", k, NC_MAX_BULK_EVENTS);
		text = must_asprintf("Plan: %zu events in %zu requests (%s), sent one after another "
		                 "and paced by the RateLimit headers. Each request has its own "
		                 "idempotency key; a stopped run resumes (R) without sending any "
		                 "event twice. Send?", b->n, k, split);
	}
	dialog_confirm(a, k == 1 ? "Send bulk" : "Send in several requests", text,
	               send_confirmed, b);
	free(text);
}

static void
resume_confirmed(struct app *a, void *ctx, int yes)
{
	struct bulk *b = bulk_of(a);
	int64_t *run = ctx;

	if (yes)
		start_run(a, b, *run, *run == b->run_id);
	free(run);
}

static void
bulk_resume(struct app *a, struct bulk *b)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_bulk_chunk *chunks = NULL;
	int64_t run_id = 0, *ctx;
	size_t n = 0, i, pending = 0;
	char *text, *scope;
	enum nc_status st;

	if (!bulk_can_send(a, b) && b->n)
		return;
	if (!a->s->history || !a->s->client)
		return;
	scope = session_run_scope(a->s);
	st = histdb_bulk_last_unfinished(a->s->history, scope, &run_id, &err);
	free(scope);
	if (st != NC_OK || !run_id) {
		app_message(a, MSG_INFO, "%s", err.message ? err.message : "no stopped bulk run to resume");
		nc_error_clear(&err);
		return;
	}
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
	text = must_asprintf("Resume bulk run %lld: %zu of %zu requests still to send, with their "
	                 "stored bodies and idempotency keys (nothing is sent twice)?",
	                 (long long)run_id, pending, n);
	dialog_confirm(a, "Resume", text, resume_confirmed, ctx);
	free(text);
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
		app_message(a, MSG_WARN, "the list is being sent; Esc stops, then edit");
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
		add_event(a, b, NULL);
		break;
	case REQ_DUPLICATE:
		if (b->n)
			add_event(a, b, &b->evs[b->sel]);
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
		bulk_resume(a, b);
		break;
	case REQ_PREVIEW:
	case REQ_COPY_CURL:
		if (b->n) {
			struct compose *c = open_event(a, b, (size_t)b->sel);

			compose_handle(a, c, req, key);
		}
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
