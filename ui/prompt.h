/* prompt.h - GNU readline inside a curses line (tig's src/prompt.c idea).
 *
 * Readline runs in callback mode with its input and output pointed away from
 * the terminal: rl_getc_function hands it the bytes of the keys the app
 * reads (terminal or script alike), rl_redisplay_function is a no-op and
 * prompt_draw() paints rl_line_buffer into the field being edited. So the
 * user gets emacs editing, kill/yank, undo, per-field history (Up/Down,
 * ^R) and Tab completion from the API lists, and scripted tests drive it.
 *
 * One prompt at a time. The callback gets the accepted line (trimmed), or
 * NULL when the edit was cancelled (Esc, ^G, ^C); it may start another
 * prompt.
 */
#ifndef NC_UI_PROMPT_H
#define NC_UI_PROMPT_H

#include "app.h"

typedef void (*prompt_fn)(struct app *a, void *ctx, const char *line);
/* Called after each key that changed the text (drafts). */
typedef void (*prompt_change_fn)(struct app *a, void *ctx, const char *text);

void prompt_init(struct app *a);
void prompt_cleanup(struct app *a);

/* Start editing. `label` is shown when the prompt sits in the status line;
 * `initial` is the starting text (may be NULL). */
void prompt_start(struct app *a, enum prompt_kind kind, const char *label,
                  const char *initial, prompt_fn fn, void *ctx);
void prompt_on_change(struct app *a, prompt_change_fn fn);
int prompt_active(const struct app *a);
/* The view that owns the prompt calls this from its draw to put the edit
 * line over its field; otherwise it sits in the status line. */
void prompt_anchor(struct app *a, int y, int x, int w);
/* The in-progress text, or NULL when no prompt is active. */
const char *prompt_text(const struct app *a);
/* Feed one key. Returns UI_* bits. */
unsigned prompt_key(struct app *a, int key);
/* Cancel (the callback gets NULL). */
void prompt_cancel(struct app *a);
void prompt_draw(struct app *a);
/* Reset the anchor before a full redraw. */
void prompt_unanchor(struct app *a);

#endif
