/* pick.c - pick lists over the fetched workflows, subscribers and topics.
 * Columns are measured in terminal cells, so names like "Zoë Ørsted" or
 * CJK text line up. */
#include "uiops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "prompt.h"
#include "worker.h"

#define PICK_COLS 4

struct picker {
	enum list_kind kind;
	int multi;
	pick_fn fn;
	void *ctx;
	int answered;
	int sel, top;
	char *filter;
	int searched;              /* the server was asked for this filter */
	unsigned char *marked;     /* per list item */
	size_t nmarked_cap;
	size_t *rows;              /* indexes of the items passing the filter */
	size_t nrows;
};

static size_t
list_len(struct app *a, enum list_kind k)
{
	return lists_count(a, k);
}

/* The cells of item i. */
static void
item_cells(struct app *a, enum list_kind k, size_t i, const char *cells[PICK_COLS],
           char *namebuf, size_t size)
{
	memset(cells, 0, sizeof(*cells) * PICK_COLS);
	if (k == LIST_WORKFLOWS) {
		const struct nc_workflow *w = &a->lists->wf.items[i];

		cells[0] = w->workflow_id;
		cells[1] = w->name;
		cells[2] = w->status;
		cells[3] = w->steps;
	} else if (k == LIST_SUBSCRIBERS) {
		const struct nc_subscriber_item *s = &a->lists->subs.items[i];

		snprintf(namebuf, size, "%s%s%s", s->first_name ? s->first_name : "",
		         s->first_name && s->last_name ? " " : "", s->last_name ? s->last_name : "");
		cells[0] = s->subscriber_id;
		cells[1] = namebuf;
		cells[2] = s->email;
		cells[3] = s->locale;
	} else {
		const struct nc_topic_item *t = &a->lists->topics.items[i];

		cells[0] = t->key;
		cells[1] = t->name;
	}
}

static const char *
item_key(struct app *a, enum list_kind k, size_t i)
{
	const char *cells[PICK_COLS];
	char name[256];

	item_cells(a, k, i, cells, name, sizeof(name));
	return cells[0];
}

static void
pick_refilter(struct app *a, struct picker *p)
{
	size_t n = list_len(a, p->kind), i, c;

	free(p->rows);
	p->rows = must_calloc(n + 1, sizeof(*p->rows));
	p->nrows = 0;
	if (p->nmarked_cap != n) {
		/* A server search appends to the list: keep the marks. */
		if (p->nmarked_cap == (size_t)-1 || p->nmarked_cap > n) {
			free(p->marked);
			p->marked = must_calloc(n + 1, 1);
		} else {
			p->marked = must_realloc(p->marked, n + 1);
			memset(p->marked + p->nmarked_cap, 0, n + 1 - p->nmarked_cap);
		}
		p->nmarked_cap = n;
	}
	for (i = 0; i < n; i++) {
		const char *cells[PICK_COLS];
		char name[256];
		int match = str_empty(p->filter);

		item_cells(a, p->kind, i, cells, name, sizeof(name));
		for (c = 0; c < PICK_COLS && !match; c++)
			match = cells[c] && str_icontains(cells[c], p->filter);
		if (match)
			p->rows[p->nrows++] = i;
	}
	if (p->sel >= (int)p->nrows)
		p->sel = p->nrows ? (int)p->nrows - 1 : 0;
}

static const char *
kind_title(enum list_kind k)
{
	return k == LIST_WORKFLOWS ? "Workflows" : k == LIST_SUBSCRIBERS ? "Subscribers" : "Topics";
}

/* Column widths from the whole filtered list, in cells, capped. */
static void
column_widths(struct app *a, const struct picker *p, int widths[PICK_COLS])
{
	size_t k;
	int c;

	for (k = 0; k < p->nrows; k++) {
		const char *cells[PICK_COLS];
		char name[256];

		item_cells(a, p->kind, p->rows[k], cells, name, sizeof(name));
		for (c = 0; c < PICK_COLS; c++) {
			int cw = cells[c] ? utf8_width(cells[c]) : 0;

			if (cw > widths[c])
				widths[c] = cw;
		}
	}
	for (c = 0; c < PICK_COLS; c++)
		if (widths[c] > (c == 0 ? 28 : 24))
			widths[c] = c == 0 ? 28 : 24;
}

static void
pick_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct picker *p = v->priv;
	int widths[PICK_COLS] = { 0 }, i, c, rows = h - 2;
	size_t nmarked = 0, k;
	char head[256];

	if (p->nmarked_cap != list_len(a, p->kind) || !p->rows)
		pick_refilter(a, p);
	for (k = 0; k < p->nmarked_cap; k++)
		nmarked += p->marked[k];
	if (str_empty(p->filter))
		snprintf(head, sizeof(head), "%s: %zu loaded of %ld", kind_title(p->kind),
		         list_len(a, p->kind), lists_total(a, p->kind));
	else
		snprintf(head, sizeof(head), "%s: %zu match, %zu loaded of %ld  filter: %s",
		         kind_title(p->kind), p->nrows, list_len(a, p->kind),
		         lists_total(a, p->kind), p->filter);
	if (p->multi && nmarked) {
		size_t len = strlen(head);

		snprintf(head + len, sizeof(head) - len, "  marked: %zu", nmarked);
	}
	draw_text_pad(y, x, w, head, ROLE_TITLE);
	if (!(a->lists->loaded & p->kind)) {
		draw_text(y + 2, x + 2, w - 2, (a->lists->failed & p->kind) ?
		          "Could not fetch the list (see Errors, 5). r tries again." :
		          (a->lists->stopped & p->kind) && !worker_busy(a->worker) ?
		          "Loading was stopped. r loads the list." :
		          "Loading...", (a->lists->failed & p->kind) ? ROLE_ERROR : ROLE_DIM);
		return;
	}
	if (!p->nrows) {
		draw_text(y + 2, x + 2, w - 2, str_empty(p->filter) ? "The list is empty." :
		          a->lists->searching ? "Nothing loaded matches; searching the server..." :
		          p->searched ? "Nothing matches, here or on the server." :
		          "Nothing matches the filter.", ROLE_DIM);
		return;
	}
	column_widths(a, p, widths);
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + rows)
		p->top = p->sel - rows + 1;
	for (i = 0; i < rows && p->top + i < (int)p->nrows; i++) {
		size_t idx = p->rows[p->top + i];
		const char *cells[PICK_COLS];
		char name[256];
		int cx = x + 3, row = y + 1 + i, cur = p->top + i == p->sel;
		enum ui_role role = cur ? ROLE_CURSOR : p->marked[idx] ? ROLE_MARKED : ROLE_NORMAL;

		item_cells(a, p->kind, idx, cells, name, sizeof(name));
		draw_blank(row, x, w, role);
		{
			char prefix[4] = { cur ? '>' : ' ', p->marked[idx] ? '*' : ' ', ' ', '\0' };

			draw_text(row, x, 3, prefix, role);
		}
		for (c = 0; c < PICK_COLS && cx < x + w; c++) {
			enum ui_role r = role;

			if (!widths[c])
				continue;
			if (!cur && c == 2 && p->kind == LIST_WORKFLOWS && cells[2] &&
			    strcmp(cells[2], "ACTIVE") != 0)
				r = ROLE_WARN;
			draw_text_cut(row, cx, widths[c] < x + w - cx ? widths[c] : x + w - cx,
			              cells[c] ? cells[c] : "", r);
			cx += widths[c] + 2;
		}
	}
}

static void
pick_answer(struct app *a, struct picker *p, int accept)
{
	char **keys;
	size_t n = 0, k, cap;

	if (p->answered)
		return;
	p->answered = 1;
	if (!accept || !p->nrows) {
		p->fn(a, p->ctx, NULL, 0);
		return;
	}
	cap = p->nmarked_cap + 1;
	keys = must_calloc(cap, sizeof(*keys));
	if (p->multi)
		for (k = 0; k < p->nmarked_cap; k++)
			if (p->marked[k])
				keys[n++] = must_strdup(item_key(a, p->kind, k));
	if (!n)
		keys[n++] = must_strdup(item_key(a, p->kind, p->rows[p->sel]));
	p->fn(a, p->ctx, keys, n);
	for (k = 0; k < n; k++)
		free(keys[k]);
	free(keys);
}

static void
reloaded(struct app *a)
{
	app_redraw(a);
}

/* Only the first page was loaded: what the filter misses here may be on
 * the server. Subscribers and topics can be searched there. */
static void
search_server(struct app *a, struct picker *p)
{
	p->searched = 0;
	if (str_empty(p->filter) || p->kind == LIST_WORKFLOWS ||
	    (p->nrows && !lists_incomplete(a, p->kind)))
		return;
	if (lists_search(a, p->kind, p->filter, reloaded) == 0)
		p->searched = 1;
	else if (a->s->client)
		app_message(a, MSG_WARN, "busy: set the filter again to search the server");
}

static void
filter_done(struct app *a, void *ctx, const char *line)
{
	struct picker *p = ctx;

	if (!line)
		return;
	str_set(&p->filter, *line ? line : NULL);
	p->sel = p->top = 0;
	pick_refilter(a, p);
	search_server(a, p);
}

static unsigned
pick_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct picker *p = v->priv;
	int page = app_body_h(a) - 3;

	(void)key;
	if (page < 1)
		page = 1;
	switch (req) {
	case REQ_MOVE_UP:
		if (p->sel > 0)
			p->sel--;
		break;
	case REQ_MOVE_DOWN:
		if (p->sel + 1 < (int)p->nrows)
			p->sel++;
		break;
	case REQ_PAGE_UP:
		p->sel = p->sel > page ? p->sel - page : 0;
		break;
	case REQ_PAGE_DOWN:
		p->sel = p->sel + page < (int)p->nrows ? p->sel + page :
			(p->nrows ? (int)p->nrows - 1 : 0);
		break;
	case REQ_MOVE_FIRST:
		p->sel = 0;
		break;
	case REQ_MOVE_LAST:
		p->sel = p->nrows ? (int)p->nrows - 1 : 0;
		break;
	case REQ_MARK:
		if (!p->multi || !p->nrows) {
			app_message(a, MSG_INFO, "pick one with Enter");
			break;
		}
		p->marked[p->rows[p->sel]] ^= 1;
		if (p->sel + 1 < (int)p->nrows)
			p->sel++;
		break;
	case REQ_ACCEPT:
		if (!p->nrows)
			return UI_HANDLED;
		pick_answer(a, p, 1);
		return UI_HANDLED | UI_POP | UI_REDRAW;
	case REQ_BACK:
		pick_answer(a, p, 0);
		return UI_HANDLED | UI_POP | UI_REDRAW;
	case REQ_FILTER:
		prompt_start(a, PK_FILTER, "Filter", p->filter, filter_done, p);
		break;
	case REQ_RELOAD:
		if (lists_fetch(a, p->kind, p->filter, reloaded) != 0)
			app_message(a, MSG_WARN, "busy or offline: try again in a moment");
		else
			p->nmarked_cap = (size_t)-1;
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
pick_done(struct app *a, struct view *v)
{
	struct picker *p = v->priv;

	pick_answer(a, p, 0);
	free(p->filter);
	free(p->marked);
	free(p->rows);
}

static const struct keymap *const pick_maps[] = { &km_picker, &km_move, &km_global, NULL };

static const struct view_ops pick_ops = {
	.name = "pick", .keymaps = pick_maps, .private_size = sizeof(struct picker),
	.draw = pick_draw, .handle = pick_handle, .done = pick_done,
};

void
pick_open(struct app *a, enum list_kind kind, int multi, pick_fn fn, void *ctx)
{
	struct picker *p = view_push(a, &pick_ops);

	p->kind = kind;
	p->multi = multi;
	p->fn = fn;
	p->ctx = ctx;
	p->nmarked_cap = (size_t)-1;
	if (!(a->lists->loaded & kind) && lists_fetch(a, kind, NULL, reloaded) != 0 &&
	    !a->s->client)
		app_message(a, MSG_WARN, "offline: no lists");
	app_redraw(a);
}
