/* prompt.c - readline in callback mode, fed from the app's keys. */
#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "curses_compat.h"
#include "draw.h"
#include "lists.h"

struct prompt {
	int active;
	enum prompt_kind kind;
	char *label;
	char *initial;
	prompt_fn fn;
	prompt_change_fn on_change;
	void *ctx;
	int y, x, w, anchored;
	/* Bytes waiting for rl_getc_function. */
	unsigned char queue[64];
	size_t qhead, qlen;
	int line_done;
	char *line;
	/* Completion candidates for the current Tab. */
	struct strlist cands;
	size_t cand_pos;
	FILE *rl_in, *rl_out;
};

/* Readline is a global; so is the app it edits for. */
static struct app *rl_app;

static struct prompt *
P(const struct app *a)
{
	return a->prompt;
}

static int
prompt_getc(FILE *f)
{
	struct prompt *p = rl_app->prompt;
	int c;

	(void)f;
	if (!p->qlen)
		return EOF;
	c = p->queue[p->qhead];
	p->qhead = (p->qhead + 1) % sizeof(p->queue);
	p->qlen--;
	return c;
}

static int
prompt_input_available(void)
{
	return rl_app->prompt->qlen > 0;
}

static void
prompt_redisplay(void)
{
	/* The app repaints the line after every key (prompt_draw). */
}

static void
prompt_prep_term(int meta)
{
	(void)meta;
}

static void
prompt_deprep_term(void)
{
}

static void
prompt_line_handler(char *line)
{
	struct prompt *p = rl_app->prompt;

	p->line_done = 1;
	p->line = line;
	rl_callback_handler_remove();
}

/* Readline lists matches (show-all-if-ambiguous): show them in the status
 * line instead of printing them. */
static void
prompt_display_matches(char **matches, int num, int max_length)
{
	char buf[400];
	size_t len = 0;
	int i;

	(void)max_length;
	len += (size_t)snprintf(buf, sizeof(buf), "%d matches:", num);
	for (i = 1; i <= num && len < sizeof(buf) - 1; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s", matches[i]);
	app_message(rl_app, MSG_INFO, "%s", buf);
}

static void
add_candidate(struct prompt *p, const char *s)
{
	size_t i;

	if (str_empty(s))
		return;
	for (i = 0; i < p->cands.n; i++)
		if (strcmp(p->cands.v[i], s) == 0)
			return;
	strlist_push(&p->cands, s);
}

static void
collect_candidates(struct app *a, struct prompt *p)
{
	enum prompt_kind k = p->kind;
	size_t i;

	strlist_clear(&p->cands);
	/* Recent values first (newest first), then the API lists. */
	for (i = a->recent[k].n; i > 0; i--)
		add_candidate(p, a->recent[k].v[i - 1]);
	if (k == PK_TEXT || k == PK_FILTER)
		return;
	lists_candidates(a, k, &p->cands);
}

static char *
prompt_generator(const char *text, int state)
{
	struct prompt *p = rl_app->prompt;
	size_t tl = strlen(text);

	if (state == 0) {
		collect_candidates(rl_app, p);
		p->cand_pos = 0;
	}
	while (p->cand_pos < p->cands.n) {
		const char *c = p->cands.v[p->cand_pos++];

		if (strncasecmp(c, text, tl) == 0)
			return strdup(c);
	}
	return NULL;
}

/* Only the first page of the list was loaded and nothing there (nor in
 * the field's history) starts with text: ask the server, as a read; the
 * next Tab completes from what it adds to the list. */
static void
complete_from_server(struct app *a, struct prompt *p, const char *text)
{
	enum list_kind k = lists_kind_of(p->kind);
	size_t i, tl = strlen(text);

	if (!tl || (k != LIST_SUBSCRIBERS && k != LIST_TOPICS) || !lists_incomplete(a, k))
		return;
	collect_candidates(a, p);
	for (i = 0; i < p->cands.n; i++)
		if (strncasecmp(p->cands.v[i], text, tl) == 0)
			return;
	if (lists_search(a, k, text, NULL) == 0)
		app_message(a, MSG_INFO, "not among the %zu loaded: searching the server for "
		            "\"%s\" (Tab again when done)", lists_count(a, k), text);
}

static char **
prompt_complete(const char *text, int start, int end)
{
	struct prompt *p = rl_app->prompt;

	(void)start;
	(void)end;
	if (p->kind == PK_PATH) {
		/* readline's own file name completion */
		rl_attempted_completion_over = 0;
		return NULL;
	}
	rl_attempted_completion_over = 1;
	if (p->kind != PK_TEXT && p->kind != PK_FILTER && !lists_loaded(rl_app, p->kind))
		app_message(rl_app, MSG_INFO, "the API list is still loading; completing from history");
	else
		complete_from_server(rl_app, p, text);
	return rl_completion_matches(text, prompt_generator);
}

void
prompt_init(struct app *a)
{
	struct prompt *p = must_calloc(1, sizeof(*p));

	a->prompt = p;
	rl_app = a;
	/* Readline must never touch the terminal curses owns, nor LINES and
	 * COLUMNS in the environment. */
	p->rl_in = fopen("/dev/null", "r");
	p->rl_out = fopen("/dev/null", "w");
	rl_instream = p->rl_in;
	rl_outstream = p->rl_out;
	rl_readline_name = "novu-console";
	rl_getc_function = prompt_getc;
	rl_input_available_hook = prompt_input_available;
	rl_redisplay_function = prompt_redisplay;
	rl_prep_term_function = prompt_prep_term;
	rl_deprep_term_function = prompt_deprep_term;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_completion_display_matches_hook = prompt_display_matches;
	rl_attempted_completion_function = prompt_complete;
	/* Read ~/.inputrc now, then override what must hold here: Esc ends
	 * the edit, so vi mode cannot work; nothing may ring or paste-bracket
	 * on a terminal readline does not own. */
	rl_initialize();
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("editing-mode", "emacs");
	using_history();
}

void
prompt_cleanup(struct app *a)
{
	struct prompt *p = a->prompt;

	if (!p)
		return;
	if (p->active)
		rl_callback_handler_remove();
	clear_history();
	strlist_clear(&p->cands);
	free(p->label);
	free(p->initial);
	if (p->rl_in)
		fclose(p->rl_in);
	if (p->rl_out)
		fclose(p->rl_out);
	rl_instream = rl_outstream = NULL;
	free(p);
	a->prompt = NULL;
}

void
prompt_start(struct app *a, enum prompt_kind kind, const char *label,
             const char *initial, prompt_fn fn, void *ctx)
{
	struct prompt *p = P(a);
	size_t i;

	if (p->active)
		prompt_cancel(a);
	p->active = 1;
	p->kind = kind;
	str_set(&p->label, label);
	str_set(&p->initial, initial ? initial : "");
	p->fn = fn;
	p->ctx = ctx;
	p->on_change = NULL;
	p->qhead = p->qlen = 0;
	p->line_done = 0;
	p->line = NULL;
	p->anchored = 0;
	clear_history();
	for (i = 0; i < a->recent[kind].n; i++)
		add_history(a->recent[kind].v[i]);
	rl_completer_word_break_characters = kind == PK_PATH ? " \t\n" : " \t\n,";
	rl_callback_handler_install("", prompt_line_handler);
	if (initial && *initial)
		rl_insert_text(initial);
	rl_point = rl_end;
	curs_set(1);
	app_redraw(a);
}

void
prompt_on_change(struct app *a, prompt_change_fn fn)
{
	P(a)->on_change = fn;
}

int
prompt_active(const struct app *a)
{
	return a->prompt && a->prompt->active;
}

const char *
prompt_text(const struct app *a)
{
	return prompt_active(a) ? rl_line_buffer : NULL;
}

void
prompt_anchor(struct app *a, int y, int x, int w)
{
	struct prompt *p = P(a);

	p->y = y;
	p->x = x;
	p->w = w;
	p->anchored = 1;
}

void
prompt_unanchor(struct app *a)
{
	if (a->prompt)
		a->prompt->anchored = 0;
}

/* End the prompt and run the callback with line (NULL: cancelled). */
static void
prompt_finish(struct app *a, char *line)
{
	struct prompt *p = P(a);
	prompt_fn fn = p->fn;
	void *ctx = p->ctx;
	enum prompt_kind kind = p->kind;

	p->active = 0;
	p->fn = NULL;
	p->on_change = NULL;
	curs_set(0);
	if (line)
		str_trim(line);
	if (line && kind != PK_TEXT && kind != PK_FILTER)
		app_remember(a, kind, line);
	if (fn)
		fn(a, ctx, line);
	free(line);
	app_redraw(a);
}

void
prompt_cancel(struct app *a)
{
	struct prompt *p = P(a);
	char *typed;

	if (!p->active)
		return;
	/* Keep what was typed reachable with Up in this field. */
	typed = must_strdup(rl_line_buffer);
	str_trim(typed);
	if (*typed && strcmp(typed, p->initial) != 0 && p->kind != PK_TEXT)
		app_remember(a, p->kind, typed);
	free(typed);
	rl_callback_sigcleanup();
	rl_replace_line("", 1);
	rl_callback_handler_remove();
	prompt_finish(a, NULL);
}

static void
queue_byte(struct prompt *p, unsigned char c)
{
	if (p->qlen < sizeof(p->queue)) {
		p->queue[(p->qhead + p->qlen) % sizeof(p->queue)] = c;
		p->qlen++;
	}
}

static void
queue_codepoint(struct prompt *p, int cp)
{
	char buf[8];
	mbstate_t st;
	size_t n, i;

	memset(&st, 0, sizeof(st));
	n = wcrtomb(buf, (wchar_t)cp, &st);
	if (n == (size_t)-1)
		return;
	for (i = 0; i < n; i++)
		queue_byte(p, (unsigned char)buf[i]);
}

/* Translate a key into what readline expects to read. Returns 0 when the
 * key means nothing to readline. */
static int
queue_key(struct prompt *p, int key)
{
	static const struct { int key; unsigned char c; } map[] = {
		{ UK(KEY_LEFT), 2 }, { UK(KEY_RIGHT), 6 }, { UK(KEY_HOME), 1 },
		{ UK(KEY_END), 5 }, { UK(KEY_UP), 16 }, { UK(KEY_DOWN), 14 },
		{ UK(KEY_BACKSPACE), 127 }, { UK_ENTER, '\r' }, { UK_TAB, '\t' },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].key == key) {
			queue_byte(p, map[i].c);
			return 1;
		}
	}
	if (key == UK(KEY_DC)) {
		/* Delete the character under the cursor without readline's
		 * "^D on an empty line is EOF" meaning. */
		if (rl_point < rl_end)
			rl_delete(1, 0);
		return 1;
	}
	if (key & UK_META) {
		queue_byte(p, 27);
		queue_codepoint(p, key & ~UK_META);
		return 1;
	}
	if (key >= UK_FN)
		return 0;
	queue_codepoint(p, key);
	return 1;
}

unsigned
prompt_key(struct app *a, int key)
{
	struct prompt *p = P(a);
	char *before;

	if (!p->active)
		return 0;
	if (key == UK_ESC || key == UK_CTRL('g') || key == UK_CTRL('c')) {
		prompt_cancel(a);
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == UK(KEY_RESIZE))
		return 0;
	before = must_strdup(rl_line_buffer);
	if (queue_key(p, key)) {
		while (p->qlen && !p->line_done)
			rl_callback_read_char();
		p->qlen = 0;
	}
	if (p->line_done) {
		free(before);
		prompt_finish(a, p->line);
		return UI_HANDLED | UI_REDRAW;
	}
	if (p->on_change && strcmp(before, rl_line_buffer) != 0)
		p->on_change(a, p->ctx, rl_line_buffer);
	free(before);
	return UI_HANDLED | UI_REDRAW;
}

void
prompt_draw(struct app *a)
{
	struct prompt *p = P(a);
	const char *buf;
	size_t start, point;
	int y, x, w, used;

	if (!p || !p->active)
		return;
	if (p->anchored) {
		y = p->y;
		x = p->x;
		w = p->w;
	} else {
		y = LINES - 2;
		draw_blank(y, 0, COLS, ROLE_NORMAL);
		x = draw_text(y, 0, COLS / 2, p->label, ROLE_LABEL);
		x += draw_text(y, x, 2, ": ", ROLE_LABEL);
		w = COLS - x;
	}
	if (w < 2 || y < 0)
		return;
	buf = rl_line_buffer ? rl_line_buffer : "";
	point = (size_t)(rl_point < 0 ? 0 : rl_point);
	if (point > strlen(buf))
		point = strlen(buf);
	/* Scroll so the cursor stays visible, one column kept for it. */
	start = utf8_fit_before(buf, point, w - 1);
	draw_text_pad(y, x, w, buf + start, ROLE_INPUT);
	used = utf8_width_n(buf + start, point - start);
	move(y, x + used);
}
