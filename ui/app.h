/* app.h - the console's frame: views, screens, the main loop's services.
 *
 * A view is a vtable (struct view_ops) plus zeroed private state the frame
 * allocates (tig's view_ops and private_size). Each of the six screens is
 * the base of its own stack of views (a recipients editor over the Trigger
 * form, a detail over History...), so switching screens keeps what each one
 * had open. Dialogs are views flagged VIEW_MODAL: they see every key, and
 * the global keys do not apply under them.
 *
 * Handlers return UI_* bits; the loop redraws on UI_REDRAW, pops the view on
 * UI_POP and leaves on UI_QUIT. Everything here runs on the main thread;
 * network calls run on the worker (worker.h) and report back through a
 * completion callback that also runs on the main thread.
 */
#ifndef NC_UI_APP_H
#define NC_UI_APP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "apierror.h"
#include "keymap.h"
#include "session.h"
#include "ui.h"
#include "uiutil.h"

#define UI_HANDLED 1u
#define UI_REDRAW  2u
#define UI_POP     4u
#define UI_QUIT    8u

#define VIEW_MODAL   1u   /* no global keys below it */
#define VIEW_OVERLAY 2u   /* drawn over the view below (a box) */

struct app;
struct view;

struct view_ops {
	const char *name;
	unsigned flags;
	const struct keymap *const *keymaps;  /* most specific first, NULL-ended */
	size_t private_size;
	/* Called once for screens at start; for pushed views the opener fills
	 * the private state itself. May be NULL. */
	void (*open)(struct app *a, struct view *v);
	/* Draw into the body rectangle (the rows between the bars). */
	void (*draw)(struct app *a, struct view *v, int y, int x, int h, int w);
	/* A request from the keymaps (REQ_NONE when the key is unbound) and the
	 * raw key, for views that take text. */
	unsigned (*handle)(struct app *a, struct view *v, enum ui_req req, int key);
	/* Free what the private state owns (not the state itself). May be NULL. */
	void (*done)(struct app *a, struct view *v);
	/* The requests to show in the key bar, when not simply the KB_BAR
	 * bindings of the view's keymaps. May be NULL. */
	size_t (*bar)(struct app *a, struct view *v, enum ui_req *out, size_t max);
};

struct view {
	const struct view_ops *ops;
	void *priv;
	struct view *below;
};

enum ui_screen {
	SCR_TRIGGER, SCR_BROADCAST, SCR_BULK, SCR_HISTORY, SCR_ERRORS, SCR_ACTIVITY, SCR_COUNT
};

enum msg_kind { MSG_INFO, MSG_OK, MSG_WARN, MSG_ERROR };

/* Per-field history of what was typed (readline history while editing). */
enum prompt_kind {
	PK_TEXT, PK_WORKFLOW, PK_SUBSCRIBER, PK_TOPIC, PK_TENANT, PK_PATH,
	PK_FILTER, PK_TXN, PK_COUNT
};

struct compose;
struct worker;
struct ui_input;
struct prompt;
struct errlog;
struct lists;

struct app {
	struct nc_session *s;
	const struct ui_options *opt;
	struct ui_input *in;
	struct worker *worker;
	struct prompt *prompt;
	struct errlog *errors;
	struct lists *lists;
	struct view *stack[SCR_COUNT];
	enum ui_screen screen;
	/* The two forms are shared: History loads requests into them, the
	 * error viewer jumps into their fields. */
	struct compose *forms[2];          /* SCR_TRIGGER, SCR_BROADCAST */
	struct strlist recent[PK_COUNT];
	char msg[512];
	enum msg_kind msg_kind;
	int64_t msg_at;                     /* monotonic ms when msg was set */
	int quit;
	int quitting;                       /* tearing down: drafts are saved */
	int sync_drafts;                    /* fsync drafts (at quit) */
	int dirty;                          /* full redraw wanted */
	long frames;
	int spin;                           /* spinner phase */
	void *bulk;                         /* the bulk builder's model */
	/* A send asked for while lists were loading: run when the worker is
	 * idle (app_send_when_idle). */
	void (*idle_send)(struct app *a, void *ctx);
	void *idle_ctx;
};

/* ---- views ---- */

/* Push a view on the current screen's stack; returns its zeroed private
 * state for the caller to fill. */
void *view_push(struct app *a, const struct view_ops *ops);
/* Push on a given screen's stack. */
void *view_push_on(struct app *a, enum ui_screen scr, const struct view_ops *ops);
/* Pop (and free) the top view of the current screen; never the screen. */
void view_pop(struct app *a);
/* Pop every view above screen scr's base. */
void app_unwind(struct app *a, enum ui_screen scr);
struct view *app_top(struct app *a);
void *app_screen_priv(struct app *a, enum ui_screen scr);
void app_switch(struct app *a, enum ui_screen scr);

/* ---- status line ---- */
/* A send key pressed while the worker is busy. A send already running
 * refuses it (a second notification only on purpose: 0); a read (the
 * start-up lists, a status) makes it wait: fn(a, ctx) runs once the worker is idle, and the user is told
 * (1). Only the last such send waits; ^X drops it, Esc stops the load. */
int app_send_when_idle(struct app *a, void (*fn)(struct app *a, void *ctx), void *ctx);
/* Clear the message line (a hint that was for a prompt now ended). */
void app_message_clear(struct app *a);
void app_message(struct app *a, enum msg_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void app_redraw(struct app *a);

/* ---- geometry of the body between the bars ---- */
int app_body_y(const struct app *a);
int app_body_h(const struct app *a);

/* Remember a value typed in a field of this kind (readline history and
 * Up/Down in that field), and persist the lists. */
void app_remember(struct app *a, enum prompt_kind kind, const char *value);

/* Write the screen as text (trailing blanks trimmed) to path. */
int ui_dump_screen(const char *path);

/* The screens (scr_*.c). */
extern const struct view_ops scr_trigger_ops, scr_broadcast_ops, scr_bulk_ops,
	scr_history_ops, scr_errors_ops, scr_activity_ops, scr_help_ops;

/* History: refresh after something was appended. */
void scr_history_invalidate(struct app *a);
/* Idle: read History again when another program wrote to it. */
void scr_history_tick(struct app *a);
/* Bulk: save the list's draft now. */
void scr_bulk_save(struct app *a);
/* Bulk: select event `index` and the field named (from an error). */
void scr_bulk_jump(struct app *a, long index, const char *field);
/* Activity: called when the keyboard has been idle a while (about 1 s):
 * the first visit's read and the auto-refresh start here. */
void scr_activity_tick(struct app *a);
/* Errors: open the detail of the newest error. */
void scr_errors_show_latest(struct app *a);

#endif
