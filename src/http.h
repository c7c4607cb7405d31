/* http.h - the HTTP layer: one reused libcurl easy handle (keep-alive),
 * timeouts, TLS verification always on, auth and the retry policy of
 * CONTRACT.md 4.7; and batches, several requests in flight at once through
 * one libcurl multi handle under the same policy.
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

/* The retry policy (README "Retries"); the official SDK's, see retry_wait_ms
 * in http.c. Every wait is capped at max_delay_ms, and no wait starts that
 * would end past max_total_ms after the call began. */
struct nc_retry_policy {
	int max_attempts;        /* total attempts incl. the first; default 5 */
	long max_total_ms;       /* the call's budget ([http] retry_max_time,
	                            --max-wait); default 60000 */
	long base_delay_ms;      /* backoff base; default 1000 */
	long max_delay_ms;       /* cap per wait, the server's hints too; default 30000 */
	long jitter_ms;          /* random part added to a backoff: 0..jitter_ms-1;
	                            default 1000 (tests: 0) */
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

/* Optional: called before each retry wait, on the calling thread, with
 * what is about to happen. */
struct nc_retry_note {
	int attempt;             /* the attempt that failed, 1-based */
	int max_attempts;
	long wait_ms;            /* the wait that starts now (capped) */
	long asked_ms;           /* what the server asked for, before the cap; -1 none */
	long http_status;        /* 0: no answer (transport error) */
};
typedef void (*nc_retry_cb)(void *ctx, const struct nc_retry_note *n);
void client_set_retry_callback(struct nc_client *c, nc_retry_cb cb, void *ctx);
/* "HTTP 503, retry 2/5 in 3.0 s" (", asked for 600 s" when capped): the
 * headless commands' line. Returns snprintf's count. */
int retry_note_text(const struct nc_retry_note *n, char *buf, size_t size);

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
	long retry_after;            /* Retry-After in seconds, -1 absent */
	long retry_after_ms;         /* retry-after-ms, -1 absent */
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
 * fields (retry_after[_ms], ratelimit_*, idempotency_replay), and returns 0; a
 * non-zero return is "no answer", retried like a dropped connection. The
 * retry policy, waits (clock.h: fake them too) and errors are the real ones. */
typedef int (*nc_transport_fn)(void *ctx, const struct nc_http_request *req,
                               struct nc_http_response *resp);
void client_set_transport(struct nc_client *c, nc_transport_fn fn, void *ctx);

/* Send with retries: 408, 409, 429, every 5xx and transport errors are
 * retried (never 400/401/403/404/413/415/422, nor an answer the server marked
 * Idempotency-Replay: true), waiting what the server asked (retry-after-ms,
 * Retry-After, RateLimit-Reset on a 429) or else backing off, each wait
 * capped at max_delay_ms; the same Idempotency-Key and body bytes every
 * attempt; at most max_attempts attempts, and no wait that would end past
 * max_total_ms (each attempt's timeout is cut to what is left of it too).
 * Returns NC_OK for 2xx (resp filled); for an
 * error status returns NC_E_API (4xx) / NC_E_SERVER (5xx) with err filled by
 * nc_error_from_http plus the header figures, and resp still filled; for a
 * transport failure NC_E_NETWORK with err->transport set; NC_E_ABORTED when
 * the abort flag stopped it. When retrying stopped on the budget or the
 * attempts, err->retries_stopped says which. resp is initialised here (clear
 * a previous answer before reusing the struct) and is cleared with
 * http_response_clear. */
enum nc_status client_send(struct nc_client *c, const struct nc_http_request *req,
                           struct nc_http_response *resp, struct nc_error *err);

/* ---- several requests at once ----
 * A batch keeps up to max_in_flight requests of one client in flight
 * through one libcurl multi handle, on connections it keeps alive between
 * them (no thread per request). Each request gets exactly what
 * client_send() gives: its retries, waits, caps, the same key and bytes on
 * every attempt, and its outcome. Everything runs on the thread that calls
 * client_batch_next(), the retry callback too; the abort flag stops every
 * request of the batch (NC_E_ABORTED each). The batch is owned by the
 * caller (client_batch_free, which drops requests still in flight); it
 * borrows the client, which must outlive it. */
struct nc_batch;
struct nc_batch_done {
	void *tag;                   /* as given to client_batch_start */
	enum nc_status status;       /* as client_send() would return */
	struct nc_http_response resp;/* owned by the caller: http_response_clear */
	struct nc_error err;         /* owned by the caller: nc_error_clear */
};
enum nc_status client_batch_new(struct nc_client *c, int max_in_flight,
                                struct nc_batch **out, struct nc_error *err);
void client_batch_free(struct nc_batch *b);
/* Start req; its strings (path, body, key) are borrowed until its outcome
 * is handed back. Fails (NC_E_USAGE) when max_in_flight are in flight. */
enum nc_status client_batch_start(struct nc_batch *b, const struct nc_http_request *req,
                                  void *tag, struct nc_error *err);
/* Requests started and not yet handed back. */
int client_batch_in_flight(const struct nc_batch *b);
/* Drive the transfers for up to max_wait_ms: 1 with *done filled as soon as
 * one request is over (all its attempts), 0 when the time passed or
 * nothing is in flight. */
int client_batch_next(struct nc_batch *b, long max_wait_ms, struct nc_batch_done *done);

/* The wait before retry number `attempt` (1-based) when the server gave no
 * hint: base * 1.5^(attempt-1) plus `jitter_ms` (the random part, drawn
 * from 0..p->jitter_ms-1 by the client), capped at max_delay_ms. */
long retry_backoff_ms(const struct nc_retry_policy *p, int attempt, long jitter_ms);
/* 1 if an answer with this HTTP status may be retried: 0 (no answer), 408,
 * 409, 429 and 500-599, unless the server replayed a stored answer
 * (replay: Idempotency-Replay: true), which a retry cannot change. */
int retry_should_retry(long http_status, int replay);
/* The wait the server asked for before the next attempt, in ms, or -1 when
 * it gave no usable hint: retry-after-ms, else Retry-After, else (on a 429)
 * RateLimit-Reset. Zero counts as no hint: retrying at once would only
 * hammer the server. Not capped. */
long retry_server_hint_ms(const struct nc_http_response *r, long http_status);
/* ms capped at the client's per-wait cap (max_delay_ms): for waits outside
 * client_send, such as a bulk run's wait for rate-limit tokens. */
long client_cap_wait_ms(const struct nc_client *c, long ms);

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
