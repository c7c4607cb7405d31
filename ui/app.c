/* app.c - ui_run(): terminal set-up, the main loop, the bars, view stacks
 * and the global keys. */
#include "app.h"

#include <errno.h>
#include <locale.h>
#include <langinfo.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "compose.h"
#include "crashguard.h"
#include "curses_compat.h"
#include "dialog.h"
#include "draft.h"
#include "draw.h"
#include "errlog.h"
#include "input.h"
#include "lists.h"
#include "prompt.h"
#include "worker.h"

#define RECENT_MAX 50
#define MIN_COLS 40
#define MIN_ROWS 10
/* A message said while a request runs ("^S: a request is running") shows
 * over its spinner this long, so it is seen. */
#define MSG_OVER_SPINNER_MS 3000

static const struct {
	const char *name, *shortname;
	const struct view_ops *ops;
} screens[SCR_COUNT] = {
	{ "Trigger", "Trig", &scr_trigger_ops },
	{ "Broadcast", "Bcast", &scr_broadcast_ops },
	{ "Bulk", "Bulk", &scr_bulk_ops },
	{ "History", "Hist", &scr_history_ops },
	{ "Errors", "Err", &scr_errors_ops },
	{ "Activity", "Act", &scr_activity_ops },
};

static const char *const recent_names[PK_COUNT] = {
	"text", "workflow", "subscriber", "topic", "tenant", "path", "filter", "transactionId"
};

/* Set by SIGTERM/SIGHUP: save drafts and leave cleanly. */
static volatile sig_atomic_t got_term;

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* ---- views ---- */

static struct view *
view_new(const struct view_ops *ops)
{
	struct view *v = must_calloc(1, sizeof(*v));

	v->ops = ops;
	v->priv = must_calloc(1, ops->private_size ? ops->private_size : 1);
	return v;
}

static void
view_free(struct app *a, struct view *v)
{
	if (v->ops->done)
		v->ops->done(a, v);
	free(v->priv);
	free(v);
}

void *
view_push_on(struct app *a, enum ui_screen scr, const struct view_ops *ops)
{
	struct view *v = view_new(ops);

	v->below = a->stack[scr];
	a->stack[scr] = v;
	a->dirty = 1;
	if (ops->open)
		ops->open(a, v);
	return v->priv;
}

void *
view_push(struct app *a, const struct view_ops *ops)
{
	return view_push_on(a, a->screen, ops);
}

static void
view_pop_on(struct app *a, enum ui_screen scr)
{
	struct view *v = a->stack[scr];

	if (!v || !v->below)
		return;
	a->stack[scr] = v->below;
	view_free(a, v);
	a->dirty = 1;
}

void
view_pop(struct app *a)
{
	view_pop_on(a, a->screen);
}

/* Unlink v wherever it is in the current stack (a handler may have pushed
 * a new view over itself before asking to be closed). Never the screen. */
static void
view_remove(struct app *a, struct view *v)
{
	struct view **pp = &a->stack[a->screen];

	while (*pp && *pp != v)
		pp = &(*pp)->below;
	if (!*pp || !v->below)
		return;
	*pp = v->below;
	view_free(a, v);
	a->dirty = 1;
}

void
app_unwind(struct app *a, enum ui_screen scr)
{
	if (prompt_active(a))
		prompt_cancel(a);
	while (a->stack[scr] && a->stack[scr]->below)
		view_pop_on(a, scr);
}

struct view *
app_top(struct app *a)
{
	return a->stack[a->screen];
}

void *
app_screen_priv(struct app *a, enum ui_screen scr)
{
	struct view *v = a->stack[scr];

	while (v && v->below)
		v = v->below;
	return v ? v->priv : NULL;
}

void
app_switch(struct app *a, enum ui_screen scr)
{
	if (scr >= SCR_COUNT)
		return;
	if (prompt_active(a))
		prompt_cancel(a);
	a->screen = scr;
	if (scr == SCR_ERRORS)
		a->errors->unseen = 0;
	a->dirty = 1;
}

void
app_message(struct app *a, enum msg_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
	a->msg_kind = kind;
	a->msg_at = clock_mono_ms();
	a->dirty = 1;
}

void
app_message_clear(struct app *a)
{
	a->msg[0] = '\0';
	a->dirty = 1;
}

void
app_redraw(struct app *a)
{
	a->dirty = 1;
}

int
app_body_y(const struct app *a)
{
	(void)a;
	return 1;
}

int
app_body_h(const struct app *a)
{
	(void)a;
	return LINES - 3 > 0 ? LINES - 3 : 0;
}

/* ---- per-field history, persisted as the "recent" draft ---- */

static void
recent_save(struct app *a)
{
	cJSON *doc = cJSON_CreateObject();
	struct nc_error err = NC_ERROR_INIT;
	size_t i, k;

	if (!doc)
		return;
	for (k = 0; k < PK_COUNT; k++) {
		cJSON *arr;

		if (!a->recent[k].n)
			continue;
		arr = cJSON_AddArrayToObject(doc, recent_names[k]);
		for (i = 0; arr && i < a->recent[k].n; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(a->recent[k].v[i]));
	}
	if (draft_write("recent", doc, 0, &err) != NC_OK)
		app_message(a, MSG_WARN, "%s", err.message ? err.message : "cannot save history");
	nc_error_clear(&err);
	cJSON_Delete(doc);
}

static void
recent_load(struct app *a)
{
	cJSON *doc = NULL, *item;
	struct nc_error err = NC_ERROR_INIT;
	size_t k;

	if (draft_read("recent", &doc, &err) != NC_OK)
		app_message(a, MSG_WARN, "%s", err.message ? err.message : "cannot read history");
	nc_error_clear(&err);
	if (!doc)
		return;
	for (k = 0; k < PK_COUNT; k++) {
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, recent_names[k]))
			if (cJSON_IsString(item))
				strlist_remember(&a->recent[k], item->valuestring, RECENT_MAX);
	}
	cJSON_Delete(doc);
}

void
app_remember(struct app *a, enum prompt_kind kind, const char *value)
{
	if (str_empty(value) || (unsigned)kind >= PK_COUNT)
		return;
	if (a->recent[kind].n && strcmp(a->recent[kind].v[a->recent[kind].n - 1], value) == 0)
		return;
	strlist_remember(&a->recent[kind], value, RECENT_MAX);
	recent_save(a);
}

/* ---- drawing ---- */

/* Width of the tab strip with names of the given style (0 full, 1 short,
 * 2 numbers only). */
static int
tabs_width(struct app *a, int style)
{
	char tab[48];
	int i, need = 0;

	for (i = 0; i < SCR_COUNT; i++) {
		const char *nm = style == 0 ? screens[i].name : style == 1 ? screens[i].shortname : "";

		if (i == SCR_ERRORS && a->errors->n)
			snprintf(tab, sizeof(tab), " %d%s%s(%zu) ", i + 1, *nm ? " " : "", nm,
			         a->errors->n);
		else
			snprintf(tab, sizeof(tab), " %d%s%s ", i + 1, *nm ? " " : "", nm);
		need += utf8_width(tab);
	}
	return need;
}

/* The region, unless the sandbox marker says it all. */
static int
show_region(const struct app *a)
{
	const char *r = a->s->profile.region;

	return r && *r && !(a->s->sandbox && strcmp(r, "sandbox") == 0);
}

/* Profile, region and markers, right-aligned in at most w columns. */
static void
draw_profile(struct app *a, int w)
{
	const struct nc_profile *p = &a->s->profile;
	/* The embedded sandbox's profile is named "sandbox" (for History);
	 * the marker already says so, so say why instead. */
	const char *name = a->s->sandbox && p->name && strcmp(p->name, "sandbox") == 0
	                   ? "(no key)" : p->name ? p->name : "(none)";
	int marks = (p->read_only ? 10 : 0) + (a->s->sandbox ? 8 : 0);
	int region = show_region(a) ? utf8_width(p->region) + 1 : 0;
	int namew = utf8_width(name), x, used;

	if (namew + region + marks > w)
		region = 0;
	if (namew + marks > w)
		namew = w - marks;
	/* A name cut to under 3 columns says nothing: leave it out, but never
	 * READ-ONLY or sandbox. (A short name such as "ro" is drawn whole.) */
	if (namew < 3 && namew < utf8_width(name))
		namew = 0;
	if (namew + marks > w || (namew == 0 && marks == 0))
		return;
	x = COLS - (namew + region + marks);
	used = namew ? draw_text_cut(0, x, namew, name, ROLE_TOPBAR) : 0;
	if (region) {
		used += draw_text(0, x + used, 1, " ", ROLE_TOPBAR);
		used += draw_text(0, x + used, region - 1, p->region, ROLE_TOPBAR);
	}
	if (p->read_only) {
		used += draw_text(0, x + used, 1, " ", ROLE_TOPBAR);
		used += draw_text(0, x + used, 9, "READ-ONLY", ROLE_READONLY);
	}
	if (a->s->sandbox) {
		used += draw_text(0, x + used, 1, " ", ROLE_TOPBAR);
		draw_text(0, x + used, 7, "sandbox", ROLE_SANDBOX);
	}
}

static void
draw_top_bar(struct app *a)
{
	const struct nc_profile *p = &a->s->profile;
	char tab[48];
	int style, x = 0, i, rightw;

	draw_blank(0, 0, COLS, ROLE_TOPBAR);
	rightw = utf8_width(p->name ? p->name : "(none)") +
		(show_region(a) ? utf8_width(p->region) + 1 : 0) + (p->read_only ? 10 : 0) +
		(a->s->sandbox ? 8 : 0) + 1;
	/* Full names, then short ones (cutting the profile name if need be),
	 * then numbers only. */
	if (tabs_width(a, 0) + rightw <= COLS)
		style = 0;
	else if (tabs_width(a, 1) + 12 <= COLS)
		style = 1;
	else
		style = 2;
	for (i = 0; i < SCR_COUNT; i++) {
		const char *nm = style == 0 ? screens[i].name : style == 1 ? screens[i].shortname : "";
		int active = (int)a->screen == i;

		if (i == SCR_ERRORS && a->errors->n)
			snprintf(tab, sizeof(tab), "%c%d%s%s(%zu)%c", active ? '[' : ' ', i + 1,
			         *nm ? " " : "", nm, a->errors->n, active ? ']' : ' ');
		else
			snprintf(tab, sizeof(tab), "%c%d%s%s%c", active ? '[' : ' ', i + 1,
			         *nm ? " " : "", nm, active ? ']' : ' ');
		x += draw_text(0, x, COLS - x, tab, active ? ROLE_TAB : ROLE_TOPBAR);
	}
	draw_profile(a, COLS - x - 1);
}

/* The key for req in maps, as shown in bars ("^S"). 0 if unbound. */
static int
key_for(const struct keymap *const *maps, enum ui_req req, char *buf, size_t size)
{
	size_t i;

	for (; maps && *maps; maps++)
		for (i = 0; i < (*maps)->n; i++)
			if ((*maps)->binds[i].req == req) {
				keymap_key_name((*maps)->binds[i].key, buf, size);
				return 1;
			}
	return 0;
}

static int
draw_bar_item(int x, const char *key, const char *label)
{
	int used;

	if (x + utf8_width(key) + utf8_width(label) + 2 > COLS)
		return -1;
	used = draw_text(LINES - 1, x, COLS - x, key, ROLE_BARKEY);
	used += draw_text(LINES - 1, x + used, COLS - x - used, " ", ROLE_BAR);
	used += draw_text(LINES - 1, x + used, COLS - x - used, label, ROLE_BAR);
	used += draw_text(LINES - 1, x + used, COLS - x - used, "  ", ROLE_BAR);
	return x + used;
}

static const struct keymap *const global_maps[] = { &km_global, NULL };
static const struct keymap *const prompt_maps[] = { &km_prompt, NULL };

/* The requests of the KB_BAR bindings in the view's own keymaps. */
static size_t
bar_requests(const struct keymap *const *maps, enum ui_req *reqs, size_t max)
{
	size_t n = 0, i, k;

	for (; maps && *maps && n < max; maps++) {
		if (*maps == &km_global || *maps == &km_move)
			continue;
		for (i = 0; i < (*maps)->n && n < max; i++) {
			if (!((*maps)->binds[i].flags & KB_BAR))
				continue;
			for (k = 0; k < n && reqs[k] != (*maps)->binds[i].req; k++)
				;
			if (k == n)
				reqs[n++] = (*maps)->binds[i].req;
		}
	}
	return n;
}

static void
draw_key_bar(struct app *a)
{
	struct view *v = app_top(a);
	const struct keymap *const *maps = prompt_active(a) ? prompt_maps : v->ops->keymaps;
	enum ui_req reqs[24];
	size_t n, i;
	char key[32];
	int x = 1;

	draw_blank(LINES - 1, 0, COLS, ROLE_BAR);
	if (!prompt_active(a) && v->ops->bar)
		n = v->ops->bar(a, v, reqs, 20);
	else
		n = bar_requests(maps, reqs, 20);
	if (!prompt_active(a) && !(v->ops->flags & VIEW_MODAL)) {
		if (worker_sending(a->worker))
			reqs[n++] = REQ_STOP_SEND;
		if (v->below)
			reqs[n++] = REQ_BACK;
		reqs[n++] = REQ_HELP;
	}
	for (i = 0; i < n && x >= 0; i++) {
		if (!key_for(maps, reqs[i], key, sizeof(key)) &&
		    (prompt_active(a) || (v->ops->flags & VIEW_MODAL) ||
		     !key_for(global_maps, reqs[i], key, sizeof(key))))
			continue;
		x = draw_bar_item(x, key, ui_req_label(reqs[i]));
	}
}

static void
draw_progress(int y, int x, size_t done, size_t total)
{
	char figures[48];
	int barw, fill, i;

	snprintf(figures, sizeof(figures), " %zu/%zu", done, total);
	barw = COLS - x - 3 - utf8_width(figures);
	if (barw < 5 || total == 0)
		return;
	fill = (int)((double)barw * (double)done / (double)total);
	mvaddch(y, x + 1, '[');
	for (i = 0; i < barw; i++)
		mvaddch(y, x + 2 + i, i < fill ? '#' : '.');
	mvaddch(y, x + 2 + barw, ']');
	draw_text(y, x + 3 + barw, COLS - x - 3 - barw, figures, ROLE_NORMAL);
}

/* 1 while a message said since the running job started is fresh. */
static int
message_over_spinner(struct app *a)
{
	return a->msg[0] && a->msg_at >= worker_started_ms(a->worker) &&
	       clock_mono_ms() - a->msg_at < MSG_OVER_SPINNER_MS;
}

static void
draw_status_line(struct app *a)
{
	static const char spinner[] = "-\\|/";
	static const enum ui_role roles[] = { ROLE_NORMAL, ROLE_OK, ROLE_WARN, ROLE_ERROR };
	char label[256], line[320];
	size_t done, total;
	int y = LINES - 2, x;

	draw_blank(y, 0, COLS, ROLE_NORMAL);
	if (!worker_status(a->worker, label, sizeof(label), &done, &total) ||
	    message_over_spinner(a)) {
		if (a->msg[0])
			draw_text_cut(y, 0, COLS, a->msg, roles[a->msg_kind]);
		return;
	}
	snprintf(line, sizeof(line), "%c %s%s", spinner[a->spin % 4], label,
	         worker_aborting(a->worker) ? " (stopping)" :
	         worker_sending(a->worker) ? " (^X stops waiting)" : " (Esc stops waiting)");
	if (total > 0) {
		x = draw_text(y, 0, COLS * 2 / 3, line, ROLE_WARN);
		draw_progress(y, x, done, total);
	} else {
		draw_text_cut(y, 0, COLS, line, ROLE_WARN);
	}
}

/* Draw the stack from the lowest view that must show (overlays draw the
 * view below them first). */
static void
draw_stack(struct app *a, struct view *v, int y, int h)
{
	if (!v)
		return;
	if ((v->ops->flags & VIEW_OVERLAY) && v->below)
		draw_stack(a, v->below, y, h);
	v->ops->draw(a, v, y, 0, h, COLS);
}

static int
terminal_too_small(void)
{
	return COLS < MIN_COLS || LINES < MIN_ROWS;
}

static void
app_draw(struct app *a)
{
	erase();
	curs_set(0);
	prompt_unanchor(a);
	if (terminal_too_small()) {
		draw_text(0, 0, COLS, "Terminal too small", ROLE_ERROR);
		mvprintw(1, 0, "need %dx%d, have %dx%d", MIN_COLS, MIN_ROWS, COLS, LINES);
		mvprintw(2, 0, "q quits");
		wnoutrefresh(stdscr);
		return;
	}
	draw_top_bar(a);
	draw_stack(a, app_top(a), app_body_y(a), app_body_h(a));
	draw_status_line(a);
	draw_key_bar(a);
	if (prompt_active(a)) {
		curs_set(1);
		prompt_draw(a);
	}
	wnoutrefresh(stdscr);
	a->dirty = 0;
}

/* ---- dump for tests ---- */

int
ui_dump_screen(const char *path)
{
	FILE *f = fopen(path, "w");
	wchar_t wbuf[1024];
	char line[4096];
	int y, n, i;

	if (!f)
		return -1;
	for (y = 0; y < LINES; y++) {
		size_t len = 0;
		mbstate_t st;

		memset(&st, 0, sizeof(st));
		n = mvinnwstr(y, 0, wbuf, COLS < 1000 ? COLS : 1000);
		for (i = 0; i < n && len + MB_LEN_MAX < sizeof(line); i++) {
			size_t k = wcrtomb(line + len, wbuf[i], &st);

			if (k == (size_t)-1)
				line[len++] = '?';
			else
				len += k;
		}
		while (len && line[len - 1] == ' ')
			len--;
		line[len] = '\0';
		fprintf(f, "%s\n", line);
	}
	return fclose(f);
}

/* ---- global requests ---- */

static void
quit_confirmed(struct app *a, void *ctx, int yes)
{
	(void)ctx;
	if (!yes)
		return;
	worker_abort(a->worker);
	a->quit = 1;
}

static void
stop_send_confirmed(struct app *a, void *ctx, int yes)
{
	(void)ctx;
	if (!yes || !worker_sending(a->worker))
		return;
	worker_abort(a->worker);
	app_message(a, MSG_WARN, "stopping the send (recorded as unknown)...");
}

int
app_send_when_idle(struct app *a, void (*fn)(struct app *a, void *ctx), void *ctx)
{
	if (worker_sending(a->worker)) {
		app_message(a, MSG_WARN, "a send is running; send again when it ends");
		return 0;
	}
	a->idle_send = fn;
	a->idle_ctx = ctx;
	app_message(a, MSG_INFO, "sending once the loading ends (Esc stops the loading, ^X "
	            "drops the send)");
	return 1;
}

/* The send that waited for the worker, now that it is idle. It runs the
 * send key's own checks again: the form may have changed meanwhile. */
static void
run_idle_send(struct app *a)
{
	void (*fn)(struct app *, void *) = a->idle_send;

	if (!fn || worker_busy(a->worker))
		return;
	a->idle_send = NULL;
	fn(a, a->idle_ctx);
}

/* ^X: a send may reach Novu even when we stop waiting, so ask first. */
static unsigned
stop_send(struct app *a)
{
	if (!worker_sending(a->worker) && a->idle_send) {
		a->idle_send = NULL;
		app_message(a, MSG_INFO, "the send that was waiting was dropped: nothing "
		            "was sent");
	} else if (worker_sending(a->worker)) {
		dialog_confirm(a, "Stop the send", "Stop waiting for the send? It may still "
		               "reach Novu; it will be recorded as unknown.",
		               stop_send_confirmed, NULL);
	} else if (worker_busy(a->worker)) {
		worker_abort(a->worker);
		app_message(a, MSG_WARN, "stopping the request...");
	} else {
		app_message(a, MSG_INFO, "no send is running");
	}
	return UI_HANDLED | UI_REDRAW;
}

/* Esc: close the top view; a READ being waited for stops first (it loses
 * nothing), a send never does (^X). */
static unsigned
go_back(struct app *a)
{
	if (worker_busy(a->worker) && !worker_sending(a->worker)) {
		worker_abort(a->worker);
		app_message(a, MSG_WARN, "stopping the request...");
	} else if (app_top(a)->below) {
		view_pop(a);
	} else if (worker_sending(a->worker)) {
		app_message(a, MSG_INFO, "the send goes on: ^X stops waiting for it");
	}
	return UI_HANDLED | UI_REDRAW;
}

static const struct view_ops *
top_ops(struct app *a)
{
	return app_top(a)->ops;
}

static unsigned
global_request(struct app *a, enum ui_req req)
{
	switch (req) {
	case REQ_HELP:
		if (top_ops(a) != &scr_help_ops)
			view_push(a, &scr_help_ops);
		return UI_HANDLED | UI_REDRAW;
	case REQ_QUIT:
		if (worker_busy(a->worker)) {
			dialog_confirm(a, "Quit", "A request is still running. Stop waiting and quit?",
			               quit_confirmed, NULL);
			return UI_HANDLED | UI_REDRAW;
		}
		return UI_HANDLED | UI_QUIT;
	case REQ_BACK:
		return go_back(a);
	case REQ_STOP_SEND:
		return stop_send(a);
	case REQ_SCREEN_TRIGGER:
	case REQ_SCREEN_BROADCAST:
	case REQ_SCREEN_BULK:
	case REQ_SCREEN_HISTORY:
	case REQ_SCREEN_ERRORS:
	case REQ_SCREEN_ACTIVITY:
		app_switch(a, (enum ui_screen)(req - REQ_SCREEN_TRIGGER));
		return UI_HANDLED | UI_REDRAW;
	case REQ_NEXT_SCREEN:
		app_switch(a, (enum ui_screen)((a->screen + 1) % SCR_COUNT));
		return UI_HANDLED | UI_REDRAW;
	case REQ_PREV_SCREEN:
		app_switch(a, (enum ui_screen)((a->screen + SCR_COUNT - 1) % SCR_COUNT));
		return UI_HANDLED | UI_REDRAW;
	case REQ_REDRAW:
		clearok(curscr, TRUE);
		return UI_HANDLED | UI_REDRAW;
	default:
		return 0;
	}
}

static void
handle_key(struct app *a, int key)
{
	struct view *v;
	enum ui_req req;
	unsigned r;
	int modal;

	if (key == UK(KEY_RESIZE)) {
		a->dirty = 1;
		return;
	}
	if (terminal_too_small()) {
		/* Only "Terminal too small" is drawn: a key must not reach a
		 * dialog or form the user cannot see (a blind y started a bulk
		 * run, a blind workflow ID confirmed a broadcast). q, which that
		 * screen offers, quits (asking first, once there is room, if a
		 * request runs). */
		if (key == 'q' && (global_request(a, REQ_QUIT) & UI_QUIT))
			a->quit = 1;
		a->dirty = 1;
		return;
	}
	if (prompt_active(a)) {
		prompt_key(a, key);
		return;
	}
	v = app_top(a);
	/* Esc first stops a running read, whatever is open; never a send. */
	if (key == UK_ESC && worker_busy(a->worker) && !worker_sending(a->worker) &&
	    !(v->ops->flags & VIEW_MODAL)) {
		global_request(a, REQ_BACK);
		return;
	}
	req = keymap_lookup(v->ops->keymaps, key);
	/* v may be gone after its handler: a dialog pops itself, UI_POP
	 * frees it below. Nothing reads v after that. */
	modal = (v->ops->flags & VIEW_MODAL) != 0;
	r = v->ops->handle ? v->ops->handle(a, v, req, key) : 0;
	if (r & UI_POP)
		view_remove(a, v);
	if (!(r & UI_HANDLED) && !modal)
		r |= global_request(a, keymap_lookup(global_maps, key));
	if (r & UI_QUIT)
		a->quit = 1;
	a->dirty = 1;
}

static void
run_command(struct app *a, const char *cmd)
{
	int cols, rows;

	if (strncmp(cmd, "save-screen ", 12) == 0) {
		if (ui_dump_screen(cmd + 12) != 0)
			fprintf(stderr, "novu-console: cannot write %s: %s\n", cmd + 12, strerror(errno));
	} else if (sscanf(cmd, "resize %d %d", &cols, &rows) == 2) {
		resizeterm(rows, cols);
		a->dirty = 1;
	} else if (strcmp(cmd, "wait") == 0) {
		worker_wait_idle(a->worker, a);
	} else if (strcmp(cmd, "quit") == 0) {
		a->quit = 1;
	} else {
		fprintf(stderr, "novu-console: unknown script command :%s\n", cmd);
	}
}

/* ---- set-up ---- */

static SCREEN *term_screen;
static FILE *term_out, *term_in;

static void
fatal_endwin(void)
{
	endwin();
}

/* Make sure multibyte text works even under LANG=C. */
static void
ensure_utf8_locale(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8") != 0)
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "en_US.UTF-8");
}

static int
terminal_open(int no_display)
{
	if (!getenv("ESCDELAY"))
		set_escdelay(40);
	if (no_display) {
		const char *term = getenv("TERM");

		term_out = fopen("/dev/null", "w");
		term_in = fopen("/dev/null", "r");
		if (!term_out || !term_in)
			return -1;
		term_screen = newterm(term && *term ? term : "xterm", term_out, term_in);
		if (!term_screen)
			term_screen = newterm("xterm", term_out, term_in);
	} else {
		crashguard_save(fileno(stdout));
		term_screen = newterm(NULL, stdout, stdin);
	}
	if (!term_screen)
		return -1;
	set_term(term_screen);
	crashguard_install();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	ui_colors_init();
	return 0;
}

static void
terminal_close(void)
{
	crashguard_remove();
	endwin();
	if (term_screen)
		delscreen(term_screen);
	term_screen = NULL;
	if (term_out)
		fclose(term_out);
	if (term_in)
		fclose(term_in);
	term_out = term_in = NULL;
}

static void
screens_open(struct app *a)
{
	int i;

	for (i = 0; i < SCR_COUNT; i++) {
		struct view *v = view_new(screens[i].ops);

		a->stack[i] = v;
		a->screen = (enum ui_screen)i;
		if (v->ops->open)
			v->ops->open(a, v);
	}
	a->screen = SCR_TRIGGER;
}

static void
screens_close(struct app *a)
{
	int i;

	for (i = 0; i < SCR_COUNT; i++) {
		while (a->stack[i]) {
			struct view *v = a->stack[i];

			a->stack[i] = v->below;
			view_free(a, v);
		}
	}
}

static void
lists_ready(struct app *a)
{
	app_redraw(a);
}

static void
main_loop(struct app *a)
{
	struct input_event ev;
	int script = input_is_script(a->in);

	while (!a->quit && !got_term) {
		/* A script sees the screen only once the worker is idle, so
		 * dumps never catch a spinner half-way. */
		if (script)
			worker_wait_idle(a->worker, a);
		worker_poll(a->worker, a);
		run_idle_send(a);
		app_draw(a);
		doupdate();
		a->frames++;
		if (a->frames == 1)
			crashguard_test_hook();
		if (a->opt->max_frames > 0 && a->frames >= a->opt->max_frames)
			break;
		input_next(a->in, worker_busy(a->worker) ? 100 : 1000, &ev);
		switch (ev.kind) {
		case IN_EOF:
			a->quit = 1;
			break;
		case IN_COMMAND:
			run_command(a, ev.command);
			break;
		case IN_TIMEOUT:
			a->spin++;
			scr_activity_tick(a);
			scr_history_tick(a);
			break;
		case IN_KEY:
			handle_key(a, ev.key);
			break;
		}
	}
}

/* At quit: every draft to the disk for good (fsync'd). */
static void
save_all_drafts(struct app *a)
{
	int i;

	a->sync_drafts = 1;
	for (i = 0; i < 2; i++)
		if (a->forms[i])
			compose_save_draft(a, a->forms[i]);
	scr_bulk_save(a);
	a->sync_drafts = 0;
}

/* Everything up to the first frame. */
static void
app_start(struct app *a)
{
	struct nc_session *s = a->s;

	ui_set_fatal_hook(fatal_endwin);
	signal(SIGTERM, on_term);
	signal(SIGHUP, on_term);
	signal(SIGINT, on_term);
	a->worker = worker_new();
	if (s->client) {
		client_set_abort_flag(s->client, worker_abort_flag(a->worker));
		client_set_retry_callback(s->client, worker_note_retry, a->worker);
	}
	errlog_init(a);
	lists_init(a);
	prompt_init(a);
	recent_load(a);
	screens_open(a);
	if (s->history_note)
		app_message(a, MSG_WARN, "%s", s->history_note);
	else if (!s->history)
		app_message(a, MSG_WARN, "history is not available: sends are not recorded");
	if (s->client)
		lists_fetch(a, LIST_WORKFLOWS | LIST_SUBSCRIBERS | LIST_TOPICS, NULL, lists_ready);
}

static void
app_stop(struct app *a)
{
	int i;

	/* Let a running request finish or stop (its answer still lands in
	 * the form and History), then save the forms with whatever is being
	 * typed; the edit is then dropped without touching the drafts. */
	worker_free(a->worker, a);
	a->worker = NULL;
	if (a->s->client) {
		client_set_abort_flag(a->s->client, NULL);
		client_set_retry_callback(a->s->client, NULL, NULL);
	}
	save_all_drafts(a);
	a->quitting = 1;
	if (prompt_active(a))
		prompt_cancel(a);
	screens_close(a);
	prompt_cleanup(a);
	lists_free(a);
	errlog_free(a);
	for (i = 0; i < PK_COUNT; i++)
		strlist_clear(&a->recent[i]);
	ui_set_fatal_hook(NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

int
ui_run(struct nc_session *s, const struct ui_options *o)
{
	struct ui_options opts = { 0 };
	struct app app;
	const char *script, *nd = getenv("NOVU_CONSOLE_NO_DISPLAY");

	if (o)
		opts = *o;
	script = opts.script ? opts.script : getenv("NOVU_CONSOLE_SCRIPT");
	if (script && !*script)
		script = NULL;
	if (nd && *nd)
		opts.no_display = 1;
	memset(&app, 0, sizeof(app));
	app.s = s;
	app.opt = &opts;
	ensure_utf8_locale();
	app.in = input_new(script);
	if (!app.in) {
		fprintf(stderr, "novu-console: cannot read script %s: %s\n", script, strerror(errno));
		return 1;
	}
	if (terminal_open(opts.no_display) != 0) {
		fprintf(stderr, "novu-console: cannot start the terminal (TERM=%s)\n",
		        getenv("TERM") ? getenv("TERM") : "");
		input_free(app.in);
		terminal_close();
		return 1;
	}
	app_start(&app);
	main_loop(&app);
	app_stop(&app);
	input_free(app.in);
	terminal_close();
	return 0;
}
