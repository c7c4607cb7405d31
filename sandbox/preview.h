/* preview.h - what each seeded step says (its controls: subject, body,
 * actions, or how long it waits) and POST /v2/workflows/{workflowId}/step/
 * {stepId}/preview, which renders them as Novu's preview usecase does.
 *
 * Ownership: the cJSON trees returned are the caller's. The step content
 * itself is static and needs no lock. */
#ifndef SB_PREVIEW_H
#define SB_PREVIEW_H

#include <cjson/cJSON.h>

#include "exchange.h"
#include "store.h"

/* The step's control values (what the workflow detail shows and the
 * preview renders). */
cJSON *preview_step_controls(const struct workflow *w, size_t step);

/* Render template text against ctx ({subscriber, payload, steps}) the way
 * Novu's preview does: {{ path }} takes the value at path; a path with no
 * value stays as its placeholder, "{{path}}". Each payload variable met is
 * recorded in example (may be NULL) with the value it rendered as. NULL,
 * with the reason in error, when an output tag is not closed. Caller frees. */
char *preview_render(const char *tmpl, const cJSON *ctx, cJSON *example, char *error,
                     size_t error_size);

/* POST /v2/workflows/{workflowId}/step/{stepId}/preview (route_arg is
 * everything after /v2/workflows/). */
void preview_handle(const struct sb_request *req, struct sb_reply *rep);

#endif
