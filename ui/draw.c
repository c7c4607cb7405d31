/* draw.c - colour roles, clipped UTF-8 text, boxes and wrapping. */
#include "draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "uiutil.h"

static int colors_on;

static const struct {
	short fg, bg;
	attr_t color_attr, mono_attr;
} roles[] = {
#define UI_ROLE_ROW(role, fg, bg, attr, mono) { fg, bg, attr, mono },
	UI_COLOR_INFO(UI_ROLE_ROW)
#undef UI_ROLE_ROW
};

void
ui_colors_init(void)
{
	const char *no_color = getenv("NO_COLOR");
	short i;

	colors_on = 0;
	if ((no_color && *no_color) || !has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	for (i = 1; i < ROLE_COUNT; i++)
		init_pair(i, roles[i].fg, roles[i].bg);
	colors_on = 1;
}

int
ui_colors_enabled(void)
{
	return colors_on;
}

attr_t
ui_attr(enum ui_role role)
{
	if ((unsigned)role >= ROLE_COUNT)
		role = ROLE_NORMAL;
	if (!colors_on)
		return roles[role].mono_attr;
	if (role == ROLE_NORMAL)
		return A_NORMAL;
	return roles[role].color_attr | (attr_t)COLOR_PAIR(role);
}

/* Decode up to w columns of s into wbuf (at most cap-1 characters);
 * *cols receives the columns used. Returns the number of characters. */
static size_t
to_wide(const char *s, int w, wchar_t *wbuf, size_t cap, int *cols, int *cut)
{
	size_t n = 0, len, rem = strlen(s);
	wchar_t wc;
	int cw, used = 0;

	*cut = 0;
	while (rem && n + 1 < cap) {
		len = utf8_decode(s, rem, &wc, &cw);
		if (wc == L'\t') {
			wc = L' ';
			cw = 1;
		}
		if (used + cw > w) {
			*cut = 1;
			break;
		}
		wbuf[n++] = wc;
		used += cw;
		s += len;
		rem -= len;
	}
	wbuf[n] = L'\0';
	*cols = used;
	return n;
}

int
draw_text(int y, int x, int w, const char *s, enum ui_role role)
{
	wchar_t wbuf[512];
	size_t n;
	int cols, cut;

	if (w <= 0 || !s || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	n = to_wide(s, w, wbuf, sizeof(wbuf) / sizeof(wbuf[0]), &cols, &cut);
	attrset(ui_attr(role));
	mvaddnwstr(y, x, wbuf, (int)n);
	attrset(A_NORMAL);
	return cols;
}

void
draw_blank(int y, int x, int w, enum ui_role role)
{
	if (y < 0 || y >= LINES || w <= 0 || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attrset(ui_attr(role));
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

void
draw_text_pad(int y, int x, int w, const char *s, enum ui_role role)
{
	int used = draw_text(y, x, w, s, role);

	draw_blank(y, x + used, w - used, role);
}

int
draw_text_cut(int y, int x, int w, const char *s, enum ui_role role)
{
	int used;

	if (!s || w <= 0)
		return 0;
	if (utf8_width(s) <= w)
		return draw_text(y, x, w, s, role);
	used = draw_text(y, x, w - 1, s, role);
	draw_text(y, x + used, 1, "~", role);
	return used + 1;
}

/* Box-drawing characters: Unicode in a UTF-8 locale (they survive the
 * screen dumps as text), ASCII otherwise. */
static int
utf8_locale(void)
{
	static int cached = -1;

	if (cached < 0) {
		wchar_t wc;

		cached = mbtowc(&wc, "\xe2\x94\x80", 3) == 3;
	}
	return cached;
}

void
draw_box(int y, int x, int h, int w, const char *title)
{
	int u = utf8_locale(), i;
	const char *hl = u ? "\xe2\x94\x80" : "-", *vl = u ? "\xe2\x94\x82" : "|";
	char line[1024];
	size_t len = 0, hlen = strlen(hl);

	if (h < 2 || w < 4)
		return;
	for (i = 0; i < w - 2 && len + hlen < sizeof(line); i++) {
		memcpy(line + len, hl, hlen);
		len += hlen;
	}
	line[len] = '\0';
	for (i = 1; i < h - 1; i++) {
		draw_text(y + i, x, 1, vl, ROLE_BOX);
		draw_blank(y + i, x + 1, w - 2, ROLE_BOX);
		draw_text(y + i, x + w - 1, 1, vl, ROLE_BOX);
	}
	draw_text(y, x, 1, u ? "\xe2\x94\x8c" : "+", ROLE_BOX);
	draw_text(y, x + 1, w - 2, line, ROLE_BOX);
	draw_text(y, x + w - 1, 1, u ? "\xe2\x94\x90" : "+", ROLE_BOX);
	draw_text(y + h - 1, x, 1, u ? "\xe2\x94\x94" : "+", ROLE_BOX);
	draw_text(y + h - 1, x + 1, w - 2, line, ROLE_BOX);
	draw_text(y + h - 1, x + w - 1, 1, u ? "\xe2\x94\x98" : "+", ROLE_BOX);
	if (title && *title) {
		int used = draw_text(y, x + 2, w - 4, " ", ROLE_BOX);

		used += draw_text(y, x + 2 + used, w - 5 - used, title, ROLE_LABEL);
		draw_text(y, x + 2 + used, w - 4 - used, " ", ROLE_BOX);
	}
}

int
wrap_text(const char *text, int w, char **out, int max)
{
	int n = 0;
	const char *p = text ? text : "";

	if (w < 1)
		w = 1;
	while (*p || n == 0) {
		const char *nl = strchr(p, '\n');
		size_t linelen = nl ? (size_t)(nl - p) : strlen(p);
		char *line = must_strndup(p, linelen);
		size_t off = 0;

		do {
			size_t fit = utf8_fit(line + off, w), cut = fit;

			if (off + fit < linelen) {
				/* Break at the last blank when there is one. */
				size_t k = fit;

				while (k > 0 && line[off + k] != ' ')
					k--;
				if (k > 0)
					cut = k;
				if (cut == 0)
					cut = 1;
			}
			if (n < max)
				out[n] = must_strndup(line + off, cut);
			n++;
			off += cut;
			if (off < linelen && line[off] == ' ')
				off++;
		} while (off < linelen);
		free(line);
		if (!nl)
			break;
		p = nl + 1;
		if (!*p)
			break;
	}
	return n;
}
