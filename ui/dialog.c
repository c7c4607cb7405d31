/* dialog.c - confirmation, message and input boxes. */
#include "dialog.h"

#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "prompt.h"

enum dialog_type { DLG_CONFIRM, DLG_TYPED, DLG_MESSAGE, DLG_INPUT };

struct dialog {
	enum dialog_type type;
	char *title, *text, *expect, *label;
	dialog_fn fn;
	dialog_input_fn input_fn;
	void *ctx;
	int answered;
	char typed[256];
	size_t typed_len;
	int mismatch;
};

void
dialog_geometry(const struct app *a, int want_h, int want_w, int *y, int *x,
                int *h, int *w)
{
	int by = app_body_y(a), bh = app_body_h(a);

	*w = want_w > COLS - 2 ? COLS - 2 : want_w;
	*h = want_h > bh ? bh : want_h;
	if (*w < 10)
		*w = COLS;
	*y = by + (bh - *h) / 2;
	*x = (COLS - *w) / 2;
}

/* Draw wrapped text inside a box; returns the next free row. */
static int
draw_wrapped(int y, int x, int w, int maxrows, const char *text)
{
	char *lines[40];
	int n = wrap_text(text, w, lines, 40), i, row = 0;

	for (i = 0; i < n && i < 40; i++) {
		if (row < maxrows)
			draw_text(y + row, x, w, lines[i], ROLE_BOX);
		row++;
		free(lines[i]);
	}
	return y + (row < maxrows ? row : maxrows);
}

static int
text_rows(const char *text, int w)
{
	char *lines[40];
	int n = wrap_text(text, w, lines, 40), i;

	for (i = 0; i < n && i < 40; i++)
		free(lines[i]);
	return n;
}

static void
dialog_draw(struct app *a, struct view *v, int by, int bx, int bh, int bw)
{
	struct dialog *d = v->priv;
	int want_w = bw - 4 > 64 ? 64 : bw - 4, y, x, h, w, row;
	int extra = d->type == DLG_MESSAGE ? 1 : 2;

	(void)by; (void)bx; (void)bh;
	if (want_w < 20)
		want_w = bw;
	h = d->type == DLG_INPUT ? 3 : text_rows(d->text, want_w - 4) + 2 + extra;
	dialog_geometry(a, h, want_w, &y, &x, &h, &w);
	draw_box(y, x, h, w, d->title);
	row = d->type == DLG_INPUT ? y + 1 :
		draw_wrapped(y + 1, x + 2, w - 4, h - 2 - extra, d->text);
	switch (d->type) {
	case DLG_CONFIRM:
		draw_text(y + h - 2, x + 2, w - 4, "y = yes, any other key = no", ROLE_LABEL);
		break;
	case DLG_TYPED: {
		int used = draw_text(y + h - 2, x + 2, w - 4, "> ", ROLE_LABEL);

		draw_text_pad(y + h - 2, x + 2 + used, w - 4 - used, d->typed, ROLE_INPUT);
		if (d->mismatch)
			draw_text(y + h - 3 < row ? row : y + h - 3, x + 2, w - 4,
			          "That does not match; type it exactly (^U clears).",
			          ROLE_ERROR);
		move(y + h - 2, x + 2 + used + utf8_width(d->typed));
		curs_set(1);
		break;
	}
	case DLG_INPUT: {
		int used = draw_text(y + h - 2, x + 2, w - 4, d->label, ROLE_LABEL);

		used += draw_text(y + h - 2, x + 2 + used, 2, ": ", ROLE_LABEL);
		prompt_anchor(a, y + h - 2, x + 2 + used, w - 4 - used);
		break;
	}
	case DLG_MESSAGE:
		break;
	}
}

static void
dialog_answer(struct app *a, struct dialog *d, int yes)
{
	if (d->answered)
		return;
	d->answered = 1;
	curs_set(0);
	if (d->fn)
		d->fn(a, d->ctx, yes);
}

/* Close the box, then tell the owner: the callback may open the next one
 * (send: not active? -> type the workflow ID). */
static unsigned
dialog_close(struct app *a, struct dialog *d, int yes)
{
	dialog_fn fn = d->fn;
	void *ctx = d->ctx;

	d->answered = 1;
	view_pop(a);
	curs_set(0);
	if (fn)
		fn(a, ctx, yes);
	return UI_HANDLED | UI_REDRAW;
}

static void
typed_key(struct dialog *d, int key)
{
	mbstate_t st;
	char buf[8];
	size_t n;

	if (key == UK(KEY_BACKSPACE)) {
		while (d->typed_len > 0) {
			d->typed_len--;
			if (((unsigned char)d->typed[d->typed_len] & 0xc0) != 0x80)
				break;
		}
		d->typed[d->typed_len] = '\0';
		return;
	}
	/* ^U as in readline and every shell: after "That does not match"
	 * the user wants to start over, not backspace through the ID. */
	if (key == UK_CTRL('u')) {
		d->typed_len = 0;
		d->typed[0] = '\0';
		return;
	}
	if (key < 32 || key >= UK_FN)
		return;
	memset(&st, 0, sizeof(st));
	n = wcrtomb(buf, (wchar_t)key, &st);
	if (n == (size_t)-1 || d->typed_len + n >= sizeof(d->typed))
		return;
	memcpy(d->typed + d->typed_len, buf, n);
	d->typed_len += n;
	d->typed[d->typed_len] = '\0';
}

static unsigned
dialog_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct dialog *d = v->priv;

	switch (d->type) {
	case DLG_CONFIRM:
		if (key == UK(KEY_RESIZE))
			return 0;
		return dialog_close(a, d, req == REQ_YES);
	case DLG_MESSAGE:
		if (key == UK_ENTER || key == UK_ESC || key == ' ' || key == 'q')
			return UI_HANDLED | UI_POP | UI_REDRAW;
		return UI_HANDLED;
	case DLG_TYPED:
		if (key == UK_ESC)
			return dialog_close(a, d, 0);
		if (key == UK_ENTER) {
			if (strcmp(d->typed, d->expect) == 0)
				return dialog_close(a, d, 1);
			d->mismatch = 1;
			return UI_HANDLED | UI_REDRAW;
		}
		d->mismatch = 0;
		typed_key(d, key);
		return UI_HANDLED | UI_REDRAW;
	case DLG_INPUT:
		/* Keys go to the prompt while it runs; when it has ended the
		 * dialog is already gone. */
		return UI_HANDLED;
	}
	return 0;
}

static void
dialog_done(struct app *a, struct view *v)
{
	struct dialog *d = v->priv;

	if (d->type != DLG_INPUT && d->type != DLG_MESSAGE)
		dialog_answer(a, d, 0);
	curs_set(0);
	free(d->title);
	free(d->text);
	free(d->expect);
	free(d->label);
}

static const struct keymap *const confirm_maps[] = { &km_confirm, NULL };
static const struct keymap *const plain_maps[] = { &km_dialog, NULL };

static const struct view_ops confirm_ops = {
	.name = "confirm", .flags = VIEW_MODAL | VIEW_OVERLAY, .keymaps = confirm_maps,
	.private_size = sizeof(struct dialog),
	.draw = dialog_draw, .handle = dialog_handle, .done = dialog_done,
};
static const struct view_ops plain_ops = {
	.name = "dialog", .flags = VIEW_MODAL | VIEW_OVERLAY, .keymaps = plain_maps,
	.private_size = sizeof(struct dialog),
	.draw = dialog_draw, .handle = dialog_handle, .done = dialog_done,
};

static struct dialog *
dialog_new(struct app *a, const struct view_ops *ops, enum dialog_type type,
           const char *title, const char *text)
{
	struct dialog *d = view_push(a, ops);

	d->type = type;
	d->title = must_strdup(title);
	d->text = must_strdup(text ? text : "");
	app_redraw(a);
	return d;
}

void
dialog_confirm(struct app *a, const char *title, const char *text,
               dialog_fn fn, void *ctx)
{
	struct dialog *d = dialog_new(a, &confirm_ops, DLG_CONFIRM, title, text);

	d->fn = fn;
	d->ctx = ctx;
}

void
dialog_typed_confirm(struct app *a, const char *title, const char *text,
                     const char *expect, dialog_fn fn, void *ctx)
{
	struct dialog *d = dialog_new(a, &plain_ops, DLG_TYPED, title, text);

	d->expect = must_strdup(expect);
	d->fn = fn;
	d->ctx = ctx;
}

void
dialog_message(struct app *a, const char *title, const char *text)
{
	dialog_new(a, &plain_ops, DLG_MESSAGE, title, text);
}

static void
input_done(struct app *a, void *ctx, const char *line)
{
	struct dialog *d = ctx;
	dialog_input_fn fn = d->input_fn;
	void *fctx = d->ctx;

	/* Close the box before the callback, which may open another. */
	d->answered = 1;
	view_pop(a);
	if (fn)
		fn(a, fctx, line);
}

void
dialog_input(struct app *a, const char *title, const char *label,
             const char *initial, enum prompt_kind kind,
             dialog_input_fn fn, void *ctx)
{
	struct dialog *d = dialog_new(a, &plain_ops, DLG_INPUT, title, "");

	d->label = must_strdup(label);
	d->input_fn = fn;
	d->ctx = ctx;
	free(d->text);
	d->text = must_strdup(" ");
	prompt_start(a, kind, label, initial, input_done, d);
}
