/* cmd_schema.c - a workflow's payload schema from the command line:
 * `trigger ... --check` (does the payload fit? nothing is sent) and
 * `workflows --schema ID` (the schema and an example payload built from
 * it). The checking itself is payloadcheck.c's and schema.c's. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jsonutil.h"
#include "payloadcheck.h"
#include "schema.h"
#include "termsafe.h"

/* The workflow's schema through the session's client; prints the error
 * and returns its exit code, or 0. */
static int
fetch_schema(struct cli_ctx *c, const char *workflow, cJSON **schema, int *validates)
{
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st;
	char *text = NULL;
	int rc = cli_open_session(c, 0);

	*schema = NULL;
	if (rc)
		return rc;
	st = api_workflow_payload(c->session.client, workflow, NULL, &text, validates, &err);
	if (st == NC_OK && text && !(*schema = cJSON_Parse(text)))
		st = NC_E_NOMEM;   /* the text came from cJSON: only memory can fail */
	if (st)
		rc = cli_report_error(c, st, &err);
	free(text);
	nc_error_clear(&err);
	return rc;
}

/* Pretty JSON on c->out, terminal-safe and still valid JSON. */
static void
print_pretty(struct cli_ctx *c, const cJSON *item)
{
	char *compact = json_print_compact(item);
	char *text = compact ? json_pretty(compact, strlen(compact)) : NULL;
	char *safe = text ? term_safe_json(text) : NULL;

	if (safe)
		fprintf(c->out, "%s\n", safe);
	free(safe);
	free(text);
	free(compact);
}

static cJSON *
problems_json(const struct nc_payload_check *pc)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; arr && i < pc->n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "field", pc->items[i].field);
		cJSON_AddStringToObject(o, "message", pc->items[i].message);
		cJSON_AddStringToObject(o, "fix", pc->items[i].fix);
		cJSON_AddStringToObject(o, "schemaPath", pc->items[i].schema_path);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* One line a problem: "FIELD: MESSAGE (FIX)"; --json: the array. */
static int
report_problems(struct cli_ctx *c, const struct nc_payload_check *pc, int validates)
{
	cJSON *arr;
	size_t i;

	if (c->json) {
		arr = problems_json(pc);
		print_pretty(c, arr);
		cJSON_Delete(arr);
	} else if (pc->n == 0) {
		term_printf(c->out, "ok: the payload fits %s's payload schema\n", c->ev.workflow);
	}
	for (i = 0; !c->json && i < pc->n; i++)
		term_printf(c->out, "%s: %s (%s)\n", pc->items[i].field, pc->items[i].message,
		            pc->items[i].fix);
	if (pc->n == 0)
		return 0;
	term_printf(c->err, "novu-console: %zu problem%s in the payload of %s; nothing was sent\n",
	            pc->n, pc->n == 1 ? "" : "s", c->ev.workflow);
	if (!validates)
		term_printf(c->err, "novu-console: note: %s has validatePayload off, so Novu itself "
		            "would accept this payload\n", c->ev.workflow);
	return 2;
}

int
cli_check_payload(struct cli_ctx *c)
{
	struct nc_payload_check pc;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *schema;
	int validates, rc = fetch_schema(c, c->ev.workflow, &schema, &validates);

	if (rc)
		return rc;
	if (!schema)
		term_printf(c->err, "novu-console: note: %s has no payload schema; Novu takes any "
		            "payload object\n", c->ev.workflow);
	if (payload_check(schema, c->ev.payload_json, &pc, &err) != NC_OK)
		rc = cli_report_error(c, err.status ? err.status : NC_E_INVALID, &err);
	else
		rc = report_problems(c, &pc, validates);
	payload_check_clear(&pc);
	cJSON_Delete(schema);
	nc_error_clear(&err);
	return rc;
}

static void
print_schema_text(struct cli_ctx *c, const char *workflow, const cJSON *schema,
                  const cJSON *example, int validates)
{
	term_printf(c->out, "payloadSchema of %s%s:\n", workflow,
	            validates ? "" : " (validatePayload is off: Novu does not check it)");
	print_pretty(c, schema);
	term_printf(c->out, "\nexample payload (defaults, first enum values, format samples):\n");
	print_pretty(c, example);
}

int
cmd_workflow_schema(struct cli_ctx *c)
{
	cJSON *schema, *example = NULL, *o;
	int validates, rc = fetch_schema(c, c->schema_of, &schema, &validates);

	if (rc)
		return rc;
	if (!schema) {
		term_printf(c->err, "novu-console: %s has no payload schema; Novu takes any payload "
		            "object\n", c->schema_of);
		if (c->json)
			fprintf(c->out, "null\n");
		return 0;
	}
	example = schema_example(schema);
	if (!example) {
		rc = 1;
	} else if (c->json) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "workflowId", c->schema_of);
		cJSON_AddBoolToObject(o, "validatePayload", validates);
		cJSON_AddItemReferenceToObject(o, "payloadSchema", schema);
		cJSON_AddItemReferenceToObject(o, "example", example);
		print_pretty(c, o);
		cJSON_Delete(o);
	} else {
		print_schema_text(c, c->schema_of, schema, example, validates);
	}
	cJSON_Delete(example);
	cJSON_Delete(schema);
	return rc;
}
