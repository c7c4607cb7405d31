/* dialog.h - modal boxes drawn over the current screen (ncdu's way: draw
 * the parent, then a box): y/N confirmations, a typed confirmation, a
 * message, and a one-line input backed by readline.
 *
 * Each callback is called exactly once (yes = 0 when the user backed out)
 * and owns ctx from then on.
 */
#ifndef NC_UI_DIALOG_H
#define NC_UI_DIALOG_H

#include "app.h"

typedef void (*dialog_fn)(struct app *a, void *ctx, int yes);
typedef void (*dialog_input_fn)(struct app *a, void *ctx, const char *line);

/* "text ... y/N": y confirms, anything else says no. */
void dialog_confirm(struct app *a, const char *title, const char *text,
                    dialog_fn fn, void *ctx);
/* The user must type `expect` exactly and press Enter (broadcast). */
void dialog_typed_confirm(struct app *a, const char *title, const char *text,
                          const char *expect, dialog_fn fn, void *ctx);
/* Information; Enter or Esc closes. */
void dialog_message(struct app *a, const char *title, const char *text);
/* A box with a label and a readline line; fn gets NULL on Esc. */
void dialog_input(struct app *a, const char *title, const char *label,
                  const char *initial, enum prompt_kind kind,
                  dialog_input_fn fn, void *ctx);

/* Centre a box of at most want_w x want_h in the body; clipped to fit. */
void dialog_geometry(const struct app *a, int want_h, int want_w,
                     int *y, int *x, int *h, int *w);

#endif
