/* test_import.c - recipients and bulk events from ID lists, CSV and JSON
 * Lines (src/import.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "import.h"

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
	struct nc_import_options o = { workflow };

	return import_events(text, strlen(text), &o, &evs, &nevs, &err);
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
		"{\"subscriberId\":\"user-3\",\"email\":\"z@example.com\",\"total\":12.5,"
		"\"payload\":{\"b\":true},\"data\":{\"vip\":true}}\n";
	cJSON *p;

	cr_assert_eq(events(jl, "fallback"), NC_OK, "%s", err.message ? err.message : "");
	cr_assert_eq(nevs, 3);
	cr_assert_eq(evs[0].nto, 2);
	cr_assert_eq(evs[0].to[1].kind, NC_RCPT_TOPIC);
	cr_assert_str_eq(evs[1].workflow, "fallback", "a wire event without name takes the default");
	cr_assert_str_eq(evs[2].workflow, "fallback");
	cr_assert_eq(evs[2].to[0].kind, NC_RCPT_SUBSCRIBER);
	cr_assert_str_eq(evs[2].to[0].email, "z@example.com");
	cr_assert_not_null(evs[2].to[0].data_json);
	p = payload_of(&evs[2]);
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(p, "total")), "JSON values keep their type");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(p, "b")), "a payload object is merged");
	cJSON_Delete(p);
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
	cr_assert_not_null(strstr(err.message, "event 1"), "%s", err.message);
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
