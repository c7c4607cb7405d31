/* input.c - keys from the terminal (get_wch) or from a test script. */
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "curses_compat.h"
#include "keymap.h"
#include "uiutil.h"

struct ui_input {
	FILE *script;
	char *line;          /* current script line (keys), or NULL */
	size_t linecap;
	size_t pos;          /* next byte of line */
	int pending[8];      /* keys pushed back */
	int npending;
};

struct ui_input *
input_new(const char *script_path)
{
	struct ui_input *in = must_calloc(1, sizeof(*in));

	if (script_path) {
		in->script = fopen(script_path, "r");
		if (!in->script) {
			free(in);
			return NULL;
		}
	}
	return in;
}

void
input_free(struct ui_input *in)
{
	if (!in)
		return;
	if (in->script)
		fclose(in->script);
	free(in->line);
	free(in);
}

int
input_is_script(const struct ui_input *in)
{
	return in->script != NULL;
}

void
input_unget(struct ui_input *in, int key)
{
	if (in->npending < (int)(sizeof(in->pending) / sizeof(in->pending[0])))
		in->pending[in->npending++] = key;
}

/* Read the next non-empty, non-comment script line into in->line. Returns
 * 0 at the end of the script. */
static int
script_next_line(struct ui_input *in)
{
	ssize_t len;

	for (;;) {
		len = getline(&in->line, &in->linecap, in->script);
		if (len < 0)
			return 0;
		while (len > 0 && (in->line[len - 1] == '\n' || in->line[len - 1] == '\r'))
			in->line[--len] = '\0';
		if (len == 0 || in->line[0] == '#')
			continue;
		in->pos = 0;
		return 1;
	}
}

/* One key from the current line at in->pos: <Name> or one UTF-8 char. */
static int
script_key(struct ui_input *in)
{
	const char *p = in->line + in->pos;
	mbstate_t st;
	wchar_t wc;
	size_t len;

	if (*p == '<') {
		const char *end = strchr(p, '>');

		if (end && end > p + 1 && end - p < 32) {
			char name[32];
			int key;

			memcpy(name, p + 1, (size_t)(end - p - 1));
			name[end - p - 1] = '\0';
			key = keymap_parse_key(name);
			if (key != UK_NONE) {
				in->pos += (size_t)(end - p) + 1;
				return key;
			}
		}
	}
	memset(&st, 0, sizeof(st));
	len = mbrtowc(&wc, p, strlen(p), &st);
	if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
		in->pos++;
		return (unsigned char)*p;
	}
	in->pos += len;
	return (int)wc;
}

static void
script_next(struct ui_input *in, struct input_event *ev)
{
	if (!in->line || !in->line[in->pos]) {
		if (!script_next_line(in)) {
			ev->kind = IN_EOF;
			return;
		}
		if (in->line[0] == ':') {
			ev->kind = IN_COMMAND;
			snprintf(ev->command, sizeof(ev->command), "%s", in->line + 1);
			in->line[0] = '\0';
			in->pos = 0;
			return;
		}
	}
	ev->kind = IN_KEY;
	ev->key = script_key(in);
}

/* Map what get_wch returned to a keymap.h key code. */
static int
normalize_key(int rc, wint_t wc)
{
	if (rc == KEY_CODE_YES) {
		switch (wc) {
		case KEY_ENTER:
			return UK_ENTER;
		default:
			return UK((int)wc);
		}
	}
	switch (wc) {
	case '\n':
	case '\r':
		return UK_ENTER;
	case 127:
	case 8:
		return UK(KEY_BACKSPACE);
	default:
		return (int)wc;
	}
}

/* Keys whose escape sequence the terminal's terminfo entry does not list:
 * a TERM that does not match the terminal (xterm-256color inside tmux or
 * screen, a console over ssh) sends these for Home, End and the like. */
static const struct { const char *seq; int key; } extra_seqs[] = {
	{ "[1~", KEY_HOME }, { "[7~", KEY_HOME }, { "[H", KEY_HOME }, { "OH", KEY_HOME },
	{ "[4~", KEY_END }, { "[8~", KEY_END }, { "[F", KEY_END }, { "OF", KEY_END },
	{ "[2~", KEY_IC }, { "[3~", KEY_DC }, { "[5~", KEY_PPAGE }, { "[6~", KEY_NPAGE },
	{ "[A", KEY_UP }, { "[B", KEY_DOWN }, { "[C", KEY_RIGHT }, { "[D", KEY_LEFT },
	{ "OA", KEY_UP }, { "OB", KEY_DOWN }, { "OC", KEY_RIGHT }, { "OD", KEY_LEFT },
	{ "OP", KEY_F(1) }, { "[11~", KEY_F(1) }, { "[Z", KEY_BTAB },
};

/* The rest of an escape sequence ncurses did not know, Esc and `intro`
 * ('[' or 'O') already read: the key it stands for, UK_META | intro when
 * nothing follows (Alt+[ typed), or UK_NONE for one to drop. Read whole,
 * its bytes never become keys: "Esc [ 4 ~" used to be Alt+[, then 4
 * (History), then ~. */
static int
escape_sequence(wint_t intro)
{
	char seq[16];
	size_t n = 0, i;
	wint_t wc;
	int rc;

	seq[n++] = (char)intro;
	for (;;) {
		rc = get_wch(&wc);
		if (rc == ERR)
			return n == 1 ? UK_META | (int)intro : UK_NONE;
		if (rc != OK || wc > 0x7e || wc < 0x20)
			return UK_NONE;   /* not a sequence after all: drop it */
		if (n + 1 < sizeof(seq))
			seq[n++] = (char)wc;
		/* A CSI sequence ends with its first byte in @..~; SS3 is one. */
		if (intro == 'O' || wc >= 0x40)
			break;
	}
	seq[n] = '\0';
	for (i = 0; i < sizeof(extra_seqs) / sizeof(extra_seqs[0]); i++)
		if (strcmp(seq, extra_seqs[i].seq) == 0)
			return UK(extra_seqs[i].key);
	return UK_NONE;
}

static void
terminal_next(struct ui_input *in, int timeout_ms, struct input_event *ev)
{
	wint_t wc;
	int rc, key;

	(void)in;
	do {
		timeout(timeout_ms);
		rc = get_wch(&wc);
		if (rc == ERR) {
			ev->kind = IN_TIMEOUT;
			return;
		}
		key = normalize_key(rc, wc);
		if (key != UK_ESC)
			break;
		/* Alt+key arrives as Esc then the key; Esc alone has nothing
		 * behind it (ncurses already waited ESCDELAY). */
		timeout(0);
		rc = get_wch(&wc);
		if (rc == OK && (wc == '[' || wc == 'O'))
			key = escape_sequence(wc);
		else if (rc == OK && wc != 27 && wc >= 32)
			key = UK_META | (int)wc;
		else if (rc == KEY_CODE_YES)
			ungetch((int)wc);
		else if (rc != ERR)
			unget_wch((wchar_t)wc);
	} while (key == UK_NONE);
	ev->kind = IN_KEY;
	ev->key = key;
}

void
input_next(struct ui_input *in, int timeout_ms, struct input_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (in->npending) {
		ev->kind = IN_KEY;
		ev->key = in->pending[--in->npending];
		return;
	}
	if (in->script)
		script_next(in, ev);
	else
		terminal_next(in, timeout_ms, ev);
}
