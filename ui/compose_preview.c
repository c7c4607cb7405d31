/* compose_preview.c - `v` on the event forms: what each step of the
 * workflow will say, as Novu renders it (preview.h), before ^S sends it.
 * The fetch is a READ job on the worker (Esc stops it: nothing is sent). */
#include "compose_int.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "errlog.h"
#include "preview.h"
#include "uiops.h"
#include "viewer.h"
#include "worker.h"

#define PREVIEW_ENDPOINT "POST /v2/workflows/{workflowId}/step/{stepId}/preview"

struct step_preview_job {
	struct nc_client *client;
	enum ui_screen origin;
	char *workflow, *payload;
	char *subscriber_id;         /* NULL: the API's first subscriber */
	cJSON *overlay;              /* the recipient object's fields, or NULL */
	enum nc_status st;
	struct nc_error err;
	struct nc_preview p;
};

static void
job_free(struct step_preview_job *j)
{
	free(j->workflow);
	free(j->payload);
	free(j->subscriber_id);
	cJSON_Delete(j->overlay);
	nc_error_clear(&j->err);
	preview_clear(&j->p);
	free(j);
}

static void
job_run(void *data, struct worker *w)
{
	struct step_preview_job *j = data;
	struct nc_preview_request rq = { 0 };
	cJSON *sub = NULL;

	(void)w;
	j->st = preview_subscriber(j->client, j->subscriber_id, j->overlay, &sub, &j->err);
	if (j->st != NC_OK)
		return;
	rq.workflow = j->workflow;
	rq.subscriber = sub;
	rq.payload_json = j->payload;
	j->st = preview_workflow(j->client, &rq, &j->p, &j->err);
	cJSON_Delete(sub);
}

/* Each step Novu could not render is an error of its own in the log. */
static void
log_step_errors(struct app *a, const struct step_preview_job *j)
{
	const struct nc_preview_step *s;
	struct nc_error e = NC_ERROR_INIT;
	size_t i;

	for (i = 0; i < j->p.n; i++) {
		s = &j->p.steps[i];
		if (!s->error_title && !s->error_message)
			continue;
		nc_error_set(&e, NC_E_API, "step", "step %s: %s: %s%s%s", s->step_id,
		             s->error_title ? s->error_title : "preview failed",
		             s->error_message ? s->error_message : "",
		             s->error_hint ? " (hint: " : "", s->error_hint ? s->error_hint : "");
		e.kind = NC_ERRK_HTTP;
		e.http_status = 201;
		e.endpoint = must_strdup(PREVIEW_ENDPOINT);
		errlog_add(a, &e, j->origin, "preview");
		nc_error_clear(&e);
	}
}

static void
job_done(struct app *a, void *data)
{
	struct step_preview_job *j = data;
	size_t failed;
	char *text;

	if (j->st == NC_E_ABORTED) {
		app_message(a, MSG_INFO, "preview stopped (nothing was sent)");
	} else if (j->st != NC_OK) {
		errlog_add(a, &j->err, j->origin, "preview");
		app_message(a, MSG_ERROR, "preview of %s: %s", j->workflow,
		            j->err.message ? j->err.message : "failed");
	} else {
		text = preview_format(&j->p);
		viewer_open(a, "Preview: what each step will say (nothing is sent)",
		            text ? text : "out of memory");
		free(text);
		failed = preview_error_count(&j->p);
		log_step_errors(a, j);
		if (failed)
			app_message(a, MSG_ERROR, "Novu could not render %zu step%s (see Errors)",
			            failed, failed == 1 ? "" : "s");
	}
	job_free(j);
}

static void
start(struct app *a, struct compose *c, const char *subscriber_id, cJSON *overlay)
{
	struct step_preview_job *j = must_calloc(1, sizeof(*j));

	j->client = a->s->client;
	j->origin = c->mode == CM_BROADCAST ? SCR_BROADCAST
	            : c->mode == CM_BULK_EVENT ? SCR_BULK : SCR_TRIGGER;
	j->workflow = must_strdup(c->ev.workflow);
	j->payload = c->ev.payload_json ? must_strdup(c->ev.payload_json) : NULL;
	j->subscriber_id = subscriber_id ? must_strdup(subscriber_id) : NULL;
	j->overlay = overlay;
	nc_error_init(&j->err);
	if (worker_submit(a->worker, "Rendering the steps", job_run, job_done, j)) {
		app_message(a, MSG_WARN, "busy: try again when the running request ends");
		job_free(j);
	}
}

static void
broadcast_picked(struct app *a, void *ctx, char **keys, size_t n)
{
	if (n)
		start(a, ctx, keys[0], NULL);
}

void
compose_step_preview(struct app *a, struct compose *c)
{
	cJSON *overlay = NULL;
	const char *id;

	if (str_empty(c->ev.workflow)) {
		app_message(a, MSG_WARN, "set the workflow first");
		return;
	}
	if (!a->s->client) {
		app_message(a, MSG_WARN, "no API to ask: a preview is rendered by Novu");
		return;
	}
	/* A broadcast has no recipient to render for: the user picks one, the
	 * list's first being where the cursor starts. */
	if (c->mode == CM_BROADCAST) {
		pick_open(a, LIST_SUBSCRIBERS, 0, broadcast_picked, c);
		return;
	}
	id = preview_event_subscriber(&c->ev, &overlay);
	start(a, c, id, overlay);
}
