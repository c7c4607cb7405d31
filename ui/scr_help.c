/* scr_help.c - the help screen, generated from the key tables, so it can
 * never drift from the real bindings; and ui_print_keymap() for the
 * `keys` command and the README. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"

#define KEYS_W 16

struct help {
	int top;
	struct strlist lines;
	int width;
};

struct build {
	struct strlist *out;
	int width;
};

/* Add "  keys  text" wrapped with a hanging indent. */
static void
add_entry(void *ctx, const char *keys, const char *text)
{
	struct build *b = ctx;
	char *lines[32], *line;
	int n, i, textw = b->width - KEYS_W - 2;

	if (!keys) {
		if (b->out->n)
			strlist_push(b->out, "");
		strlist_push(b->out, text);
		return;
	}
	if (textw < 10)
		textw = 10;
	n = wrap_text(text, textw, lines, 32);
	for (i = 0; i < n && i < 32; i++) {
		line = must_asprintf("  %-*s%s", KEYS_W, i == 0 ? keys : "", lines[i]);
		strlist_push(b->out, line);
		free(line);
		free(lines[i]);
	}
}

static void
help_build(struct help *h, int width)
{
	struct build b = { &h->lines, width };

	strlist_clear(&h->lines);
	keymap_walk_help(add_entry, &b);
	h->width = width;
}

static void
help_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct help *hp = v->priv;
	int i, rows = h - 1;
	char pos[32];

	(void)a;
	if (hp->width != w)
		help_build(hp, w);
	if (hp->top > (int)hp->lines.n - rows)
		hp->top = (int)hp->lines.n - rows;
	if (hp->top < 0)
		hp->top = 0;
	draw_blank(y, x, w, ROLE_NORMAL);
	draw_text_cut(y, x, w - 12, "Help: every key (from the key tables)", ROLE_TITLE);
	snprintf(pos, sizeof(pos), "%d/%zu", hp->top + 1, hp->lines.n);
	draw_text(y, x + w - utf8_width(pos), utf8_width(pos), pos, ROLE_DIM);
	for (i = 0; i < rows && hp->top + i < (int)hp->lines.n; i++) {
		const char *l = hp->lines.v[hp->top + i];

		draw_text(y + 1 + i, x, w, l, l[0] && l[0] != ' ' ? ROLE_LABEL : ROLE_NORMAL);
	}
}

static unsigned
help_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct help *hp = v->priv;
	int page = app_body_h(a) - 2;

	(void)key;
	switch (req) {
	case REQ_MOVE_UP: hp->top--; break;
	case REQ_MOVE_DOWN: hp->top++; break;
	case REQ_PAGE_UP: hp->top -= page; break;
	case REQ_PAGE_DOWN: hp->top += page; break;
	case REQ_MOVE_FIRST: hp->top = 0; break;
	case REQ_MOVE_LAST: hp->top = (int)hp->lines.n; break;
	case REQ_BACK:
	case REQ_HELP:
		return UI_HANDLED | UI_POP | UI_REDRAW;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
help_done(struct app *a, struct view *v)
{
	struct help *hp = v->priv;

	(void)a;
	strlist_clear(&hp->lines);
}

static const struct keymap *const help_maps[] = { &km_help, &km_move, &km_global, NULL };

const struct view_ops scr_help_ops = {
	.name = "Help", .keymaps = help_maps, .private_size = sizeof(struct help),
	.draw = help_draw, .handle = help_handle, .done = help_done,
};

static void
print_entry(void *ctx, const char *keys, const char *text)
{
	FILE *f = ctx;

	if (!keys)
		fprintf(f, "\n%s\n", text);
	else if (!*keys)
		fprintf(f, "  %-*s%s\n", KEYS_W, "", text);
	else
		fprintf(f, "  %-*s%s\n", KEYS_W, keys, text);
}

void
ui_print_keymap(FILE *f)
{
	fprintf(f, "novu-console keys (generated from the key tables in ui/keymap.c)\n");
	keymap_walk_help(print_entry, f);
}
