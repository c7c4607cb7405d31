/* scr_activity.c - the Activity screen: notifications from the API (GET
 * /v1/notifications through pending.c), whoever triggered them, grouped by
 * transaction, with the ones whose delay or digest still waits marked
 * "pending". Enter shows a transaction's steps, c cancels it, Space + C
 * cancels several (ops_cancel_many records each in History), r reloads, P
 * toggles "pending only", / edits the filters, a sets auto-refresh.
 *
 * Every call runs on the worker: the list as a READ (Esc stops a long page
 * walk and keeps the previous list), cancels as a SEND. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dialog.h"
#include "draw.h"
#include "canceljob.h"
#include "errlog.h"
#include "ops.h"
#include "pending.h"
#include "prompt.h"
#include "viewer.h"
#include "worker.h"

/* A transactionId with a text: marks (text unused) and cancel outcomes. */
struct txid_note {
	char *txid, *text;
};

struct activity_view {
	struct nc_activity_list list;
	char *subscriber, *workflow, *topic, *since;
	int pending_only;
	int loaded;                 /* a list was read at least once */
	int asked;                  /* the first read was started */
	size_t sel, top;
	int page;
	struct txid_note *marks, *outcomes;
	size_t nmarks, noutcomes;
	long auto_s;                /* auto-refresh period, 0 = off */
	int64_t next_auto_ms;
	char *problem;              /* why the last read failed */
	/* While a read with new filters runs: the filters the list on screen
	 * was read with (filters_text), put back if the read fails, so the
	 * filter line always names what the rows are. */
	char *list_filters;
	int list_pending_only;
};

static struct activity_view *
av_of(struct app *a)
{
	return app_screen_priv(a, SCR_ACTIVITY);
}

/* ---- notes keyed by transactionId ---- */

static struct txid_note *
note_find(struct txid_note *v, size_t n, const char *txid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].txid, txid) == 0)
			return &v[i];
	return NULL;
}

static void
note_set(struct txid_note **v, size_t *n, const char *txid, const char *text)
{
	struct txid_note *e = note_find(*v, *n, txid);

	if (!e) {
		*v = must_realloc(*v, (*n + 1) * sizeof(**v));
		e = &(*v)[(*n)++];
		e->txid = must_strdup(txid);
		e->text = NULL;
	}
	free(e->text);
	e->text = must_strdup(text ? text : "");
}

static void
note_remove(struct txid_note *v, size_t *n, const char *txid)
{
	struct txid_note *e = note_find(v, *n, txid);

	if (!e)
		return;
	free(e->txid);
	free(e->text);
	*e = v[--*n];
}

static void
notes_free(struct txid_note *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].txid);
		free(v[i].text);
	}
	free(v);
}

/* ---- reading the list ---- */

struct read_job {
	struct nc_client *client;
	struct worker *w;
	char *subscriber, *workflow, *topic;
	struct nc_activity_query q;
	struct nc_activity_list list;
	struct nc_error err;
	enum nc_status st;
	int quiet;                  /* auto-refresh: no message when fine */
};

static void
read_job_free(struct read_job *j)
{
	free(j->subscriber);
	free(j->workflow);
	free(j->topic);
	activity_list_clear(&j->list);
	nc_error_clear(&j->err);
	free(j);
}

static void
read_progress(void *ctx, long pages, long notifications, size_t matched)
{
	struct read_job *j = ctx;
	char text[96];

	snprintf(text, sizeof(text), "page %ld, %ld notifications, %zu listed", pages,
	         notifications, matched);
	worker_set_progress(j->w, 0, 0, text);
}

static void
read_run(void *data, struct worker *w)
{
	struct read_job *j = data;

	j->w = w;
	j->st = activity_read(j->client, &j->q, read_progress, j, &j->list, &j->err);
}

/* Keep the cursor on the transaction it was on. */
static void
reselect(struct activity_view *av, const char *txid)
{
	size_t i;

	for (i = 0; txid && i < av->list.n; i++)
		if (strcmp(av->list.items[i].transaction_id, txid) == 0) {
			av->sel = i;
			return;
		}
	if (av->sel >= av->list.n)
		av->sel = av->list.n ? av->list.n - 1 : 0;
}

static int parse_filters(struct activity_view *av, const char *line, char *why, size_t cap);
static char *filters_text(const struct activity_view *av);

/* Before a read with other filters: remember the list's (text as
 * filters_text makes it; taken over). */
static void
keep_list_filters(struct activity_view *av, char *text, int pending_only)
{
	if (av->list_filters) {
		free(text);   /* a read with new filters runs: the list's are kept */
		return;
	}
	av->list_filters = text;
	av->list_pending_only = pending_only;
}

/* The read with new filters is over: forget the list's, or (put_back) set
 * them again. 1 when they were put back. */
static int
settle_list_filters(struct activity_view *av, int put_back)
{
	char why[200];
	int back = put_back && av->list_filters;

	if (back && parse_filters(av, av->list_filters, why, sizeof(why)) == 0)
		av->pending_only = av->list_pending_only;
	free(av->list_filters);
	av->list_filters = NULL;
	return back;
}

static void
read_done(struct app *a, void *data)
{
	struct read_job *j = data;
	struct activity_view *av = av_of(a);
	char *keep;

	int back = settle_list_filters(av, j->st != NC_OK);

	if (j->st == NC_E_ABORTED) {
		app_message(a, MSG_WARN, "stopped; the list is the one read before%s",
		            back ? ", and so are its filters" : "");
	} else if (j->st != NC_OK) {
		free(av->problem);
		av->problem = nc_error_format(&j->err);
		errlog_add(a, &j->err, SCR_ACTIVITY, "activity");
		/* What the filter line shows first: the end of a line gets cut. */
		app_message(a, MSG_ERROR, "activity: %s%s", back ? "the filters are back to the "
		            "list's, the read with the new ones failed: " : "",
		            av->problem ? av->problem : "failed");
	} else {
		keep = av->list.n ? must_strdup(av->list.items[av->sel].transaction_id) : NULL;
		activity_list_clear(&av->list);
		av->list = j->list;
		memset(&j->list, 0, sizeof(j->list));
		av->loaded = 1;
		free(av->problem);
		av->problem = NULL;
		reselect(av, keep);
		free(keep);
		if (!j->quiet || av->list.stopped_early)
			app_message(a, av->list.stopped_early ? MSG_WARN : MSG_OK,
			            "%zu transaction%s%s", av->list.n, av->list.n == 1 ? "" : "s",
			            av->list.stopped_early ? "; stopped early, the feed has more "
			                                     "(narrow the filters)" : "");
	}
	read_job_free(j);
}

/* 0 when the read was started (read_done follows), -1 when not. */
static int
start_read(struct app *a, struct activity_view *av, int quiet)
{
	struct read_job *j;
	int64_t after = 0;

	if (!a->s->client) {
		if (!quiet)
			app_message(a, MSG_ERROR, "offline: no API client");
		return -1;
	}
	if (av->since && pending_parse_time(av->since, clock_wall_ms(), &after)) {
		app_message(a, MSG_ERROR, "since: give 30m, 2h, 7d or an ISO 8601 time");
		return -1;
	}
	j = must_calloc(1, sizeof(*j));
	j->client = a->s->client;
	j->quiet = quiet;
	nc_error_init(&j->err);
	j->subscriber = must_strdup(av->subscriber);
	j->workflow = must_strdup(av->workflow);
	j->topic = must_strdup(av->topic);
	j->q.subscriber_ids = (const char *const *)&j->subscriber;
	j->q.nsubscribers = j->subscriber ? 1 : 0;
	j->q.workflows = (const char *const *)&j->workflow;
	j->q.nworkflows = j->workflow ? 1 : 0;
	j->q.topic_key = j->topic;
	j->q.after_ms = after;
	j->q.pending_only = av->pending_only;
	if (worker_submit(a->worker, "Reading activity", read_run, read_done, j) != 0) {
		if (!quiet)
			app_message(a, MSG_WARN, "a request is running; try again when it ends");
		read_job_free(j);
		return -1;
	}
	return 0;
}

/* A read with the filters just changed; when it cannot start, the list's
 * filters come back at once. */
static void
start_filtered_read(struct app *a, struct activity_view *av)
{
	if (start_read(a, av, 0) != 0)
		settle_list_filters(av, 1);
}

/* ---- drawing ---- */

/* The State column: what this console did to it (a cancel outcome), else
 * what the feed says. */
static const char *
state_of(const struct nc_activity_txn *t, const struct txid_note *out, enum ui_role *role)
{
	size_t i;

	*role = ROLE_DIM;
	if (out && strcmp(out->text, "cancelled") == 0) {
		*role = ROLE_OK;
		return "cancelled";
	}
	if (out && strcmp(out->text, "nothing pending") == 0)
		return "done";   /* what the feed says of a finished one */
	if (out) {
		*role = ROLE_ERROR;
		return "FAILED";
	}
	if (t->pending) {
		*role = ROLE_WARN;
		return "PENDING";
	}
	for (i = 0; i < t->njobs; i++)
		if (t->jobs[i].status && strcmp(t->jobs[i].status, "canceled") == 0)
			return "cancelled";   /* by someone else: one spelling on screen */
	for (i = 0; i < t->njobs; i++)
		if (t->jobs[i].status && strcmp(t->jobs[i].status, "failed") == 0)
			return "failed";
	return "done";
}

/* Column widths; the transaction is cut like a git hash when narrow. */
#define COL_TIME 11
#define COL_STATE 9
#define COL_WF 16
#define COL_SUBS 14
static int
txn_width(int w)
{
	return w >= 120 ? 36 : 8;
}

static void
draw_row(struct activity_view *av, const struct nc_activity_txn *t, int y, int x, int w,
         int cur)
{
	int marked = note_find(av->marks, av->nmarks, t->transaction_id) != NULL;
	enum ui_role base = cur ? ROLE_CURSOR : marked ? ROLE_MARKED : ROLE_NORMAL, srole;
	const struct txid_note *out = note_find(av->outcomes, av->noutcomes, t->transaction_id);
	const char *state = state_of(t, out, &srole);
	char when[32], wait[160], prefix[3] = { cur ? '>' : ' ', marked ? '*' : ' ', '\0' };
	int txw = txn_width(w), rest;

	ui_format_time_short(t->created_ms, when, sizeof(when));
	pending_describe_wait(t, wait, sizeof(wait));
	if (cur)
		draw_blank(y, x, w, ROLE_CURSOR);
	draw_text(y, x, 2, prefix, base);
	x += 2;
	draw_text_cut(y, x, COL_TIME, when, base);
	x += COL_TIME + 1;
	draw_text_cut(y, x, COL_STATE, state, cur ? base : srole);
	x += COL_STATE + 1;
	draw_text_cut(y, x, COL_WF, t->workflow ? t->workflow : "-", base);
	x += COL_WF + 1;
	draw_text_cut(y, x, COL_SUBS, t->subscribers ? t->subscribers : "-", base);
	x += COL_SUBS + 1;
	draw_text_cut(y, x, txw, t->transaction_id, base);
	x += txw + 1;
	rest = w - (x - 2) - 1;
	if (rest > 4)
		draw_text_cut(y, x, rest, out ? out->text : wait,
		              cur ? base : out ? ROLE_OK : ROLE_NORMAL);
}

static void
draw_filters(struct activity_view *av, int y, int x, int w)
{
	char line[400];

	snprintf(line, sizeof(line), "subscriber: %s  workflow: %s  topic: %s  since: %s  [%c] pending only%s",
	         av->subscriber ? av->subscriber : "any", av->workflow ? av->workflow : "any",
	         av->topic ? av->topic : "any", av->since ? av->since : "-",
	         av->pending_only ? 'x' : ' ', av->auto_s ? "  auto-refresh on" : "");
	draw_text_cut(y, x, w, line, ROLE_LABEL);
}

static void
activity_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct activity_view *av = v->priv;
	int rows = h - 3, i;
	char foot[160];

	(void)a;
	if (rows < 1)
		return;
	av->page = rows;
	draw_filters(av, y, x, w);
	draw_blank(y + 1, x, w, ROLE_LABEL);
	snprintf(foot, sizeof(foot), "%-*s %-*s %-*s %-*s %-*s %s", COL_TIME, "Time", COL_STATE,
	         "State", COL_WF, "Workflow", COL_SUBS, "Subscribers", txn_width(w),
	         txn_width(w) > 11 ? "Transaction" : "Txn", "Waiting / outcome");
	draw_text_cut(y + 1, x + 2, w - 2, foot, ROLE_LABEL);
	if (av->problem && !av->list.n) {
		draw_text_cut(y + 3, x + 2, w - 2, av->problem, ROLE_ERROR);
		return;
	}
	if (!av->list.n)
		draw_text_cut(y + 3, x + 2, w - 2, !av->loaded ? "r reads the activity feed." :
		              av->pending_only ? "Nothing pending matches (P shows everything)." :
		              "Nothing matches.", ROLE_DIM);
	if (av->sel < av->top)
		av->top = av->sel;
	if (av->sel >= av->top + (size_t)rows)
		av->top = av->sel - (size_t)rows + 1;
	for (i = 0; i < rows && av->top + (size_t)i < av->list.n; i++)
		draw_row(av, &av->list.items[av->top + (size_t)i], y + 2 + i, x, w,
		         av->top + (size_t)i == av->sel);
	snprintf(foot, sizeof(foot), "%zu of %zu%s", av->list.n ? av->sel + 1 : 0, av->list.n,
	         av->list.stopped_early ? " (the feed has more)" : "");
	if (av->nmarks)
		snprintf(foot + strlen(foot), sizeof(foot) - strlen(foot), "  marked: %zu", av->nmarks);
	draw_text_cut(y + h - 1, x, w, foot, ROLE_DIM);
}

/* ---- cancel (one or several) ---- */

static void
cancel_done(struct app *a, struct cancel_job *j)
{
	struct activity_view *av = av_of(a);
	size_t i;

	/* ops_cancel_many wrote each outcome to History; the rows show it. */
	for (i = 0; i < j->done; i++) {
		note_set(&av->outcomes, &av->noutcomes, j->txns[i],
		         j->outs[i].outcome ? j->outs[i].outcome : "failed");
		note_remove(av->marks, &av->nmarks, j->txns[i]);
	}
	cancel_job_report(a, j, cancel_job_tally(a, j, SCR_ACTIVITY));
}

static void
cancel_confirmed(struct app *a, void *ctx, int yes)
{
	if (yes)
		cancel_job_submit(a, ctx, cancel_done);
	else
		cancel_job_free(ctx);
}

static void
ask_cancel(struct app *a, char **txns, size_t n)
{
	struct cancel_job *j;
	char *text;
	size_t i;

	if (!a->s->client || worker_busy(a->worker)) {
		app_message(a, MSG_WARN, a->s->client ? "a request is running; try again when it ends"
		                                      : "offline: no API client");
		for (i = 0; i < n; i++)
			free(txns[i]);
		free(txns);
		return;
	}
	j = cancel_job_new(a, txns, n);
	text = n == 1 ? must_asprintf("Cancel transaction %s? Its pending delays and digests "
	                              "stop; what was delivered stays delivered.", txns[0])
	              : must_asprintf("Cancel %zu marked transactions? Their pending delays and "
	                              "digests stop.", n);
	dialog_confirm(a, "Cancel", text, cancel_confirmed, j);
	free(text);
}

static void
cancel_one(struct app *a, const char *txid)
{
	char **txns = must_calloc(1, sizeof(*txns));

	txns[0] = must_strdup(txid);
	ask_cancel(a, txns, 1);
}

static void
cancel_marked(struct app *a, struct activity_view *av)
{
	char **txns;
	size_t i;

	if (!av->nmarks) {
		app_message(a, MSG_INFO, "mark transactions with Space first (c cancels the selected one)");
		return;
	}
	txns = must_calloc(av->nmarks, sizeof(*txns));
	for (i = 0; i < av->nmarks; i++)
		txns[i] = must_strdup(av->marks[i].txid);
	ask_cancel(a, txns, av->nmarks);
}

/* ---- detail ---- */

static char *
detail_text(const struct nc_activity_txn *t)
{
	char when[32], wait[160];
	char *text = must_asprintf("transactionId  %s\nworkflow       %s\nsubscribers    %s\n",
	                           t->transaction_id, t->workflow ? t->workflow : "-",
	                           t->subscribers ? t->subscribers : "-"), *more;
	size_t i;

	ui_format_time_short(t->created_ms, when, sizeof(when));
	pending_describe_wait(t, wait, sizeof(wait));
	more = must_asprintf("%striggered      %s\nwaiting        %s\n\nSteps (subscriber, type, "
	                     "status, last detail):\n", text, when, t->pending ? wait : "nothing");
	free(text);
	text = more;
	for (i = 0; i < t->njobs; i++) {
		const struct nc_activity_job *j = &t->jobs[i];

		more = must_asprintf("%s  %-20s %-10s %-10s %s\n", text,
		                     j->subscriber_id ? j->subscriber_id : "-", j->type ? j->type : "-",
		                     j->status ? j->status : "-", j->detail ? j->detail : "");
		free(text);
		text = more;
	}
	return text;
}

static unsigned
detail_action(struct app *a, void *ctx, enum ui_req req)
{
	if (req != REQ_CANCEL_TX)
		return 0;
	cancel_one(a, ctx);
	return UI_HANDLED | UI_REDRAW;
}

static void
open_detail(struct app *a, const struct nc_activity_txn *t)
{
	static const enum ui_req bar[] = { REQ_CANCEL_TX };
	char *text = detail_text(t), *title = must_asprintf("Transaction %s", t->transaction_id);
	struct viewer *v = viewer_open(a, title, text);

	viewer_set_actions(v, detail_action, must_strdup(t->transaction_id), NULL, bar,
	                   sizeof(bar) / sizeof(bar[0]));
	free(text);
	free(title);
}

/* ---- filters ---- */

static void
set_field(char **field, const char *value)
{
	free(*field);
	*field = value && *value && strcmp(value, "any") != 0 ? must_strdup(value) : NULL;
}

/* "subscriber=ID workflow=ID topic=KEY since=2h" (s=, w=, t= too); an empty
 * line clears every filter. */
static int
parse_filters(struct activity_view *av, const char *line, char *why, size_t cap)
{
	char *copy = must_strdup(line), *tok, *save = NULL, *eq;
	char *sub = NULL, *wf = NULL, *topic = NULL, *since = NULL;
	int64_t ms;
	int rc = 0;

	for (tok = strtok_r(copy, " \t", &save); tok && !rc; tok = strtok_r(NULL, " \t", &save)) {
		eq = strchr(tok, '=');
		if (!eq) {
			snprintf(why, cap, "'%s': write name=value (subscriber, workflow, topic, since)", tok);
			rc = -1;
			break;
		}
		*eq++ = '\0';
		if (!strcmp(tok, "subscriber") || !strcmp(tok, "s"))
			set_field(&sub, eq);
		else if (!strcmp(tok, "workflow") || !strcmp(tok, "w"))
			set_field(&wf, eq);
		else if (!strcmp(tok, "topic") || !strcmp(tok, "t"))
			set_field(&topic, eq);
		else if (!strcmp(tok, "since") && pending_parse_time(eq, 0, &ms) == 0)
			set_field(&since, eq);
		else if (!strcmp(tok, "since"))
			rc = -1, snprintf(why, cap, "since: give 30m, 2h, 7d or an ISO 8601 time");
		else
			rc = -1, snprintf(why, cap, "'%s': filters are subscriber, workflow, topic, since", tok);
	}
	if (!rc) {
		free(av->subscriber), av->subscriber = sub, sub = NULL;
		free(av->workflow), av->workflow = wf, wf = NULL;
		free(av->topic), av->topic = topic, topic = NULL;
		free(av->since), av->since = since, since = NULL;
	}
	free(sub);
	free(wf);
	free(topic);
	free(since);
	free(copy);
	return rc;
}

static char *
filters_text(const struct activity_view *av)
{
	return must_asprintf("%s%s%s%s%s%s%s%s", av->subscriber ? "subscriber=" : "",
	                     av->subscriber ? av->subscriber : "", av->workflow ? " workflow=" : "",
	                     av->workflow ? av->workflow : "", av->topic ? " topic=" : "",
	                     av->topic ? av->topic : "", av->since ? " since=" : "",
	                     av->since ? av->since : "");
}

static void
filters_done(struct app *a, void *ctx, const char *line)
{
	struct activity_view *av = ctx;
	char why[200], *before;

	if (!line)
		return;
	before = filters_text(av);
	if (parse_filters(av, line, why, sizeof(why)) != 0) {
		free(before);
		app_message(a, MSG_ERROR, "%s", why);
		return;
	}
	keep_list_filters(av, before, av->pending_only);
	av->sel = av->top = 0;
	start_filtered_read(a, av);
}

static void
auto_done(struct app *a, void *ctx, const char *line)
{
	struct activity_view *av = ctx;
	char *end;
	long s;

	if (!line)
		return;
	s = strtol(line, &end, 10);
	if (*end || end == line || s < 0 || s > 86400) {
		app_message(a, MSG_ERROR, "auto-refresh: give whole seconds (0 turns it off)");
		return;
	}
	av->auto_s = s > 0 && s < 5 ? 5 : s;  /* not faster than the API likes */
	av->next_auto_ms = clock_mono_ms() + av->auto_s * 1000;
	if (av->auto_s)
		app_message(a, MSG_INFO, "auto-refresh every %ld s", av->auto_s);
	else
		app_message(a, MSG_INFO, "auto-refresh off");
}

void
scr_activity_tick(struct app *a)
{
	struct activity_view *av = av_of(a);
	int64_t now = clock_mono_ms();

	/* A running job (or a view or prompt over the list) skips this tick:
	 * a refresh never takes the keys or the cursor from the user. */
	if (!av || worker_busy(a->worker) || a->screen != SCR_ACTIVITY ||
	    app_top(a) != a->stack[SCR_ACTIVITY] || prompt_active(a))
		return;
	if (!av->asked) {           /* the first visit reads the feed */
		av->asked = 1;
		start_read(a, av, 0);
		return;
	}
	if (!av->auto_s || now < av->next_auto_ms)
		return;
	av->next_auto_ms = now + av->auto_s * 1000;
	start_read(a, av, 1);
}

/* ---- keys ---- */

static void
toggle_mark(struct activity_view *av)
{
	const char *txid;

	if (!av->list.n)
		return;
	txid = av->list.items[av->sel].transaction_id;
	if (note_find(av->marks, av->nmarks, txid))
		note_remove(av->marks, &av->nmarks, txid);
	else
		note_set(&av->marks, &av->nmarks, txid, NULL);
	if (av->sel + 1 < av->list.n)
		av->sel++;
}

static void
move_selection(struct activity_view *av, enum ui_req req)
{
	size_t n = av->list.n, page = av->page > 0 ? (size_t)av->page : 1;

	if (req == REQ_MOVE_UP && av->sel > 0)
		av->sel--;
	else if (req == REQ_MOVE_DOWN && av->sel + 1 < n)
		av->sel++;
	else if (req == REQ_PAGE_UP)
		av->sel = av->sel > page ? av->sel - page : 0;
	else if (req == REQ_PAGE_DOWN)
		av->sel = av->sel + page < n ? av->sel + page : (n ? n - 1 : 0);
	else if (req == REQ_MOVE_FIRST)
		av->sel = 0;
	else if (req == REQ_MOVE_LAST)
		av->sel = n ? n - 1 : 0;
}

static unsigned
activity_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct activity_view *av = v->priv;
	const struct nc_activity_txn *t = av->list.n ? &av->list.items[av->sel] : NULL;
	char *text;

	(void)key;
	switch (req) {
	case REQ_MOVE_UP: case REQ_MOVE_DOWN: case REQ_PAGE_UP: case REQ_PAGE_DOWN:
	case REQ_MOVE_FIRST: case REQ_MOVE_LAST:
		move_selection(av, req);
		break;
	case REQ_STEPS:
		if (t)
			open_detail(a, t);
		break;
	case REQ_CANCEL_TX:
		if (t)
			cancel_one(a, t->transaction_id);
		break;
	case REQ_MARK:
		toggle_mark(av);
		break;
	case REQ_CANCEL_MARKED:
		cancel_marked(a, av);
		break;
	case REQ_RELOAD:
		av->asked = 1;
		start_read(a, av, 0);
		break;
	case REQ_TOGGLE_PENDING:
		keep_list_filters(av, filters_text(av), av->pending_only);
		av->pending_only = !av->pending_only;
		start_filtered_read(a, av);
		break;
	case REQ_FILTER:
		text = filters_text(av);
		prompt_start(a, PK_FILTER, "Filters (subscriber= workflow= topic= since=)", text,
		             filters_done, av);
		free(text);
		break;
	case REQ_AUTO_REFRESH:
		text = must_asprintf("%ld", av->auto_s);
		prompt_start(a, PK_TEXT, "Auto-refresh every N seconds (0: off)", text, auto_done, av);
		free(text);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
activity_open(struct app *a, struct view *v)
{
	struct activity_view *av = v->priv;

	(void)a;
	av->pending_only = 1;
}

static void
activity_done(struct app *a, struct view *v)
{
	struct activity_view *av = v->priv;

	(void)a;
	activity_list_clear(&av->list);
	free(av->subscriber);
	free(av->workflow);
	free(av->topic);
	free(av->since);
	free(av->problem);
	free(av->list_filters);
	notes_free(av->marks, av->nmarks);
	notes_free(av->outcomes, av->noutcomes);
}

static const struct keymap *const activity_maps[] = { &km_activity, &km_move, &km_global, NULL };

const struct view_ops scr_activity_ops = {
	.name = "Activity", .keymaps = activity_maps, .private_size = sizeof(struct activity_view),
	.open = activity_open, .draw = activity_draw, .handle = activity_handle,
	.done = activity_done,
};
