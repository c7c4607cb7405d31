/* test_api.c - the Novu operations: prepared requests (what --dry-run shows
 * is what a send uses), and every call against the real sandbox. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "payloadcheck.h"
#include "clock.h"
#include "jsonutil.h"
#include "nc_test_sandbox.h"
#include "uuid.h"

static void
make_event(struct nc_event *ev, const char *workflow, const char *to)
{
	struct nc_recipient r;

	event_init(ev);
	cr_assert_eq(nc_strset(&ev->workflow, workflow), 0);
	if (to) {
		memset(&r, 0, sizeof(r));
		r.kind = NC_RCPT_SUBSCRIBER_ID;
		r.id = (char *)(uintptr_t)to; /* copied by event_add_recipient */
		cr_assert_eq(event_add_recipient(ev, &r), NC_OK);
	}
}

/* ---- prepared requests (nothing sent) ---- */

Test(prepare, trigger_body_key_and_transaction_id)
{
	struct nc_event ev;
	struct nc_prepared p;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *body;

	make_event(&ev, "welcome-onboarding", "user-001");
	cr_assert_eq(api_prepare_trigger(&ev, NULL, &p, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_str_eq(p.method, "POST");
	cr_assert_str_eq(p.path, "/v1/events/trigger");
	cr_assert_not_null(ev.transaction_id, "the transactionId is assigned before sending");
	cr_assert(uuid_is_valid(ev.transaction_id));
	cr_assert(strncmp(p.idempotency_key, "nc-", 3) == 0, "%s", p.idempotency_key);
	cr_assert(uuid_is_valid(p.idempotency_key + 3));
	cr_assert_null(strchr(p.body, '\n'), "compact JSON");
	body = cJSON_Parse(p.body);
	cr_assert_str_eq(json_str(body, "name"), "welcome-onboarding");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(body, "to"), 0)),
	                 "user-001");
	cr_assert_str_eq(json_str(body, "transactionId"), ev.transaction_id);
	cJSON_Delete(body);
	prepared_clear(&p);

	/* A given key is used as is; the id is not replaced. */
	{
		char *txid = strdup(ev.transaction_id);

		cr_assert_eq(api_prepare_trigger(&ev, "my-key-1", &p, &err), NC_OK);
		cr_assert_str_eq(p.idempotency_key, "my-key-1");
		cr_assert_str_eq(ev.transaction_id, txid);
		free(txid);
	}
	prepared_clear(&p);
	event_clear(&ev);
}

Test(prepare, invalid_event_gives_nothing)
{
	struct nc_event ev;
	struct nc_prepared p;
	struct nc_error err = NC_ERROR_INIT;

	make_event(&ev, "", "user-001");
	cr_assert_eq(api_prepare_trigger(&ev, NULL, &p, &err), NC_E_INVALID);
	cr_assert_null(p.body);
	cr_assert_null(p.path);
	cr_assert_eq(err.kind, NC_ERRK_CLIENT);
	nc_error_clear(&err);
	event_clear(&ev);

	make_event(&ev, "welcome-onboarding", "user-001");
	memset(&p, 0, sizeof(p));
	{
		char key[300];

		memset(key, 'k', sizeof(key) - 1);
		key[sizeof(key) - 1] = '\0';
		cr_assert_eq(api_prepare_trigger(&ev, key, &p, &err), NC_E_INVALID,
		             "a 299-character idempotency key is refused");
	}
	nc_error_clear(&err);
	event_clear(&ev);
}

Test(prepare, broadcast_has_payload_and_no_recipients)
{
	struct nc_event ev;
	struct nc_prepared p;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *body;

	make_event(&ev, "maintenance-notice", NULL);
	cr_assert_eq(api_prepare_broadcast(&ev, NULL, &p, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_str_eq(p.path, "/v1/events/trigger/broadcast");
	body = cJSON_Parse(p.body);
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(body, "payload")));
	cr_assert_null(cJSON_GetObjectItem(body, "to"));
	cJSON_Delete(body);
	prepared_clear(&p);
	event_clear(&ev);
}

Test(prepare, bulk_counts_are_checked)
{
	struct nc_event evs[101];
	struct nc_prepared p;
	struct nc_error err = NC_ERROR_INIT;
	size_t i;

	for (i = 0; i < 101; i++)
		make_event(&evs[i], "welcome-onboarding", "user-001");
	cr_assert_eq(api_prepare_bulk(evs, 0, NULL, &p, &err), NC_E_INVALID);
	nc_error_clear(&err);
	cr_assert_eq(api_prepare_bulk(evs, 101, NULL, &p, &err), NC_E_INVALID);
	cr_assert_str_eq(err.fields[0].field, "events");
	nc_error_clear(&err);
	cr_assert_eq(api_prepare_bulk(evs, 100, NULL, &p, &err), NC_OK);
	for (i = 0; i < 100; i++)
		cr_assert_not_null(evs[i].transaction_id);
	cr_assert_null(evs[100].transaction_id, "only the events sent get an id");
	cr_assert_str_eq(p.path, "/v1/events/trigger/bulk");
	prepared_clear(&p);
	for (i = 0; i < 101; i++)
		event_clear(&evs[i]);
}

Test(prepare, cancel_escapes_the_id)
{
	struct nc_prepared p;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_http_request req;

	cr_assert_eq(api_prepare_cancel("a/b c?d", &p, &err), NC_OK);
	cr_assert_str_eq(p.method, "DELETE");
	cr_assert_str_eq(p.path, "/v1/events/trigger/a%2Fb%20c%3Fd");
	cr_assert_null(p.body);
	cr_assert_not_null(p.idempotency_key, "every call carries a key, DELETE too");
	cr_assert(strncmp(p.idempotency_key, "nc-", 3) == 0);
	req = prepared_request(&p);
	cr_assert_eq(req.body_len, 0);
	prepared_clear(&p);
	cr_assert_eq(api_prepare_cancel("", &p, &err), NC_E_INVALID);
	nc_error_clear(&err);
}

/* ---- against the sandbox ---- */

static struct tsb sb;
static struct nc_client *cl;

static void
sb_up(void)
{
	cr_assert_eq(tsb_start(&sb, NULL), 0, "could not start %s", NC_SANDBOX_BIN);
	cl = tsb_client(&sb, TSB_KEY, 5, 50);
	cr_assert_not_null(cl);
}

static void
sb_down(void)
{
	client_free(cl);
	cl = NULL;
	tsb_stop(&sb);
}

TestSuite(api, .init = sb_up, .fini = sb_down, .timeout = 60);

Test(api, trigger_sends_the_prepared_bytes)
{
	struct nc_event ev;
	struct nc_prepared p;
	struct nc_trigger_result res;
	struct nc_send_info info;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	make_event(&ev, "welcome-onboarding", "user-002");
	cr_assert_eq(api_prepare_trigger(&ev, "nc-api-same", &p, &err), NC_OK);
	cr_assert_eq(api_trigger(cl, &ev, "nc-api-same", &res, &info, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert(trigger_result_ok(&res), "%s", res.status);
	cr_assert_eq(res.acknowledged, 1);
	cr_assert_str_eq(res.transaction_id, ev.transaction_id);
	cr_assert_eq(info.http_status, 201);
	cr_assert_eq(info.attempts, 1);
	cr_assert_str_eq(info.idempotency_key, "nc-api-same");
	cr_assert_str_eq(info.request_body, p.body, "dry-run and send differ");
	cr_assert_not_null(info.response_body);
	cr_assert_geq(info.ratelimit_limit, -1);
	reqs = tsb_requests(&sb);
	cr_assert_eq(cJSON_GetArraySize(reqs), 1);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(reqs, 0), "body"), p.body);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(reqs, 0), "idempotencyKey"), "nc-api-same");
	cJSON_Delete(reqs);
	trigger_result_clear(&res);
	send_info_clear(&info);
	prepared_clear(&p);
	event_clear(&ev);
}

Test(api, trigger_generates_a_key_and_survives_a_429)
{
	struct nc_event ev;
	struct nc_trigger_result res;
	struct nc_send_info info;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	make_event(&ev, "welcome-onboarding", "user-003");
	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":1,\"status\":429,\"retryAfter\":1}"), 200);
	clock_fake_start(1000000);   /* the 1 s Retry-After costs no time */
	cr_assert_eq(api_trigger(cl, &ev, NULL, &res, &info, &err), NC_OK);
	clock_fake_stop();
	cr_assert(trigger_result_ok(&res));
	cr_assert_eq(info.attempts, 2);
	cr_assert(strncmp(info.idempotency_key, "nc-", 3) == 0);
	reqs = tsb_requests(&sb);
	cr_assert_eq(cJSON_GetArraySize(reqs), 2);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(reqs, 0), "idempotencyKey"),
	                 info.idempotency_key);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(reqs, 1), "idempotencyKey"),
	                 info.idempotency_key);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(reqs, 1), "body"), info.request_body);
	cJSON_Delete(reqs);
	trigger_result_clear(&res);
	send_info_clear(&info);
	event_clear(&ev);
}

Test(api, invalid_trigger_sends_nothing)
{
	struct nc_event ev;
	struct nc_trigger_result res;
	struct nc_send_info info;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	make_event(&ev, "welcome-onboarding", NULL); /* no recipient */
	cr_assert_eq(api_trigger(cl, &ev, NULL, &res, &info, &err), NC_E_INVALID);
	cr_assert_eq(err.kind, NC_ERRK_CLIENT);
	cr_assert_geq(err.nfields, 1);
	reqs = tsb_requests(&sb);
	cr_assert_eq(cJSON_GetArraySize(reqs), 0, "nothing may be sent");
	cJSON_Delete(reqs);
	send_info_clear(&info);
	nc_error_clear(&err);
	event_clear(&ev);
}

Test(api, unknown_workflow_is_422_once)
{
	struct nc_event ev;
	struct nc_trigger_result res;
	struct nc_send_info info;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	make_event(&ev, "no-such-workflow", "user-001");
	cr_assert_eq(api_trigger(cl, &ev, NULL, &res, &info, &err), NC_E_API);
	cr_assert_eq(err.http_status, 422);
	cr_assert_eq(info.http_status, 422);
	cr_assert_not_null(strstr(err.message, "workflow_not_found"), "%s", err.message);
	reqs = tsb_requests(&sb);
	cr_assert_eq(cJSON_GetArraySize(reqs), 1);
	cJSON_Delete(reqs);
	send_info_clear(&info);
	nc_error_clear(&err);
	event_clear(&ev);
}

Test(api, broadcast_is_accepted)
{
	struct nc_event ev;
	struct nc_trigger_result res;
	struct nc_send_info info;
	struct nc_error err = NC_ERROR_INIT;

	make_event(&ev, "maintenance-notice", NULL);
	cr_assert_eq(api_broadcast(cl, &ev, NULL, &res, &info, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert(info.http_status == 200 || info.http_status == 201);
	cr_assert(trigger_result_ok(&res), "%s", res.status);
	cr_assert_str_eq(res.transaction_id, ev.transaction_id);
	trigger_result_clear(&res);
	send_info_clear(&info);
	event_clear(&ev);
}

Test(api, bulk_results_are_index_aligned)
{
	struct nc_event evs[3];
	struct nc_trigger_result *res = NULL;
	struct nc_send_info info;
	struct nc_error err = NC_ERROR_INIT;
	size_t i;

	make_event(&evs[0], "welcome-onboarding", "user-004");
	make_event(&evs[1], "no-such-workflow", "user-005");
	make_event(&evs[2], "welcome-onboarding", "user-006");
	cr_assert_eq(api_bulk(cl, evs, 3, NULL, &res, &info, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_not_null(res);
	cr_assert(trigger_result_ok(&res[0]));
	cr_assert_str_eq(res[0].transaction_id, evs[0].transaction_id);
	cr_assert_str_eq(res[1].status, "error");
	cr_assert_not_null(strstr(res[1].error, "workflow_not_found"));
	cr_assert_str_eq(res[1].transaction_id, evs[1].transaction_id,
	                 "a slot without an id keeps the one we sent");
	cr_assert(trigger_result_ok(&res[2]));
	cr_assert_str_eq(res[2].transaction_id, evs[2].transaction_id);
	for (i = 0; i < 3; i++) {
		trigger_result_clear(&res[i]);
		event_clear(&evs[i]);
	}
	free(res);
	send_info_clear(&info);
}

Test(api, cancel_true_then_false)
{
	struct nc_event ev;
	struct nc_trigger_result res;
	struct nc_send_info info;
	struct nc_error err = NC_ERROR_INIT;
	int cancelled = -1;

	/* A digest keeps the event pending, so there is something to cancel. */
	make_event(&ev, "comment-digest", "user-007");
	cr_assert_eq(api_trigger(cl, &ev, NULL, &res, &info, &err), NC_OK);
	send_info_clear(&info);
	cr_assert_eq(api_cancel(cl, ev.transaction_id, &cancelled, &info, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(cancelled, 1);
	cr_assert_eq(info.http_status, 200);
	cr_assert_not_null(info.idempotency_key, "the cancel's key is reported");
	send_info_clear(&info);
	cr_assert_eq(api_cancel(cl, ev.transaction_id, &cancelled, &info, &err), NC_OK);
	cr_assert_eq(cancelled, 0, "nothing is pending any more");
	send_info_clear(&info);
	cr_assert_eq(api_cancel(cl, "no such/id?", &cancelled, NULL, &err), NC_OK);
	cr_assert_eq(cancelled, 0);
	trigger_result_clear(&res);
	event_clear(&ev);
}

Test(api, workflows_page_and_search)
{
	struct nc_list_query q = { NULL, 2, 0, NULL };
	struct nc_workflow_page page;
	struct nc_error err = NC_ERROR_INIT;
	size_t i;
	int seen_delay = 0;

	cr_assert_eq(api_list_workflows(cl, &q, &page, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(page.n, 2);
	cr_assert_eq(page.total, 6);
	cr_assert_not_null(page.items[0].workflow_id);
	cr_assert_not_null(page.items[0].status);
	workflow_page_clear(&page);

	q.limit = 100;
	cr_assert_eq(api_list_workflows(cl, &q, &page, &err), NC_OK);
	cr_assert_eq(page.n, 6);
	for (i = 0; i < page.n; i++) {
		if (strcmp(page.items[i].workflow_id, "payment-reminder") == 0) {
			cr_assert(page.items[i].has_delay_or_digest);
			cr_assert_str_eq(page.items[i].steps, "email,delay,sms");
			cr_assert_str_eq(page.items[i].tags, "billing");
			seen_delay = 1;
		}
		if (strcmp(page.items[i].workflow_id, "welcome-onboarding") == 0)
			cr_assert_not(page.items[i].has_delay_or_digest);
	}
	cr_assert(seen_delay);
	workflow_page_clear(&page);

	q.search = "digest";
	cr_assert_eq(api_list_workflows(cl, &q, &page, &err), NC_OK);
	cr_assert_geq(page.n, 1);
	cr_assert_str_eq(page.items[0].workflow_id, "comment-digest");
	workflow_page_clear(&page);
}

Test(api, subscribers_walk_to_the_end)
{
	struct nc_list_query q = { NULL, 100, 0, NULL };
	struct nc_subscriber_page page;
	struct nc_error err = NC_ERROR_INIT;
	char *cursor = NULL;
	size_t seen = 0, pages = 0;
	long total = -1;

	/* Bounded: 250 seeded subscribers fit in 3 pages; 10 is plenty. */
	while (pages < 10) {
		q.after = cursor;
		cr_assert_eq(api_list_subscribers(cl, &q, &page, &err), NC_OK, "%s",
		             err.message ? err.message : "");
		pages++;
		seen += page.n;
		total = page.total;
		cr_assert_leq(page.n, 100);
		if (page.n)
			cr_assert_not_null(page.items[0].subscriber_id);
		free(cursor);
		cursor = page.next ? strdup(page.next) : NULL;
		subscriber_page_clear(&page);
		if (!cursor)
			break;
	}
	cr_assert_null(cursor, "paging did not end");
	cr_assert_eq(pages, 3);
	cr_assert_eq((long)seen, total);
	cr_assert_eq(seen, 250);

	q.after = NULL;
	q.search = "user-042";
	cr_assert_eq(api_list_subscribers(cl, &q, &page, &err), NC_OK);
	cr_assert_geq(page.n, 1);
	cr_assert_str_eq(page.items[0].subscriber_id, "user-042");
	subscriber_page_clear(&page);
}

Test(api, topics_list_and_filter)
{
	struct nc_list_query q = { NULL, 100, 0, NULL };
	struct nc_topic_page page;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(api_list_topics(cl, &q, &page, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(page.n, 5);
	cr_assert_eq(page.total, 5);
	cr_assert_null(page.next);
	topic_page_clear(&page);
	q.search = "ops-team";
	cr_assert_eq(api_list_topics(cl, &q, &page, &err), NC_OK);
	cr_assert_eq(page.n, 1);
	cr_assert_str_eq(page.items[0].key, "ops-team");
	cr_assert_str_eq(page.items[0].name, "Operations team");
	topic_page_clear(&page);
}

Test(api, payload_example)
{
	struct nc_error err = NC_ERROR_INIT;
	char *example = NULL;

	cr_assert_eq(api_workflow_payload_example(cl, "order-shipped", &example, &err), NC_OK,
	             "%s", err.message ? err.message : "");
	cr_assert_str_eq(example, "{\"order\":{\"id\":\"A-1001\",\"carrier\":\"UPS\"},"
	                          "\"trackingUrl\":\"https://example.com/track/A-1001\"}");
	free(example);
	cr_assert_eq(api_workflow_payload_example(cl, "welcome-onboarding", &example, &err),
	             NC_OK);
	cr_assert_null(example);
	cr_assert_eq(api_workflow_payload_example(cl, "no-such-workflow", &example, &err),
	             NC_E_API);
	cr_assert_eq(err.http_status, 404);
	nc_error_clear(&err);
}

/* The workflow's payloadSchema parsed, as the headless check uses it. */
static enum nc_status
payload_schema(const char *workflow, cJSON **schema, int *validates, struct nc_error *err)
{
	char *text = NULL;
	enum nc_status st = api_workflow_payload(cl, workflow, NULL, &text, validates, err);

	*schema = text ? cJSON_Parse(text) : NULL;
	free(text);
	return st;
}

Test(api, payload_schema)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *schema = NULL;
	int validates = -1;

	cr_assert_eq(payload_schema("order-shipped", &schema, &validates, &err),
	             NC_OK, "%s", err.message ? err.message : "");
	cr_assert_not_null(schema);
	cr_assert_eq(validates, 1);
	cr_assert_str_eq(json_str(cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "properties"),
	                                              "trackingUrl"), "format"), "uri");
	cJSON_Delete(schema);
	cr_assert_eq(payload_schema("welcome-onboarding", &schema, &validates,
	                                         &err), NC_OK);
	cr_assert_null(schema);
	cr_assert_eq(validates, 0);
	cr_assert_eq(payload_schema("no-such-workflow", &schema, &validates,
	                                         &err), NC_E_API);
	cr_assert_eq(err.http_status, 404);
	nc_error_clear(&err);
}

/* The seeded examples fit their seeded schemas: what the console fills in
 * with `x` is never refused by the sandbox. */
Test(api, seeded_examples_fit_their_schemas)
{
	const char *const ids[] = { "order-shipped", "payment-reminder" };
	struct nc_payload_check pc;
	struct nc_error err = NC_ERROR_INIT;
	char *example;
	cJSON *schema;
	int validates;
	size_t i;

	for (i = 0; i < 2; i++) {
		cr_assert_eq(payload_schema(ids[i], &schema, &validates, &err), NC_OK);
		cr_assert_eq(api_workflow_payload_example(cl, ids[i], &example, &err), NC_OK);
		cr_assert_eq(payload_check(schema, example, &pc, &err), NC_OK);
		cr_expect_eq(pc.n, 0, "%s: %s %s", ids[i], pc.n ? pc.items[0].field : "",
		             pc.n ? pc.items[0].message : "");
		payload_check_clear(&pc);
		free(example);
		cJSON_Delete(schema);
	}
}

Test(api, payload_schema_from_the_workflow)
{
	struct nc_error err = NC_ERROR_INIT;
	char *example = NULL, *schema = NULL;

	cr_assert_eq(api_workflow_payload(cl, "payment-reminder", &example, &schema, NULL, &err), NC_OK,
	             "%s", err.message ? err.message : "");
	cr_assert_not_null(example);
	cr_assert_not_null(strstr(schema, "\"currency\":{\"type\":\"string\","
	                                  "\"enum\":[\"EUR\",\"USD\",\"GBP\"]"), "%s", schema);
	free(example);
	free(schema);
	cr_assert_eq(api_workflow_payload(cl, "welcome-onboarding", &example, &schema, NULL, &err), NC_OK);
	cr_assert_null(example);
	cr_assert_null(schema);
	cr_assert_eq(api_workflow_payload(cl, "no-such-workflow", &example, &schema, NULL, &err),
	             NC_E_API);
	cr_assert_null(schema);
	nc_error_clear(&err);
}

Test(api, delivery_status_of_a_trigger)
{
	struct nc_event ev;
	struct nc_trigger_result res;
	struct nc_delivery d;
	struct nc_error err = NC_ERROR_INIT;
	int tries;

	make_event(&ev, "welcome-onboarding", "user-008");
	cr_assert_eq(api_trigger(cl, &ev, NULL, &res, NULL, &err), NC_OK);
	/* Notifications are written after the 201: poll, bounded. */
	memset(&d, 0, sizeof(d));
	for (tries = 0; tries < 30; tries++) {
		cr_assert_eq(api_notifications(cl, ev.transaction_id, &d, &err), NC_OK, "%s",
		             err.message ? err.message : "");
		if (d.n > 0)
			break;
		delivery_clear(&d);
		usleep(100 * 1000);
	}
	cr_assert_eq(d.notifications, 1);
	cr_assert_eq(d.n, 3, "in_app, email and sms jobs");
	cr_assert_str_eq(d.jobs[0].subscriber_id, "user-008");
	cr_assert_not_null(d.jobs[0].type);
	cr_assert_not_null(d.jobs[0].status);
	delivery_clear(&d);
	cr_assert_eq(api_notifications(cl, "never-sent", &d, &err), NC_OK);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(d.notifications, 0);
	delivery_clear(&d);
	trigger_result_clear(&res);
	event_clear(&ev);
}

/* A broadcast fans out past one page of 50: every page is fetched. */
Test(api, notifications_walks_every_page)
{
	struct nc_event ev;
	struct nc_trigger_result res;
	struct nc_delivery d;
	struct nc_error err = NC_ERROR_INIT;
	int tries;

	event_init(&ev);
	nc_strset(&ev.workflow, "maintenance-notice");
	cr_assert_eq(api_broadcast(cl, &ev, NULL, &res, NULL, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	memset(&d, 0, sizeof(d));
	for (tries = 0; tries < 30; tries++) {
		cr_assert_eq(api_notifications(cl, ev.transaction_id, &d, &err), NC_OK);
		if (d.notifications > 50)
			break;
		delivery_clear(&d);
		usleep(100 * 1000);
	}
	cr_assert_gt(d.notifications, 50, "more than one page: %zu", d.notifications);
	cr_assert_eq(d.more, 0, "all of them fetched");
	delivery_clear(&d);
	trigger_result_clear(&res);
	event_clear(&ev);
}
