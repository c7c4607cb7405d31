/* viewer.h - a scrolling text view over the body: request previews, the
 * stored request/response of a History entry, an error's detail, delivery
 * status. Long lines wrap; the owner can add actions (copy as curl, go to
 * field, cancel...) through on_req.
 */
#ifndef NC_UI_VIEWER_H
#define NC_UI_VIEWER_H

#include "app.h"

struct viewer;
/* Return UI_* bits; 0 when the request is not for this viewer. */
typedef unsigned (*viewer_req_fn)(struct app *a, void *ctx, enum ui_req req);

/* Open over the current screen. text is copied. */
struct viewer *viewer_open(struct app *a, const char *title, const char *text);
/* Extra actions; ctx is freed with free() when the viewer closes unless
 * free_ctx is given. `bar` lists the requests to show in the key bar. */
void viewer_set_actions(struct viewer *v, viewer_req_fn fn, void *ctx,
                        void (*free_ctx)(void *), const enum ui_req *bar, size_t nbar);
/* Replace the text (keeps the scroll position when possible). */
void viewer_set_text(struct viewer *v, const char *text);
extern const struct view_ops viewer_ops;

#endif
