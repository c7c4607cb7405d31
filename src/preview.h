/* preview.h - what each step of a workflow will say before anything is
 * sent: POST /v2/workflows/{workflowId}/step/{stepId}/preview for every
 * step (or one), the answers read into per-step content, e-mail HTML
 * reduced to text with its links numbered as a text browser does, and the
 * lines the `preview` command and the console's preview screen both show.
 *
 * The subscriber the preview renders for is an object (SubscriberResponseDto
 * fields): preview_subscriber() fetches it (GET /v2/subscribers/{id}), or
 * the first one of the API's list when none is named, and lays what the
 * request itself says about the subscriber over it.
 *
 * Ownership: every string and array in the structures below belongs to
 * them and is freed by preview_clear() / preview_step_clear(); requests
 * only borrow. Returned char * are the caller's (free()).
 */
#ifndef NC_PREVIEW_H
#define NC_PREVIEW_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "api.h"

/* One step as Novu rendered it. Texts are as received (not yet made
 * terminal-safe; preview_format does that). */
struct nc_preview_step {
	char *step_id, *name, *type;     /* from the workflow */
	char *subject;                   /* email, in_app, push; else NULL */
	char *body;                      /* the text; e-mail HTML reduced to text */
	char **links;                    /* the body's links, [1] is links[0] */
	size_t nlinks;
	char *primary_label, *primary_url;       /* in_app actions, or NULL */
	char *secondary_label, *secondary_url;
	char *redirect_url;              /* in_app redirect, or NULL */
	double amount;                   /* digest, delay: how long it waits */
	char *unit;                      /* "hours" ...; NULL when not a wait */
	char *error_title, *error_message, *error_hint; /* PreviewErrorDto */
	int rendered;                    /* 0: Novu sent an empty result */
};

struct nc_preview {
	char *workflow_id;
	char *subscriber;                /* "user-001 (Jane Doe)" as shown */
	struct nc_preview_step *steps;
	size_t n;
};

void preview_step_clear(struct nc_preview_step *s);
void preview_clear(struct nc_preview *p);
/* Number of steps that came back with a PreviewErrorDto. */
size_t preview_error_count(const struct nc_preview *p);

/* HTML to readable text: tags dropped, blocks on their own lines, list
 * items as "  * ", entities decoded, <head>/<style>/<script> skipped, and
 * each link's text followed by "[n]" with its URL in *links (the same URL
 * keeps its number). NULL on out of memory. */
char *preview_html_to_text(const char *html, char ***links, size_t *nlinks);

/* Read one preview answer (the unwrapped `data`: {result: {type, preview,
 * error}, ...}) into st, whose step_id/name/type the caller set. NC_OK, or
 * NC_E_SERVER when the answer is not a preview. */
enum nc_status preview_parse_answer(const cJSON *data, struct nc_preview_step *st,
                                    struct nc_error *err);

/* The lines both the CLI and the console show: a heading, then per step
 * a section with its subject, body, actions, links, wait or error. Server
 * text in it is already terminal-safe. NULL on out of memory. */
char *preview_format(const struct nc_preview *p);

/* The subscriber a preview renders for, as a JSON object: the one with
 * subscriber_id (GET /v2/subscribers/{id}), or when subscriber_id is NULL
 * the first of the API's subscriber list; overlay (may be NULL) is laid over
 * it (a recipient object: what the trigger itself will set). When the API
 * does not know the ID but an overlay was given, the overlay alone is used. */
enum nc_status preview_subscriber(struct nc_client *c, const char *subscriber_id,
                                  const cJSON *overlay, cJSON **out, struct nc_error *err);

/* The first subscriber recipient of a trigger event: its ID, and in
 * *overlay (caller deletes; NULL for a bare ID) the object form's fields.
 * NULL when the event names no subscriber (topics only). */
const char *preview_event_subscriber(const struct nc_event *ev, cJSON **overlay);

struct nc_preview_request {
	const char *workflow;        /* identifier, _id or slug */
	const char *step;            /* one stepId, or NULL for every step */
	const cJSON *subscriber;     /* from preview_subscriber() */
	const char *payload_json;    /* JSON object text; NULL or "" is {} */
	const char *controls_json;   /* controlValues to render instead of the
	                                step's own, or NULL */
};

/* Read the workflow's steps (GET /v2/workflows/{id}) and preview each (or
 * the one asked for). NC_E_INVALID when the payload is not a JSON object or
 * the workflow has no such step (nothing is sent for the steps then). */
enum nc_status preview_workflow(struct nc_client *c, const struct nc_preview_request *rq,
                                struct nc_preview *out, struct nc_error *err);

#endif
