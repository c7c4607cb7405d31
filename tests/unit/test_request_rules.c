/* test_request_rules.c - the forms Novu accepts are accepted and sent
 * unchanged; the forms it refuses are refused before anything is sent.
 * Each row names the server rule (Novu's source file) it comes from. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "request.h"

#define DTO "apps/api/src/app/events/dtos/trigger-event-request.dto.ts"
#define CMD "apps/api/src/app/events/usecases/parse-event-request/parse-event-request.command.ts"
#define BULK "apps/api/src/app/events/usecases/process-bulk-trigger/process-bulk-trigger.usecase.ts"
#define SUB "apps/api/src/app/subscribers/dtos/create-subscriber-request.dto.ts"
#define CTX "packages/shared/src/types/context.ts (isValidContextPayload)"
#define CTXDEC "libs/application-generic/src/decorators/is-valid-context-payload.decorator.ts"
#define SIZE "libs/application-generic validatePayloadSize (JSON.stringify(payload without attachments) > 524288 -> 413)"

struct rule {
	const char *event;      /* wire-form event JSON */
	enum nc_event_use use;
	const char *field;      /* NULL: accepted; else the field refused */
	const char *sent;       /* accepted: this text is in the body as sent */
	const char *source;     /* the server rule */
};

static const struct rule rules[] = {
	/* accepted, and sent unchanged */
	{ "{\"name\":\"w\",\"to\":\"u\",\"actor\":{\"subscriberId\":\"bot\",\"firstName\":\"B\","
	  "\"data\":{\"n\":12345678901234567}}}", NC_USE_TRIGGER, NULL,
	  "\"actor\":{\"subscriberId\":\"bot\",\"firstName\":\"B\",\"data\":{\"n\":12345678901234567}}",
	  DTO " actor: string | SubscriberPayloadDto" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"tenant\":{\"identifier\":\"acme\",\"name\":\"Acme\","
	  "\"data\":{\"plan\":\"pro\"}}}", NC_USE_BULK_ENTRY, NULL,
	  "\"tenant\":{\"identifier\":\"acme\",\"name\":\"Acme\",\"data\":{\"plan\":\"pro\"}}",
	  DTO " tenant: string | TenantPayloadDto" },
	{ "{\"name\":\"w\",\"to\":[{\"subscriberId\":\"u\",\"channels\":[{\"providerId\":\"slack\","
	  "\"credentials\":{\"webhookUrl\":\"https://h.example\"}}]}]}", NC_USE_TRIGGER, NULL,
	  "\"channels\":[{\"providerId\":\"slack\",\"credentials\":{\"webhookUrl\":\"https://h.example\"}}]",
	  SUB " channels: IsArray" },
	{ "{\"name\":\"w\",\"to\":[]}", NC_USE_BULK_ENTRY, NULL, "\"to\":[]",
	  DTO " to: IsDefined only (no ArrayNotEmpty)" },
	{ "{\"name\":\"w\",\"to\":\"u\"}", NC_USE_BULK_ENTRY, NULL, "\"payload\":{}",
	  CMD " payload: IsDefined; " BULK " passes event.payload as given" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"context\":{\"app\":{\"id\":\"c\","
	  "\"data\":{},\"note\":1}}}", NC_USE_TRIGGER, NULL, "\"note\":1",
	  CTX ": extra entry keys are not checked" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"context\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\","
	  "\"e\":\"5\"}}", NC_USE_TRIGGER, NULL, "\"e\":\"5\"", CMD " IsValidContextPayload({maxCount: 5})" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"payload\":{\"big\":1e400,\"id\":12345678901234567890}}",
	  NC_USE_TRIGGER, NULL, "\"payload\":{\"big\":1e400,\"id\":12345678901234567890}",
	  DTO " payload: IsObject (numbers are the sender's)" },

	/* refused before sending */
	{ "{\"name\":\"w\",\"to\":\"u\",\"actor\":{\"firstName\":\"B\"}}", NC_USE_TRIGGER, "actor", NULL,
	  SUB " subscriberId: IsString, IsDefined" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"actor\":{\"subscriberId\":\"\"}}", NC_USE_TRIGGER, "actor", NULL,
	  SUB " subscriberId (an empty ID names no subscriber)" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"tenant\":{\"name\":\"Acme\"}}", NC_USE_TRIGGER, "tenant", NULL,
	  "console rule: a tenant object must say which tenant (identifier)" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"context\":{}}", NC_USE_TRIGGER, "context", NULL,
	  CTX ": must have at least one key" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"context\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\","
	  "\"e\":\"5\",\"f\":\"6\"}}", NC_USE_BULK_ENTRY, "context", NULL, CMD " maxCount: 5" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"context\":{\"x\":{\"id\":\"a b\"}}}", NC_USE_TRIGGER,
	  "context.x", NULL, CTX " isValidId: ^[a-zA-Z0-9_-]+$, 1..100" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"context\":{\"x\":{\"id\":\"a\",\"data\":null}}}", NC_USE_TRIGGER,
	  "context.x", NULL, CTX " data: undefined or a non-null object" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"context\":{\"bad type\":\"x\"}}", NC_USE_TRIGGER,
	  "context", NULL, "apps/api/src/app/contexts/dtos/create-context-request.dto.ts type: "
	  "^[a-zA-Z0-9_-]+$ (each type:id becomes a context)" },
	{ "{\"name\":\"w\",\"to\":\"u\",\"context\":{\"x\":5}}", NC_USE_TRIGGER, "context.x", NULL,
	  CTX " isValidContextValue: string or object" },
	{ "{\"name\":\"w\"}", NC_USE_BULK_ENTRY, "to", NULL, DTO " to: IsDefined" },
	{ "{\"name\":\"w\",\"to\":[{\"subscriberId\":\"u\",\"channels\":{}}]}", NC_USE_TRIGGER,
	  "to[0].channels", NULL, SUB " channels: IsArray" },
	{ "{\"name\":\"w\",\"to\":[\"user-\\u0000\"]}", NC_USE_TRIGGER, "to[0]", NULL,
	  "console rule: a C string cannot carry NUL, and Novu cannot match such an ID" },
	{ "{\"name\":\"w\",\"to\":[{\"type\":\"Topic\",\"topicKey\":\"t\",\"exclude\":[\"a\\u0000\"]}]}",
	  NC_USE_TRIGGER, "to[0].exclude[0]", NULL, "console rule: no NUL in an ID" },
	{ "{\"name\":\"w\",\"to\":[{\"subscriberId\":\"u\",\"email\":\"a\\u0000@b.c\"}]}",
	  NC_USE_TRIGGER, "to[0].email", NULL, "console rule: no NUL in a string field" },
};

static void
check_rule(const struct rule *r, size_t i)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;
	enum nc_status st;
	size_t off;
	cJSON *obj = json_parse_typed(r->event, strlen(r->event), &off, NULL, 0), *body;
	char *text;

	cr_assert_not_null(obj, "row %zu: bad test JSON", i);
	st = event_from_json(&ev, obj, NULL, &err);
	if (st == NC_OK)
		st = event_validate(&ev, r->use, NULL, &err);
	if (r->field != NULL) {
		cr_assert_eq(st, NC_E_INVALID, "row %zu (%s) was accepted", i, r->source);
		cr_assert_str_eq(err.fields[0].field, r->field, "row %zu (%s): %s", i, r->source,
		                 err.message);
	} else {
		cr_assert_eq(st, NC_OK, "row %zu (%s): %s", i, r->source, err.message);
		body = r->use == NC_USE_BULK_ENTRY ? request_build_bulk(&ev, 1, &err) :
			request_build_trigger(&ev, &err);
		text = json_print_compact(body);
		cr_assert_not_null(strstr(text, r->sent), "row %zu (%s): sent %s", i, r->source, text);
		free(text);
		cJSON_Delete(body);
	}
	event_clear(&ev);
	nc_error_clear(&err);
	cJSON_Delete(obj);
}

Test(request_rules, accepted_and_refused_forms)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		check_rule(&rules[i], i);
}

/* Context entry data: at most 64 KB of JSON (CTXDEC). */
Test(request_rules, context_data_size)
{
	size_t room = NC_MAX_CONTEXT_DATA - strlen("{\"s\":\"\"}");
	char *t = malloc(NC_MAX_CONTEXT_DATA + 128);
	struct nc_event ev;
	struct nc_error err = NC_ERROR_INIT;
	int extra;

	for (extra = 0; extra <= 1; extra++) {
		size_t o = (size_t)sprintf(t, "{\"app\":{\"id\":\"c\",\"data\":{\"s\":\"");

		memset(t + o, 'x', room + (size_t)extra);
		strcpy(t + o + room + (size_t)extra, "\"}}}");
		event_init(&ev);
		nc_strset(&ev.workflow, "w");
		ev.to_empty_ok = 1;
		nc_strset(&ev.context_json, t);
		cr_assert_eq(event_validate(&ev, NC_USE_TRIGGER, NULL, &err), extra ? NC_E_INVALID : NC_OK,
		             "%s data of %zu bytes (" CTXDEC ")", extra ? "refused" : "accepted",
		             NC_MAX_CONTEXT_DATA + (size_t)extra);
		if (extra)
			cr_assert_str_eq(err.message, "context.app: \"data\" is 65537 bytes; the limit is "
			                 "65536 (64 KB)");
		nc_error_clear(&err);
		event_clear(&ev);
	}
	free(t);
}

/* The headless --actor/--tenant and the screens keep these as text: a
 * value starting with '{' goes out as an object, anything else as an ID. */
Test(request_rules, actor_and_tenant_text_forms)
{
	struct nc_event ev;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *body;
	char *text;

	event_init(&ev);
	nc_strset(&ev.workflow, "w");
	ev.to_empty_ok = 1;
	nc_strset(&ev.actor, "  { \"subscriberId\": \"bot\", \"n\": 1.50 }");
	nc_strset(&ev.tenant, "acme");
	body = request_build_trigger(&ev, &err);
	cr_assert_not_null(body, "%s", err.message);
	text = json_print_compact(body);
	cr_assert_str_eq(text, "{\"name\":\"w\",\"to\":[],\"payload\":{},"
	                 "\"actor\":{\"subscriberId\":\"bot\",\"n\":1.50},\"tenant\":\"acme\"}");
	free(text);
	cJSON_Delete(body);
	nc_strset(&ev.tenant, "{\"identifier\": ");
	cr_assert_eq(event_validate(&ev, NC_USE_TRIGGER, NULL, &err), NC_E_INVALID);
	cr_assert_str_eq(err.fields[0].field, "tenant");
	nc_error_clear(&err);
	event_clear(&ev);
}
