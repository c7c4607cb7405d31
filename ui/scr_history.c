/* scr_history.c - every transaction sent from the console or the headless
 * commands, newest first. Only the visible window is read from SQLite, by
 * key from the row next to it (histdb_page, histdb_page_newer), so millions
 * of rows scroll as fast as ten; a filter's count stops at COUNT_FIRST and
 * grows as the list is scrolled past it ("1000+"). One key cancels
 * (the outcome lands in the row), space marks several, u fetches the
 * delivery status, R resends with a new transactionId. */
#include "app.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "compose.h"
#include "dialog.h"
#include "draw.h"
#include "canceljob.h"
#include "errlog.h"
#include "histdb.h"
#include "prompt.h"
#include "uiops.h"
#include "viewer.h"
#include "worker.h"

struct history_view {
	char *filter;
	int valid;                    /* total is current */
	size_t total;
	int total_exact;              /* else there are total or more rows */
	size_t sel, top;
	struct nc_history_entry *win; /* rows [win_off, win_off + nwin) */
	size_t nwin, win_off, win_want;   /* win_want 0: reread (rows kept as anchors) */
	int64_t *marks;
	size_t nmarks, capmarks;
	int page;
	char *problem;                /* why the list cannot be shown */
	int64_t data_version;         /* the store's, when last looked at */
};

static struct history_view *
hv_of(struct app *a)
{
	return app_screen_priv(a, SCR_HISTORY);
}

static void
free_window(struct history_view *hv)
{
	size_t i;

	for (i = 0; i < hv->nwin; i++)
		histdb_entry_clear(&hv->win[i]);
	free(hv->win);
	hv->win = NULL;
	hv->nwin = 0;
}


static void
set_problem(struct history_view *hv, const struct nc_error *err)
{
	str_set(&hv->problem, err && err->message ? err->message : NULL);
}

/* A filter's first count stops here: enough for "N of M" on a page, and
 * cheap however many rows match. */
#define COUNT_FIRST 1000

static const struct nc_history_entry *
row_entry(struct history_view *hv, size_t index)
{
	if (!hv->win || index < hv->win_off || index >= hv->win_off + hv->nwin)
		return NULL;
	return &hv->win[index - hv->win_off];
}

/* The list changed under the cursor: keep it on the same row, which moved
 * by as many rows as came (or went) above it. At the top of the list the
 * view stays at the top, so new rows come into sight; elsewhere it moves
 * with the row, so what is on screen stays put. */
static void
keep_selected_row(struct app *a, struct history_view *hv)
{
	const struct nc_history_entry *e = row_entry(hv, hv->sel);
	struct nc_error err = NC_ERROR_INIT;
	size_t newer;
	ptrdiff_t shift;

	if (!e || histdb_count_newer(a->s->history, hv->filter, e->id, hv->sel + COUNT_FIRST,
	                             &newer, &err) != NC_OK) {
		nc_error_clear(&err);
		return;
	}
	if (newer >= hv->sel + COUNT_FIRST)
		return;   /* too far to count cheaply: keep the position */
	shift = (ptrdiff_t)newer - (ptrdiff_t)hv->sel;
	hv->sel = newer;
	if ((ptrdiff_t)hv->win_off + shift >= 0)
		hv->win_off = (size_t)((ptrdiff_t)hv->win_off + shift);   /* the same rows */
	else
		free_window(hv);
	if (hv->top > 0)
		hv->top = (ptrdiff_t)hv->top + shift > 0 ? (size_t)((ptrdiff_t)hv->top + shift) : 0;
}

/* This console changed History (a send, a cancel's row): read it again,
 * the cursor still on its row. Left on its index, it would sit on another
 * transaction once a row came above it, and the next c would cancel that. */
void
scr_history_invalidate(struct app *a)
{
	struct history_view *hv = hv_of(a);

	if (!hv)
		return;
	if (hv->valid && a->s->history)
		keep_selected_row(a, hv);
	hv->valid = 0;
}

/* Rows another program wrote (a headless send, another console, sqlite3)
 * show up by themselves: when the keyboard has been idle a while and the
 * store says another connection committed, the list is read again. */
void
scr_history_tick(struct app *a)
{
	struct history_view *hv = hv_of(a);
	struct nc_error err = NC_ERROR_INIT;
	int64_t v;

	if (!hv || !a->s->history || a->screen != SCR_HISTORY ||
	    app_top(a) != a->stack[SCR_HISTORY] || prompt_active(a))
		return;
	if (histdb_data_version(a->s->history, &v, &err) != NC_OK) {
		nc_error_clear(&err);
		return;
	}
	if (hv->data_version && v != hv->data_version && hv->valid) {
		keep_selected_row(a, hv);
		hv->valid = 0;
	}
	hv->data_version = v;
}

/* Count the matching rows, stopping at cap (0: all of them). */
static int
count_rows(struct app *a, struct history_view *hv, size_t cap)
{
	struct nc_error err = NC_ERROR_INIT;
	size_t n = 0;

	if (histdb_count_upto(a->s->history, hv->filter, cap, &n, &err) != NC_OK) {
		set_problem(hv, &err);
		nc_error_clear(&err);
		return -1;
	}
	hv->total = n;
	hv->total_exact = !cap || n < cap || str_empty(hv->filter);
	return 0;
}

/* Before moving to position want: make sure total says whether it exists
 * (SIZE_MAX: count them all, for the end of the list). */
static void
know_total_past(struct app *a, struct history_view *hv, size_t want)
{
	size_t cap;

	if (!a->s->history || hv->total_exact || want < hv->total)
		return;
	cap = want == SIZE_MAX ? 0 : want + COUNT_FIRST;
	if (cap && cap < 2 * hv->total)
		cap = 2 * hv->total;   /* grow geometrically: scrolling on stays cheap */
	count_rows(a, hv, cap);
}

static void
free_rows(struct nc_history_entry *v, size_t n)
{
	while (n)
		histdb_entry_clear(&v[--n]);
	free(v);
}

/* The rows [top, top + rows), read by key from a row of the current window
 * next to them where there is one (as cheap at row 3,000,000 as at row 0),
 * else by position, which reads every row before them. */
static enum nc_status
read_window(struct app *a, struct history_view *hv, size_t rows,
            struct nc_history_entry **v, size_t *n, struct nc_error *err)
{
	struct nc_history *h = a->s->history;
	size_t t = hv->top;
	const struct nc_history_entry *above = t ? row_entry(hv, t - 1) : NULL;
	const struct nc_history_entry *at = row_entry(hv, t), *below = row_entry(hv, t + rows);
	enum nc_status st;

	if (t == 0)
		return histdb_page(h, hv->filter, 0, rows, v, n, err);
	if (above)
		return histdb_page(h, hv->filter, above->id, rows, v, n, err);
	if (at)
		return histdb_page(h, hv->filter, at->id + 1, rows, v, n, err);
	if (below) {
		st = histdb_page_newer(h, hv->filter, below->id, rows, v, n, err);
		if (st != NC_OK || *n == rows)
			return st;
		free_rows(*v, *n);   /* rows went away meanwhile: go by position */
	}
	if (hv->total_exact && t < hv->total && t + rows >= hv->total)
		return histdb_page_newer(h, hv->filter, 0, hv->total - t, v, n, err);
	return histdb_slice(h, hv->filter, t, rows, v, n, err);
}

/* A filter's first screen: its count and first rows in one read of the
 * index (a rare filter at millions of rows would otherwise be looked up
 * twice, once to count and once to show). */
static void
load_filter_first(struct app *a, struct history_view *hv, size_t rows)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v = NULL;
	size_t n = 0, count = 0;

	if (histdb_filter_first(a->s->history, hv->filter, COUNT_FIRST, rows, &count, &v, &n,
	                        &err) != NC_OK) {
		set_problem(hv, &err);
		nc_error_clear(&err);
		return;
	}
	hv->total = count;
	hv->total_exact = count < COUNT_FIRST;
	hv->valid = 1;
	free_window(hv);
	hv->win = v;
	hv->nwin = n;
	set_problem(hv, NULL);
	hv->win_off = 0;
	hv->win_want = rows;
}

/* Make the window hold rows [top, top + rows). */
static void
load_window(struct app *a, struct history_view *hv, size_t rows)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v = NULL;
	size_t n = 0;

	if (!a->s->history)
		return;
	if (!hv->valid && hv->top == 0 && !str_empty(hv->filter)) {
		load_filter_first(a, hv, rows);
		return;
	}
	if (!hv->valid) {
		/* Counted past the selected row, which stays where it is. */
		if (count_rows(a, hv, hv->sel + COUNT_FIRST) != 0)
			return;
		hv->win_want = 0;
		hv->valid = 1;
	}
	if (hv->win && hv->win_off == hv->top && hv->win_want >= rows)
		return;
	if (read_window(a, hv, rows, &v, &n, &err) != NC_OK) {
		set_problem(hv, &err);
		nc_error_clear(&err);
		return;
	}
	free_window(hv);
	hv->win = v;
	hv->nwin = n;
	set_problem(hv, NULL);
	hv->win_off = hv->top;
	hv->win_want = rows;
}

static int
is_marked(const struct history_view *hv, int64_t id)
{
	size_t i;

	for (i = 0; i < hv->nmarks; i++)
		if (hv->marks[i] == id)
			return 1;
	return 0;
}

static void
toggle_mark(struct history_view *hv, int64_t id)
{
	size_t i;

	for (i = 0; i < hv->nmarks; i++) {
		if (hv->marks[i] == id) {
			hv->marks[i] = hv->marks[--hv->nmarks];
			return;
		}
	}
	if (hv->nmarks == hv->capmarks) {
		hv->capmarks = hv->capmarks ? hv->capmarks * 2 : 16;
		hv->marks = must_realloc(hv->marks, hv->capmarks * sizeof(*hv->marks));
	}
	hv->marks[hv->nmarks++] = id;
}

/* The status column: its text is the row's shown_status, from the same SQL
 * the filter's index is built with (histdb.c), so what is shown is what is
 * found; the colour follows the field that text came from. */
static void
status_of(const struct nc_history_entry *e, char *buf, size_t size, enum ui_role *role)
{
	snprintf(buf, size, "%s", e->shown_status ? e->shown_status : "-");
	if (!str_empty(e->cancel_outcome))
		*role = strncmp(e->cancel_outcome, "failed", 6) == 0 ? ROLE_ERROR : ROLE_WARN;
	else if (!str_empty(e->response_status))
		*role = strcmp(e->response_status, "processed") == 0 ? ROLE_OK : ROLE_WARN;
	else if (e->http_status)
		*role = e->http_status >= 400 ? ROLE_ERROR : ROLE_NORMAL;
	else
		*role = e->error ? ROLE_ERROR : ROLE_DIM;
}

/* Column layout for a width: which columns and how wide. */
struct cols {
	int time, kind, profile, workflow, recipients, status, txn;
};

static void
layout(int w, struct cols *c)
{
	c->time = 11;
	c->kind = w >= 70 ? 9 : 5;
	c->status = w >= 70 ? 15 : 11;
	c->txn = w >= 120 ? 36 : w >= 70 ? 8 : 0;
	c->profile = w >= 110 ? 10 : 0;
	c->workflow = w >= 100 ? 22 : w >= 70 ? 16 : 13;
	c->recipients = w - 2 - (c->time + 1) - (c->kind + 1) - (c->profile ? c->profile + 1 : 0) -
		(c->workflow + 1) - (c->status + 1) - (c->txn ? c->txn + 1 : 0);
	if (c->recipients < 4)
		c->recipients = 4;
}

static int
put_col(int y, int x, int width, const char *s, enum ui_role role)
{
	if (width <= 0)
		return x;
	draw_text_cut(y, x, width, s ? s : "", role);
	return x + width + 1;
}

static void
draw_row(struct app *a, struct history_view *hv, const struct nc_history_entry *e,
         int y, int x, const struct cols *c, int cur)
{
	enum ui_role base = cur ? ROLE_CURSOR : is_marked(hv, e->id) ? ROLE_MARKED : ROLE_NORMAL;
	enum ui_role srole;
	char t[32], st[96], kind[16];

	(void)a;
	ui_format_time_short(e->time_ms, t, sizeof(t));
	status_of(e, st, sizeof(st), &srole);
	snprintf(kind, sizeof(kind), "%s", e->kind ? e->kind : "");
	if (c->kind < 9) {
		static const char *const abbrev[][2] = {
			{ "trigger", "trig" }, { "broadcast", "bcast" }, { "cancel", "cncl" },
		};
		size_t k;

		for (k = 0; k < sizeof(abbrev) / sizeof(abbrev[0]); k++)
			if (strcmp(kind, abbrev[k][0]) == 0)
				snprintf(kind, sizeof(kind), "%s", abbrev[k][1]);
	}
	{
		char prefix[3] = { cur ? '>' : ' ', is_marked(hv, e->id) ? '*' : ' ', '\0' };

		draw_text(y, x, 2, prefix, base);
	}
	x += 2;
	x = put_col(y, x, c->time, t, base);
	x = put_col(y, x, c->kind, kind, base);
	x = put_col(y, x, c->profile, e->profile, base);
	x = put_col(y, x, c->workflow, e->workflow, base);
	x = put_col(y, x, c->recipients, e->recipients, base);
	x = put_col(y, x, c->status, st, cur ? base : srole);
	if (c->txn && e->transaction_id) {
		/* Short like a git hash when the column is narrow. */
		char shortid[40];

		snprintf(shortid, sizeof(shortid), "%.*s", c->txn, e->transaction_id);
		put_col(y, x, c->txn, shortid, base);
	}
}

static void
history_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct history_view *hv = v->priv;
	struct cols c;
	int rows = h - 2, i, cx;
	char foot[200];

	if (rows < 1)
		return;
	hv->page = rows;
	layout(w, &c);
	draw_blank(y, x, w, ROLE_LABEL);
	cx = x + 2;
	cx = put_col(y, cx, c.time, "Time", ROLE_LABEL);
	cx = put_col(y, cx, c.kind, "Kind", ROLE_LABEL);
	cx = put_col(y, cx, c.profile, "Profile", ROLE_LABEL);
	cx = put_col(y, cx, c.workflow, "Workflow", ROLE_LABEL);
	cx = put_col(y, cx, c.recipients, "Recipients", ROLE_LABEL);
	cx = put_col(y, cx, c.status, "Status", ROLE_LABEL);
	put_col(y, cx, c.txn, c.txn >= 11 ? "Transaction" : "Txn", ROLE_LABEL);
	if (!a->s->history) {
		draw_text(y + 2, x + 2, w - 2, "History is not available in this session.", ROLE_ERROR);
		return;
	}
	if (!hv->valid)
		load_window(a, hv, (size_t)rows);
	if (hv->total && hv->sel >= hv->total)
		hv->sel = hv->total - 1;
	if (hv->sel < hv->top)
		hv->top = hv->sel;
	if (hv->sel >= hv->top + (size_t)rows)
		hv->top = hv->sel - (size_t)rows + 1;
	load_window(a, hv, (size_t)rows);
	if (hv->problem) {
		draw_text_cut(y + 2, x + 2, w - 2, hv->problem, ROLE_ERROR);
		return;
	}
	if (!hv->total) {
		draw_text(y + 2, x + 2, w - 2, str_empty(hv->filter) ?
		          "Nothing sent yet: what you send shows up here." :
		          "Nothing matches the filter.", ROLE_DIM);
	}
	for (i = 0; i < rows; i++) {
		const struct nc_history_entry *e = row_entry(hv, hv->top + (size_t)i);

		if (!e)
			break;
		if (hv->top + (size_t)i == hv->sel)
			draw_blank(y + 1 + i, x, w, ROLE_CURSOR);
		draw_row(a, hv, e, y + 1 + i, x, &c, hv->top + (size_t)i == hv->sel);
	}
	snprintf(foot, sizeof(foot), "%zu of %zu%s%s%s", hv->total ? hv->sel + 1 : 0, hv->total,
	         hv->total_exact ? "" : "+", str_empty(hv->filter) ? "" : "  filter: ",
	         str_empty(hv->filter) ? "" : hv->filter);
	if (hv->nmarks) {
		size_t len = strlen(foot);

		snprintf(foot + len, sizeof(foot) - len, "  marked: %zu", hv->nmarks);
	}
	draw_text_cut(y + h - 1, x, w, foot, ROLE_DIM);
}

/* ---- the selected entry, in full ---- */

static int
selected_full(struct app *a, struct history_view *hv, struct nc_history_entry *out)
{
	const struct nc_history_entry *e = row_entry(hv, hv->sel);
	struct nc_error err = NC_ERROR_INIT;

	memset(out, 0, sizeof(*out));
	if (!e || !a->s->history)
		return 0;
	if (histdb_get_entry(a->s->history, e->id, out, &err) != NC_OK) {
		app_message(a, MSG_ERROR, "%s", err.message ? err.message : "cannot read the entry");
		nc_error_clear(&err);
		return 0;
	}
	return 1;
}

static char *
pretty_or_raw(const char *text)
{
	char *p;

	if (str_empty(text))
		return must_strdup("(none)");
	p = json_pretty_text(text);
	return p ? p : must_strdup(text);
}

static char *
detail_text(const struct nc_history_entry *e, const char *delivery)
{
	char when[40], *req = pretty_or_raw(e->request_json), *resp = pretty_or_raw(e->response_json);
	char status[64], *text;

	ui_format_time(e->time_ms, when, sizeof(when));
	if (e->http_status)
		snprintf(status, sizeof(status), " (HTTP %ld)", e->http_status);
	else
		status[0] = '\0';
	text = must_asprintf(
		"Time:           %s\nProfile:        %s\nKind:           %s\nWorkflow:       %s\n"
		"Recipients:     %s\nStatus:         %s%s\nCancel:         %s\n"
		"transactionId:  %s\nIdempotency:    %s\n%s%s%s%s%s%s\n"
		"Request sent:\n%s\n\nResponse:\n%s\n",
		when, e->profile ? e->profile : "", e->kind ? e->kind : "",
		e->workflow ? e->workflow : "", e->recipients ? e->recipients : "",
		e->response_status ? e->response_status : "-", status,
		e->cancel_outcome ? e->cancel_outcome : "-",
		e->transaction_id ? e->transaction_id : "-",
		e->idempotency_key ? e->idempotency_key : "-",
		e->error ? "Error:          " : "", e->error ? e->error : "", e->error ? "\n" : "",
		e->batch_id ? "Bulk request:   " : "", e->batch_id ? e->batch_id : "",
		e->batch_id ? "\n" : "",
		req, resp);
	if (delivery) {
		char *with = must_asprintf("%s\n%s", delivery, text);

		free(text);
		text = with;
	}
	free(req);
	free(resp);
	return text;
}

/* ---- cancel (one or many) ---- */

static void
cancel_done(struct app *a, struct cancel_job *j)
{
	cancel_job_report(a, j, cancel_job_tally(a, j, SCR_HISTORY));
}

static void
cancel_confirmed(struct app *a, void *ctx, int yes)
{
	struct cancel_job *j = ctx;

	if (!yes) {
		cancel_job_free(j);
		return;
	}
	if (cancel_job_submit(a, j, cancel_done) == 0 && j->from_marks && hv_of(a))
		hv_of(a)->nmarks = 0;
}

/* Ask, then cancel the one transaction txid. */
static void
ask_cancel_one(struct app *a, const char *txid, const char *workflow)
{
	char **txns = must_calloc(2, sizeof(*txns));
	char *text;

	txns[0] = must_strdup(txid);
	text = must_asprintf("Cancel transaction %s (%s)? Pending delays and digests stop; what "
	                     "was delivered stays delivered.", txid, workflow ? workflow : "");
	dialog_confirm(a, "Cancel", text, cancel_confirmed, cancel_job_new(a, txns, 1));
	free(text);
}

static int
can_network(struct app *a)
{
	if (!a->s->client) {
		app_message(a, MSG_ERROR, "offline: no API client");
		return 0;
	}
	if (worker_busy(a->worker)) {
		app_message(a, MSG_WARN, "a request is running; try again when it ends");
		return 0;
	}
	return 1;
}

static void
cancel_selected(struct app *a, struct history_view *hv)
{
	const struct nc_history_entry *e = row_entry(hv, hv->sel);

	if (!e)
		return;
	if (str_empty(e->transaction_id)) {
		app_message(a, MSG_WARN, "this entry has no transactionId to cancel");
		return;
	}
	if (!can_network(a))
		return;
	ask_cancel_one(a, e->transaction_id, e->workflow);
}

static void
cancel_marked(struct app *a, struct history_view *hv)
{
	struct nc_error err = NC_ERROR_INIT;
	struct cancel_job *j;
	char **txns;
	size_t i, k, n = 0;
	char *text;

	if (!hv->nmarks) {
		app_message(a, MSG_INFO, "mark transactions with Space first (c cancels the selected one)");
		return;
	}
	if (!can_network(a))
		return;
	txns = must_calloc(hv->nmarks + 1, sizeof(*txns));
	for (i = 0; i < hv->nmarks; i++) {
		struct nc_history_entry e;

		if (histdb_get_entry(a->s->history, hv->marks[i], &e, &err) != NC_OK) {
			nc_error_clear(&err);
			continue;
		}
		for (k = 0; k < n; k++)
			if (e.transaction_id && strcmp(txns[k], e.transaction_id) == 0)
				break;
		if (!str_empty(e.transaction_id) && k == n)
			txns[n++] = must_strdup(e.transaction_id);
		histdb_entry_clear(&e);
	}
	if (!n) {
		free(txns);
		app_message(a, MSG_WARN, "none of the marked entries has a transactionId");
		return;
	}
	j = cancel_job_new(a, txns, n);
	text = must_asprintf("Cancel %zu marked transaction%s? Pending delays and digests stop.",
	                 j->n, j->n == 1 ? "" : "s");
	j->from_marks = 1;
	dialog_confirm(a, "Cancel marked", text, cancel_confirmed, j);
	free(text);
}

/* ---- delivery status ---- */

struct status_job {
	struct nc_ops ops;
	char *txn;
	int64_t id;
	struct nc_delivery d;
	enum nc_status st;
	struct nc_error err;
};

static void
status_run(void *data, struct worker *w)
{
	struct status_job *j = data;

	(void)w;
	j->st = ops_delivery_status(&j->ops, j->txn, &j->d, &j->err);
}

/* One cell of the delivery table and the space after it, padded to cols
 * screen columns (printf's %-16s pads bytes: "Zoë" or an emoji would pull
 * the columns after it out of line). Longer text is kept whole. */
static void
put_column(struct textbuf *tb, const char *s, int cols)
{
	int w;

	s = s ? s : "-";
	w = utf8_width(s);
	textbuf_puts(tb, s);
	textbuf_printf(tb, "%*s", (w < cols ? cols - w : 0) + 1, "");
}

static char *
delivery_text(const struct status_job *j)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	size_t i;

	textbuf_printf(&tb, "Delivery status: %zu notification%s, %zu job%s\n",
	               j->d.notifications, j->d.notifications == 1 ? "" : "s", j->d.n,
	               j->d.n == 1 ? "" : "s");
	if (!j->d.n) {
		textbuf_puts(&tb, "  no jobs yet (Novu's worker may not have picked it up: "
		             "u asks again)\n");
		return textbuf_steal(&tb);
	}
	textbuf_printf(&tb, "  %-16s %-8s %-10s %-10s %s\n", "subscriber", "step", "status",
	               "provider", "detail");
	for (i = 0; i < j->d.n; i++) {
		const struct nc_job_status *s = &j->d.jobs[i];

		textbuf_puts(&tb, "  ");
		put_column(&tb, s->subscriber_id, 16);
		put_column(&tb, s->type, 8);
		put_column(&tb, s->status, 10);
		put_column(&tb, s->provider_id, 10);
		textbuf_printf(&tb, "%s\n", s->detail ? s->detail : "");
	}
	return textbuf_steal(&tb);
}

static unsigned detail_action(struct app *a, void *ctx, enum ui_req req);

struct detail_ctx {
	int64_t id;
};

static void open_detail(struct app *a, int64_t id, const char *delivery);

static void
status_done(struct app *a, void *data)
{
	struct status_job *j = data;

	if (j->st == NC_OK) {
		char *text = delivery_text(j);
		struct view *top = app_top(a);

		/* Show it in the entry's detail (replacing an older one). */
		if (a->screen == SCR_HISTORY && top->ops == &viewer_ops)
			view_pop(a);
		app_switch(a, SCR_HISTORY);
		open_detail(a, j->id, text);
		app_message(a, MSG_OK, "delivery status of %s: %zu job%s", j->txn, j->d.n,
		            j->d.n == 1 ? "" : "s");
		free(text);
	} else if (j->st != NC_E_ABORTED) {
		errlog_add(a, &j->err, SCR_HISTORY, "status");
		app_message(a, MSG_ERROR, "delivery status: %s", j->err.message ? j->err.message : "failed");
	}
	delivery_clear(&j->d);
	nc_error_clear(&j->err);
	free(j->txn);
	free(j);
}

static void
refresh_status(struct app *a, int64_t id, const char *txn)
{
	struct status_job *j;

	if (str_empty(txn)) {
		app_message(a, MSG_WARN, "this entry has no transactionId");
		return;
	}
	if (!can_network(a))
		return;
	j = must_calloc(1, sizeof(*j));
	session_ops(a->s, &j->ops);
	j->txn = must_strdup(txn);
	j->id = id;
	nc_error_init(&j->err);
	if (worker_submit(a->worker, "Fetching delivery status", status_run, status_done, j)) {
		free(j->txn);
		free(j);
	}
}

/* ---- resend / to form ---- */

/* The event an entry sent (for a bulk row: its own event). */
static int
entry_event(struct app *a, const struct nc_history_entry *e, struct nc_event *ev)
{
	struct nc_error err = NC_ERROR_INIT;

	if (ops_event_from_row(e, ev, &err) != NC_OK) {
		app_message(a, MSG_ERROR, "cannot read the stored request: %s",
		            err.message ? err.message : "?");
		nc_error_clear(&err);
		return 0;
	}
	return 1;
}

struct resend_ctx {
	struct nc_event ev;
	enum compose_mode mode;
	int64_t retry_id;   /* the row's answer never came: resend it as it was */
};

static void
resend_confirmed(struct app *a, void *ctx, int yes)
{
	struct resend_ctx *r = ctx;

	if (yes && r->retry_id)
		compose_resend_row(a, r->mode, r->retry_id);
	else if (yes)
		compose_send_event(a, NULL, r->mode, &r->ev, NULL, 0, 0);
	event_clear(&r->ev);
	free(r);
}

/* Rows the core will not resend on their own (a bulk event of an
 * unfinished or dropped run): say why instead of offering it. */
static int
resend_refused(struct app *a, const struct nc_history_entry *e)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_ops ops;

	session_ops(a->s, &ops);
	if (ops_resend_check(&ops, e, &err) == NC_OK)
		return 0;
	app_message(a, MSG_INFO, "%s", err.message ? err.message : "this row cannot be resent");
	nc_error_clear(&err);
	return 1;
}

static void
resend(struct app *a, struct history_view *hv)
{
	struct nc_history_entry e;
	struct resend_ctx *r;
	char *text;

	if (a->s->profile.read_only) {
		dialog_message(a, "Read-only profile", "This profile can cancel, not send.");
		return;
	}
	if (!selected_full(a, hv, &e))
		return;
	if (!can_network(a)) {
		histdb_entry_clear(&e);
		return;
	}
	if (resend_refused(a, &e)) {
		histdb_entry_clear(&e);
		return;
	}
	r = must_calloc(1, sizeof(*r));
	if (!entry_event(a, &e, &r->ev)) {
		free(r);
		histdb_entry_clear(&e);
		return;
	}
	r->mode = e.kind && strcmp(e.kind, "broadcast") == 0 ? CM_BROADCAST : CM_TRIGGER;
	if (e.response_status && strcmp(e.response_status, HISTDB_UNKNOWN) == 0) {
		r->retry_id = e.id;
		text = must_asprintf("No answer was recorded for %s: it may have reached Novu. Send "
		                     "the very same request again (same transactionId %s, same "
		                     "Idempotency-Key), so Novu replays it if it had arrived and "
		                     "nothing is delivered twice?", e.workflow ? e.workflow : "?",
		                     e.transaction_id ? e.transaction_id : "?");
		dialog_confirm(a, "Retry the unanswered send", text, resend_confirmed, r);
		free(text);
		histdb_entry_clear(&e);
		return;
	}
	free(r->ev.transaction_id);
	r->ev.transaction_id = ui_new_transaction_id();
	if (r->mode == CM_BROADCAST) {
		text = must_asprintf("Resend broadcast %s to EVERY subscriber with the new transactionId "
		                 "%s? Type the workflow ID to confirm.", r->ev.workflow,
		                 r->ev.transaction_id);
		dialog_typed_confirm(a, "Resend broadcast", text, r->ev.workflow ? r->ev.workflow : "",
		                     resend_confirmed, r);
	} else {
		text = must_asprintf("Send %s again to %s with the new transactionId %s?",
		                 r->ev.workflow ? r->ev.workflow : "?",
		                 e.recipients ? e.recipients : "?", r->ev.transaction_id);
		dialog_confirm(a, "Resend", text, resend_confirmed, r);
	}
	free(text);
	histdb_entry_clear(&e);
}

struct toform_ctx {
	struct nc_event ev;
	int which;
};

static void
toform_confirmed(struct app *a, void *ctx, int yes)
{
	struct toform_ctx *t = ctx;

	if (yes) {
		compose_set_event(a, a->forms[t->which], &t->ev);
		app_unwind(a, (enum ui_screen)t->which);
		app_switch(a, (enum ui_screen)t->which);
		app_message(a, MSG_OK, "loaded into the form with a new transactionId");
	}
	event_clear(&t->ev);
	free(t);
}

static void
to_form(struct app *a, struct history_view *hv)
{
	struct nc_history_entry e;
	struct toform_ctx *t;
	struct compose *c;

	if (!selected_full(a, hv, &e))
		return;
	t = must_calloc(1, sizeof(*t));
	if (!entry_event(a, &e, &t->ev)) {
		free(t);
		histdb_entry_clear(&e);
		return;
	}
	t->which = e.kind && strcmp(e.kind, "broadcast") == 0 ? 1 : 0;
	c = a->forms[t->which];
	histdb_entry_clear(&e);
	if (str_empty(c->ev.workflow) && !c->ev.nto && str_empty(c->ev.payload_json)) {
		toform_confirmed(a, t, 1);
		return;
	}
	dialog_confirm(a, "Load into the form", t->which ? "Replace what is in the Broadcast form?" :
	               "Replace what is in the Trigger form?", toform_confirmed, t);
}

/* ---- detail ---- */

static unsigned
detail_action(struct app *a, void *ctx, enum ui_req req)
{
	struct detail_ctx *d = ctx;
	struct nc_history_entry e;
	struct nc_error err = NC_ERROR_INIT;
	struct history_view *hv = hv_of(a);

	if (!a->s->history || histdb_get_entry(a->s->history, d->id, &e, &err) != NC_OK) {
		nc_error_clear(&err);
		return UI_HANDLED;
	}
	switch (req) {
	case REQ_REFRESH_STATUS:
		refresh_status(a, e.id, e.transaction_id);
		break;
	case REQ_CANCEL_TX:
		/* Cancel what this detail shows, whatever the list selects. */
		if (hv && !str_empty(e.transaction_id) && can_network(a))
			ask_cancel_one(a, e.transaction_id, e.workflow);
		break;
	default:
		histdb_entry_clear(&e);
		return 0;
	}
	histdb_entry_clear(&e);
	return UI_HANDLED | UI_REDRAW;
}

static void
open_detail(struct app *a, int64_t id, const char *delivery)
{
	static const enum ui_req bar[] = { REQ_REFRESH_STATUS, REQ_CANCEL_TX };
	struct nc_history_entry e;
	struct nc_error err = NC_ERROR_INIT;
	struct detail_ctx *d;
	struct viewer *v;
	char *text, *title;

	if (!a->s->history || histdb_get_entry(a->s->history, id, &e, &err) != NC_OK) {
		app_message(a, MSG_ERROR, "%s", err.message ? err.message : "cannot read the entry");
		nc_error_clear(&err);
		return;
	}
	text = detail_text(&e, delivery);
	title = must_asprintf("%s %s", e.kind ? e.kind : "entry", e.workflow ? e.workflow : "");
	v = viewer_open(a, title, text);
	d = must_calloc(1, sizeof(*d));
	d->id = id;
	viewer_set_actions(v, detail_action, d, NULL, bar, 2);
	free(text);
	free(title);
	histdb_entry_clear(&e);
}

/* ---- keys ---- */

static void
filter_done(struct app *a, void *ctx, const char *line)
{
	struct history_view *hv = ctx;

	/* The hint was for the prompt: left on the line, it read as the next
	 * screen's. The header shows the filter in force. */
	app_message_clear(a);
	if (!line)
		return;
	str_set(&hv->filter, *line ? line : NULL);
	hv->sel = hv->top = 0;
	hv->valid = 0;
}

static unsigned
history_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct history_view *hv = v->priv;
	size_t page = hv->page > 1 ? (size_t)hv->page - 1 : 1;
	const struct nc_history_entry *e = row_entry(hv, hv->sel);

	(void)key;
	switch (req) {
	case REQ_MOVE_UP:
		if (hv->sel > 0)
			hv->sel--;
		break;
	case REQ_MOVE_DOWN:
		know_total_past(a, hv, hv->sel + 1);
		if (hv->sel + 1 < hv->total)
			hv->sel++;
		break;
	case REQ_PAGE_UP:
		hv->sel = hv->sel > page ? hv->sel - page : 0;
		hv->top = hv->top > page ? hv->top - page : 0;
		break;
	case REQ_PAGE_DOWN:
		know_total_past(a, hv, hv->sel + page);
		hv->sel = hv->sel + page < hv->total ? hv->sel + page : (hv->total ? hv->total - 1 : 0);
		hv->top += page;
		if (hv->top > hv->sel)
			hv->top = hv->sel;
		break;
	case REQ_MOVE_FIRST:
		hv->sel = hv->top = 0;
		break;
	case REQ_MOVE_LAST:
		know_total_past(a, hv, SIZE_MAX);
		hv->sel = hv->total ? hv->total - 1 : 0;
		break;
	case REQ_DETAIL:
		if (e)
			open_detail(a, e->id, NULL);
		break;
	case REQ_CANCEL_TX:
		cancel_selected(a, hv);
		break;
	case REQ_MARK:
		if (!e)
			break;
		toggle_mark(hv, e->id);
		know_total_past(a, hv, hv->sel + 1);
		if (hv->sel + 1 < hv->total)
			hv->sel++;
		break;
	case REQ_CANCEL_MARKED:
		cancel_marked(a, hv);
		break;
	case REQ_REFRESH_STATUS:
		if (e)
			refresh_status(a, e->id, e->transaction_id);
		break;
	case REQ_COPY_TXN:
		if (e && !str_empty(e->transaction_id))
			clip_copy(a, e->transaction_id, "last-transaction-id.txt", "the transactionId");
		break;
	case REQ_RESEND:
		resend(a, hv);
		break;
	case REQ_TO_FORM:
		to_form(a, hv);
		break;
	case REQ_FILTER:
		app_message(a, MSG_INFO, "filter: any text the rows show (time as 2026-12-02 14:05:20)");
		prompt_start(a, PK_FILTER, "Filter history", hv->filter, filter_done, hv);
		break;
	case REQ_RELOAD:
		hv->valid = 0;
		app_message(a, MSG_INFO, "reloaded");
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
history_done(struct app *a, struct view *v)
{
	struct history_view *hv = v->priv;

	(void)a;
	free_window(hv);
	free(hv->filter);
	free(hv->marks);
	free(hv->problem);
}

static const struct keymap *const history_maps[] = { &km_history, &km_move, &km_global, NULL };

const struct view_ops scr_history_ops = {
	.name = "History", .keymaps = history_maps, .private_size = sizeof(struct history_view),
	.draw = history_draw, .handle = history_handle, .done = history_done,
};
