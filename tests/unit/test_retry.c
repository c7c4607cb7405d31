/* test_retry.c - the retry policy of client_send (README "Retries"), table
 * by table, with the network replaced by a scripted transport and a fake
 * clock: which answers are retried, how long each wait is, the caps, the
 * call's time budget and what the error then says; and the bulk run's wait
 * for rate-limit tokens. No server, no real waits. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bulkrun.h"
#include "clock.h"
#include "histdb.h"
#include "http.h"
#include "jsonutil.h"

#define S(lit) ((char *)(uintptr_t)(lit))
#define MAX_ANSWERS 12
#define CLOCK_START 1000000

/* One scripted answer; fields left 0 mean "no such header". */
struct answer {
	long status;            /* 0: no answer at all (a dropped connection) */
	long retry_after;       /* Retry-After seconds; -1 for "0" */
	long retry_after_ms;    /* retry-after-ms */
	long reset;             /* RateLimit-Reset seconds */
	long remaining;         /* RateLimit-Remaining, with RateLimit-Limit 1000 */
	int replay;             /* Idempotency-Replay: true */
};

static struct {
	struct answer script[MAX_ANSWERS];
	int n, next;
	int64_t sent_at[MAX_ANSWERS];   /* fake time of each attempt */
	struct nc_retry_note notes[MAX_ANSWERS];
	int nnotes;
} net;

static long
header_value(long scripted)
{
	return scripted == 0 ? -1 : scripted < 0 ? 0 : scripted;
}

/* A bulk answer: every event processed, under its own transactionId. */
static char *
bulk_answer(const char *body)
{
	cJSON *root = cJSON_Parse(body);
	const cJSON *it;
	struct textbuf b = TEXTBUF_INIT(0);
	int first = 1;

	textbuf_puts(&b, "{\"data\":[");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "events")) {
		textbuf_printf(&b, "%s{\"acknowledged\":true,\"status\":\"processed\","
		               "\"transactionId\":\"%s\"}", first ? "" : ",",
		               json_str(it, "transactionId"));
		first = 0;
	}
	textbuf_puts(&b, "]}");
	cJSON_Delete(root);
	return textbuf_steal(&b);
}

static int
scripted_transport(void *ctx, const struct nc_http_request *req, struct nc_http_response *resp)
{
	const struct answer *a;

	(void)ctx;
	cr_assert_lt(net.next, net.n, "attempt %d was not scripted", net.next + 1);
	net.sent_at[net.next] = clock_mono_ms();
	a = &net.script[net.next++];
	if (a->status == 0)
		return -1;
	resp->status = a->status;
	resp->body = a->status >= 300 ? strdup("{\"message\":\"scripted\"}")
	             : strstr(req->path, "/bulk") ? bulk_answer(req->body)
	             : strdup("{\"data\":{\"acknowledged\":true,\"status\":\"processed\"}}");
	resp->retry_after = header_value(a->retry_after);
	resp->retry_after_ms = header_value(a->retry_after_ms);
	resp->ratelimit_reset = header_value(a->reset);
	if (a->remaining || a->reset) {
		resp->ratelimit_limit = 1000;
		resp->ratelimit_remaining = a->remaining;
	}
	resp->idempotency_replay = a->replay;
	return 0;
}

static void
record_note(void *ctx, const struct nc_retry_note *n)
{
	(void)ctx;
	if (net.nnotes < MAX_ANSWERS)
		net.notes[net.nnotes++] = *n;
}

static struct nc_client *
scripted_client(long max_total_ms)
{
	struct nc_client_config cfg;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_client *c = NULL;

	client_config_defaults(&cfg);
	cfg.base_url = "http://127.0.0.1:9";
	cfg.secret_key = "sk_test_0123456789abcdef";
	cfg.retry.jitter_ms = 0;    /* waits to the millisecond */
	if (max_total_ms > 0)
		cfg.retry.max_total_ms = max_total_ms;
	cr_assert_eq(client_new(&cfg, &c, &err), NC_OK);
	client_set_transport(c, scripted_transport, NULL);
	client_set_retry_callback(c, record_note, NULL);
	return c;
}

static void
setup(void)
{
	memset(&net, 0, sizeof(net));
	clock_fake_start(CLOCK_START);
}

static void
teardown(void)
{
	clock_fake_stop();
}

TestSuite(retry, .init = setup, .fini = teardown, .timeout = 30);

/* ---- which answers are retried ---- */

Test(retry, statuses_retried_and_final)
{
	static const long yes[] = { 0, 408, 409, 429, 500, 501, 502, 503, 504, 505, 599 };
	static const long no[] = { 200, 201, 400, 401, 402, 403, 404, 405, 413, 414, 415, 422 };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		cr_assert_eq(retry_should_retry(yes[i], 0), 1, "%ld is retried", yes[i]);
		cr_assert_eq(retry_should_retry(yes[i], 1), 0, "a replayed %ld is final", yes[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert_eq(retry_should_retry(no[i], 0), 0, "%ld is never retried", no[i]);
}

/* ---- whole calls: attempts, waits, outcome ---- */

struct call_case {
	const char *name;
	struct answer script[MAX_ANSWERS];
	long max_total_ms;          /* 0: the default 60 s */
	enum nc_status want;
	int want_attempts;
	long want_waits[MAX_ANSWERS]; /* between attempt k and k+1 */
	const char *want_stopped;   /* in err.retries_stopped, or NULL for none */
};

#define OK_201 { 201, 0, 0, 0, 0, 0 }

static const struct call_case call_cases[] = {
	{ "Retry-After: 0 is no hint: back off",
	  { { 429, -1, 0, 0, 0, 0 }, { 429, -1, 0, 0, 0, 0 }, OK_201 }, 0,
	  NC_OK, 3, { 1000, 1500 }, NULL },
	{ "retry-after-ms comes before Retry-After",
	  { { 503, 7, 250, 0, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 250 }, NULL },
	{ "retry-after-ms: 0 is no hint either",
	  { { 503, 0, -1, 0, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 1000 }, NULL },
	{ "500 is retried like any 5xx",
	  { { 500, 0, 0, 0, 0, 0 }, { 500, 0, 0, 0, 0, 0 }, { 500, 0, 0, 0, 0, 0 }, OK_201 }, 0,
	  NC_OK, 4, { 1000, 1500, 2250 }, NULL },
	{ "501 is retried", { { 501, 0, 0, 0, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 1000 }, NULL },
	{ "502 is retried", { { 502, 0, 0, 0, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 1000 }, NULL },
	{ "503 waits its Retry-After",
	  { { 503, 3, 0, 0, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 3000 }, NULL },
	{ "504 is retried", { { 504, 0, 0, 0, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 1000 }, NULL },
	{ "a replayed 500 is final",
	  { { 500, 0, 0, 0, 0, 1 } }, 0, NC_E_SERVER, 1, { 0 }, NULL },
	{ "a replayed 503 is final",
	  { { 503, 2, 0, 0, 0, 1 } }, 0, NC_E_SERVER, 1, { 0 }, NULL },
	{ "no answer is retried",
	  { { 0, 0, 0, 0, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 1000 }, NULL },
	{ "408 and 409 are retried",
	  { { 408, 0, 0, 0, 0, 0 }, { 409, 0, 0, 0, 0, 0 }, OK_201 }, 0,
	  NC_OK, 3, { 1000, 1500 }, NULL },
	{ "a huge Retry-After waits the 30 s cap, then tries again",
	  { { 429, 999999999, 0, 0, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 30000 }, NULL },
	{ "a huge RateLimit-Reset on a 429 waits the cap",
	  { { 429, 0, 0, 999999999, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 30000 }, NULL },
	{ "RateLimit-Reset is a hint on a 429 only",
	  { { 503, 0, 0, 20, 0, 0 }, OK_201 }, 0, NC_OK, 2, { 1000 }, NULL },
	{ "every attempt used: the error says so",
	  { { 503, 0, 0, 0, 0, 0 }, { 503, 0, 0, 0, 0, 0 }, { 503, 0, 0, 0, 0, 0 },
	    { 503, 0, 0, 0, 0, 0 }, { 503, 0, 0, 0, 0, 0 } }, 0,
	  NC_E_SERVER, 5, { 1000, 1500, 2250, 3375 }, "all 5 attempts were used" },
	{ "the budget ends the call before a wait that would pass it",
	  { { 503, 0, 0, 0, 0, 0 }, { 503, 0, 0, 0, 0, 0 }, { 503, 0, 0, 0, 0, 0 },
	    { 503, 0, 0, 0, 0, 0 } }, 5000,
	  NC_E_SERVER, 4, { 1000, 1500, 2250 },
	  "the next wait (3.4 s) would end past the call's time budget of 5 s" },
	{ "a capped wait still counts against the budget",
	  { { 429, 600, 0, 0, 0, 0 } }, 20000,
	  NC_E_API, 1, { 0 }, "the next wait (30 s) would end past the call's time budget of 20 s" },
	{ "no answer within the budget is a network error that says why",
	  { { 0, 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0 } }, 2000,
	  NC_E_NETWORK, 2, { 1000 }, "time budget of 2 s" },
};

/* Past its end a script is all "no answer"; the attempt count checks that
 * nothing more was tried than the case expects. */
static void
script_answers(const struct answer *script, size_t n)
{
	memset(net.script, 0, sizeof(net.script));
	memcpy(net.script, script, n * sizeof(*script));
	net.n = MAX_ANSWERS;
	net.next = 0;
	net.nnotes = 0;
}

static void
run_call_case(const struct call_case *k)
{
	struct nc_client *c = scripted_client(k->max_total_ms);
	struct nc_http_request req = { "POST", "/v1/events/trigger", "{}", 2, "nc-retry" };
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st;
	int i;

	script_answers(k->script, MAX_ANSWERS);
	st = client_send(c, &req, &resp, &err);
	cr_assert_eq(st, k->want, "%s: status %d, want %d (%s)", k->name, st, k->want,
	             err.message ? err.message : "");
	cr_assert_eq(resp.attempts, k->want_attempts, "%s: %d attempts, want %d", k->name,
	             resp.attempts, k->want_attempts);
	cr_assert_eq(net.nnotes, k->want_attempts - 1, "%s: one note per wait", k->name);
	for (i = 0; i + 1 < k->want_attempts; i++) {
		cr_assert_eq(net.sent_at[i + 1] - net.sent_at[i], k->want_waits[i],
		             "%s: wait %d was %lld ms, want %ld", k->name, i + 1,
		             (long long)(net.sent_at[i + 1] - net.sent_at[i]), k->want_waits[i]);
		cr_assert_eq(net.notes[i].wait_ms, k->want_waits[i], "%s: the note tells the wait",
		             k->name);
		cr_assert_eq(net.notes[i].attempt, i + 1);
		cr_assert_eq(net.notes[i].max_attempts, 5);
	}
	if (k->want_stopped)
		cr_assert(err.retries_stopped && strstr(err.retries_stopped, k->want_stopped),
		          "%s: retries_stopped is '%s'", k->name,
		          err.retries_stopped ? err.retries_stopped : "(null)");
	else
		cr_assert_null(err.retries_stopped, "%s: '%s'", k->name, err.retries_stopped);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

Test(retry, calls)
{
	size_t i;

	for (i = 0; i < sizeof(call_cases) / sizeof(call_cases[0]); i++)
		run_call_case(&call_cases[i]);
}

Test(retry, never_retried_statuses_make_one_attempt)
{
	static const long final[] = { 400, 401, 403, 404, 413, 415, 422 };
	struct call_case k;
	size_t i;

	for (i = 0; i < sizeof(final) / sizeof(final[0]); i++) {
		memset(&k, 0, sizeof(k));
		k.name = "final status";
		k.script[0].status = final[i];
		k.script[0].retry_after = 1;   /* a hint does not make it retryable */
		k.want = NC_E_API;
		k.want_attempts = 1;
		run_call_case(&k);
	}
}

Test(retry, budget_error_is_in_the_formatted_error)
{
	struct nc_client *c = scripted_client(1500);
	struct nc_http_request req = { "GET", "/v2/topics", NULL, 0, NULL };
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	struct answer busy = { 503, 2, 0, 0, 0, 0 };
	char *text;

	script_answers(&busy, 1);
	cr_assert_eq(client_send(c, &req, &resp, &err), NC_E_SERVER);
	cr_assert_eq(resp.attempts, 1, "a 2 s Retry-After does not fit in 1.5 s");
	text = nc_error_format(&err);
	cr_assert_not_null(strstr(text, "retries stopped: the next wait (2 s) would end past "
	                                "the call's time budget of 1.5 s (--max-wait, or the "
	                                "profile's [http] retry_max_time)"), "%s", text);
	free(text);
	http_response_clear(&resp);
	nc_error_clear(&err);
	client_free(c);
}

Test(retry, note_text_for_the_headless_commands)
{
	struct nc_retry_note n = { 1, 5, 3000, -1, 503 };
	char line[256];

	retry_note_text(&n, line, sizeof(line));
	cr_assert_str_eq(line, "HTTP 503, retry 2/5 in 3.0 s");
	n = (struct nc_retry_note){ 2, 5, 1500, -1, 0 };
	retry_note_text(&n, line, sizeof(line));
	cr_assert_str_eq(line, "no answer, retry 3/5 in 1.5 s");
	n = (struct nc_retry_note){ 1, 5, 30000, 999999999000L, 429 };
	retry_note_text(&n, line, sizeof(line));
	cr_assert_str_eq(line, "HTTP 429, retry 2/5 in 30.0 s (the server asked for "
	                       "999999999 s; no single wait is longer)");
}

Test(retry, server_hint_order)
{
	struct nc_http_response r;

	memset(&r, 0, sizeof(r));
	r.retry_after = r.retry_after_ms = r.ratelimit_reset = -1;
	cr_assert_eq(retry_server_hint_ms(&r, 429), -1);
	r.ratelimit_reset = 4;
	cr_assert_eq(retry_server_hint_ms(&r, 429), 4000);
	cr_assert_eq(retry_server_hint_ms(&r, 503), -1);
	r.retry_after = 0;
	cr_assert_eq(retry_server_hint_ms(&r, 429), 4000, "Retry-After: 0 is no hint");
	r.retry_after = 2;
	cr_assert_eq(retry_server_hint_ms(&r, 429), 2000);
	r.retry_after_ms = 120;
	cr_assert_eq(retry_server_hint_ms(&r, 429), 120);
}

Test(retry, caps_are_the_clients)
{
	struct nc_client *c = scripted_client(0);

	cr_assert_eq(client_cap_wait_ms(c, 999999999000L), 30000);
	cr_assert_eq(client_cap_wait_ms(c, 2500), 2500);
	client_free(c);
}

/* ---- the bulk run's wait for rate-limit tokens ---- */

static char dir[64], dbpath[128];

static void
bulk_progress_note(void *ctx, const struct nc_bulk_progress *p)
{
	long *waited = ctx;

	if (p->waiting_ms > 0)
		*waited = p->waiting_ms;
}

static void
remove_db(void)
{
	char p[200];

	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
	rmdir(dir);
}

Test(retry, bulk_token_wait_is_capped)
{
	struct nc_client *c = scripted_client(0);
	struct nc_history *hist = NULL;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event evs[150];
	struct nc_recipient r = { .kind = NC_RCPT_SUBSCRIBER_ID, .id = S("u1") };
	struct nc_ops o = { .profile = "prod", .scope = "prod https://api.novu.co" };
	/* The first chunk spends the bucket and says it refills in ~31 years. */
	struct answer script[2] = { { 201, 0, 0, 999999999, 0, 0 }, OK_201 };
	long waited = 0;
	int64_t run = 0;
	size_t i;

	strcpy(dir, "/tmp/nc-retry-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/history.db", dir);
	cr_assert_eq(histdb_open(dbpath, &hist, &err), NC_OK, "%s", err.message);
	o.client = c;
	o.history = hist;
	for (i = 0; i < 150; i++) {
		event_init(&evs[i]);
		cr_assert_eq(nc_strset(&evs[i].workflow, "welcome"), 0);
		cr_assert_eq(event_add_recipient(&evs[i], &r), NC_OK);
	}
	script_answers(script, 2);
	cr_assert_eq(bulkrun_create(&o, "f", evs, 150, NULL, NULL, &run, &err), NC_OK, "%s",
	             err.message);
	cr_assert_eq(bulkrun_send(&o, run, 0, bulk_progress_note, &waited, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(net.next, 2, "both chunks went");
	cr_assert_eq(waited, 30000, "the announced wait is the cap, not %ld ms", waited);
	cr_assert_eq(net.sent_at[1] - net.sent_at[0], 30000, "the wait was the cap");
	for (i = 0; i < 150; i++)
		event_clear(&evs[i]);
	nc_error_clear(&err);
	histdb_close(hist);
	client_free(c);
	remove_db();
}

/* ---- the headers as really parsed ---- */

/* A one-thread HTTP server on loopback that answers each connection with
 * the next canned response, then closes it. */
struct canned {
	int fd;
	const char *const *answers;
	int n;
};

static void
drain_request(int c)
{
	char buf[4096];
	size_t len = 0;
	ssize_t k;
	char *end, *cl;
	long body = 0;

	while (len < sizeof(buf) - 1 && (k = read(c, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)k;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		cl = strstr(buf, "Content-Length:");   /* as curl spells it */
		body = cl ? strtol(cl + 15, NULL, 10) : 0;
		if ((long)(len - (size_t)(end + 4 - buf)) >= body)
			return;
	}
}

static void *
serve_canned(void *arg)
{
	struct canned *cv = arg;
	int i, c;

	for (i = 0; i < cv->n; i++) {
		c = accept(cv->fd, NULL, NULL);
		if (c < 0)
			break;
		drain_request(c);
		if (write(c, cv->answers[i], strlen(cv->answers[i])) < 0)
			i = cv->n;
		close(c);
	}
	return NULL;
}

static int
canned_listen(char *url, size_t size)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	snprintf(url, size, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
	return fd;
}

#define CANNED(status, headers) \
	"HTTP/1.1 " status "\r\n" headers "Content-Length: 2\r\nConnection: close\r\n\r\n{}"

Test(retry, headers_parsed_from_the_wire)
{
	static const char *const answers[] = {
		CANNED("503 Service Unavailable", "Retry-After: 7\r\nretry-after-ms: 250\r\n"),
		CANNED("429 Too Many Requests", "Retry-After: 0\r\n"),
		CANNED("429 Too Many Requests", "RATELIMIT-RESET: 999999999\r\n"),
		CANNED("201 Created", ""),
	};
	struct canned cv = { -1, answers, 4 };
	struct nc_client_config cfg;
	struct nc_client *c = NULL;
	struct nc_http_request req = { "POST", "/v1/events/trigger", "{}", 2, "nc-wire" };
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	char url[64];
	pthread_t t;

	cv.fd = canned_listen(url, sizeof(url));
	pthread_create(&t, NULL, serve_canned, &cv);
	client_config_defaults(&cfg);
	cfg.base_url = url;
	cfg.retry.jitter_ms = 0;
	cfg.retry.max_total_ms = 600000;
	cr_assert_eq(client_new(&cfg, &c, &err), NC_OK);
	client_set_retry_callback(c, record_note, NULL);
	cr_assert_eq(client_send(c, &req, &resp, &err), NC_OK, "%s", err.message ? err.message : "");
	pthread_join(t, NULL);
	close(cv.fd);
	cr_assert_eq(resp.attempts, 4);
	cr_assert_eq(net.nnotes, 3);
	cr_assert_eq(net.notes[0].wait_ms, 250, "retry-after-ms before Retry-After");
	cr_assert_eq(net.notes[1].wait_ms, 1500, "Retry-After: 0 backs off (attempt 2)");
	cr_assert_eq(net.notes[1].asked_ms, -1);
	cr_assert_eq(net.notes[2].wait_ms, 30000, "a huge RateLimit-Reset waits the cap");
	cr_assert_eq(net.notes[2].asked_ms, 999999999000L);
	http_response_clear(&resp);
	client_free(c);
}
