/* test_http.c - the HTTP layer: retry policy arithmetic, URL and key
 * handling, request dumps, and client_send() against the real sandbox
 * (retries, Retry-After, idempotency key reuse, aborts, transport errors). */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "http.h"
#include "nc_test_sandbox.h"

#define SECRET "sk_test_0123456789abcdef0123456789ab9f3a"
#define TRIGGER_PATH "/v1/events/trigger"
#define TRIGGER_BODY "{\"name\":\"welcome-onboarding\",\"to\":\"user-001\",\"payload\":{}}"

/* ---- retry arithmetic ---- */

Test(retry, backoff_grows_by_half_and_is_capped)
{
	struct nc_client_config cfg;

	client_config_defaults(&cfg);
	cr_assert_eq(retry_backoff_ms(&cfg.retry, 1, 0), 1000);
	cr_assert_eq(retry_backoff_ms(&cfg.retry, 2, 0), 1500);
	cr_assert_eq(retry_backoff_ms(&cfg.retry, 3, 0), 2250);
	cr_assert_eq(retry_backoff_ms(&cfg.retry, 3, 999), 3249);
	cr_assert_eq(retry_backoff_ms(&cfg.retry, 40, 500), 30000);
	cr_assert_eq(retry_backoff_ms(&cfg.retry, 0, 0), 1000, "attempt < 1 counts as 1");
}

Test(retry, backoff_uses_the_policy)
{
	struct nc_retry_policy p = { .max_attempts = 3, .max_total_ms = 10000,
	                             .base_delay_ms = 100, .max_delay_ms = 400 };

	cr_assert_eq(retry_backoff_ms(&p, 1, 0), 100);
	cr_assert_eq(retry_backoff_ms(&p, 2, 10), 160);
	cr_assert_eq(retry_backoff_ms(&p, 5, 0), 400);
	cr_assert_eq(retry_backoff_ms(&p, 1, 900), 400, "jitter is capped too");
}

/* ---- keys and URLs ---- */

Test(key, mask_shows_four_and_four)
{
	char *m = http_mask_key(SECRET);

	cr_assert_str_eq(m, "sk_t\xe2\x80\xa6" "9f3a");
	free(m);
	m = http_mask_key("short-key");
	cr_assert_str_eq(m, "****");
	free(m);
	m = http_mask_key(NULL);
	cr_assert_str_eq(m, "****");
	free(m);
}

Test(url, https_anywhere_http_only_loopback)
{
	cr_assert(http_url_allowed("https://api.novu.co"));
	cr_assert(http_url_allowed("HTTPS://EU.API.NOVU.CO/api/"));
	cr_assert(http_url_allowed("http://127.0.0.1:3000"));
	cr_assert(http_url_allowed("http://127.9.8.7/api"));
	cr_assert(http_url_allowed("http://localhost:3000"));
	cr_assert(http_url_allowed("http://[::1]:8080"));
	cr_assert_not(http_url_allowed("http://api.novu.co"));
	cr_assert_not(http_url_allowed("http://10.0.0.1:3000"));
	cr_assert_not(http_url_allowed("http://128.0.0.1"));
	cr_assert_not(http_url_allowed("http://127.0.0.1.nip.io"));
	cr_assert_not(http_url_allowed("http://localhost.example.com"));
	cr_assert_not(http_url_allowed("http://[::2]"));
	cr_assert_not(http_url_allowed("ftp://127.0.0.1"));
	cr_assert_not(http_url_allowed("api.novu.co"));
	cr_assert_not(http_url_allowed(""));
	cr_assert_not(http_url_allowed(NULL));
}

static struct nc_client *
client_for(const char *url, const char *key)
{
	struct nc_client_config cfg;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_client *c = NULL;

	client_config_defaults(&cfg);
	cfg.base_url = url;
	cfg.secret_key = key;
	cr_assert_eq(client_new(&cfg, &c, &err), NC_OK, "%s", err.message ? err.message : "");
	nc_error_clear(&err);
	return c;
}

Test(client, refuses_plain_http_to_remote_hosts)
{
	struct nc_client_config cfg;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_client *c = (struct nc_client *)&cfg; /* must be reset to NULL */

	client_config_defaults(&cfg);
	cfg.base_url = "http://api.novu.co";
	cfg.secret_key = SECRET;
	cr_assert_eq(client_new(&cfg, &c, &err), NC_E_CONFIG);
	cr_assert_null(c);
	cr_assert_not_null(strstr(err.message, "https://"), "%s", err.message);
	cr_assert_null(strstr(err.message, SECRET));
	nc_error_clear(&err);
}

Test(client, base_url_and_masked_key)
{
	struct nc_client *c = client_for("https://novu.example.com/api/", SECRET);

	cr_assert_str_eq(client_base_url(c), "https://novu.example.com/api");
	cr_assert_str_eq(client_masked_key(c), "sk_t\xe2\x80\xa6" "9f3a");
	client_free(c);
	c = client_for("https://api.novu.co", NULL);
	cr_assert_str_eq(client_masked_key(c), "(none)");
	client_free(c);
}

Test(client, path_cannot_change_the_host)
{
	struct nc_client *c = client_for("https://api.novu.co", SECRET);
	struct nc_http_request req = { "GET", "@attacker.example/v2/topics", NULL, 0, NULL };
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(client_send(c, &req, &resp, &err), NC_E_INVALID);
	cr_assert_eq(resp.attempts, 0, "nothing was sent");
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

/* ---- dumps ---- */

Test(dump, exact_request_with_the_key_masked)
{
	struct nc_client *c = client_for("https://api.novu.co", SECRET);
	struct nc_http_request req = { "POST", TRIGGER_PATH, TRIGGER_BODY, strlen(TRIGGER_BODY),
	                               "nc-key-1" };
	char *d = client_dump_request(c, &req);
	const char *body;

	cr_assert_not_null(d);
	cr_assert_null(strstr(d, SECRET), "the key leaked into the dump");
	cr_assert_null(strstr(d, "0123456789"), "part of the key leaked");
	cr_assert(strncmp(d, "POST https://api.novu.co/v1/events/trigger\n", 43) == 0, "%s", d);
	cr_assert_not_null(strstr(d, "\nAuthorization: ApiKey sk_t\xe2\x80\xa6" "9f3a\n"));
	cr_assert_not_null(strstr(d, "\nAccept: application/json\n"));
	cr_assert_not_null(strstr(d, "\nContent-Type: application/json\n"));
	cr_assert_not_null(strstr(d, "\nUser-Agent: novu-console/" NC_VERSION " libcurl/"));
	cr_assert_not_null(strstr(d, "\nIdempotency-Key: nc-key-1\n"));
	body = strstr(d, "\n\n");
	cr_assert_not_null(body);
	cr_assert_str_eq(body + 2, TRIGGER_BODY "\n");
	free(d);
	client_free(c);
}

Test(dump, get_without_body_has_no_content_type)
{
	struct nc_client *c = client_for("https://api.novu.co", SECRET);
	struct nc_http_request req = { "GET", "/v2/topics?limit=10", NULL, 0, NULL };
	char *d = client_dump_request(c, &req);

	cr_assert(strncmp(d, "GET https://api.novu.co/v2/topics?limit=10\n", 43) == 0, "%s", d);
	cr_assert_null(strstr(d, "Content-Type"));
	cr_assert_null(strstr(d, "Idempotency-Key"));
	cr_assert_null(strstr(d, "\n\n"));
	free(d);
	client_free(c);
}

Test(dump, curl_command_reads_the_key_from_the_environment)
{
	static const char body[] = "{\"name\":\"w\",\"to\":\"u\",\"payload\":{\"msg\":\"it's\"}}";
	struct nc_client *c = client_for("https://api.novu.co", SECRET);
	struct nc_http_request req = { "POST", TRIGGER_PATH, body, strlen(body), "nc-k'2" };
	char *cmd = client_curl_command(c, &req);

	cr_assert_not_null(cmd);
	cr_assert_null(strstr(cmd, SECRET));
	cr_assert_null(strstr(cmd, "sk_t"), "not even the masked key");
	cr_assert(strncmp(cmd, "curl -sS -X POST 'https://api.novu.co/v1/events/trigger'", 56) == 0,
	          "%s", cmd);
	cr_assert_not_null(strstr(cmd, "-H \"Authorization: ApiKey $NOVU_SECRET_KEY\""));
	cr_assert_not_null(strstr(cmd, "-H 'Content-Type: application/json'"));
	cr_assert_not_null(strstr(cmd, "-H 'Idempotency-Key: nc-k'\\''2'"));
	cr_assert_not_null(strstr(cmd,
		"--data-binary '{\"name\":\"w\",\"to\":\"u\",\"payload\":{\"msg\":\"it'\\''s\"}}'"), "%s", cmd);
	free(cmd);
	client_free(c);
}

/* ---- against the sandbox ---- */

static struct tsb sb;

/* The fake clock: retry waits cost no time (the sandbox's faults do not
 * depend on it); a test that needs a wait to really last stops it. */
static void
sb_up(void)
{
	cr_assert_eq(tsb_start(&sb, NULL), 0, "could not start %s", NC_SANDBOX_BIN);
	clock_fake_start(1000000);
}

static void
sb_down(void)
{
	clock_fake_stop();
	tsb_stop(&sb);
}

TestSuite(send, .init = sb_up, .fini = sb_down, .timeout = 60);

struct retry_log {
	int calls;
	long last_wait, last_status;
};

static void
note_retry(void *ctx, const struct nc_retry_note *n)
{
	struct retry_log *l = ctx;

	l->calls++;
	l->last_wait = n->wait_ms;
	l->last_status = n->http_status;
}

static enum nc_status
send_trigger(struct nc_client *c, const char *key, struct nc_http_response *resp,
             struct nc_error *err)
{
	struct nc_http_request req = { "POST", TRIGGER_PATH, TRIGGER_BODY, strlen(TRIGGER_BODY),
	                               key };

	return client_send(c, &req, resp, err);
}

Test(send, trigger_succeeds_with_headers)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	cr_assert_eq(send_trigger(c, "nc-http-ok", &resp, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(resp.status, 201);
	cr_assert_eq(resp.attempts, 1);
	cr_assert_not_null(resp.body);
	cr_assert_not_null(strstr(resp.body, "\"acknowledged\":true"), "%s", resp.body);
	cr_assert_eq(resp.body_len, strlen(resp.body));
	cr_assert_str_eq(resp.idempotency_key, "nc-http-ok");
	cr_assert_eq(resp.idempotency_replay, 0);
	http_response_clear(&resp);

	/* The same key and body again: the server replays. */
	cr_assert_eq(send_trigger(c, "nc-http-ok", &resp, &err), NC_OK);
	cr_assert_eq(resp.idempotency_replay, 1);
	http_response_clear(&resp);

	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, TRIGGER_PATH), 2);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(reqs, 0), "body"), TRIGGER_BODY);
	cr_assert_str_eq(json_str(cJSON_GetArrayItem(reqs, 0), "method"), "POST");
	cJSON_Delete(reqs);
	client_free(c);
}

Test(send, wrong_key_is_401_and_not_retried)
{
	struct nc_client *c = tsb_client(&sb, "sk_wrong_wrong_wrong", 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	char *text;

	cr_assert_eq(send_trigger(c, NULL, &resp, &err), NC_E_API);
	cr_assert_eq(resp.status, 401);
	cr_assert_eq(err.http_status, 401);
	cr_assert_eq(err.attempts, 1);
	cr_assert_str_eq(err.endpoint, "POST " TRIGGER_PATH);
	text = nc_error_format(&err);
	cr_assert_null(strstr(text, "sk_wrong_wrong_wrong"));
	free(text);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

/* Every logged request to path carries this key and exactly this body. */
static void
assert_same_key_and_bytes(const cJSON *reqs, const char *key, int expect)
{
	const cJSON *it;
	const char *sha = NULL;
	int n = 0;

	cJSON_ArrayForEach(it, reqs) {
		if (strcmp(json_str(it, "path"), TRIGGER_PATH) != 0)
			continue;
		n++;
		cr_assert_str_eq(json_str(it, "idempotencyKey"), key);
		cr_assert_str_eq(json_str(it, "body"), TRIGGER_BODY);
		if (sha)
			cr_assert_str_eq(json_str(it, "bodySha"), sha);
		sha = json_str(it, "bodySha");
	}
	cr_assert_eq(n, expect, "requests received: %d, expected %d", n, expect);
}

Test(send, rate_limited_then_ok_same_key_same_bytes)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	struct retry_log log = { 0, 0, 0 };
	cJSON *reqs;

	client_set_retry_callback(c, note_retry, &log);
	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":1,\"status\":429,\"retryAfter\":1}"), 200);
	cr_assert_eq(send_trigger(c, "nc-http-429", &resp, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(resp.status, 201);
	cr_assert_eq(resp.attempts, 2);
	cr_assert_eq(log.calls, 1);
	cr_assert_eq(log.last_status, 429);
	cr_assert_eq(log.last_wait, 1000, "Retry-After: 1 means 1000 ms, got %ld", log.last_wait);
	cr_assert_geq(resp.elapsed_ms, 1000, "waited only %ld ms", resp.elapsed_ms);
	reqs = tsb_requests(&sb);
	assert_same_key_and_bytes(reqs, "nc-http-429", 2);
	cJSON_Delete(reqs);
	http_response_clear(&resp);
	client_free(c);
}

Test(send, unavailable_twice_then_ok)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	/* retryAfter 0: no header, so the client's own (short) backoff. */
	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":2,\"status\":503,\"retryAfter\":0}"), 200);
	cr_assert_eq(send_trigger(c, "nc-http-503", &resp, &err), NC_OK);
	cr_assert_eq(resp.status, 201);
	cr_assert_eq(resp.attempts, 3);
	reqs = tsb_requests(&sb);
	assert_same_key_and_bytes(reqs, "nc-http-503", 3);
	cJSON_Delete(reqs);
	http_response_clear(&resp);
	client_free(c);
}

Test(send, server_error_retried_until_the_attempts_run_out)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":5,\"status\":500}"), 200);
	cr_assert_eq(send_trigger(c, "nc-http-500", &resp, &err), NC_E_SERVER);
	cr_assert_eq(resp.status, 500);
	cr_assert_eq(resp.attempts, 5);
	cr_assert_eq(err.http_status, 500);
	cr_assert_eq(err.attempts, 5);
	cr_assert_eq(err.kind, NC_ERRK_HTTP);
	cr_assert_not_null(err.retries_stopped);
	reqs = tsb_requests(&sb);
	assert_same_key_and_bytes(reqs, "nc-http-500", 5);
	cJSON_Delete(reqs);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

Test(send, validation_error_not_retried)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":3,\"status\":422}"), 200);
	cr_assert_eq(send_trigger(c, "nc-http-422", &resp, &err), NC_E_API);
	cr_assert_eq(resp.status, 422);
	cr_assert_eq(err.http_status, 422);
	cr_assert_eq(err.attempts, 1);
	cr_assert_str_eq(err.endpoint, "POST " TRIGGER_PATH);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, TRIGGER_PATH), 1, "exactly one request");
	cJSON_Delete(reqs);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

Test(send, dropped_connection_is_retried)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	struct retry_log log = { 0, 0, 0 };
	cJSON *reqs;

	client_set_retry_callback(c, note_retry, &log);
	cr_assert_eq(tsb_faults(&sb, "{\"dropNext\":1}"), 200);
	cr_assert_eq(send_trigger(c, "nc-http-drop", &resp, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(resp.status, 201);
	cr_assert_eq(resp.attempts, 2);
	cr_assert_eq(log.last_status, 0, "a transport failure reports status 0");
	reqs = tsb_requests(&sb);
	assert_same_key_and_bytes(reqs, "nc-http-drop", 2);
	cJSON_Delete(reqs);
	http_response_clear(&resp);
	client_free(c);
}

Test(send, attempts_cap_is_respected)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 3, 20);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *reqs;

	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":10,\"status\":503,\"retryAfter\":0}"), 200);
	cr_assert_eq(send_trigger(c, "nc-http-cap", &resp, &err), NC_E_SERVER);
	cr_assert_eq(resp.attempts, 3);
	cr_assert_eq(err.attempts, 3);
	cr_assert_eq(err.http_status, 503);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, TRIGGER_PATH), 3);
	cJSON_Delete(reqs);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

Test(send, no_wait_past_the_time_budget)
{
	struct nc_client_config cfg;
	struct nc_client *c = NULL;
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;

	client_config_defaults(&cfg);
	cfg.base_url = sb.url;
	cfg.secret_key = TSB_KEY;
	cfg.retry.max_total_ms = 2000;
	cr_assert_eq(client_new(&cfg, &c, &err), NC_OK);
	/* Retry-After: 5 s would end past the 2 s budget: give up at once. */
	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":1,\"status\":503,\"retryAfter\":5}"), 200);
	cr_assert_eq(send_trigger(c, "nc-http-budget", &resp, &err), NC_E_SERVER);
	cr_assert_eq(resp.attempts, 1);
	cr_assert_lt(resp.elapsed_ms, 1500);
	cr_assert_eq(err.retry_after, 5);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

/* A Retry-After longer than the per-wait cap waits the cap and tries again
 * (the header really parsed, then cut). */
Test(send, retry_after_beyond_the_cap_waits_the_cap)
{
	struct nc_client_config cfg;
	struct nc_client *c = NULL;
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	struct retry_log log = { 0, 0, 0 };

	client_config_defaults(&cfg);
	cfg.base_url = sb.url;
	cfg.secret_key = TSB_KEY;
	cfg.retry.max_delay_ms = 1000;
	cr_assert_eq(client_new(&cfg, &c, &err), NC_OK);
	client_set_retry_callback(c, note_retry, &log);
	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":1,\"status\":429,\"retryAfter\":3}"), 200);
	cr_assert_eq(send_trigger(c, "nc-http-cap", &resp, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(resp.attempts, 2);
	cr_assert_eq(log.last_wait, 1000, "waited the cap, got %ld", log.last_wait);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

static atomic_int stop_flag;

static void *
raise_flag_later(void *arg)
{
	(void)arg;
	usleep(300 * 1000);
	atomic_store(&stop_flag, 1);
	return NULL;
}

Test(send, abort_flag_stops_a_retry_wait)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	pthread_t t;
	long long t0;

	clock_fake_stop();   /* the wait must really last to be stopped */
	atomic_store(&stop_flag, 0);
	client_set_abort_flag(c, &stop_flag);
	cr_assert_eq(tsb_faults(&sb, "{\"failNext\":1,\"status\":429,\"retryAfter\":20}"), 200);
	t0 = tsb_now_ms();
	pthread_create(&t, NULL, raise_flag_later, NULL);
	cr_assert_eq(send_trigger(c, "nc-http-abort", &resp, &err), NC_E_ABORTED);
	pthread_join(t, NULL);
	cr_assert_lt(tsb_now_ms() - t0, 1500, "the 20 s wait was not cut short");
	cr_assert_eq(resp.attempts, 1);
	cr_assert_eq(err.status, NC_E_ABORTED);
	http_response_clear(&resp);
	nc_error_clear(&err);

	/* A flag already set: nothing is sent. */
	cr_assert_eq(send_trigger(c, "nc-http-abort2", &resp, &err), NC_E_ABORTED);
	cr_assert_eq(resp.attempts, 0);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

Test(send, abort_flag_stops_a_slow_request)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 5, 50);
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	pthread_t t;
	long long t0;

	atomic_store(&stop_flag, 0);
	client_set_abort_flag(c, &stop_flag);
	cr_assert_eq(tsb_faults(&sb, "{\"latencyMs\":5000}"), 200);
	t0 = tsb_now_ms();
	pthread_create(&t, NULL, raise_flag_later, NULL);
	cr_assert_eq(send_trigger(c, "nc-http-slow", &resp, &err), NC_E_ABORTED);
	pthread_join(t, NULL);
	cr_assert_lt(tsb_now_ms() - t0, 2500);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

Test(send, nothing_listening_is_a_network_error)
{
	struct nc_client_config cfg;
	struct nc_client *c = NULL;
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	char url[160];

	/* The sandbox's port, after it is gone: nobody listens there. */
	snprintf(url, sizeof(url), "%s", sb.url);
	tsb_stop(&sb);
	client_config_defaults(&cfg);
	cfg.base_url = url;
	cfg.secret_key = TSB_KEY;
	cfg.retry.max_attempts = 3;
	cfg.retry.base_delay_ms = 10;
	cr_assert_eq(client_new(&cfg, &c, &err), NC_OK);
	cr_assert_eq(send_trigger(c, NULL, &resp, &err), NC_E_NETWORK);
	cr_assert_eq(resp.status, 0);
	cr_assert_eq(resp.attempts, 3, "connection refused is retried");
	cr_assert_eq(err.kind, NC_ERRK_TRANSPORT);
	cr_assert_eq(err.http_status, 0);
	cr_assert_not_null(err.transport);
	cr_assert_str_eq(err.endpoint, "POST " TRIGGER_PATH);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

Test(send, curl_command_runs_as_printed)
{
	struct nc_client *c = tsb_client(&sb, TSB_KEY, 1, 0);
	struct nc_http_request req = { "POST", TRIGGER_PATH, TRIGGER_BODY, strlen(TRIGGER_BODY),
	                               "nc-http-curl" };
	char *cmd = client_curl_command(c, &req);
	struct textbuf line = TEXTBUF_INIT(0);
	size_t len;
	cJSON *reqs;

	cr_assert_not_null(cmd);
	len = strlen(cmd);
	cr_assert_eq(cmd[len - 1], '\n');
	/* Run it through sh as a user would paste it, with the key only in the
	 * environment; --fail turns a 401 into a non-zero exit. */
	cr_assert_eq(textbuf_append(&line, cmd, len - 1), 0);
	cr_assert_eq(textbuf_puts(&line, " --fail --silent --output /dev/null"), 0);
	setenv("NOVU_SECRET_KEY", TSB_KEY, 1);
	cr_assert_eq(system(line.data), 0, "%s", line.data);
	reqs = tsb_requests(&sb);
	assert_same_key_and_bytes(reqs, "nc-http-curl", 1);
	cJSON_Delete(reqs);
	textbuf_free(&line);
	free(cmd);
	client_free(c);
}
