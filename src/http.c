/* http.c - the HTTP layer: one libcurl easy handle per client, reused so the
 * connection stays alive between calls, with the retry policy of CONTRACT.md
 * 4.6-4.7 on top.
 *
 * Every attempt starts from curl_easy_reset(): it keeps the live connection,
 * DNS and TLS session caches but forgets the previous request's method and
 * body, so nothing leaks from one call into the next.
 */
#include "http.h"
#include "clock.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <curl/curl.h>

#include "ratelimit.h"
#include "url.h"

#define SLEEP_SLICE_MS 25
#define DEFAULT_BASE_URL "https://api.novu.co"

struct nc_client {
	CURL *curl;
	char *base_url;
	char *secret_key;
	char *masked_key;
	char *ca_file;
	char *user_agent;
	long connect_timeout_ms, timeout_ms;
	struct nc_retry_policy retry;
	atomic_int *abort_flag;
	nc_retry_cb retry_cb;
	void *retry_ctx;
	nc_transport_fn transport;   /* tests: answers instead of the network */
	void *transport_ctx;
	char errbuf[CURL_ERROR_SIZE];
};

/* What one attempt produced, before the retry decision. */
struct attempt_state {
	struct nc_client *client;
	struct textbuf body;
	int body_too_large;
	struct nc_http_response *resp;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_global_setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
client_config_defaults(struct nc_client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->connect_timeout_ms = 10000;
	cfg->timeout_ms = 30000;
	cfg->retry.max_attempts = 5;
	cfg->retry.max_total_ms = 60000;
	cfg->retry.base_delay_ms = 1000;
	cfg->retry.max_delay_ms = 30000;
	cfg->retry.jitter_ms = 1000;
}

/* ---- small helpers ---- */

static long long
mono_ms(void)
{
	return clock_mono_ms();
}

static void
wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static char *
dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* The rule lives in url.c, shared with the profile loader. */
int
http_url_allowed(const char *url)
{
	return url_allowed(url);
}

char *
http_mask_key(const char *key)
{
	/* Short keys would be mostly revealed by 4+4 characters. */
	static const char ellipsis[] = "\xe2\x80\xa6";
	size_t len = key ? strlen(key) : 0;
	char *out;

	if (len < 16)
		return strdup("****");
	out = malloc(4 + sizeof(ellipsis) - 1 + 4 + 1);
	if (!out)
		return NULL;
	memcpy(out, key, 4);
	memcpy(out + 4, ellipsis, sizeof(ellipsis) - 1);
	memcpy(out + 4 + sizeof(ellipsis) - 1, key + len - 4, 4);
	out[4 + sizeof(ellipsis) - 1 + 4] = '\0';
	return out;
}

/* ---- client life ---- */

static char *
make_user_agent(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	struct textbuf b = TEXTBUF_INIT(0);

	if (textbuf_printf(&b, "novu-console/%s libcurl/%s", NC_VERSION,
	                   v && v->version ? v->version : "unknown")) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}

static char *
normalised_base_url(const char *url)
{
	size_t n = strlen(url);

	/* Paths are appended verbatim, so one trailing slash too many would
	 * double up. */
	while (n > 0 && url[n - 1] == '/')
		n--;
	return dup_range(url, n);
}

static enum nc_status
client_fill(struct nc_client *c, const struct nc_client_config *cfg)
{
	c->base_url = normalised_base_url(cfg->base_url);
	c->user_agent = make_user_agent();
	c->masked_key = cfg->secret_key ? http_mask_key(cfg->secret_key) : strdup("(none)");
	if (cfg->secret_key && !(c->secret_key = strdup(cfg->secret_key)))
		return NC_E_NOMEM;
	if (cfg->ca_file && !(c->ca_file = strdup(cfg->ca_file)))
		return NC_E_NOMEM;
	if (!c->base_url || !c->user_agent || !c->masked_key)
		return NC_E_NOMEM;
	c->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
	c->retry = cfg->retry;
	if (c->retry.max_attempts < 1)
		c->retry.max_attempts = 1;
	if (c->retry.max_total_ms < 0)
		c->retry.max_total_ms = 0;
	if (c->retry.base_delay_ms < 0)
		c->retry.base_delay_ms = 0;
	if (c->retry.max_delay_ms <= 0)
		c->retry.max_delay_ms = 30000;
	if (c->retry.jitter_ms < 0)
		c->retry.jitter_ms = 0;
	pthread_once(&curl_once, curl_global_setup);
	c->curl = curl_easy_init();
	return c->curl ? NC_OK : NC_E_NOMEM;
}

enum nc_status
client_new(const struct nc_client_config *cfg, struct nc_client **out,
           struct nc_error *err)
{
	struct nc_client *c;
	enum nc_status st;

	*out = NULL;
	if (!cfg->base_url || !*cfg->base_url)
		return nc_error_set(err, NC_E_CONFIG, NULL, "no API base URL is configured");
	if (!http_url_allowed(cfg->base_url))
		return nc_error_set(err, NC_E_CONFIG, NULL,
		                    "refusing API URL '%s': it must be https:// (plain http:// "
		                    "only to a loopback host: 127.x.x.x, ::1, localhost)",
		                    cfg->base_url);
	c = calloc(1, sizeof(*c));
	if (!c)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	st = client_fill(c, cfg);
	if (st) {
		client_free(c);
		return nc_error_set(err, st, NULL, "cannot create the HTTP client: %s",
		                    nc_status_message(st));
	}
	*out = c;
	return NC_OK;
}

void
client_free(struct nc_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	wipe_free(c->secret_key);
	free(c->masked_key);
	free(c->base_url);
	free(c->ca_file);
	free(c->user_agent);
	free(c);
}

void
client_set_abort_flag(struct nc_client *c, atomic_int *flag)
{
	c->abort_flag = flag;
}

void
client_set_transport(struct nc_client *c, nc_transport_fn fn, void *ctx)
{
	c->transport = fn;
	c->transport_ctx = ctx;
}

void
client_set_retry_callback(struct nc_client *c, nc_retry_cb cb, void *ctx)
{
	c->retry_cb = cb;
	c->retry_ctx = ctx;
}

const char *
client_base_url(const struct nc_client *c)
{
	return c->base_url;
}

const char *
client_masked_key(const struct nc_client *c)
{
	return c->masked_key;
}

int
client_aborted(const struct nc_client *c)
{
	return c && c->abort_flag && atomic_load(c->abort_flag) != 0;
}

int
client_sleep(struct nc_client *c, long ms)
{
	long long end = mono_ms() + ms;
	long long left;

	/* Small slices so a stop request is honoured within a few ms. */
	while (!client_aborted(c)) {
		left = end - mono_ms();
		if (left <= 0)
			return 0;
		clock_sleep_ms(left > SLEEP_SLICE_MS ? SLEEP_SLICE_MS : (long)left);
	}
	return -1;
}

/* ---- responses ---- */

static void
response_init(struct nc_http_response *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after = r->retry_after_ms = -1;
	r->ratelimit_limit = r->ratelimit_remaining = r->ratelimit_reset = -1;
}

void
http_response_clear(struct nc_http_response *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->ratelimit_policy);
	free(r->idempotency_key);
	free(r->location);
	response_init(r);
}

/* Forget the previous attempt's headers and body, keeping the count. */
static void
response_reset_attempt(struct nc_http_response *r)
{
	int attempts = r->attempts;

	http_response_clear(r);
	r->attempts = attempts;
}

/* ---- curl callbacks ---- */

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct attempt_state *a = userdata;
	size_t n = size * nmemb;

	if (a->body_too_large)
		return n;   /* past the cap: drain, keep what we have */
	if (textbuf_append(&a->body, ptr, n) != 0) {
		if (a->body.len + n <= NC_MAX_RESPONSE_BYTES)
			return 0; /* out of memory: CURLE_WRITE_ERROR */
		/* Over the cap: keep the status and the first bytes rather than
		 * report "no answer" for a request that was answered (a 201 with a
		 * huge body still queued the trigger). */
		textbuf_append(&a->body, ptr, NC_MAX_RESPONSE_BYTES - a->body.len);
		a->body_too_large = 1;
	}
	return n;
}

static long
parse_long(const char *v, size_t n)
{
	char buf[32];
	char *end;
	long x;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	x = strtol(buf, &end, 10);
	if (errno || end == buf || *end != '\0' || x < 0)
		return -1;
	return x;
}

/* Retry-After: delta-seconds or an HTTP-date (RFC 9110 10.2.3). */
static long
parse_retry_after(const char *v, size_t n)
{
	char buf[64];
	time_t when, now;
	long secs = parse_long(v, n);

	if (secs >= 0 || n == 0 || n >= sizeof(buf))
		return secs;
	memcpy(buf, v, n);
	buf[n] = '\0';
	when = curl_getdate(buf, NULL);
	if (when == (time_t)-1)
		return -1;
	now = time(NULL);
	return when > now ? (long)(when - now) : 0;
}

static int
header_is(const char *line, size_t namelen, const char *name)
{
	return strlen(name) == namelen && strncasecmp(line, name, namelen) == 0;
}

static void
store_header(struct nc_http_response *r, const char *name, size_t nlen,
             const char *v, size_t vlen)
{
	if (header_is(name, nlen, "Retry-After"))
		r->retry_after = parse_retry_after(v, vlen);
	else if (header_is(name, nlen, "retry-after-ms"))
		r->retry_after_ms = parse_long(v, vlen);
	else if (header_is(name, nlen, "RateLimit-Limit"))
		r->ratelimit_limit = parse_long(v, vlen);
	else if (header_is(name, nlen, "RateLimit-Remaining"))
		r->ratelimit_remaining = parse_long(v, vlen);
	else if (header_is(name, nlen, "RateLimit-Reset"))
		r->ratelimit_reset = parse_long(v, vlen);
	else if (header_is(name, nlen, "RateLimit-Policy")) {
		free(r->ratelimit_policy);
		r->ratelimit_policy = dup_range(v, vlen);
	} else if (header_is(name, nlen, "Idempotency-Key")) {
		free(r->idempotency_key);
		r->idempotency_key = dup_range(v, vlen);
	} else if (header_is(name, nlen, "Location")) {
		free(r->location);
		r->location = dup_range(v, vlen);
	} else if (header_is(name, nlen, "Idempotency-Replay"))
		r->idempotency_replay = vlen == 4 && strncasecmp(v, "true", 4) == 0;
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct attempt_state *a = userdata;
	size_t n = size * nitems, nlen, vstart, vend;
	const char *colon;

	/* A new status line (after a 100 Continue, say) starts a new header
	 * set: only the final response's headers count. */
	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		response_reset_attempt(a->resp);
		return n;
	}
	colon = memchr(buf, ':', n);
	if (!colon)
		return n;
	nlen = (size_t)(colon - buf);
	vstart = nlen + 1;
	vend = n;
	while (vstart < vend && (buf[vstart] == ' ' || buf[vstart] == '\t'))
		vstart++;
	while (vend > vstart && isspace((unsigned char)buf[vend - 1]))
		vend--;
	store_header(a->resp, buf, nlen, buf + vstart, vend - vstart);
	return n;
}

static int
on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
            curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return client_aborted(clientp) ? 1 : 0;
}

/* ---- building one request ---- */

static char *
join_url(const char *base, const char *path)
{
	struct textbuf b = TEXTBUF_INIT(0);

	if (textbuf_puts(&b, base) || textbuf_puts(&b, path ? path : "")) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}

static void
slist_wipe_free(struct curl_slist *list)
{
	struct curl_slist *p;

	/* The Authorization line holds the key: clear it before freeing. */
	for (p = list; p; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(list);
}

static int
slist_add(struct curl_slist **list, const char *line)
{
	struct curl_slist *n = curl_slist_append(*list, line);

	if (!n)
		return -1;
	*list = n;
	return 0;
}

static struct curl_slist *
build_headers(const struct nc_client *c, const struct nc_http_request *req)
{
	struct curl_slist *list = NULL;
	struct textbuf b = TEXTBUF_INIT(0);
	int bad = 0;

	if (c->secret_key) {
		bad |= textbuf_printf(&b, "Authorization: ApiKey %s", c->secret_key);
		bad |= bad ? 0 : slist_add(&list, b.data);
		if (b.data)
			explicit_bzero(b.data, b.len);
		textbuf_free(&b);
	}
	bad |= slist_add(&list, "Accept: application/json");
	if (req->body)
		bad |= slist_add(&list, "Content-Type: application/json");
	/* libcurl would add Expect: 100-continue to large bodies and wait for
	 * the answer; the API never needs that round trip. */
	bad |= slist_add(&list, "Expect:");
	if (req->idempotency_key) {
		b = (struct textbuf)TEXTBUF_INIT(0);
		bad |= textbuf_printf(&b, "Idempotency-Key: %s", req->idempotency_key);
		bad |= bad ? 0 : slist_add(&list, b.data);
		textbuf_free(&b);
	}
	if (bad) {
		slist_wipe_free(list);
		return NULL;
	}
	return list;
}

static void
set_method(CURL *h, const struct nc_http_request *req)
{
	const char *m = req->method ? req->method : "GET";

	if (strcmp(m, "GET") != 0 && strcmp(m, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
	if (req->body || strcmp(m, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
}

/* Every option of one attempt on handle h (the client's own, or one of a
 * batch's), errors written to errbuf. */
static void
set_options(struct nc_client *c, CURL *h, char *errbuf, struct attempt_state *a,
            const char *url, struct curl_slist *headers, const struct nc_http_request *req,
            long timeout_ms)
{
	curl_easy_reset(h);
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* Plain http is allowed only to loopback; a proxy from the environment
	 * would carry the key off the machine in clear text. */
	if (strncmp(url, "http://", 7) == 0)
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	set_method(h, req);
}

/* ---- retry policy ---- */

long
retry_backoff_ms(const struct nc_retry_policy *p, int attempt, long jitter_ms)
{
	double base = p ? (double)p->base_delay_ms : 1000.0;
	double cap = p && p->max_delay_ms > 0 ? (double)p->max_delay_ms : 30000.0;
	double d = base;
	int i;

	for (i = 1; i < attempt && d < cap; i++)
		d *= 1.5;
	if (jitter_ms > 0)
		d += (double)jitter_ms;
	if (d > cap)
		d = cap;
	return d < 0 ? 0 : (long)d;
}

int
retry_should_retry(long http_status, int replay)
{
	if (replay)
		return 0;
	if (http_status >= 500 && http_status <= 599)
		return 1;
	switch (http_status) {
	case 0:
	case 408:
	case 409:
	case 429:
		return 1;
	default:
		return 0;
	}
}

static long
seconds_to_ms(long s)
{
	return s > LONG_MAX / 1000 ? LONG_MAX : s * 1000;
}

long
retry_server_hint_ms(const struct nc_http_response *r, long http_status)
{
	/* The SDK's order: the precise header first. */
	if (r->retry_after_ms > 0)
		return r->retry_after_ms;
	if (r->retry_after > 0)
		return seconds_to_ms(r->retry_after);
	if (http_status == 429 && r->ratelimit_reset > 0)
		return seconds_to_ms(r->ratelimit_reset);
	return -1;
}

long
client_cap_wait_ms(const struct nc_client *c, long ms)
{
	return ms > c->retry.max_delay_ms ? c->retry.max_delay_ms : ms;
}

/* Transport failures that a fresh attempt may well get past. Certificate
 * problems, bad URLs and our own aborts are not among them. */
static int
transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
		return 1;
	default:
		return 0;
	}
}

static long
random_jitter_ms(long max)
{
	uint32_t r;

	if (max <= 0)
		return 0;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)mono_ms();
	return (long)(r % (uint32_t)max);
}

/* The wait before the next attempt: the server's hint, else exponential
 * backoff; never more than max_delay_ms. A hint past the cap is cut to it
 * and tried anyway, as the SDK does: a server that still refuses says so
 * again, and giving up at once would fail a call that could have gone
 * through (*asked_ms keeps the hint, -1 when there was none). */
static long
retry_wait_ms(const struct nc_client *c, const struct nc_http_response *r,
              long status, int attempt, long *asked_ms)
{
	*asked_ms = retry_server_hint_ms(r, status);
	if (*asked_ms > 0)
		return client_cap_wait_ms(c, *asked_ms);
	return retry_backoff_ms(&c->retry, attempt, random_jitter_ms(c->retry.jitter_ms));
}

static void
append_seconds(char *buf, size_t size, long ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, size, "%ld s", ms / 1000);
	else
		snprintf(buf, size, "%.1f s", (double)ms / 1000.0);
}

int
retry_note_text(const struct nc_retry_note *n, char *buf, size_t size)
{
	char what[32], asked[32] = "";

	if (n->http_status > 0)
		snprintf(what, sizeof(what), "HTTP %ld", n->http_status);
	else
		snprintf(what, sizeof(what), "no answer");
	if (n->asked_ms > n->wait_ms) {
		append_seconds(asked, sizeof(asked), n->asked_ms);
		return snprintf(buf, size, "%s, retry %d/%d in %.1f s (the server asked for %s; "
		                "no single wait is longer)", what, n->attempt + 1,
		                n->max_attempts, (double)n->wait_ms / 1000.0, asked);
	}
	return snprintf(buf, size, "%s, retry %d/%d in %.1f s", what, n->attempt + 1,
	                n->max_attempts, (double)n->wait_ms / 1000.0);
}

/* ---- errors ---- */

static char *
endpoint_text(const struct nc_http_request *req)
{
	const char *path = req->path ? req->path : "";
	size_t plen = strcspn(path, "?");
	struct textbuf b = TEXTBUF_INIT(0);

	if (textbuf_printf(&b, "%s %.*s", req->method ? req->method : "GET", (int)plen, path)) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}

/* Redirects are never followed (the key must only go to the configured
 * URL); say where the server pointed so the user can fix the URL. */
static void
explain_redirect(struct nc_error *err, const struct nc_http_response *r)
{
	char *msg = nc_asprintf("HTTP %ld redirect to %s, not followed: the key is only sent "
	                        "to the configured URL (check the API URL or region)",
	                        r->status, r->location ? r->location : "(no Location)");

	if (msg) {
		free(err->message);
		err->message = msg;
	}
}

static enum nc_status
fail_http(struct nc_error *err, const struct nc_http_request *req,
          const struct nc_http_response *r)
{
	char *endpoint = endpoint_text(req);
	enum nc_status st;

	if (!err) {
		free(endpoint);
		return r->status >= 500 ? NC_E_SERVER : NC_E_API;
	}
	nc_error_clear(err);
	st = nc_error_from_http(err, r->status, endpoint, r->body, r->body_len);
	free(endpoint);
	if (st != NC_E_API && st != NC_E_SERVER)
		st = r->status >= 500 ? NC_E_SERVER : NC_E_API;
	err->status = st;
	err->retry_after = r->retry_after;
	err->ratelimit_limit = r->ratelimit_limit;
	err->ratelimit_remaining = r->ratelimit_remaining;
	err->ratelimit_reset = r->ratelimit_reset;
	free(err->ratelimit_policy);
	err->ratelimit_policy = r->ratelimit_policy ? strdup(r->ratelimit_policy) : NULL;
	err->attempts = r->attempts;
	if (r->status >= 300 && r->status < 400)
		explain_redirect(err, r);
	return st;
}

static enum nc_status
fail_transport(struct nc_error *err, const struct nc_client *c, const char *errbuf,
               const struct nc_http_request *req, CURLcode rc, int too_large,
               int attempts)
{
	const char *text = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	char big[96];

	if (too_large) {
		snprintf(big, sizeof(big), "response body larger than %u bytes",
		         NC_MAX_RESPONSE_BYTES);
		text = big;
	}
	if (!err)
		return NC_E_NETWORK;
	nc_error_clear(err);
	nc_error_set(err, NC_E_NETWORK, NULL, "no answer from %s: %s", c->base_url, text);
	err->kind = NC_ERRK_TRANSPORT;
	err->endpoint = endpoint_text(req);
	err->transport = strdup(text);
	err->attempts = attempts;
	return NC_E_NETWORK;
}

static enum nc_status
fail_aborted(struct nc_error *err, const struct nc_http_request *req, int attempts)
{
	if (!err)
		return NC_E_ABORTED;
	nc_error_clear(err);
	nc_error_set(err, NC_E_ABORTED, NULL, "stopped by the user");
	err->endpoint = endpoint_text(req);
	err->attempts = attempts;
	return NC_E_ABORTED;
}

/* ---- sending ---- */

/* One attempt through the test transport: no answer reads as a dropped
 * connection, which the retry policy treats like the real one. */
static CURLcode
send_once_fake(struct nc_client *c, const struct nc_http_request *req,
               struct nc_http_response *resp)
{
	int answered = c->transport(c->transport_ctx, req, resp) == 0;

	if (!answered) {
		free(resp->body);
		resp->body = NULL;
		resp->body_len = 0;
		resp->status = 0;
		return CURLE_GOT_NOTHING;
	}
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	return CURLE_OK;
}

/* One attempt: fills resp (status, headers, body) or returns curl's code. */
static CURLcode
send_once(struct nc_client *c, const char *url, struct curl_slist *headers,
          const struct nc_http_request *req, struct nc_http_response *resp,
          long timeout_ms, int *too_large)
{
	struct attempt_state a = { c, TEXTBUF_INIT(NC_MAX_RESPONSE_BYTES), 0, resp };
	CURLcode rc;

	response_reset_attempt(resp);
	resp->attempts++;
	*too_large = 0;
	if (c->transport)
		return send_once_fake(c, req, resp);
	set_options(c, c->curl, c->errbuf, &a, url, headers, req, timeout_ms);
	rc = curl_easy_perform(c->curl);
	*too_large = a.body_too_large;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body_len = a.body.len;
	resp->body = textbuf_steal(&a.body);
	return rc;
}

/* What to do after an attempt. The OUT_OF_* verdicts fail a call whose
 * answer might still have changed, so the error says why retrying ended. */
enum send_verdict {
	VERDICT_DONE, VERDICT_RETRY, VERDICT_FAIL, VERDICT_OUT_OF_ATTEMPTS, VERDICT_OUT_OF_TIME
};

/* Decide after an attempt whether to stop or to wait note->wait_ms and go
 * again (note is then filled for the retry callback). */
static enum send_verdict
judge_attempt(struct nc_client *c, CURLcode rc, const struct nc_http_response *resp,
              long long started, struct nc_retry_note *note)
{
	long status = rc == CURLE_OK ? resp->status : 0;

	if (rc == CURLE_OK && status >= 200 && status < 300)
		return VERDICT_DONE;
	if (rc != CURLE_OK && !transport_retryable(rc))
		return VERDICT_FAIL;
	if (!retry_should_retry(status, resp->idempotency_replay))
		return VERDICT_FAIL;
	if (resp->attempts >= c->retry.max_attempts)
		return VERDICT_OUT_OF_ATTEMPTS;
	note->attempt = resp->attempts;
	note->max_attempts = c->retry.max_attempts;
	note->http_status = status;
	note->wait_ms = retry_wait_ms(c, resp, status, resp->attempts, &note->asked_ms);
	/* A wait that would end past the budget cannot be followed by an
	 * attempt inside it. */
	if (mono_ms() - started + note->wait_ms > c->retry.max_total_ms)
		return VERDICT_OUT_OF_TIME;
	return VERDICT_RETRY;
}

/* Each attempt's timeout is cut to what is left of the call's budget, so a
 * server that hangs cannot hold the call past it either (1 s at least: an
 * attempt needs some time to be worth making). */
static long
attempt_timeout_ms(const struct nc_client *c, long long started)
{
	long long left = c->retry.max_total_ms - (mono_ms() - started);

	if (left >= c->timeout_ms)
		return c->timeout_ms;
	return left < 1000 ? 1000 : (long)left;
}

static void
note_retries_stopped(struct nc_error *err, const struct nc_client *c, enum send_verdict v,
                     long next_wait_ms)
{
	char budget[32], next[32];

	if (!err || (v != VERDICT_OUT_OF_ATTEMPTS && v != VERDICT_OUT_OF_TIME))
		return;
	if (v == VERDICT_OUT_OF_ATTEMPTS && c->retry.max_attempts == 1)
		return;   /* retries are off: nothing stopped them */
	free(err->retries_stopped);
	append_seconds(budget, sizeof(budget), c->retry.max_total_ms);
	append_seconds(next, sizeof(next), next_wait_ms);
	if (v == VERDICT_OUT_OF_ATTEMPTS)
		err->retries_stopped = nc_asprintf("all %d attempts were used (the profile's "
		                                   "[http] retry_attempts)", c->retry.max_attempts);
	else
		err->retries_stopped = nc_asprintf("the next wait (%s) would end past the call's "
		                                   "time budget of %s (--max-wait, or the "
		                                   "profile's [http] retry_max_time)", next, budget);
}

/* After an attempt (rc, resp), with one home for both the one-at-a-time
 * loop and a batch: 1 when it is to be tried again after *wait_ms (the
 * retry callback has been told), 0 when the call is over with *st. */
static int
settle_attempt(struct nc_client *c, const struct nc_http_request *req, CURLcode rc,
               int too_large, const char *errbuf, struct nc_http_response *resp,
               long long started, long *wait_ms, enum nc_status *st, struct nc_error *err)
{
	struct nc_retry_note note;
	enum send_verdict v;

	resp->elapsed_ms = (long)(mono_ms() - started);
	if (rc == CURLE_ABORTED_BY_CALLBACK || client_aborted(c)) {
		*st = fail_aborted(err, req, resp->attempts);
		return 0;
	}
	memset(&note, 0, sizeof(note));
	v = judge_attempt(c, rc, resp, started, &note);
	if (v == VERDICT_RETRY) {
		if (c->retry_cb)
			c->retry_cb(c->retry_ctx, &note);
		*wait_ms = note.wait_ms;
		return 1;
	}
	if (v == VERDICT_DONE) {
		*st = NC_OK;
	} else if (rc != CURLE_OK) {
		resp->status = 0;
		*st = fail_transport(err, c, errbuf, req, rc, too_large, resp->attempts);
	} else {
		*st = fail_http(err, req, resp);
	}
	note_retries_stopped(err, c, v, note.wait_ms);
	return 0;
}

static enum nc_status
send_loop(struct nc_client *c, const char *url, struct curl_slist *headers,
          const struct nc_http_request *req, struct nc_http_response *resp,
          struct nc_error *err)
{
	long long started = mono_ms();
	enum nc_status st;
	int too_large = 0;
	long wait_ms = 0;
	CURLcode rc;

	for (;;) {
		if (client_aborted(c))
			return fail_aborted(err, req, resp->attempts);
		rc = send_once(c, url, headers, req, resp, attempt_timeout_ms(c, started),
		               &too_large);
		if (!settle_attempt(c, req, rc, too_large, c->errbuf, resp, started, &wait_ms, &st,
		                    err))
			return st;
		if (client_sleep(c, wait_ms) != 0)
			return fail_aborted(err, req, resp->attempts);
	}
}

/* The URL and header list of a request (both freed by the caller: the
 * list with slist_wipe_free, it holds the key). */
static enum nc_status
request_parts(const struct nc_client *c, const struct nc_http_request *req, char **url,
              struct curl_slist **headers, struct nc_error *err)
{
	/* The path is glued to the base URL; anything but "/..." could change
	 * the host ("@evil.example") and send the key elsewhere. */
	if (req->path && req->path[0] != '/' && req->path[0] != '\0')
		return nc_error_set(err, NC_E_INVALID, NULL,
		                    "request path must start with '/': %s", req->path);
	*url = join_url(c->base_url, req->path);
	*headers = build_headers(c, req);
	if (!*url || !*headers) {
		free(*url);
		*url = NULL;
		slist_wipe_free(*headers);
		*headers = NULL;
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	return NC_OK;
}

enum nc_status
client_send(struct nc_client *c, const struct nc_http_request *req,
            struct nc_http_response *resp, struct nc_error *err)
{
	struct curl_slist *headers = NULL;
	char *url = NULL;
	enum nc_status st;

	response_init(resp);
	st = request_parts(c, req, &url, &headers, err);
	if (st)
		return st;
	st = send_loop(c, url, headers, req, resp, err);
	/* The handle keeps a pointer to the header list; drop it before the
	 * list is freed. */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	slist_wipe_free(headers);
	free(url);
	return st;
}

/* ---- several requests at once ---- */

/* One request of a batch, from client_batch_start until its outcome is
 * handed back: its attempts, the waits between them and the outcome. */
struct batch_slot {
	CURL *easy;                  /* kept for the batch's life: reused */
	int busy;                    /* a request is in this slot */
	int in_multi;                /* an attempt is on the wire */
	int settled;                 /* outcome ready to hand back */
	unsigned long settled_seq;   /* order of settling: handed back first come */
	long long retry_at;          /* > 0: waiting to try again then */
	struct nc_http_request req;
	char *url;
	struct curl_slist *headers;
	struct attempt_state a;
	struct nc_http_response resp;
	long long started;
	void *tag;
	enum nc_status st;
	struct nc_error err;
	char errbuf[CURL_ERROR_SIZE];
};

struct nc_batch {
	struct nc_client *c;
	CURLM *multi;
	struct batch_slot *slots;
	int nslots;
	unsigned long settles;       /* slots settled so far */
};

enum nc_status
client_batch_new(struct nc_client *c, int max_in_flight, struct nc_batch **out,
                 struct nc_error *err)
{
	struct nc_batch *b = calloc(1, sizeof(*b));
	int i, bad = !b;

	*out = NULL;
	if (b) {
		b->c = c;
		b->nslots = max_in_flight < 1 ? 1 : max_in_flight;
		b->multi = curl_multi_init();
		b->slots = calloc((size_t)b->nslots, sizeof(*b->slots));
		bad = !b->multi || !b->slots;
		for (i = 0; !bad && i < b->nslots; i++)
			bad = !(b->slots[i].easy = curl_easy_init());
	}
	if (bad) {
		client_batch_free(b);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	/* Over HTTP/2 the requests share one connection; over HTTP/1.1 each
	 * needs its own, and the pool keeps them alive between requests. */
	curl_multi_setopt(b->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(b->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)b->nslots);
	curl_multi_setopt(b->multi, CURLMOPT_MAXCONNECTS, (long)b->nslots);
	*out = b;
	return NC_OK;
}

static void
slot_release(struct nc_batch *b, struct batch_slot *s)
{
	if (s->in_multi)
		curl_multi_remove_handle(b->multi, s->easy);
	s->in_multi = 0;
	/* The handle keeps a pointer to the header list (it holds the key). */
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, NULL);
	slist_wipe_free(s->headers);
	s->headers = NULL;
	free(s->url);
	s->url = NULL;
	textbuf_free(&s->a.body);
	s->busy = s->settled = 0;
	s->retry_at = 0;
}

void
client_batch_free(struct nc_batch *b)
{
	int i;

	if (!b)
		return;
	for (i = 0; b->slots && i < b->nslots; i++) {
		if (b->slots[i].busy) {
			slot_release(b, &b->slots[i]);
			http_response_clear(&b->slots[i].resp);
			nc_error_clear(&b->slots[i].err);
		}
		if (b->slots[i].easy)
			curl_easy_cleanup(b->slots[i].easy);
	}
	free(b->slots);
	if (b->multi)
		curl_multi_cleanup(b->multi);
	free(b);
}

int
client_batch_in_flight(const struct nc_batch *b)
{
	int i, n = 0;

	for (i = 0; i < b->nslots; i++)
		n += b->slots[i].busy;
	return n;
}

static void
slot_settle(struct nc_batch *b, struct batch_slot *s, CURLcode rc)
{
	long wait_ms = 0;

	if (s->in_multi) {
		curl_multi_remove_handle(b->multi, s->easy);
		s->in_multi = 0;
	}
	if (!b->c->transport) {
		if (rc == CURLE_OK)
			curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->resp.status);
		s->resp.body_len = s->a.body.len;
		s->resp.body = textbuf_steal(&s->a.body);
	}
	if (settle_attempt(b->c, &s->req, rc, s->a.body_too_large, s->errbuf, &s->resp,
	                   s->started, &wait_ms, &s->st, &s->err))
		s->retry_at = mono_ms() + (wait_ms > 0 ? wait_ms : 1);
	else {
		s->settled = 1;
		s->settled_seq = ++b->settles;
	}
}

/* Start the slot's next attempt: on the wire through the multi handle, or
 * answered at once by the test transport. */
static void
slot_attempt(struct nc_batch *b, struct batch_slot *s)
{
	struct nc_client *c = b->c;

	s->retry_at = 0;
	response_reset_attempt(&s->resp);
	s->resp.attempts++;
	textbuf_free(&s->a.body);
	s->a = (struct attempt_state){ c, TEXTBUF_INIT(NC_MAX_RESPONSE_BYTES), 0, &s->resp };
	if (c->transport) {
		slot_settle(b, s, send_once_fake(c, &s->req, &s->resp));
		return;
	}
	set_options(c, s->easy, s->errbuf, &s->a, s->url, s->headers, &s->req,
	            attempt_timeout_ms(c, s->started));
	/* A new request waits for a multiplexed stream rather than opening a
	 * connection of its own, when the server speaks HTTP/2. */
	curl_easy_setopt(s->easy, CURLOPT_PIPEWAIT, 1L);
	if (curl_multi_add_handle(b->multi, s->easy) != CURLM_OK) {
		slot_settle(b, s, CURLE_FAILED_INIT);
		return;
	}
	s->in_multi = 1;
}

enum nc_status
client_batch_start(struct nc_batch *b, const struct nc_http_request *req, void *tag,
                   struct nc_error *err)
{
	struct batch_slot *s = NULL;
	enum nc_status st;
	int i;

	for (i = 0; i < b->nslots && !s; i++)
		if (!b->slots[i].busy)
			s = &b->slots[i];
	if (!s)
		return nc_error_set(err, NC_E_USAGE, NULL, "all %d requests of the batch are in "
		                    "flight", b->nslots);
	response_init(&s->resp);
	s->err = (struct nc_error)NC_ERROR_INIT;
	st = request_parts(b->c, req, &s->url, &s->headers, err);
	if (st)
		return st;
	s->busy = 1;
	s->req = *req;
	s->tag = tag;
	s->st = NC_OK;
	s->started = mono_ms();
	slot_attempt(b, s);
	return NC_OK;
}

/* The flag stops every attempt on the wire and every wait for a retry. */
static void
batch_abort_all(struct nc_batch *b)
{
	int i;

	for (i = 0; i < b->nslots; i++) {
		struct batch_slot *s = &b->slots[i];

		if (s->busy && !s->settled)
			slot_settle(b, s, CURLE_ABORTED_BY_CALLBACK);
	}
}

/* Attempts the multi handle finished, and retries that are due. */
static void
batch_collect(struct nc_batch *b)
{
	long long now = mono_ms();
	struct CURLMsg *m;
	int left, i;

	while ((m = curl_multi_info_read(b->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < b->nslots; i++)
			if (b->slots[i].in_multi && b->slots[i].easy == m->easy_handle) {
				slot_settle(b, &b->slots[i], m->data.result);
				break;
			}
	}
	for (i = 0; i < b->nslots; i++)
		if (b->slots[i].busy && b->slots[i].retry_at && b->slots[i].retry_at <= now)
			slot_attempt(b, &b->slots[i]);
}

/* Hand the outcome that settled first over to the caller and free its
 * slot. First come, not lowest slot: a low slot that is reused and answers
 * quickly would otherwise keep a higher one's answer waiting (unrecorded)
 * for the rest of the run, and its slot out of use. */
static int
batch_hand_over(struct nc_batch *b, struct nc_batch_done *done)
{
	struct batch_slot *s = NULL;
	int i;

	for (i = 0; i < b->nslots; i++)
		if (b->slots[i].busy && b->slots[i].settled &&
		    (!s || b->slots[i].settled_seq < s->settled_seq))
			s = &b->slots[i];
	if (s) {
		done->tag = s->tag;
		done->status = s->st;
		done->resp = s->resp;
		done->err = s->err;
		response_init(&s->resp);
		s->err = (struct nc_error)NC_ERROR_INIT;
		slot_release(b, s);
		return 1;
	}
	return 0;
}

static int
batch_on_wire(const struct nc_batch *b)
{
	int i;

	for (i = 0; i < b->nslots; i++)
		if (b->slots[i].in_multi)
			return 1;
	return 0;
}

/* How long the next poll may sleep: until the deadline or the first retry
 * due, and never past a slice, so the abort flag is seen quickly. */
static long
batch_poll_ms(const struct nc_batch *b, long long deadline)
{
	long long now = mono_ms(), until = deadline;
	int i;

	for (i = 0; i < b->nslots; i++)
		if (b->slots[i].busy && b->slots[i].retry_at && b->slots[i].retry_at < until)
			until = b->slots[i].retry_at;
	if (until - now > SLEEP_SLICE_MS)
		return SLEEP_SLICE_MS;
	return until > now ? (long)(until - now) : 0;
}

int
client_batch_next(struct nc_batch *b, long max_wait_ms, struct nc_batch_done *done)
{
	long long deadline = mono_ms() + (max_wait_ms > 0 ? max_wait_ms : 0);
	int running;

	memset(done, 0, sizeof(*done));
	response_init(&done->resp);
	done->err = (struct nc_error)NC_ERROR_INIT;
	for (;;) {
		if (client_aborted(b->c))
			batch_abort_all(b);
		curl_multi_perform(b->multi, &running);
		batch_collect(b);
		if (batch_hand_over(b, done))
			return 1;
		if (client_batch_in_flight(b) == 0 || mono_ms() >= deadline)
			return 0;
		/* Only waits for retries left: sleep on the one clock, which a
		 * test may have made fake. */
		if (batch_on_wire(b))
			curl_multi_poll(b->multi, NULL, 0, (int)batch_poll_ms(b, deadline), NULL);
		else
			clock_sleep_ms(batch_poll_ms(b, deadline));
	}
}

/* ---- dumps ---- */

static int
dump_headers(struct textbuf *b, const struct nc_client *c,
             const struct nc_http_request *req)
{
	int bad = 0;

	if (c && c->secret_key)
		bad |= textbuf_printf(b, "Authorization: ApiKey %s\n", c->masked_key);
	bad |= textbuf_puts(b, "Accept: application/json\n");
	if (req->body)
		bad |= textbuf_puts(b, "Content-Type: application/json\n");
	if (c)
		bad |= textbuf_printf(b, "User-Agent: %s\n", c->user_agent);
	if (req->idempotency_key)
		bad |= textbuf_printf(b, "Idempotency-Key: %s\n", req->idempotency_key);
	return bad;
}

char *
client_dump_request(const struct nc_client *c, const struct nc_http_request *req)
{
	struct textbuf b = TEXTBUF_INIT(0);
	const char *base = c ? c->base_url : DEFAULT_BASE_URL;
	int bad;

	bad = textbuf_printf(&b, "%s %s%s\n", req->method ? req->method : "GET", base,
	                     req->path ? req->path : "");
	bad |= dump_headers(&b, c, req);
	if (req->body) {
		bad |= textbuf_puts(&b, "\n");
		bad |= textbuf_append(&b, req->body, req->body_len);
		bad |= textbuf_puts(&b, "\n");
	}
	if (bad) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}

/* Append s inside single quotes, each ' written as '\'' (POSIX sh). */
static int
shell_quote(struct textbuf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	int bad = textbuf_puts(b, "'");

	for (i = 0; i < n; i++) {
		if (s[i] != '\'')
			continue;
		bad |= textbuf_append(b, s + run, i - run);
		bad |= textbuf_puts(b, "'\\''");
		run = i + 1;
	}
	bad |= textbuf_append(b, s + run, n - run);
	bad |= textbuf_puts(b, "'");
	return bad;
}

static int
curl_header_arg(struct textbuf *b, const char *name, const char *value)
{
	struct textbuf h = TEXTBUF_INIT(0);
	int bad = textbuf_printf(&h, "%s: %s", name, value);

	bad |= textbuf_puts(b, " \\\n  -H ");
	bad |= bad ? 0 : shell_quote(b, h.data, h.len);
	textbuf_free(&h);
	return bad;
}

char *
client_curl_command(const struct nc_client *c, const struct nc_http_request *req)
{
	struct textbuf b = TEXTBUF_INIT(0);
	char *url = join_url(c ? c->base_url : DEFAULT_BASE_URL, req->path);
	int bad = !url;

	bad |= textbuf_printf(&b, "curl -sS -X %s ", req->method ? req->method : "GET");
	bad |= url ? shell_quote(&b, url, strlen(url)) : -1;
	free(url);
	/* The key stays in the user's environment, never on the command line
	 * we print. */
	if (!c || c->secret_key)
		bad |= textbuf_puts(&b, " \\\n  -H \"Authorization: ApiKey $NOVU_SECRET_KEY\"");
	bad |= curl_header_arg(&b, "Accept", "application/json");
	if (req->body)
		bad |= curl_header_arg(&b, "Content-Type", "application/json");
	if (req->idempotency_key)
		bad |= curl_header_arg(&b, "Idempotency-Key", req->idempotency_key);
	if (req->body) {
		bad |= textbuf_puts(&b, " \\\n  --data-binary ");
		bad |= shell_quote(&b, req->body, req->body_len);
	}
	bad |= textbuf_puts(&b, "\n");
	if (bad) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}
