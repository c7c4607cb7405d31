/* scr_errors.c - every failed request of the session: time, endpoint,
 * status, message; a detail view (422 fields, 400 schema errors with value
 * and schemaPath, 413 event index, rate-limit headers, transport text); and
 * one key that jumps to the form field the error names. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "draw.h"
#include "errlog.h"
#include "prompt.h"
#include "viewer.h"

struct errors_view {
	int sel, top;
	char *filter;
	size_t *rows;     /* indexes into the log, newest first */
	size_t nrows;
	unsigned long seen;  /* log version the rows were built for */
};

static int
entry_matches(const struct errlog_entry *e, const char *filter)
{
	return str_empty(filter) || str_icontains(e->what, filter) ||
	       str_icontains(e->err.endpoint, filter) || str_icontains(e->err.message, filter);
}

static void
errors_rebuild(struct app *a, struct errors_view *ev)
{
	struct errlog *l = a->errors;
	size_t i;

	free(ev->rows);
	ev->rows = must_calloc(l->n + 1, sizeof(*ev->rows));
	ev->nrows = 0;
	for (i = l->n; i > 0; i--)
		if (entry_matches(&l->v[i - 1], ev->filter))
			ev->rows[ev->nrows++] = i - 1;
	ev->seen = l->version;
	if (ev->sel >= (int)ev->nrows)
		ev->sel = ev->nrows ? (int)ev->nrows - 1 : 0;
}

static void
status_text(const struct nc_error *e, char *buf, size_t size)
{
	if (e->http_status)
		snprintf(buf, size, "%ld", e->http_status);
	else if (e->kind == NC_ERRK_TRANSPORT)
		snprintf(buf, size, "network");
	else if (e->status == NC_E_ABORTED)
		snprintf(buf, size, "stopped");
	else
		snprintf(buf, size, "local");
}

static void
errors_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct errors_view *ev = v->priv;
	struct errlog *l = a->errors;
	int rows = h - 1, i, epw = w >= 90 ? 34 : w >= 70 ? 26 : 0;
	char head[160];

	if (ev->seen != l->version || !ev->rows)
		errors_rebuild(a, ev);
	l->unseen = 0;
	snprintf(head, sizeof(head), "  %-8s %-8s %-8s%*s%s", "Time", "Request", "Status",
	         epw ? -(epw + 1) : 0, epw ? "Endpoint" : "", "Message");
	draw_text_pad(y, x, w, head, ROLE_LABEL);
	if (!ev->nrows) {
		draw_text(y + 2, x + 2, w - 2, l->n ? "Nothing matches the filter." :
		          "No failed requests in this session.", ROLE_DIM);
		return;
	}
	if (ev->sel < ev->top)
		ev->top = ev->sel;
	if (ev->sel >= ev->top + rows)
		ev->top = ev->sel - rows + 1;
	for (i = 0; i < rows && ev->top + i < (int)ev->nrows; i++) {
		const struct errlog_entry *e = &l->v[ev->rows[ev->top + i]];
		int cur = ev->top + i == ev->sel, row = y + 1 + i, cx = x + 2;
		enum ui_role role = cur ? ROLE_CURSOR : ROLE_NORMAL;
		char t[32], st[16];

		ui_format_time_short(e->time_ms, t, sizeof(t));
		status_text(&e->err, st, sizeof(st));
		draw_blank(row, x, w, role);
		if (cur)
			draw_text(row, x, 1, ">", role);
		draw_text(row, cx, 8, t, role);
		cx += 9;
		draw_text_cut(row, cx, 8, e->what, role);
		cx += 9;
		/* 7: "network", "stopped" whole. */
		draw_text_cut(row, cx, 7, st, cur ? role : ROLE_ERROR);
		cx += 8;
		if (epw) {
			draw_text_cut(row, cx, epw, e->err.endpoint ? e->err.endpoint : "-", role);
			cx += epw + 1;
		}
		draw_text_cut(row, cx, x + w - cx, e->err.message ? e->err.message : "", role);
	}
}

static const char *
origin_name(enum ui_screen s)
{
	switch (s) {
	case SCR_TRIGGER: return "the Trigger form";
	case SCR_BROADCAST: return "the Broadcast form";
	case SCR_BULK: return "the Bulk builder";
	default: return NULL;
	}
}

/* Go to the field of the form the error came from. */
static void
jump_to_field(struct app *a, const struct errlog_entry *e)
{
	long index, event;
	enum cf_field f = compose_field_for_error(&e->err, &index, &event);
	struct compose *c;

	if (e->origin == SCR_BULK) {
		const char *field = e->err.nfields ? e->err.fields[0].field : NULL;

		app_unwind(a, SCR_ERRORS);
		scr_bulk_jump(a, event, field);
		return;
	}
	if ((e->origin != SCR_TRIGGER && e->origin != SCR_BROADCAST) || f == CF_NONE) {
		app_message(a, MSG_INFO, origin_name(e->origin) ?
		            "this error names no field of the form" :
		            "this error is not about a form");
		return;
	}
	c = a->forms[e->origin];
	app_unwind(a, SCR_ERRORS);
	app_unwind(a, e->origin);
	app_switch(a, e->origin);
	compose_mark_errors(c, &e->err);
	compose_focus(a, c, f, index);
	app_message(a, MSG_INFO, "%s: %s", compose_field_label(f),
	            c->errors[f] ? c->errors[f] : e->err.message ? e->err.message : "");
}

struct detail_ctx {
	size_t index;     /* into the log */
	size_t log_n;     /* the log's size then, to notice a clear */
};

static unsigned
detail_action(struct app *a, void *ctx, enum ui_req req)
{
	struct detail_ctx *d = ctx;

	if (req != REQ_JUMP_FIELD)
		return 0;
	if (d->index >= a->errors->n) {
		app_message(a, MSG_WARN, "that error is no longer in the log");
		return UI_HANDLED;
	}
	jump_to_field(a, &a->errors->v[d->index]);
	return UI_HANDLED | UI_REDRAW;
}

static void
open_detail(struct app *a, size_t index)
{
	static const enum ui_req bar[] = { REQ_JUMP_FIELD };
	const struct errlog_entry *e = &a->errors->v[index];
	struct detail_ctx *d = must_calloc(1, sizeof(*d));
	char when[40], *body = nc_error_format(&e->err), *text, *title;
	const char *from = origin_name(e->origin);
	long idx, event;
	enum cf_field f = compose_field_for_error(&e->err, &idx, &event);
	struct viewer *v;

	ui_format_time(e->time_ms, when, sizeof(when));
	text = must_asprintf("%s\nrequest: %s%s%s\ntime:    %s\n%s%s%s\n", body ? body : "",
	                 e->what, from ? ", from " : "", from ? from : "", when,
	                 f != CF_NONE && from ? "\nf goes to the field: " : "",
	                 f != CF_NONE && from ? compose_field_label(f) : "",
	                 event >= 0 && from ? " (of that event)" : "");
	title = must_asprintf("Error: %s", e->err.endpoint ? e->err.endpoint : e->what);
	v = viewer_open(a, title, text);
	d->index = index;
	d->log_n = a->errors->n;
	viewer_set_actions(v, detail_action, d, NULL, bar, 1);
	free(title);
	free(text);
	free(body);
}

void
scr_errors_show_latest(struct app *a)
{
	struct errors_view *ev = app_screen_priv(a, SCR_ERRORS);

	if (!a->errors->n)
		return;
	app_unwind(a, SCR_ERRORS);
	app_switch(a, SCR_ERRORS);
	free(ev->filter);
	ev->filter = NULL;
	errors_rebuild(a, ev);
	ev->sel = ev->top = 0;
	open_detail(a, a->errors->n - 1);
}

static void
filter_done(struct app *a, void *ctx, const char *line)
{
	struct errors_view *ev = ctx;

	if (!line)
		return;
	str_set(&ev->filter, *line ? line : NULL);
	ev->sel = ev->top = 0;
	errors_rebuild(a, ev);
}

static unsigned
errors_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct errors_view *ev = v->priv;
	int page = app_body_h(a) - 2;

	(void)key;
	if (ev->seen != a->errors->version)
		errors_rebuild(a, ev);
	switch (req) {
	case REQ_MOVE_UP:
		if (ev->sel > 0)
			ev->sel--;
		break;
	case REQ_MOVE_DOWN:
		if (ev->sel + 1 < (int)ev->nrows)
			ev->sel++;
		break;
	case REQ_PAGE_UP:
		ev->sel = ev->sel > page ? ev->sel - page : 0;
		break;
	case REQ_PAGE_DOWN:
		ev->sel = ev->sel + page < (int)ev->nrows ? ev->sel + page :
			(ev->nrows ? (int)ev->nrows - 1 : 0);
		break;
	case REQ_MOVE_FIRST:
		ev->sel = 0;
		break;
	case REQ_MOVE_LAST:
		ev->sel = ev->nrows ? (int)ev->nrows - 1 : 0;
		break;
	case REQ_DETAIL:
		if (ev->nrows)
			open_detail(a, ev->rows[ev->sel]);
		break;
	case REQ_JUMP_FIELD:
		if (ev->nrows)
			jump_to_field(a, &a->errors->v[ev->rows[ev->sel]]);
		break;
	case REQ_FILTER:
		prompt_start(a, PK_FILTER, "Filter errors", ev->filter, filter_done, ev);
		break;
	case REQ_CLEAR_LOG:
		errlog_clear(a);
		errors_rebuild(a, ev);
		app_message(a, MSG_INFO, "error list cleared");
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
errors_done(struct app *a, struct view *v)
{
	struct errors_view *ev = v->priv;

	(void)a;
	free(ev->filter);
	free(ev->rows);
}

static const struct keymap *const errors_maps[] = { &km_errors, &km_move, &km_global, NULL };

const struct view_ops scr_errors_ops = {
	.name = "Errors", .keymaps = errors_maps, .private_size = sizeof(struct errors_view),
	.draw = errors_draw, .handle = errors_handle, .done = errors_done,
};
