/* viewer.c - scrolling text view. */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

#include "draw.h"

struct viewer {
	char *title;
	char *text;
	int top;
	int width;          /* width the lines were wrapped for */
	char **lines;
	int nlines;
	viewer_req_fn fn;
	void *ctx;
	void (*free_ctx)(void *);
	enum ui_req bar[8];
	size_t nbar;
};

static void
free_lines(struct viewer *v)
{
	int i;

	for (i = 0; i < v->nlines; i++)
		free(v->lines[i]);
	free(v->lines);
	v->lines = NULL;
	v->nlines = 0;
}

static void
rewrap(struct viewer *v, int w)
{
	int n;

	free_lines(v);
	n = wrap_text(v->text, w, NULL, 0);
	v->lines = must_calloc((size_t)n + 1, sizeof(*v->lines));
	v->nlines = wrap_text(v->text, w, v->lines, n);
	v->width = w;
}

static void
viewer_draw(struct app *a, struct view *view, int y, int x, int h, int w)
{
	struct viewer *v = view->priv;
	int i, used;
	char pos[48];

	(void)a;
	if (h < 2)
		return;
	if (v->width != w - 1 || !v->lines)
		rewrap(v, w - 1);
	if (v->top > v->nlines - (h - 1))
		v->top = v->nlines - (h - 1);
	if (v->top < 0)
		v->top = 0;
	draw_blank(y, x, w, ROLE_NORMAL);
	used = draw_text_cut(y, x, w - 14, v->title, ROLE_TITLE);
	(void)used;
	if (v->nlines > h - 1) {
		snprintf(pos, sizeof(pos), "%d-%d/%d", v->top + 1,
		         v->top + h - 1 < v->nlines ? v->top + h - 1 : v->nlines, v->nlines);
		draw_text(y, x + w - utf8_width(pos), utf8_width(pos), pos, ROLE_DIM);
	}
	for (i = 0; i < h - 1; i++) {
		if (v->top + i < v->nlines)
			draw_text(y + 1 + i, x, w, v->lines[v->top + i], ROLE_NORMAL);
	}
}

static unsigned
viewer_handle(struct app *a, struct view *view, enum ui_req req, int key)
{
	struct viewer *v = view->priv;
	int page = app_body_h(a) - 2;
	unsigned r;

	(void)key;
	if (page < 1)
		page = 1;
	switch (req) {
	case REQ_MOVE_UP:
		v->top--;
		return UI_HANDLED | UI_REDRAW;
	case REQ_MOVE_DOWN:
		v->top++;
		return UI_HANDLED | UI_REDRAW;
	case REQ_PAGE_UP:
		v->top -= page;
		return UI_HANDLED | UI_REDRAW;
	case REQ_PAGE_DOWN:
		v->top += page;
		return UI_HANDLED | UI_REDRAW;
	case REQ_MOVE_FIRST:
		v->top = 0;
		return UI_HANDLED | UI_REDRAW;
	case REQ_MOVE_LAST:
		v->top = v->nlines;
		return UI_HANDLED | UI_REDRAW;
	case REQ_BACK:
		return UI_HANDLED | UI_POP | UI_REDRAW;
	default:
		break;
	}
	if (v->fn && req != REQ_NONE) {
		size_t i;

		for (i = 0; i < v->nbar; i++)
			if (v->bar[i] == req)
				break;
		if (i < v->nbar) {
			r = v->fn(a, v->ctx, req);
			if (r)
				return r;
		}
	}
	return 0;
}

static void
viewer_done(struct app *a, struct view *view)
{
	struct viewer *v = view->priv;

	(void)a;
	free_lines(v);
	free(v->title);
	free(v->text);
	if (v->ctx) {
		if (v->free_ctx)
			v->free_ctx(v->ctx);
		else
			free(v->ctx);
	}
}

static size_t
viewer_bar(struct app *a, struct view *view, enum ui_req *out, size_t max)
{
	struct viewer *v = view->priv;
	size_t n = v->nbar < max ? v->nbar : max;

	(void)a;
	memcpy(out, v->bar, n * sizeof(*out));
	return n;
}

static const struct keymap *const viewer_maps[] = { &km_viewer, &km_move, &km_global, NULL };

const struct view_ops viewer_ops = {
	.name = "viewer", .keymaps = viewer_maps, .private_size = sizeof(struct viewer),
	.draw = viewer_draw, .handle = viewer_handle, .done = viewer_done,
	.bar = viewer_bar,
};

struct viewer *
viewer_open(struct app *a, const char *title, const char *text)
{
	struct viewer *v = view_push(a, &viewer_ops);

	v->title = must_strdup(title);
	v->text = must_strdup(text ? text : "");
	app_redraw(a);
	return v;
}

void
viewer_set_actions(struct viewer *v, viewer_req_fn fn, void *ctx,
                   void (*free_ctx)(void *), const enum ui_req *bar, size_t nbar)
{
	v->fn = fn;
	v->ctx = ctx;
	v->free_ctx = free_ctx;
	if (nbar > sizeof(v->bar) / sizeof(v->bar[0]))
		nbar = sizeof(v->bar) / sizeof(v->bar[0]);
	memcpy(v->bar, bar, nbar * sizeof(*bar));
	v->nbar = nbar;
}

void
viewer_set_text(struct viewer *v, const char *text)
{
	str_set(&v->text, text ? text : "");
	free_lines(v);
}

