/* cmd_preview.c - `novu-console preview WORKFLOW`: what each step will say,
 * as Novu renders it, for one subscriber and a payload. Nothing is sent. */
#include "commands.h"

#include <stdlib.h>
#include <string.h>

#include "preview.h"
#include "termsafe.h"

/* The payload as the trigger would carry it, checked by the trigger's own
 * rules (a JSON object within Novu's size limit). */
static int
read_payload(struct cli_ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st = NC_OK;
	int rc = 0;

	if (nc_strset(&c->ev.workflow, c->args[0]))
		return 1;
	if (c->payload) {
		free(c->ev.payload_json);
		c->ev.payload_json = cli_read_arg_text(c->payload, "--payload", &err);
		if (!c->ev.payload_json)
			st = NC_E_USAGE;
	}
	if (st == NC_OK)
		st = event_validate(&c->ev, NC_USE_BROADCAST, NULL, &err);
	if (st == NC_OK && c->ev.nto > 1)
		st = nc_error_set(&err, NC_E_USAGE, "to", "a preview renders for one subscriber: "
		                  "give --to once");
	if (st)
		rc = cli_report_error(c, st, &err);
	nc_error_clear(&err);
	return rc;
}

/* The subscriber to render for: --to, or the API's first subscriber. */
static enum nc_status
resolve_subscriber(struct cli_ctx *c, cJSON **sub, struct nc_error *err)
{
	cJSON *overlay = NULL;
	const char *id = preview_event_subscriber(&c->ev, &overlay);
	enum nc_status st = preview_subscriber(c->session.client, id, overlay, sub, err);

	if (st == NC_OK && !id) {
		fputs("novu-console: note: previewing for ", c->err);
		term_put_field(cJSON_GetStringValue(cJSON_GetObjectItem(*sub, "subscriberId")),
		               c->err);
		fputs(", the first subscriber the API lists (--to picks another)\n", c->err);
	}
	cJSON_Delete(overlay);
	return st;
}

static int
print_preview(struct cli_ctx *c, const struct nc_preview *p)
{
	char *text = preview_format(p);
	size_t failed = preview_error_count(p);

	if (!text)
		return 1;
	term_printf(c->out, "%s", text);
	free(text);
	/* Novu answered, but could not render: the API's refusal, as a
	 * status other than processed is for a trigger. */
	if (failed)
		fprintf(c->err, "novu-console: Novu could not render %zu step%s (see Error above)\n",
		        failed, failed == 1 ? "" : "s");
	return failed ? 3 : 0;
}

int
cmd_preview(struct cli_ctx *c)
{
	struct nc_preview_request rq = { 0 };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_preview p = { 0 };
	cJSON *sub = NULL;
	enum nc_status st;
	int rc = read_payload(c);

	if (!rc)
		rc = cli_open_session(c, 0);
	if (rc)
		return rc;
	st = resolve_subscriber(c, &sub, &err);
	if (st == NC_OK) {
		rq.workflow = c->ev.workflow;
		rq.step = c->step;
		rq.subscriber = sub;
		rq.payload_json = c->ev.payload_json;
		st = preview_workflow(c->session.client, &rq, &p, &err);
	}
	rc = st == NC_OK ? print_preview(c, &p) : cli_report_error(c, st, &err);
	preview_clear(&p);
	cJSON_Delete(sub);
	nc_error_clear(&err);
	return rc;
}
