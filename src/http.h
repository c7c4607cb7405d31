/* http.h - the HTTP layer: one reused libcurl easy handle (keep-alive),
 * timeouts, TLS verification always on, auth and the retry policy of
 * CONTRACT.md 4.7.
 *
 * Threading: a struct nc_client is used by one thread at a time. The screens
 * run calls on a worker thread and stop them through `abort_flag`.
 * Secrets: the key is stored only inside the client; nothing here prints,
 * logs or returns it (dumps use http_mask_key()).
 */
#ifndef NC_HTTP_H
#define NC_HTTP_H

#include <stddef.h>
#include <stdatomic.h>
#include "apierror.h"
#include "textbuf.h"

#define NC_MAX_RESPONSE_BYTES (8u * 1024u * 1024u)

struct nc_retry_policy {
	int max_attempts;        /* total attempts incl. the first; default 5 */
	long max_total_ms;       /* give up when the next wait would pass this; default 60000 */
	long base_delay_ms;      /* backoff base; default 1000 */
	long max_delay_ms;       /* cap per wait; default 30000 */
};

struct nc_client_config {
	const char *base_url;    /* "https://api.novu.co", no trailing slash needed */
	const char *secret_key;  /* copied; NULL sends no Authorization header */
	long connect_timeout_ms; /* default 10000 */
	long timeout_ms;         /* per attempt; default 30000 */
	struct nc_retry_policy retry;
	const char *ca_file;     /* optional CA bundle (tests); NULL = system */
};

/* Defaults above; strings NULL. */
void client_config_defaults(struct nc_client_config *cfg);

struct nc_client;

/* Create a client. Refuses (NC_E_CONFIG, message says why) a base URL that
 * is not https:// unless its host is loopback (127.0.0.0/8, ::1, localhost).
 * The returned client is owned by the caller: client_free(). */
enum nc_status client_new(const struct nc_client_config *cfg,
                          struct nc_client **out, struct nc_error *err);
void client_free(struct nc_client *c);

/* Optional: a flag that, when set non-zero by another thread, stops the call
 * in flight and any waiting between retries (result NC_E_ABORTED). */
void client_set_abort_flag(struct nc_client *c, atomic_int *flag);

/* Optional: called before each retry wait with the attempt number (1-based,
 * of the attempt that failed), the wait in ms and the status that caused it.
 * Runs on the calling thread. */
typedef void (*nc_retry_cb)(void *ctx, int attempt, long wait_ms, long http_status);
void client_set_retry_callback(struct nc_client *c, nc_retry_cb cb, void *ctx);

struct nc_http_request {
	const char *method;          /* "GET", "POST", "DELETE" */
	const char *path;            /* "/v1/events/trigger?x=y", appended to base_url */
	const char *body;            /* exact bytes to send (kept for every retry), or NULL */
	size_t body_len;
	const char *idempotency_key; /* sent as Idempotency-Key when non-NULL */
};

struct nc_http_response {
	long status;                 /* final HTTP status, 0 if none */
	char *body;                  /* NUL-terminated, owned; may be NULL */
	size_t body_len;
	long retry_after;            /* seconds, -1 absent */
	long ratelimit_limit, ratelimit_remaining, ratelimit_reset; /* -1 absent */
	char *ratelimit_policy;      /* owned or NULL */
	char *idempotency_key;       /* echoed header, owned or NULL */
	char *location;              /* Location header (never followed), owned or NULL */
	int idempotency_replay;      /* Idempotency-Replay: true */
	int attempts;
	long elapsed_ms;
};

void http_response_clear(struct nc_http_response *r);

/* The transport seam, for unit tests of everything above HTTP: when set,
 * each attempt calls fn instead of the network. fn fills resp->status,
 * resp->body (malloc'd, NUL-terminated; freed by the client) and any header
 * fields (retry_after, ratelimit_*, idempotency_replay), and returns 0; a
 * non-zero return is "no answer", retried like a dropped connection. The
 * retry policy, waits (clock.h: fake them too) and errors are the real ones. */
typedef int (*nc_transport_fn)(void *ctx, const struct nc_http_request *req,
                               struct nc_http_response *resp);
void client_set_transport(struct nc_client *c, nc_transport_fn fn, void *ctx);

/* Send with retries: 408, 409, 429, 502, 503, 504 and transport errors are
 * retried with exponential backoff and jitter, honouring Retry-After, then
 * RateLimit-Reset; the same Idempotency-Key and body bytes every attempt;
 * a 500 at most once and never when Idempotency-Replay: true; never
 * 400/401/403/404/413/415/422. Returns NC_OK for 2xx (resp filled); for an
 * error status returns NC_E_API (4xx) / NC_E_SERVER (5xx) with err filled by
 * nc_error_from_http plus the header figures, and resp still filled; for a
 * transport failure NC_E_NETWORK with err->transport set; NC_E_ABORTED when
 * the abort flag stopped it. resp is initialised here (clear a previous
 * answer before reusing the struct) and is cleared with http_response_clear. */
enum nc_status client_send(struct nc_client *c, const struct nc_http_request *req,
                           struct nc_http_response *resp, struct nc_error *err);

/* The wait before retry number `attempt` (1-based) when the server gave no
 * hint: base * 1.5^(attempt-1) plus up to 1000 ms of jitter, capped.
 * Exposed for tests; `jitter_ms` is the random part to add (0..999). */
long retry_backoff_ms(const struct nc_retry_policy *p, int attempt, long jitter_ms);
/* 1 if this HTTP status may be retried at `attempt` under the policy above
 * (500 only at attempt 1 and only when !replay; client_send passes 1 for the
 * first 500 of a call, whatever came before it). status 0 = transport
 * error. A Retry-After beyond max_delay_ms ends the call instead of being
 * cut short. */
int retry_should_retry(long http_status, int attempt, int replay);

/* The exact request as text (method, URL, headers with the key masked, body),
 * for --dry-run and the preview. Caller frees. */
char *client_dump_request(const struct nc_client *c, const struct nc_http_request *req);
/* The same request as a curl command line that reads the key from
 * $NOVU_SECRET_KEY (never the key itself). Caller frees. */
char *client_curl_command(const struct nc_client *c, const struct nc_http_request *req);

/* "sk_t…9f3a" style: first 4 and last 4 characters, or "****" when short.
 * Caller frees. */
char *http_mask_key(const char *key);
/* 1 if url is https://, or http:// to a loopback host. */
int http_url_allowed(const char *url);

/* 1 when the abort flag is set (0 without a flag). */
int client_aborted(const struct nc_client *c);
/* Sleep ms milliseconds in small slices, polling the abort flag: 0 when the
 * time passed, -1 when stopped early by the flag. (Bulk runs use it to wait
 * for rate-limit tokens.) */
int client_sleep(struct nc_client *c, long ms);

const char *client_base_url(const struct nc_client *c);
/* Masked key for display ("(none)" when unset). Borrowed, valid for the
 * client's life. */
const char *client_masked_key(const struct nc_client *c);

#endif
