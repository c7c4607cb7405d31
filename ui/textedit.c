/* textedit.c - the in-place JSON editor (payload, overrides, context,
 * subscriber data). A plain multi-line editor: every change is written
 * back to the field at once (and so to the draft); leaving checks the JSON
 * and, when it does not parse, puts the cursor on the line and column the
 * parser names. A second Esc leaves anyway: the text is kept either way. */
#include "compose.h"

#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "uiops.h"

#define GUTTER 5

struct textedit {
	char *title;
	char **slot;
	char *buf;
	size_t len, cap;
	size_t pos;          /* cursor, byte offset */
	int top, left;
	int page;
	char *msg;           /* parse error shown at the bottom */
	int warned;          /* Esc pressed once on invalid JSON */
	textedit_changed_fn changed;
	textedit_check_fn check;
	void *ctx;
};

static void
te_reserve(struct textedit *t, size_t extra)
{
	if (t->len + extra + 1 > t->cap) {
		t->cap = (t->len + extra + 1) * 2;
		t->buf = must_realloc(t->buf, t->cap);
	}
}

static void
te_set(struct textedit *t, const char *text)
{
	t->len = 0;
	te_reserve(t, strlen(text));
	memcpy(t->buf, text, strlen(text) + 1);
	t->len = strlen(text);
	if (t->pos > t->len)
		t->pos = t->len;
}

static void
te_commit(struct app *a, struct textedit *t)
{
	str_set(t->slot, t->len ? t->buf : NULL);
	t->warned = 0;
	free(t->msg);
	t->msg = NULL;
	if (t->changed)
		t->changed(a, t->ctx);
}

/* UTF-8 characters in the n bytes at s (continuation bytes not counted). */
static size_t
chars_between(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static size_t
line_start(const struct textedit *t, size_t pos)
{
	while (pos > 0 && t->buf[pos - 1] != '\n')
		pos--;
	return pos;
}

static size_t
line_end(const struct textedit *t, size_t pos)
{
	while (pos < t->len && t->buf[pos] != '\n')
		pos++;
	return pos;
}

static int
line_of(const struct textedit *t, size_t pos)
{
	int n = 0;
	size_t i;

	for (i = 0; i < pos; i++)
		n += t->buf[i] == '\n';
	return n;
}

/* Byte offset in the line starting at ls whose column is at most col. */
static size_t
pos_at_col(const struct textedit *t, size_t ls, int col)
{
	size_t le = line_end(t, ls), p = ls;
	int used = 0;

	/* Add up widths as we go: measuring from ls for every character made
	 * a one-line 500 KB payload take seconds per key. */
	while (p < le) {
		size_t q = p + 1;

		while (q < le && ((unsigned char)t->buf[q] & 0xc0) == 0x80)
			q++;
		used += utf8_width_n(t->buf + p, q - p);
		if (used > col)
			break;
		p = q;
	}
	return p;
}

static size_t
prev_char(const struct textedit *t, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)t->buf[pos] & 0xc0) == 0x80)
		pos--;
	return pos;
}

static size_t
next_char(const struct textedit *t, size_t pos)
{
	if (pos >= t->len)
		return t->len;
	pos++;
	while (pos < t->len && ((unsigned char)t->buf[pos] & 0xc0) == 0x80)
		pos++;
	return pos;
}

static void
te_insert(struct textedit *t, const char *s, size_t n)
{
	te_reserve(t, n);
	memmove(t->buf + t->pos + n, t->buf + t->pos, t->len - t->pos + 1);
	memcpy(t->buf + t->pos, s, n);
	t->len += n;
	t->pos += n;
}

static void
te_delete(struct textedit *t, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(t->buf + from, t->buf + to, t->len - to + 1);
	t->len -= to - from;
	t->pos = from;
}

static void
te_vertical(struct textedit *t, int lines)
{
	size_t ls = line_start(t, t->pos);
	int col = utf8_width_n(t->buf + ls, t->pos - ls);

	while (lines < 0 && ls > 0) {
		ls = line_start(t, ls - 1);
		lines++;
	}
	while (lines > 0) {
		size_t le = line_end(t, ls);

		if (le >= t->len)
			break;
		ls = le + 1;
		lines--;
	}
	t->pos = pos_at_col(t, ls, col);
}

static void
te_goto(struct textedit *t, long line, long col)
{
	size_t p = 0;

	while (line > 1 && p < t->len) {
		if (t->buf[p++] == '\n')
			line--;
	}
	t->pos = p;
	while (col > 1 && t->pos < line_end(t, p)) {
		t->pos = next_char(t, t->pos);
		col--;
	}
}

static void
te_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct textedit *t = v->priv;
	int rows = h - 1 - (t->msg ? 1 : 0), textw = w - GUTTER, cur_line, cur_col, i, total;
	size_t p, ls, cls;

	(void)a;
	if (rows < 1 || textw < 4)
		return;
	t->page = rows;
	cur_line = line_of(t, t->pos);
	cls = line_start(t, t->pos);
	cur_col = utf8_width_n(t->buf + cls, t->pos - cls);
	if (cur_line < t->top)
		t->top = cur_line;
	if (cur_line >= t->top + rows)
		t->top = cur_line - rows + 1;
	if (cur_col < t->left)
		t->left = cur_col;
	if (cur_col >= t->left + textw)
		t->left = cur_col - textw + 1;
	{
		char head[256];

		/* Characters, not screen columns: what the JSON errors count, so
		 * "column 34" in an error is column 34 here (wide text differs). */
		snprintf(head, sizeof(head), "%s  line %d, column %zu", t->title, cur_line + 1,
		         chars_between(t->buf + cls, t->pos - cls) + 1);
		draw_text_pad(y, x, w, head, ROLE_TITLE);
	}
	/* Find the first shown line. */
	p = 0;
	for (i = 0; i < t->top && p < t->len; ) {
		if (t->buf[p++] == '\n')
			i++;
	}
	total = line_of(t, t->len) + 1;
	for (i = 0; i < rows && t->top + i < total; i++) {
		char num[16], *line;
		size_t le, skip;

		ls = p;
		le = line_end(t, ls);
		snprintf(num, sizeof(num), "%4d ", t->top + i + 1);
		draw_text(y + 1 + i, x, GUTTER, num, ROLE_DIM);
		line = must_strndup(t->buf + ls, le - ls);
		skip = pos_at_col(t, ls, t->left) - ls;
		draw_text(y + 1 + i, x + GUTTER, textw, line + skip, ROLE_NORMAL);
		free(line);
		p = le + 1;
	}
	if (t->msg)
		draw_text_cut(y + h - 1, x, w, t->msg, ROLE_ERROR);
	move(y + 1 + cur_line - t->top, x + GUTTER + cur_col - t->left);
	curs_set(1);
}

static void
te_external(struct app *a, struct textedit *t)
{
	char *out = NULL, errbuf[256];

	if (ui_edit_external(a, t->buf, ".json", &out, errbuf, sizeof(errbuf)) != 0) {
		app_message(a, MSG_ERROR, "%s", errbuf);
		return;
	}
	te_set(t, out);
	free(out);
	te_commit(a, t);
}

static unsigned
te_done_key(struct app *a, struct textedit *t)
{
	long line = 0, col = 0;
	char *msg = t->check ? t->check(a, t->ctx, &line, &col) : NULL;

	if (!msg || t->warned) {
		if (msg)
			app_message(a, MSG_WARN, "kept as typed, but %s", msg);
		free(msg);
		curs_set(0);
		return UI_HANDLED | UI_POP | UI_REDRAW;
	}
	free(t->msg);
	t->msg = must_asprintf("%s  (Esc again leaves anyway)", msg);
	free(msg);
	t->warned = 1;
	if (line > 0)
		te_goto(t, line, col);
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
te_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct textedit *t = v->priv;
	char mb[8];
	mbstate_t st;
	size_t n;

	switch (req) {
	case REQ_DONE:
		return te_done_key(a, t);
	case REQ_FORMAT_JSON: {
		char *pretty = json_pretty_text(t->buf);

		if (pretty) {
			te_set(t, pretty);
			free(pretty);
			/* Replaces an earlier "not valid JSON yet"; what the change
			 * itself says (te_commit) comes after and wins. */
			app_message(a, MSG_OK, "formatted");
			te_commit(a, t);
		} else {
			app_message(a, MSG_WARN, "not valid JSON yet: nothing to format");
		}
		return UI_HANDLED | UI_REDRAW;
	}
	case REQ_EDIT_EXTERNAL:
		te_external(a, t);
		return UI_HANDLED | UI_REDRAW;
	default:
		break;
	}
	switch (key) {
	case UK(KEY_LEFT):
		t->pos = prev_char(t, t->pos);
		break;
	case UK(KEY_RIGHT):
		t->pos = next_char(t, t->pos);
		break;
	case UK(KEY_UP):
		te_vertical(t, -1);
		break;
	case UK(KEY_DOWN):
		te_vertical(t, 1);
		break;
	case UK(KEY_PPAGE):
		te_vertical(t, -(t->page > 1 ? t->page - 1 : 1));
		break;
	case UK(KEY_NPAGE):
		te_vertical(t, t->page > 1 ? t->page - 1 : 1);
		break;
	case UK(KEY_HOME):
	case UK_CTRL('a'):
		t->pos = line_start(t, t->pos);
		break;
	case UK(KEY_END):
	case UK_CTRL('e'):
		t->pos = line_end(t, t->pos);
		break;
	case UK(KEY_BACKSPACE):
		te_delete(t, prev_char(t, t->pos), t->pos);
		te_commit(a, t);
		break;
	case UK(KEY_DC):
		te_delete(t, t->pos, next_char(t, t->pos));
		te_commit(a, t);
		break;
	case UK_CTRL('k'):
		if (line_end(t, t->pos) == t->pos)
			te_delete(t, t->pos, next_char(t, t->pos));
		else
			te_delete(t, t->pos, line_end(t, t->pos));
		te_commit(a, t);
		break;
	case UK_ENTER: {
		/* Keep the indentation of the line above. */
		size_t ls = line_start(t, t->pos), ind = 0;

		while (ls + ind < t->pos && t->buf[ls + ind] == ' ')
			ind++;
		te_insert(t, "\n", 1);
		while (ind--)
			te_insert(t, " ", 1);
		te_commit(a, t);
		break;
	}
	case UK_TAB:
		te_insert(t, "  ", 2);
		te_commit(a, t);
		break;
	default:
		if (key < 32 || key >= UK_FN)
			return UI_HANDLED;
		memset(&st, 0, sizeof(st));
		n = wcrtomb(mb, (wchar_t)key, &st);
		if (n == (size_t)-1)
			return UI_HANDLED;
		te_insert(t, mb, n);
		te_commit(a, t);
		break;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
te_done(struct app *a, struct view *v)
{
	struct textedit *t = v->priv;

	(void)a;
	curs_set(0);
	free(t->title);
	free(t->buf);
	free(t->msg);
	free(t->ctx);
}

static const struct keymap *const te_maps[] = { &km_textedit, NULL };

static const struct view_ops textedit_ops = {
	.name = "textedit", .flags = VIEW_MODAL, .keymaps = te_maps,
	.private_size = sizeof(struct textedit),
	.draw = te_draw, .handle = te_handle, .done = te_done,
};

void
textedit_open(struct app *a, const char *title, char **slot,
              textedit_changed_fn changed, textedit_check_fn check, void *ctx)
{
	struct textedit *t = view_push(a, &textedit_ops);

	t->title = must_strdup(title);
	t->slot = slot;
	t->changed = changed;
	t->check = check;
	t->ctx = ctx;
	te_set(t, *slot ? *slot : "");
	if (!*slot || !**slot) {
		/* Start from an empty object with the cursor inside it. */
		te_set(t, "{\n  \n}");
		t->pos = 4;
	} else {
		t->pos = 0;
	}
	app_redraw(a);
}
