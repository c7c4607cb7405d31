/* uiops.h - helpers that reach outside the screen: the clipboard (OSC 52
 * plus a file), $VISUAL/$EDITOR on a temporary file, pick lists from the
 * API, and importing files.
 */
#ifndef NC_UI_UIOPS_H
#define NC_UI_UIOPS_H

#include <stddef.h>

#include "app.h"
#include "lists.h"

/* Put text on the clipboard with the OSC 52 escape (terminals and tmux
 * with set-clipboard pass it on) and write it to <state>/<file_name>
 * (0600). Reports both in the status line, `what` naming the thing. */
void clip_copy(struct app *a, const char *text, const char *file_name, const char *what);
/* "~/x" for paths under $HOME (shorter, and stable in test dumps).
 * Caller frees. */
char *path_for_display(const char *path);

/* Run $VISUAL, else $EDITOR, else vi on a temporary file holding text
 * (suffix like ".json" helps editors pick a mode). On success *out is the
 * new text (caller frees) and 0 is returned; -1 with a message in errbuf
 * otherwise. The screen is restored either way. */
int ui_edit_external(struct app *a, const char *text, const char *suffix, char **out,
                     char *errbuf, size_t errsize);

/* Pick lists over the fetched API lists. fn gets the chosen keys
 * (workflowIds, subscriberIds or topic keys), n = 0 when the user backed
 * out; it is called exactly once, and owns ctx. */
typedef void (*pick_fn)(struct app *a, void *ctx, char **keys, size_t n);
void pick_open(struct app *a, enum list_kind kind, int multi, pick_fn fn, void *ctx);

/* Expand a leading "~/" (caller frees). */
char *expand_home(const char *path);

#endif
