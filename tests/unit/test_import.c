/* test_import.c - recipients and bulk events from ID lists, CSV and JSON
 * Lines (src/import.c). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "import.h"
#include "jsonutil.h"

static struct nc_recipient *rs;
static size_t nrs;
static struct nc_event *evs;
static size_t nevs;
static struct nc_error err;

static void
setup(void)
{
	rs = NULL;
	nrs = 0;
	evs = NULL;
	nevs = 0;
	nc_error_init(&err);
}

static void
teardown(void)
{
	size_t i;

	for (i = 0; i < nrs; i++)
		recipient_clear(&rs[i]);
	free(rs);
	for (i = 0; i < nevs; i++)
		event_clear(&evs[i]);
	free(evs);
	nc_error_clear(&err);
}

TestSuite(import, .init = setup, .fini = teardown);

static enum nc_status
recipients(const char *text)
{
	return import_recipients(text, strlen(text), &rs, &nrs, &err);
}

static enum nc_status
events(const char *text, const char *workflow)
{
	struct nc_import_options o = { workflow, 0 };

	return import_events_text(text, strlen(text), &o, &evs, &nevs, &err);
}

/* The payload as parsed JSON, for comparisons that ignore spacing. */
static cJSON *
payload_of(const struct nc_event *ev)
{
	cr_assert_not_null(ev->payload_json);
	return cJSON_Parse(ev->payload_json);
}

Test(import, ids_one_per_line_skip_blanks_and_comments)
{
	cr_assert_eq(recipients("# exported 2026-07-01\n  user-1  \n\nuser-2\r\n#user-3\nZoë\n"),
	             NC_OK);
	cr_assert_eq(nrs, 3);
	cr_assert_str_eq(rs[0].id, "user-1");
	cr_assert_str_eq(rs[1].id, "user-2");
	cr_assert_str_eq(rs[2].id, "Zoë");
	cr_assert_eq(rs[2].kind, NC_RCPT_SUBSCRIBER_ID);
}

Test(import, id_header_alone_is_csv)
{
	cr_assert_eq(recipients("subscriberId\nuser-1\nuser-2\n"), NC_OK);
	cr_assert_eq(nrs, 2);
	cr_assert_str_eq(rs[0].id, "user-1");
}

Test(import, csv_with_object_columns_and_data)
{
	const char *csv =
		"\xef\xbb\xbfsubscriber_id,email,First Name,lastName,locale,data.plan,data.tier\r\n"
		"user-1,,,,,,\r\n"
		"user-2,jane@example.com,Jane,\"Doe, Jr.\",en-US,pro,gold\r\n";
	cJSON *data;

	cr_assert_eq(recipients(csv), NC_OK, "%s", err.message ? err.message : "");
	cr_assert_eq(nrs, 2);
	cr_assert_eq(rs[0].kind, NC_RCPT_SUBSCRIBER_ID, "a bare ID stays a plain ID");
	cr_assert_eq(rs[1].kind, NC_RCPT_SUBSCRIBER);
	cr_assert_str_eq(rs[1].email, "jane@example.com");
	cr_assert_str_eq(rs[1].first_name, "Jane");
	cr_assert_str_eq(rs[1].last_name, "Doe, Jr.");
	cr_assert_str_eq(rs[1].locale, "en-US");
	data = cJSON_Parse(rs[1].data_json);
	cr_assert_str_eq(cJSON_GetObjectItem(data, "plan")->valuestring, "pro");
	cr_assert_str_eq(cJSON_GetObjectItem(data, "tier")->valuestring, "gold");
	cJSON_Delete(data);
}

Test(import, csv_semicolon_quotes_and_line_breaks)
{
	const char *csv = "id;firstName\n\"user \"\"1\"\"\";\"two\nlines\"\n";

	cr_assert_eq(recipients(csv), NC_OK, "%s", err.message ? err.message : "");
	cr_assert_eq(nrs, 1);
	cr_assert_str_eq(rs[0].id, "user \"1\"");
	cr_assert_str_eq(rs[0].first_name, "two\nlines");
}

Test(import, csv_topic_rows)
{
	cr_assert_eq(recipients("subscriberId,topic\n,ops-team\nuser-9,\n"), NC_OK);
	cr_assert_eq(nrs, 2);
	cr_assert_eq(rs[0].kind, NC_RCPT_TOPIC);
	cr_assert_str_eq(rs[0].id, "ops-team");
	cr_assert_eq(rs[1].kind, NC_RCPT_SUBSCRIBER_ID);
}

Test(import, csv_row_without_id_names_its_line)
{
	cr_assert_eq(recipients("subscriberId,email\nuser-1,a@b.c\n,x@y.z\n"), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "line 3"), "%s", err.message);
	cr_assert_eq(nrs, 0, "nothing is returned on error");
	cr_assert_null(rs);
}

Test(import, csv_unknown_recipient_column_is_refused)
{
	cr_assert_eq(recipients("subscriberId,plan\nuser-1,pro\n"), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "plan"), "%s", err.message);
}

Test(import, csv_unterminated_quote)
{
	cr_assert_eq(recipients("subscriberId,email\nuser-1,\"a@b.c\n"), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "line 2"), "%s", err.message);
}

Test(import, csv_too_many_cells)
{
	cr_assert_eq(recipients("subscriberId,email\nuser-1,a@b.c,extra\n"), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "line 2"), "%s", err.message);
}

Test(import, empty_file_has_no_recipients)
{
	cr_assert_eq(recipients("\n\n# nothing\n"), NC_E_INVALID);
}

Test(import, csv_events_with_payload_columns)
{
	const char *csv =
		"workflow,subscriberId,order.id,order.carrier,count:json,payload.note\n"
		"order-shipped,user-1,A-1,UPS,3,hi\n"
		",user-2,A-2,\"DHL, Express\",\"[1,2]\",\n";
	cJSON *p, *order;

	cr_assert_eq(events(csv, "default-flow"), NC_OK, "%s", err.message ? err.message : "");
	cr_assert_eq(nevs, 2);
	cr_assert_str_eq(evs[0].workflow, "order-shipped");
	cr_assert_str_eq(evs[1].workflow, "default-flow", "an empty cell takes the default");
	cr_assert_eq(evs[0].nto, 1);
	cr_assert_str_eq(evs[0].to[0].id, "user-1");
	p = payload_of(&evs[0]);
	order = cJSON_GetObjectItem(p, "order");
	cr_assert_str_eq(cJSON_GetObjectItem(order, "id")->valuestring, "A-1");
	cr_assert_str_eq(cJSON_GetObjectItem(order, "carrier")->valuestring, "UPS");
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(p, "count")), ":json cells are parsed");
	cr_assert_str_eq(cJSON_GetObjectItem(p, "note")->valuestring, "hi");
	cJSON_Delete(p);
	p = payload_of(&evs[1]);
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(p, "count")));
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "order"), "carrier")->valuestring,
	                 "DHL, Express");
	cr_assert_null(cJSON_GetObjectItem(p, "note"), "an empty cell sets nothing");
	cJSON_Delete(p);
}

Test(import, csv_events_values_stay_strings)
{
	cJSON *p;

	cr_assert_eq(events("to,zip,transactionId,actor\nuser-1,01234,t-1,admin\n", "w"), NC_OK);
	p = payload_of(&evs[0]);
	cr_assert_str_eq(cJSON_GetObjectItem(p, "zip")->valuestring, "01234");
	cJSON_Delete(p);
	cr_assert_str_eq(evs[0].transaction_id, "t-1");
	cr_assert_str_eq(evs[0].actor, "admin");
}

Test(import, csv_event_without_workflow_is_refused)
{
	cr_assert_eq(events("subscriberId,x\nuser-1,1\n", NULL), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "line 2"), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "workflow"), "%s", err.message);
}

Test(import, csv_bad_json_cell)
{
	cr_assert_eq(events("subscriberId,n:json\nuser-1,{oops\n", "w"), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "line 2"), "%s", err.message);
}

Test(import, jsonl_wire_events_and_rows)
{
	const char *jl =
		"{\"name\":\"order-shipped\",\"to\":[\"user-1\",{\"type\":\"Topic\",\"topicKey\":\"ops\"}],"
		"\"payload\":{\"a\":1}}\n"
		"\n"
		"{\"to\":\"user-2\"}\n"
		"{\"subscriberId\":\"user-3\",\"email\":\"z@example.com\","
		"\"payload\":{\"total\":12.5,\"b\":true},\"data\":{\"vip\":true}}\n"
		"{\"workflow\":\"w2\",\"topicKey\":\"ops\"}\n";

	cr_assert_eq(events(jl, "fallback"), NC_OK, "%s", err.message ? err.message : "");
	cr_assert_eq(nevs, 4);
	cr_assert_eq(evs[0].nto, 2);
	cr_assert_eq(evs[0].to[1].kind, NC_RCPT_TOPIC);
	cr_assert_str_eq(evs[1].workflow, "fallback", "a wire event without name takes the default");
	cr_assert_str_eq(evs[2].workflow, "fallback");
	cr_assert_eq(evs[2].to[0].kind, NC_RCPT_SUBSCRIBER);
	cr_assert_str_eq(evs[2].to[0].email, "z@example.com");
	cr_assert_str_eq(evs[2].to[0].data_json, "{\"vip\":true}");
	cr_assert_str_eq(evs[2].payload_json, "{\"total\":12.5,\"b\":true}");
	cr_assert_str_eq(evs[3].workflow, "w2");
	cr_assert_eq(evs[3].to[0].kind, NC_RCPT_TOPIC);
	cr_assert_str_eq(evs[3].to[0].id, "ops");
}

Test(import, jsonl_error_names_the_line)
{
	cr_assert_eq(events("{\"to\":\"a\",\"name\":\"w\"}\n{\"to\": }\n", NULL), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "line 2"), "%s", err.message);
	cr_assert_eq(nevs, 0);
}

Test(import, json_array_and_events_object)
{
	cr_assert_eq(events("[{\"name\":\"w\",\"to\":\"a\"},{\"name\":\"w\",\"to\":\"b\"}]", NULL),
	             NC_OK);
	cr_assert_eq(nevs, 2);
	teardown();
	setup();
	cr_assert_eq(events("{\"events\":[{\"name\":\"w\",\"to\":\"a\"}]}", NULL), NC_OK);
	cr_assert_eq(nevs, 1);
	cr_assert_str_eq(evs[0].to[0].id, "a");
}

Test(import, json_array_error_names_the_event)
{
	cr_assert_eq(events("[{\"name\":\"w\",\"to\":\"a\"},{\"name\":\"w\",\"unknownKey\":1,\"to\":\"b\"}]",
	                    NULL), NC_E_INVALID);
	cr_assert_str_eq(err.fields[0].field, "events[1].unknownKey");
	cr_assert(strncmp(err.message, "events[1].unknownKey: unknown key \"unknownKey\"; an event "
	                  "has name (or workflowId), to, payload,", 78) == 0, "%s", err.message);
	cr_assert_not_null(strstr(err.message, "subscriberId, email"), "%s", err.message);
}

Test(import, many_events_no_cap)
{
	char *text = malloc(300 * 64), *p = text;
	int i;

	*p = '\0';
	p += sprintf(p, "subscriberId\n");
	for (i = 0; i < 250; i++)
		p += sprintf(p, "user-%d\n", i);
	cr_assert_eq(events(text, "w"), NC_OK);
	cr_assert_eq(nevs, 250, "no 100 cap here: splitting is bulk_plan's job");
	free(text);
}

Test(import, read_file_round_trip)
{
	char path[] = "/tmp/nc-import-XXXXXX";
	int fd = mkstemp(path);
	char *text = NULL;
	size_t len = 0;

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "user-1\nuser-2\n", 14), 14);
	close(fd);
	cr_assert_eq(import_read_file(path, &text, &len, &err), NC_OK);
	cr_assert_eq(len, 14);
	cr_assert_str_eq(text, "user-1\nuser-2\n");
	free(text);
	unlink(path);
	cr_assert_eq(import_read_file(path, &text, &len, &err), NC_E_IO);
	cr_assert_not_null(strstr(err.message, path));
}

/* ---- the one events-file reader (also the headless bulk command's) ---- */

#ifndef NC_FIXTURES_DIR
#error "NC_FIXTURES_DIR must point at tests/fixtures"
#endif

static char *
read_fixture(const char *name, size_t *len)
{
	char path[512], *text = NULL;
	struct nc_error e = NC_ERROR_INIT;

	snprintf(path, sizeof(path), "%s/%s", NC_FIXTURES_DIR, name);
	cr_assert_eq(import_read_file(path, &text, len, &e), NC_OK, "cannot read %s", path);
	nc_error_clear(&e);
	return text;
}

/* As the bulk command reads: every event checked too. */
static enum nc_status
bulk_file(const char *text, size_t len)
{
	struct nc_import_options o = { NULL, 1 };

	return import_events_text(text, len, &o, &evs, &nevs, &err);
}

static enum nc_status
bulk_text(const char *text)
{
	return bulk_file(text, strlen(text));
}

Test(import, wrapper_fixture_rebuilds_identically)
{
	size_t len;
	char *text = read_fixture("bulk.request.json", &len), *got_text;
	cJSON *got, *want = cJSON_Parse(text), *e, *wire;

	cr_assert_eq(bulk_file(text, len), NC_OK, "%s", err.message);
	cr_assert_eq(nevs, 2);
	got = request_build_bulk(evs, nevs, &err);
	/* the builders always send `to` as an array */
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(want, "events")) {
		cJSON *to = cJSON_GetObjectItem(e, "to");

		if (!cJSON_IsArray(to)) {
			cJSON *arr = cJSON_CreateArray();

			cJSON_AddItemToArray(arr, cJSON_Duplicate(to, 1));
			cJSON_ReplaceItemInObject(e, "to", arr);
		}
	}
	got_text = json_print_compact(got);
	wire = cJSON_Parse(got_text);
	cr_assert(cJSON_Compare(wire, want, 1), "got %s", got_text);
	free(got_text);
	cJSON_Delete(wire);
	cJSON_Delete(got);
	cJSON_Delete(want);
	free(text);
}

Test(import, array_and_single_object)
{
	cr_assert_eq(bulk_text("[{\"name\":\"a\",\"to\":\"u1\"},{\"name\":\"b\",\"to\":[\"u2\",\"u3\"]}]"),
	             NC_OK);
	cr_assert_eq(nevs, 2);
	cr_assert_str_eq(evs[1].workflow, "b");
	cr_assert_eq(evs[1].nto, 2);
	teardown();
	setup();
	cr_assert_eq(bulk_text("{\n  \"name\": \"a\",\n  \"to\": \"u1\"\n}\n"), NC_OK);
	cr_assert_eq(nevs, 1);
}

Test(import, json_lines_with_blank_lines_and_crlf)
{
	cr_assert_eq(bulk_text("{\"name\":\"a\",\"to\":\"u1\"}\r\n\r\n"
	                       "{\"name\":\"b\",\"to\":\"u2\",\"payload\":{\"k\": [1, 2]}}\r\n"
	                       "  {\"workflowId\":\"c\",\"to\":{\"subscriberId\":\"u3\"}}"), NC_OK);
	cr_assert_eq(nevs, 3);
	cr_assert_str_eq(evs[1].payload_json, "{\"k\":[1,2]}");
	cr_assert_str_eq(evs[2].workflow, "c");
}

Test(import, json_lines_errors_name_the_line)
{
	cr_assert_eq(bulk_text("{\"name\":\"a\",\"to\":\"u1\"}\n"
	                       "{\"name\":\"b\",\"to\":\"\"}\n"
	                       "\n"
	                       "{\"name\":\"c\" \"to\":\"u3\"}\n"
	                       "{\"name\":\"d\",\"to\":\"u4\",\"oops\":1}\n"), NC_E_INVALID);
	cr_assert_null(evs);
	cr_assert_eq(nevs, 0);
	cr_assert_eq(err.nfields, 3);
	cr_assert_str_eq(err.fields[0].message, "line 2: to[0]: subscriber ID is empty");
	cr_assert_str_eq(err.fields[0].field, "line 2: to[0]");
	cr_assert_str_eq(err.fields[1].message,
	                 "line 4, column 13: invalid JSON: expected ',' or '}', found '\"'");
	cr_assert_eq(err.fields[1].line, 4);
	cr_assert_eq(err.fields[1].column, 13);
	cr_assert(strncmp(err.fields[2].message, "line 5: oops: unknown key \"oops\"", 32) == 0,
	          "%s", err.fields[2].message);
	cr_assert_str_eq(err.message, err.fields[0].message);
}

Test(import, array_errors_name_the_index)
{
	cr_assert_eq(bulk_text("[{\"name\":\"a\",\"to\":\"u\"},{\"name\":\"a\",\"to\":\"u\"},"
	                       "{\"name\":\"a\",\"to\":\"u\"},{\"name\":\"a\",\"to\":\"u\"},"
	                       "{\"name\":\"a\",\"to\":5}, 7]"), NC_E_INVALID);
	cr_assert_eq(err.nfields, 2);
	cr_assert_str_eq(err.fields[0].message,
	                 "events[4].to: subscriber ID must be a string — write it in quotes");
	cr_assert_str_eq(err.fields[1].field, "events[5]");
	cr_assert_str_eq(err.fields[1].message, "events[5]: must be an event object {...}, not a number");
}

Test(import, broken_pretty_document_reports_line_and_column)
{
	cr_assert_eq(bulk_text("{\n  \"events\": [\n    {\"name\": \"a\", \"to\": \"u\"},\n"
	                       "    {\"name\": \"b\" \"to\": \"u\"}\n  ]\n}\n"), NC_E_INVALID);
	cr_assert_str_eq(err.message, "events file: invalid JSON at line 4, column 18: "
	                 "expected ',' or '}', found '\"'");
	cr_assert_eq(err.fields[0].line, 4);
	cr_assert_eq(err.fields[0].column, 18);
}

Test(import, wrong_shapes)
{
	cr_assert_eq(bulk_text("  \n"), NC_E_INVALID);
	cr_assert(strncmp(err.message, "events file is empty", 20) == 0, "%s", err.message);
	nc_error_clear(&err);
	cr_assert_eq(bulk_text("[]"), NC_E_INVALID);
	cr_assert_str_eq(err.message, "events: the file holds no events");
	nc_error_clear(&err);
	cr_assert_eq(bulk_text("{\"events\":{},\n\"x\":1}"), NC_E_INVALID);
	cr_assert_eq(err.nfields, 2);
	cr_assert_str_eq(err.fields[1].message, "events: must be an array of event objects, not an object");
}

/* The same CSV the console imports is what `bulk` sends. */
Test(import, csv_is_read_by_the_bulk_reader_too)
{
	cr_assert_eq(bulk_text("workflow,subscriberId,order.id:json,order.note\n"
	                       "order-shipped,user-1,12345678901234567,hi\n"), NC_OK,
	             "%s", err.message ? err.message : "");
	cr_assert_eq(nevs, 1);
	cr_assert_str_eq(evs[0].payload_json, "{\"order\":{\"id\":12345678901234567,\"note\":\"hi\"}}");
}

Test(import, many_events_beyond_one_request)
{
	size_t n = 250, i, len = 0;
	char *t = malloc(n * 64);

	for (i = 0; i < n; i++)
		len += (size_t)sprintf(t + len, "{\"name\":\"wf\",\"to\":\"user-%zu\"}\n", i);
	cr_assert_eq(bulk_file(t, len), NC_OK);
	cr_assert_eq(nevs, 250);
	cr_assert_str_eq(evs[249].to[0].id, "user-249");
	cr_assert_eq(bulk_plan_count(nevs), 3);
	free(t);
}

Test(import, problem_list_is_bounded)
{
	size_t n = 500, i, len = 0;
	char *t = malloc(n * 32);

	for (i = 0; i < n; i++)
		len += (size_t)sprintf(t + len, "{\"name\":\"\",\"to\":\"u\"}\n");
	cr_assert_eq(bulk_file(t, len), NC_E_INVALID);
	cr_assert_eq(err.nfields, 101);
	cr_assert(strstr(err.fields[100].message, "stopped after 100 problems") != NULL);
	free(t);
}

/* Every prefix of the request fixtures, in exact-size buffers: the reader
 * must fail cleanly (or succeed) without reading past the end. */
Test(import, every_truncation_of_the_fixtures)
{
	static const char *const names[] = { "bulk.request.json", "trigger.request.json" };
	size_t k, cut, len, ok = 0;

	for (k = 0; k < 2; k++) {
		char *text = read_fixture(names[k], &len);

		for (cut = 0; cut <= len; cut++) {
			char *exact = malloc(cut > 0 ? cut : 1);
			enum nc_status st;

			memcpy(exact, text, cut);
			st = bulk_file(exact, cut);
			if (st == NC_OK) {
				ok++;
			} else {
				cr_assert_eq(st, NC_E_INVALID);
				cr_assert_null(evs);
				cr_assert_not_null(err.message);
			}
			teardown();
			setup();
			free(exact);
		}
		free(text);
	}
	cr_assert(ok >= 2 && ok <= 4, "%zu prefixes parsed", ok);
}

/* Streaming: events come one at a time and each error names its place. */
Test(import, reader_goes_on_after_a_bad_event)
{
	const char *t = "{\"name\":\"w\",\"to\":\"a\"}\n{\"name\":\"w\",\"to\":}\n{\"name\":\"w\",\"to\":\"c\"}\n";
	struct nc_import_options o = { NULL, 1 };
	struct nc_event_reader *r;
	struct nc_event ev;

	cr_assert_eq(event_reader_open_text(&r, t, strlen(t), &o, &err), NC_OK);
	cr_assert_eq(event_reader_next(r, &ev, &err), NC_READ_EVENT);
	cr_assert_str_eq(ev.to[0].id, "a");
	event_clear(&ev);
	cr_assert_eq(event_reader_next(r, &ev, &err), NC_READ_ERROR);
	cr_assert_eq(err.status, NC_E_INVALID);
	cr_assert_eq(err.fields[0].line, 2);
	cr_assert_eq(event_reader_next(r, &ev, &err), NC_READ_EVENT);
	cr_assert_str_eq(ev.to[0].id, "c");
	event_clear(&ev);
	cr_assert_eq(event_reader_next(r, &ev, &err), NC_READ_END);
	event_reader_close(r);
}

Test(import, reader_reads_a_file_and_stdin_name)
{
	char path[] = "/tmp/nc-events-XXXXXX";
	int fd = mkstemp(path);
	const char *t = "subscriberId\nuser-1\n\"user\n2\"\n";

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	{
		struct nc_import_options o = { "w", 0 };

		cr_assert_eq(import_events_file(path, &o, &evs, &nevs, &err), NC_OK);
	}
	cr_assert_eq(nevs, 2);
	cr_assert_str_eq(evs[1].to[0].id, "user\n2", "a quoted cell spans lines");
	unlink(path);
	teardown();
	setup();
	cr_assert_eq(import_events_file(path, NULL, &evs, &nevs, &err), NC_E_IO);
}

/* Numbers and key order reach the model as typed. */
Test(import, json_values_stay_as_typed)
{
	cr_assert_eq(bulk_text("{\"name\":\"w\",\"to\":{\"subscriberId\":\"u\",\"data\":{\"n\":1e400}},"
	                       "\"payload\":{\"z\":12345678901234567,\"a\":-0,\"s\":\"x\\u0000y\"},"
	                       "\"overrides\":{\"b\":1.10},\"context\":{\"app\":{\"id\":\"c\","
	                       "\"data\":{\"n\":2E3}}}}\n"), NC_OK, "%s", err.message ? err.message : "");
	cr_assert_str_eq(evs[0].payload_json, "{\"z\":12345678901234567,\"a\":-0,\"s\":\"x\\u0000y\"}");
	cr_assert_str_eq(evs[0].to[0].data_json, "{\"n\":1e400}");
	cr_assert_str_eq(evs[0].overrides_json, "{\"b\":1.10}");
	cr_assert_str_eq(evs[0].context_json, "{\"app\":{\"id\":\"c\",\"data\":{\"n\":2E3}}}");
}

/* "user-\u0000\u0000" and "user-\u0000" both became "user-". */
Test(import, nul_in_an_id_is_refused)
{
	cr_assert_eq(bulk_text("{\"name\":\"w\",\"to\":[\"user-\\u0000\"],\"actor\":\"a\\u0000\"}\n"),
	             NC_E_INVALID);
	cr_assert_eq(err.nfields, 2);
	cr_assert_str_eq(err.fields[0].field, "line 1: to[0]");
	cr_assert_not_null(strstr(err.fields[0].message, "NUL"), "%s", err.fields[0].message);
	cr_assert_str_eq(err.fields[1].field, "line 1: actor");
}

Test(import, recipient_keys_and_to_do_not_mix)
{
	cr_assert_eq(events("{\"name\":\"w\",\"to\":\"a\",\"email\":\"x@y.z\"}\n", NULL), NC_E_INVALID);
	cr_assert_str_eq(err.fields[0].field, "line 1: to");
}

/* A key that is empty used to leak its 1-byte column path. */
Test(import, empty_key_is_refused)
{
	cr_assert_eq(events("{\"name\":\"w\",\"to\":\"a\",\"\":1}\n", NULL), NC_E_INVALID);
	cr_assert(strncmp(err.message, "line 1: unknown key \"\"", 22) == 0, "%s", err.message);
}

/* set_path printed `part` after freeing the copy it points into. */
Test(import, csv_plain_value_under_a_dotted_column)
{
	cr_assert_eq(events("workflow,to,order,order.id\nw,u,plain,1\n", NULL), NC_E_INVALID);
	cr_assert_str_eq(err.message, "line 2: \"order.id\" needs \"order\" to be an object");
}

Test(import, csv_nul_byte_is_refused)
{
	const char t[] = "workflow,to\nw,u\0x\n";

	cr_assert_eq(import_events_text(t, sizeof(t) - 1, NULL, &evs, &nevs, &err), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "line 2"), "%s", err.message);
}

/* Read every event of text with the reader; returns what each call gave,
 * as a string of 'E' (event), 'X' (error) up to the end. */
static void
read_all(const char *t, char *trace, size_t size)
{
	struct nc_import_options o = { NULL, 1 };
	struct nc_event_reader *r;
	struct nc_event ev;
	enum nc_read rd;
	size_t k = 0;

	cr_assert_eq(event_reader_open_text(&r, t, strlen(t), &o, &err), NC_OK, "%s", err.message);
	while (k + 1 < size && (rd = event_reader_next(r, &ev, &err)) != NC_READ_END) {
		trace[k++] = rd == NC_READ_EVENT ? 'E' : 'X';
		event_clear(&ev);
	}
	trace[k] = '\0';
	event_reader_close(r);
}

/* Arrays and {"events": [...]} are read one element at a time: the events
 * before a broken part come out first, each error names its place. */
Test(import, json_documents_stream_element_by_element)
{
	char trace[16];

	read_all("[{\"name\":\"w\",\"to\":\"a\"},\n {\"name\":\"w\",\"to\":\"b\"} oops]", trace,
	         sizeof(trace));
	cr_assert_str_eq(trace, "EEX");
	cr_assert_str_eq(err.message, "events file: invalid JSON at line 2, column 24: "
	                 "expected ',' or ']', found 'o'");
	nc_error_clear(&err);

	read_all("{\"events\": [{\"name\":\"w\",\"to\":\"a\"}], \"x\": {\"y\": [1]}}", trace,
	         sizeof(trace));
	cr_assert_str_eq(trace, "EX");
	cr_assert_str_eq(err.fields[0].field, "events");
	cr_assert_not_null(strstr(err.message, "unknown key \"x\""), "%s", err.message);
	nc_error_clear(&err);

	read_all("[{\"name\":\"w\",\"to\":\"a\"}] x", trace, sizeof(trace));
	cr_assert_str_eq(trace, "EX");
	cr_assert_not_null(strstr(err.message, "expected nothing more"), "%s", err.message);
	nc_error_clear(&err);

	read_all("[{\"name\":\"w\",\"to\":\"a\"},]", trace, sizeof(trace));
	cr_assert_str_eq(trace, "EX");
	cr_assert_not_null(strstr(err.message, "trailing comma"), "%s", err.message);
	nc_error_clear(&err);

	read_all("[{\"name\":\"w\",\"to\":\"a\"},{\"name\":\"w\",\"to\":\"b\",\"x\":1},"
	         "{\"name\":\"w\",\"to\":\"c\"}]", trace, sizeof(trace));
	cr_assert_str_eq(trace, "EXE", "a bad event does not stop the rest");
	cr_assert_str_eq(err.fields[0].field, "events[1].x");
}

/* A document's start is told from its first bytes; errors still name the
 * line and column of the file, after a byte order mark, blank lines and
 * multi-byte characters. */
Test(import, document_places_are_the_files)
{
	char trace[16];

	read_all("\xef\xbb\xbf\n\n  [{\"name\":\"w\",\"to\":\"a\"}, oops]", trace, sizeof(trace));
	cr_assert_str_eq(trace, "EX");
	cr_assert_not_null(strstr(err.message, "invalid JSON at line 3, column 27"), "%s",
	                   err.message);
	nc_error_clear(&err);

	read_all("\n{\"events\":\n [{\"name\":\"w\",\"to\":\"a\"},\n {\"name\":\"w\",\"to\":\"b\"} x]}",
	         trace, sizeof(trace));
	cr_assert_str_eq(trace, "EEX");
	cr_assert_str_eq(err.message, "events file: invalid JSON at line 4, column 24: "
	                 "expected ',' or ']', found 'x'");
	nc_error_clear(&err);

	read_all("[{\"name\":\"w\",\"to\":\"\xc3\xa9\"}, x]", trace, sizeof(trace));
	cr_assert_str_eq(trace, "EX");
	cr_assert_not_null(strstr(err.message, "line 1, column 25"), "%s", err.message);
	nc_error_clear(&err);

	read_all("  {\"events\" : [ {\"name\":\"w\",\"to\":\"a\"} ] }\n", trace, sizeof(trace));
	cr_assert_str_eq(trace, "E");

	cr_assert_eq(bulk_text("{\"events\": 5}"), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "must be an array"), "%s", err.message);
	nc_error_clear(&err);

	read_all("{\n \"name\":\"w\",\n \"to\":\"a\"\n}\n", trace, sizeof(trace));
	cr_assert_str_eq(trace, "E", "one event over several lines");

	read_all("\xef\xbb\xbf{\"name\":\"w\",\"to\":\"a\"}\n\n{\"name\":\"w\",\"too\":1}\n", trace,
	         sizeof(trace));
	cr_assert_str_eq(trace, "EX", "JSON Lines after a byte order mark");
	cr_assert_not_null(strstr(err.fields[0].field, "line 3"), "%s", err.fields[0].field);
	nc_error_clear(&err);
}

/* Event indexes count from the start of the file, across the stream. */
Test(import, stream_indexes_count_from_the_start)
{
	size_t i, len = 0;
	char *t = malloc(300 * 40);

	len += (size_t)sprintf(t, "{\"events\": [\n");
	for (i = 0; i < 300; i++)
		len += (size_t)sprintf(t + len, "%s{\"name\":\"w\",\"to\":\"%s\"}\n", i ? "," : "",
		                       i == 250 ? "" : "u");
	len += (size_t)sprintf(t + len, "]}\n");
	cr_assert_eq(bulk_file(t, len), NC_E_INVALID);
	cr_assert_eq(err.nfields, 1);
	cr_assert_str_eq(err.fields[0].field, "events[250].to[0]");
	free(t);
}

/* ---- the reader holds one event at a time ---- */

/* A writer on a pipe that puts the next event in only after the reader
 * has handed out the one before: a reader that read ahead (the whole
 * file, or a whole line holding every event) would wait for bytes that
 * never come, and the test times out. A JSON line ends with its line
 * break; an array element needs nothing after it. */
struct lockstep {
	int fd;                      /* the pipe's write end */
	const char *head, *sep, *end, *tail;   /* sep before an event, end after */
	int nevents;
	sem_t handed_out;            /* posted by the reader after each event */
};

static void
put(int fd, const char *s)
{
	size_t n = strlen(s);

	cr_assert_eq(write(fd, s, n), (ssize_t)n);
}

static void *
lockstep_writer(void *arg)
{
	struct lockstep *ls = arg;
	char ev[96];
	int i;

	put(ls->fd, ls->head);
	for (i = 0; i < ls->nevents; i++) {
		if (i > 0) {
			sem_wait(&ls->handed_out);
			put(ls->fd, ls->sep);
		}
		snprintf(ev, sizeof(ev), "{\"name\":\"wf\",\"to\":\"u%d\",\"payload\":{\"i\":%d}}%s",
		         i, i, ls->end);
		put(ls->fd, ev);
	}
	sem_wait(&ls->handed_out);
	put(ls->fd, ls->tail);
	close(ls->fd);
	return NULL;
}

static void
read_in_lockstep(const char *head, const char *sep, const char *end, const char *tail)
{
	struct lockstep ls = { -1, head, sep, end, tail, 300, { { 0 } } };
	struct nc_import_options opts = { NULL, 1 };
	struct nc_event_reader *r = NULL;
	struct nc_event ev;
	char path[32], to[16];
	pthread_t th;
	int fds[2], got = 0;

	cr_assert_eq(pipe(fds), 0);
	ls.fd = fds[1];
	cr_assert_eq(sem_init(&ls.handed_out, 0, 0), 0);
	cr_assert_eq(pthread_create(&th, NULL, lockstep_writer, &ls), 0);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	cr_assert_eq(event_reader_open_file(&r, path, &opts, &err), NC_OK, "%s", err.message);
	while (event_reader_next(r, &ev, &err) == NC_READ_EVENT) {
		snprintf(to, sizeof(to), "u%d", got);
		cr_assert_eq(ev.nto, 1);
		cr_assert_str_eq(ev.to[0].id, to);
		event_clear(&ev);
		got++;
		sem_post(&ls.handed_out);
	}
	cr_assert_eq(err.status, NC_OK, "%s", err.message);
	cr_assert_eq(got, 300);
	event_reader_close(r);
	pthread_join(th, NULL);
	close(fds[0]);
	sem_destroy(&ls.handed_out);
}

Test(events_stream, json_lines_one_event_at_a_time, .init = setup, .fini = teardown,
     .timeout = 20)
{
	read_in_lockstep("", "", "\n", "");
}

Test(events_stream, one_line_array_one_element_at_a_time, .init = setup,
     .fini = teardown, .timeout = 20)
{
	read_in_lockstep("[", ",", "", "]");
}

Test(events_stream, one_line_events_object_one_element_at_a_time, .init = setup,
     .fini = teardown, .timeout = 20)
{
	read_in_lockstep("{\"events\": [", ", ", "", "]}\n");
}
