/* test_apierror.c - Novu error bodies (every fixture), lenient handling of
 * broken bodies, rendering and the collect-all-problems rule. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierror.h"

#ifndef NC_FIXTURES_DIR
#error "NC_FIXTURES_DIR must point at tests/fixtures"
#endif

static char *
read_fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", NC_FIXTURES_DIR, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parse a fixture as the answer to POST /v1/events/trigger. */
static void
from_fixture(struct nc_error *err, long status, const char *name)
{
	size_t len;
	char *body = read_fixture(name, &len);

	nc_error_init(err);
	cr_assert_eq(nc_error_from_http(err, status, "POST /v1/events/trigger", body, len),
	             status >= 500 ? NC_E_SERVER : NC_E_API);
	cr_assert_eq(err->kind, NC_ERRK_HTTP);
	cr_assert_eq(err->http_status, status);
	cr_assert_str_eq(err->endpoint, "POST /v1/events/trigger");
	cr_assert_str_eq(err->raw_body, body);
	free(body);
}

Test(fixtures, error_422_map_gives_one_entry_per_message)
{
	struct nc_error err;

	from_fixture(&err, 422, "error.422.json");
	cr_assert_str_eq(err.message, "Validation Error");
	cr_assert_eq(err.status, NC_E_API);
	cr_assert_eq(err.nfields, 3);
	cr_assert_str_eq(err.fields[0].field, "name");
	cr_assert_str_eq(err.fields[0].message, "name should not be null or undefined");
	cr_assert_str_eq(err.fields[1].field, "name");
	cr_assert_str_eq(err.fields[1].message, "name must be a string");
	cr_assert_str_eq(err.fields[2].field, "to");
	cr_assert_str_eq(err.fields[2].message, "to should not be null or undefined");
	cr_assert_null(err.fields[0].value, "value is omitted when undefined");
	cr_assert_null(err.fields[0].schema_path);
	cr_assert_eq(err.event_index, -1);
	cr_assert_null(err.type);
	nc_error_clear(&err);
}

Test(fixtures, error_422_workflow_not_found_has_no_fields)
{
	struct nc_error err;

	from_fixture(&err, 422, "error.422.workflow-not-found.json");
	cr_assert_str_eq(err.message, "workflow_not_found");
	cr_assert_eq(err.nfields, 0);
	nc_error_clear(&err);
}

Test(fixtures, error_400_payload_validation_list)
{
	struct nc_error err;

	from_fixture(&err, 400, "error.400.json");
	cr_assert_str_eq(err.message, "Payload validation failed: order.id: must have required property 'id'");
	cr_assert_str_eq(err.type, "PAYLOAD_VALIDATION_ERROR");
	cr_assert_eq(err.nfields, 1);
	cr_assert_str_eq(err.fields[0].field, "order.id");
	cr_assert_str_eq(err.fields[0].message, "must have required property 'id'");
	cr_assert_str_eq(err.fields[0].value, "{\"carrier\":\"UPS\"}");
	cr_assert_str_eq(err.fields[0].schema_path, "#/properties/order/required");
	nc_error_clear(&err);
}

Test(fixtures, error_409_413_429_500)
{
	struct nc_error err;

	from_fixture(&err, 409, "error.409.json");
	cr_assert_str_eq(err.message, "Request with key \"nc-7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a17\" is currently being processed. Please retry after 1 second");
	nc_error_clear(&err);

	from_fixture(&err, 413, "error.413.json");
	cr_assert_eq(err.event_index, -1, "single trigger: no index");
	cr_assert_not_null(strstr(err.message, "Payload size (524342 bytes)"));
	nc_error_clear(&err);

	from_fixture(&err, 429, "error.429.json");
	cr_assert_str_eq(err.message, "API rate limit exceeded");
	cr_assert_eq(err.retry_after, -1, "headers are the caller's job");
	nc_error_clear(&err);

	from_fixture(&err, 500, "error.500.json");
	cr_assert_eq(err.status, NC_E_SERVER);
	cr_assert_str_eq(err.error_id, "f1d2c3b4-a5e6-7890-1234-567890abcdef");
	cr_assert_str_eq(err.message, "Internal server error, contact support and provide them with the errorId");
	nc_error_clear(&err);
}

Test(bodies, bulk_413_event_index)
{
	const char *b = "{\"statusCode\":413,\"message\":\"Event at index 4 (workflow: \\\"order-shipped\\\") "
	                "has payload size (600012 bytes) exceeds maximum allowed size of 524288 bytes (512KB).\"}";
	struct nc_error err = NC_ERROR_INIT;

	nc_error_from_http(&err, 413, "POST /v1/events/trigger/bulk", b, strlen(b));
	cr_assert_eq(err.event_index, 4);
	nc_error_clear(&err);
}

Test(bodies, string_array_message_is_joined)
{
	const char *b = "{\"statusCode\":400,\"message\":[\"limit must not be greater than 100\",\"orderBy must be one of the following values: updatedAt, _id\"],\"error\":\"Bad Request\"}";
	struct nc_error err = NC_ERROR_INIT;

	nc_error_from_http(&err, 400, NULL, b, strlen(b));
	cr_assert_str_eq(err.message, "limit must not be greater than 100; orderBy must be one of the following values: updatedAt, _id");
	cr_assert_null(err.endpoint);
	nc_error_clear(&err);
}

Test(bodies, bare_json_string_429)
{
	const char *b = "\"API rate limit exceeded\"";
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(nc_error_from_http(&err, 429, NULL, b, strlen(b)), NC_E_API);
	cr_assert_str_eq(err.message, "API rate limit exceeded");
	nc_error_clear(&err);
}

Test(bodies, message_missing_or_odd_types)
{
	struct nc_error err = NC_ERROR_INIT;
	const char *b1 = "{\"statusCode\":404,\"error\":\"Not Found\"}";
	const char *b2 = "{\"statusCode\":402,\"message\":{\"reason\":\"plan\"},\"currentCount\":5,\"limit\":5}";
	const char *b3 = "{\"statusCode\":418,\"message\":null,\"error\":\"I'm a teapot\"}";
	const char *b4 = "[1,2,3]";

	nc_error_from_http(&err, 404, NULL, b1, strlen(b1));
	cr_assert_str_eq(err.message, "HTTP 404 Not Found");
	nc_error_from_http(&err, 402, NULL, b2, strlen(b2));
	cr_assert_str_eq(err.message, "{\"reason\":\"plan\"}");
	nc_error_from_http(&err, 418, NULL, b3, strlen(b3));
	cr_assert_str_eq(err.message, "HTTP 418 (I'm a teapot)");
	nc_error_from_http(&err, 400, NULL, b4, strlen(b4));
	cr_assert_str_eq(err.message, "HTTP 400 Bad Request (unexpected JSON body: [1,2,3])");
	nc_error_clear(&err);
}

Test(bodies, odd_errors_members_do_not_break_parsing)
{
	const char *b = "{\"message\":\"Validation Error\",\"errors\":{"
	                "\"a\":{\"messages\":[]},\"b\":\"plain text\",\"c\":{\"messages\":[42],\"value\":[1]},"
	                "\"d\":{\"messages\":\"one\"}}}";
	struct nc_error err = NC_ERROR_INIT;

	nc_error_from_http(&err, 422, NULL, b, strlen(b));
	cr_assert_eq(err.nfields, 4);
	cr_assert_str_eq(err.fields[0].field, "a");
	cr_assert_str_eq(err.fields[0].message, "{\"messages\":[]}");
	cr_assert_str_eq(err.fields[1].message, "plain text");
	cr_assert_str_eq(err.fields[2].message, "42");
	cr_assert_str_eq(err.fields[2].value, "[1]");
	cr_assert_str_eq(err.fields[3].message, "one");
	nc_error_clear(&err);
}

Test(bodies, lenient_json_latin1_and_trailing_bytes)
{
	const char *b = "{\"statusCode\":400,\"message\":\"caf\xe9 closed\"}\r\n--garbage";
	struct nc_error err = NC_ERROR_INIT;

	nc_error_from_http(&err, 400, NULL, b, strlen(b));
	cr_assert_str_eq(err.message, "caf\xe9 closed", "structured parse despite non-UTF-8 and trailing bytes");
	nc_error_clear(&err);
}

/* Nothing a server sends can reach the terminal as a control sequence. */
Test(format, server_text_cannot_carry_terminal_escapes)
{
	const char *b = "{\"statusCode\":400,\"message\":\"m\",\"type\":\"\\u001b]0;PWNED\\u0007\","
	                "\"errors\":[{\"field\":\"a\\u001b[2Jb\",\"message\":\"x\","
	                "\"schemaPath\":\"#/\\u009b31m\"}]}";
	struct nc_error err = NC_ERROR_INIT;
	char *text, *p;

	nc_error_from_http(&err, 400, NULL, b, strlen(b));
	err.ratelimit_policy = strdup("300;w=5\x1b[2J");
	text = nc_error_format(&err);
	cr_assert_not_null(text);
	cr_assert(strstr(text, "PWNED") != NULL, "the text itself is kept: %s", text);
	for (p = text; *p; p++)
		cr_assert(*p == '\n' || *p == '\t' || (unsigned char)*p >= 0x20, "control byte in %s", text);
	cr_assert_null(strstr(text, "\xc2\x9b"), "no C1 CSI either");
	free(text);
	nc_error_clear(&err);
}

/* A text body that merely starts like a JSON scalar stays text. */
Test(bodies, text_starting_with_a_number_is_shown_as_text)
{
	const char *b = "404 page not found";
	struct nc_error err = NC_ERROR_INIT;

	nc_error_from_http(&err, 404, NULL, b, strlen(b));
	cr_assert(strstr(err.message, "404 page not found") != NULL, "%s", err.message);
	nc_error_clear(&err);
}

Test(bodies, html_from_a_proxy)
{
	const char *b = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
	                "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
	struct nc_error err = NC_ERROR_INIT;
	char *text;

	cr_assert_eq(nc_error_from_http(&err, 502, "POST /v1/events/trigger", b, strlen(b)), NC_E_SERVER);
	cr_assert_str_eq(err.message,
	                 "HTTP 502 Bad Gateway (non-JSON body: 502 Bad Gateway 502 Bad Gateway nginx)");
	cr_assert_str_eq(err.raw_body, b);
	text = nc_error_format(&err);
	cr_assert_not_null(strstr(text, "    | <center><h1>502 Bad Gateway</h1></center>\n"), "%s", text);
	free(text);
	nc_error_clear(&err);
}

Test(bodies, empty_body)
{
	struct nc_error err = NC_ERROR_INIT;

	nc_error_from_http(&err, 503, NULL, NULL, 0);
	cr_assert_str_eq(err.message, "HTTP 503 Service Unavailable (empty body)");
	cr_assert_null(err.raw_body);
	nc_error_from_http(&err, 401, NULL, "", 0);
	cr_assert_str_eq(err.message, "HTTP 401 Unauthorized (empty body)");
	cr_assert_eq(err.status, NC_E_API);
	nc_error_clear(&err);
}

Test(bodies, long_text_is_cut_and_sanitised)
{
	struct nc_error err = NC_ERROR_INIT;
	char body[600];
	const char *p;

	memset(body, 'x', sizeof(body));
	body[3] = '\n';
	body[4] = '\t';
	body[5] = '\x01';
	nc_error_from_http(&err, 500, NULL, body, sizeof(body));
	cr_assert_not_null(strstr(err.message, "(non-JSON body: xxx xxxx"), "%s", err.message);
	p = strstr(err.message, "...)");
	cr_assert_not_null(p, "%s", err.message);
	cr_assert_eq(strlen(err.message), strlen("HTTP 500 Internal Server Error (non-JSON body: ") + 200 + 4);
	nc_error_clear(&err);
}

Test(bodies, binary_body)
{
	const char b[] = { '\x00', '\xff', '\xfe', 'P', 'K', '\x03', '\x04', '\x00', '\xc3' };
	struct nc_error err = NC_ERROR_INIT;
	char *text;

	nc_error_from_http(&err, 500, NULL, b, sizeof(b));
	cr_assert_str_eq(err.message, "HTTP 500 Internal Server Error (non-JSON body: ??PK ?)");
	cr_assert_eq(strlen(err.raw_body), sizeof(b), "NULs kept visible, not cutting the text");
	text = nc_error_format(&err);
	cr_assert_not_null(text);
	free(text);
	nc_error_clear(&err);
}

Test(bodies, only_unprintable_bytes)
{
	const char b[] = { '\x01', '\x02', '\n' };
	struct nc_error err = NC_ERROR_INIT;

	nc_error_from_http(&err, 502, NULL, b, sizeof(b));
	cr_assert_str_eq(err.message, "HTTP 502 Bad Gateway (non-JSON body: 3 bytes, nothing printable)");
	nc_error_clear(&err);
}

Test(bodies, raw_body_is_capped)
{
	size_t n = 200 * 1024;
	char *b = malloc(n);
	struct nc_error err = NC_ERROR_INIT;

	memset(b, 'a', n);
	nc_error_from_http(&err, 413, NULL, b, n);
	cr_assert_eq(strlen(err.raw_body), 64 * 1024);
	nc_error_clear(&err);
	free(b);
}

Test(bodies, absurd_nesting)
{
	size_t n = 100000, i;
	char *b = malloc(n);
	struct nc_error err = NC_ERROR_INIT;

	for (i = 0; i < n; i++)
		b[i] = i % 2 ? '[' : '{';
	memcpy(b, "{\"a\":", 5);
	nc_error_from_http(&err, 400, NULL, b, n);
	cr_assert_not_null(strstr(err.message, "non-JSON body"));
	nc_error_clear(&err);
	for (i = 0; i < n; i++)
		b[i] = '[';
	nc_error_from_http(&err, 400, NULL, b, n);
	cr_assert_not_null(strstr(err.message, "non-JSON body: [[[["));
	nc_error_clear(&err);
	free(b);
}

Test(bodies, keeps_caller_recorded_members)
{
	struct nc_error err = NC_ERROR_INIT;

	err.attempts = 3;
	err.transport = strdup("earlier attempt: timeout");
	nc_error_from_http(&err, 429, NULL, "\"slow down\"", 11);
	err.retry_after = 2;
	cr_assert_eq(err.attempts, 3);
	cr_assert_str_eq(err.transport, "earlier attempt: timeout");
	cr_assert_str_eq(err.message, "slow down");
	nc_error_clear(&err);
}

/* Every prefix of every fixture, in a buffer of exactly that size (no NUL
 * after it), so ASan/valgrind catch any read past the body. */
Test(robustness, every_truncation_of_every_fixture)
{
	static const char *const names[] = {
		"error.400.json", "error.409.json", "error.413.json", "error.422.json",
		"error.422.workflow-not-found.json", "error.429.json", "error.500.json",
		"error.429.headers.json", "bulk.response.json", "notifications.list.response.json",
	};
	size_t k, cut, len, runs = 0;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		char *body = read_fixture(names[k], &len);

		for (cut = 0; cut <= len; cut++) {
			struct nc_error err = NC_ERROR_INIT;
			char *exact = malloc(cut > 0 ? cut : 1);
			char *text;

			memcpy(exact, body, cut);
			nc_error_from_http(&err, 400 + (long)(cut % 200), "GET /x", exact, cut);
			cr_assert_not_null(err.message);
			cr_assert(strlen(err.message) > 0);
			text = nc_error_format(&err);
			cr_assert_not_null(text);
			free(text);
			nc_error_clear(&err);
			free(exact);
			runs++;
		}
		free(body);
	}
	cr_assert_gt(runs, 2000);
}

/* Flip bytes of a fixture, bounded and deterministic. */
Test(robustness, corrupted_bytes)
{
	size_t len, i;
	char *body = read_fixture("error.400.json", &len);
	unsigned seed = 12345;

	for (i = 0; i < 3000; i++) {
		struct nc_error err = NC_ERROR_INIT;
		char *copy = malloc(len);
		char *text;
		size_t pos;

		memcpy(copy, body, len);
		seed = seed * 1103515245u + 12345u;
		pos = (seed >> 8) % len;
		copy[pos] = (char)(seed >> 16);
		nc_error_from_http(&err, 400, NULL, copy, len);
		text = nc_error_format(&err);
		cr_assert_not_null(text);
		free(text);
		nc_error_clear(&err);
		free(copy);
	}
	free(body);
}

Test(set, first_validation_problem_stays_the_summary)
{
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(nc_error_set(&err, NC_E_INVALID, "to[3]", "to[3]: subscriber ID is empty"),
	             NC_E_INVALID);
	nc_error_set(&err, NC_E_INVALID, "payload", "payload: bad");
	cr_assert_eq(err.kind, NC_ERRK_CLIENT);
	cr_assert_str_eq(err.message, "to[3]: subscriber ID is empty");
	cr_assert_eq(err.nfields, 2);
	cr_assert_str_eq(err.fields[1].field, "payload");
	cr_assert_str_eq(err.fields[1].message, "payload: bad");
	/* a different kind of failure replaces the summary */
	nc_error_set(&err, NC_E_IO, NULL, "cannot read %s", "events.jsonl");
	cr_assert_eq(err.kind, NC_ERRK_LOCAL);
	cr_assert_eq(err.status, NC_E_IO);
	cr_assert_str_eq(err.message, "cannot read events.jsonl");
	cr_assert_eq(err.nfields, 2);
	nc_error_clear(&err);
	cr_assert_null(err.message);
	cr_assert_eq(err.event_index, -1);
	cr_assert_eq(err.ratelimit_reset, -1);
	cr_assert_eq(nc_error_set(NULL, NC_E_USAGE, "x", "y"), NC_E_USAGE);
}

Test(format, http_error_renders_everything)
{
	struct nc_error err;
	char *text;

	from_fixture(&err, 400, "error.400.json");
	err.attempts = 2;
	err.retry_after = 3;
	err.ratelimit_limit = 300;
	err.ratelimit_remaining = 0;
	err.ratelimit_reset = 2;
	err.ratelimit_policy = strdup("300;w=5;burst=330");
	text = nc_error_format(&err);
	cr_assert_str_eq(text,
	    "Payload validation failed: order.id: must have required property 'id'\n"
	    "  HTTP 400 Bad Request from POST /v1/events/trigger\n"
	    "  type: PAYLOAD_VALIDATION_ERROR\n"
	    "  problem:\n"
	    "    - order.id: must have required property 'id'\n"
	    "      value: {\"carrier\":\"UPS\"}\n"
	    "      schema: #/properties/order/required\n"
	    "  retry after: 3 s\n"
	    "  rate limit: 0 of 300 tokens left, refills in 2 s\n"
	    "  rate-limit policy: 300;w=5;burst=330\n"
	    "  attempts: 2\n");
	free(text);
	nc_error_clear(&err);
}

/* A full bucket with a burst holds more tokens than its limit. */
Test(format, ratelimit_above_the_limit_is_a_burst)
{
	struct nc_error err;
	char *text;

	from_fixture(&err, 400, "error.400.json");
	err.ratelimit_limit = 300;
	err.ratelimit_remaining = 329;
	err.ratelimit_reset = 1;
	text = nc_error_format(&err);
	cr_assert_not_null(strstr(text, "  rate limit: 329 tokens left (a burst above the limit "
	                          "of 300), refills in 1 s\n"), "%s", text);
	free(text);
	nc_error_clear(&err);
}

Test(format, server_error_id_and_event_index)
{
	struct nc_error err;
	char *text;

	from_fixture(&err, 500, "error.500.json");
	err.event_index = 7;
	text = nc_error_format(&err);
	cr_assert_not_null(strstr(text, "  error id: f1d2c3b4-a5e6-7890-1234-567890abcdef"), "%s", text);
	cr_assert_not_null(strstr(text, "  event index: 7"), "%s", text);
	cr_assert_null(strstr(text, "body ("), "JSON bodies are shown parsed, not raw");
	free(text);
	nc_error_clear(&err);
}

Test(format, client_and_transport_errors)
{
	struct nc_error err = NC_ERROR_INIT;
	char *text;

	nc_error_set(&err, NC_E_INVALID, "to", "to: no recipients");
	text = nc_error_format(&err);
	cr_assert_str_eq(text, "to: no recipients\n  no request was made (checked here first)\n");
	free(text);
	nc_error_set(&err, NC_E_INVALID, "payload", "payload: invalid JSON");
	text = nc_error_format(&err);
	cr_assert_str_eq(text, "to: no recipients\n  no request was made (checked here first)\n"
	                       "  problems:\n    - to: no recipients\n    - payload: invalid JSON\n");
	free(text);
	nc_error_clear(&err);

	err.kind = NC_ERRK_TRANSPORT;
	err.status = NC_E_NETWORK;
	err.message = strdup("cannot reach api.novu.co");
	err.transport = strdup("Could not resolve host: api.novu.co");
	err.endpoint = strdup("POST /v1/events/trigger");
	err.attempts = 5;
	text = nc_error_format(&err);
	cr_assert_str_eq(text, "cannot reach api.novu.co\n  no HTTP answer to POST /v1/events/trigger\n"
	                       "  transport: Could not resolve host: api.novu.co\n  attempts: 5\n");
	free(text);
	nc_error_clear(&err);

	text = nc_error_format(&err);
	cr_assert_str_eq(text, "ok\n");
	free(text);
}

Test(copy, deep_copy_is_independent)
{
	struct nc_error a, b;

	from_fixture(&a, 400, "error.400.json");
	a.fields[0].line = 3;
	a.transport = strdup("t");
	cr_assert_eq(nc_error_copy(&b, &a), NC_OK);
	cr_assert_neq(b.message, a.message);
	cr_assert_str_eq(b.message, a.message);
	cr_assert_str_eq(b.raw_body, a.raw_body);
	cr_assert_str_eq(b.transport, "t");
	cr_assert_eq(b.nfields, 1);
	cr_assert_neq(b.fields, a.fields);
	cr_assert_str_eq(b.fields[0].value, "{\"carrier\":\"UPS\"}");
	cr_assert_eq(b.fields[0].line, 3);
	cr_assert_eq(b.http_status, 400);
	nc_error_clear(&a);
	cr_assert_str_eq(b.fields[0].schema_path, "#/properties/order/required");
	nc_error_clear(&b);
}
