/* payloadcheck.h - does a payload fit its workflow's payloadSchema? The one
 * check the headless `trigger --check` and the console's compose form run
 * before sending, with the same verdict Novu (and the sandbox) would give:
 * the problems are schema.c's errors, each with a fix for a person.
 *
 * Ownership: a struct nc_payload_check owns its problems and their
 * strings; release it with payload_check_clear().
 */
#ifndef NC_PAYLOADCHECK_H
#define NC_PAYLOADCHECK_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "apierror.h"

struct nc_payload_problem {
	char *field;      /* dotted path: "order.id", "order.items.0.sku"; "payload"
	                     for the whole payload */
	char *message;    /* as Novu words it: "must have required property 'id'" */
	char *fix;        /* what to change, e.g. "add \"id\" to order"; never NULL */
	char *schema_path;/* "#/properties/order/required" */
};

struct nc_payload_check {
	struct nc_payload_problem *items;
	size_t n;          /* 0: the payload fits */
};

/* Check payload_text (JSON; NULL, empty or blank counts as {} as Novu
 * treats a missing payload) against schema (a workflow's payloadSchema;
 * NULL means no schema: everything fits). Returns NC_OK with out filled
 * (out->n == 0 when it fits), NC_E_INVALID with err set when the text is
 * not a JSON object (jsonutil's positioned message), NC_E_NOMEM. */
enum nc_status payload_check(const cJSON *schema, const char *payload_text,
                             struct nc_payload_check *out, struct nc_error *err);

/* The same for a payload already parsed. */
enum nc_status payload_check_json(const cJSON *schema, const cJSON *payload,
                                  struct nc_payload_check *out, struct nc_error *err);

void payload_check_clear(struct nc_payload_check *c);

#endif
