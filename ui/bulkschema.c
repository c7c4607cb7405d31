/* bulkschema.c - the payloadSchemas a bulk list needs, read on the worker,
 * and each event checked against its own. */
#include "bulkschema.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "app.h"
#include "request.h"
#include "uiutil.h"
#include "worker.h"

struct bulkschema {
	char **workflow;      /* distinct names, as the events spell them */
	cJSON **schema;       /* parsed payloadSchema, or NULL: none */
	int *validates;       /* Novu checks triggers against it */
	size_t n;
};

struct fetch_job {
	struct nc_client *client;
	struct bulkschema s;
	bulkschema_done_fn done;
	void *ctx;
	enum nc_status st;
	struct nc_error err;
	const char *failed;   /* the workflow whose read failed, in s */
};

static long
workflow_index(const struct bulkschema *s, const char *workflow)
{
	size_t i;

	for (i = 0; workflow && i < s->n; i++)
		if (strcmp(s->workflow[i], workflow) == 0)
			return (long)i;
	return -1;
}

static void
add_workflow(struct bulkschema *s, const char *workflow)
{
	if (!workflow || !*workflow || workflow_index(s, workflow) >= 0)
		return;
	s->workflow = must_realloc(s->workflow, (s->n + 1) * sizeof(*s->workflow));
	s->schema = must_realloc(s->schema, (s->n + 1) * sizeof(*s->schema));
	s->validates = must_realloc(s->validates, (s->n + 1) * sizeof(*s->validates));
	s->workflow[s->n] = must_strdup(workflow);
	s->schema[s->n] = NULL;
	s->validates[s->n] = 0;
	s->n++;
}

static void
bulkschema_free(struct bulkschema *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->workflow[i]);
		cJSON_Delete(s->schema[i]);
	}
	free(s->workflow);
	free(s->schema);
	free(s->validates);
	memset(s, 0, sizeof(*s));
}

/* Worker thread. A workflow the server does not know (404) has no schema:
 * the send itself will say it is unknown, as it does without this check. */
static void
fetch_run(void *data, struct worker *w)
{
	struct fetch_job *j = data;
	size_t i;

	for (i = 0; i < j->s.n && j->st == NC_OK; i++) {
		char *schema = NULL;

		worker_set_progress(w, i, j->s.n, j->s.workflow[i]);
		j->st = api_workflow_payload(j->client, j->s.workflow[i], NULL, &schema,
		                             &j->s.validates[i], &j->err);
		if (j->st != NC_OK && j->st != NC_E_ABORTED && j->err.http_status == 404) {
			nc_error_clear(&j->err);
			j->st = NC_OK;
		}
		if (j->st != NC_OK)
			j->failed = j->s.workflow[i];
		j->s.schema[i] = schema ? cJSON_Parse(schema) : NULL;
		free(schema);
	}
}

static void
fetch_done(struct app *a, void *data)
{
	struct fetch_job *j = data;

	j->done(a, j->ctx, &j->s, j->st, &j->err, j->failed);
	bulkschema_free(&j->s);
	nc_error_clear(&j->err);
	free(j);
}

int
bulkschema_fetch(struct app *a, const struct nc_event *evs, size_t n,
                 const unsigned char *want, bulkschema_done_fn done, void *ctx)
{
	struct fetch_job *j = must_calloc(1, sizeof(*j));
	size_t i;

	j->client = a->s->client;
	j->done = done;
	j->ctx = ctx;
	nc_error_init(&j->err);
	for (i = 0; i < n; i++)
		if (want[i])
			add_workflow(&j->s, evs[i].workflow);
	if (worker_submit(a->worker, "Fetching the events' payloadSchemas", fetch_run,
	                  fetch_done, j) != 0) {
		bulkschema_free(&j->s);
		free(j);
		return -1;
	}
	return 0;
}

enum nc_status
bulkschema_check(const struct bulkschema *s, const struct nc_event *ev,
                 struct nc_payload_check *out, struct nc_error *err)
{
	long k = workflow_index(s, ev->workflow);

	/* With validatePayload off Novu takes any payload: so does the send. */
	if (k < 0 || !s->schema[k] || !s->validates[k]) {
		memset(out, 0, sizeof(*out));
		return NC_OK;
	}
	return payload_check(s->schema[k], ev->payload_json, out, err);
}
