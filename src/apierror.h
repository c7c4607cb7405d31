/* apierror.h - one structured error value that the CLI and the screens show.
 *
 * A struct nc_error describes why something failed: a client-side validation
 * failure (nothing was sent), an HTTP error answered by Novu, or a transport
 * failure (curl's own text). It is filled by request.c (validation), by
 * apierror.c (parsing Novu's error bodies, leniently: HTML, empty or
 * truncated bodies are kept as raw text, never a crash) and by http.c.
 *
 * Ownership: the struct owns every string and array in it. Initialise with
 * NC_ERROR_INIT or nc_error_init(), release with nc_error_clear() (which also
 * re-initialises it, so it can be reused).
 */
#ifndef NC_APIERROR_H
#define NC_APIERROR_H

#include <stddef.h>
#include <stdarg.h>
#include "status.h"

enum nc_error_kind {
	NC_ERRK_NONE = 0,
	NC_ERRK_CLIENT,     /* client-side validation: nothing was sent */
	NC_ERRK_HTTP,       /* the API answered with a 4xx/5xx */
	NC_ERRK_TRANSPORT,  /* no HTTP answer: DNS, connect, TLS, timeout... */
	NC_ERRK_LOCAL       /* local failure: file, config, storage */
};

/* One per-field problem: from a 422 `errors` map (one entry per message),
 * from a 400 PAYLOAD_VALIDATION_ERROR `errors` list, or from client-side
 * validation. `field` uses the request's own names: "name", "to[3]",
 * "payload", "events[7].to", "order.id" (payload-schema path). */
struct nc_field_error {
	char *field;        /* never NULL */
	char *message;      /* never NULL */
	char *value;        /* offending value as compact JSON, or NULL */
	char *schema_path;  /* 400 only, e.g. "#/properties/order/required", or NULL */
	long line, column;  /* JSON parse errors: 1-based position, else 0 */
};

struct nc_error {
	enum nc_error_kind kind;
	enum nc_status status;   /* the nc_status the failing call returned */
	long http_status;        /* 0 when there was no HTTP answer */
	char *endpoint;          /* "POST /v1/events/trigger", or NULL */
	char *message;           /* one-line human summary, never NULL once set */
	char *type;              /* e.g. "PAYLOAD_VALIDATION_ERROR", or NULL */
	char *error_id;          /* 500's errorId, or NULL */
	struct nc_field_error *fields;
	size_t nfields;
	long event_index;        /* 413 "Event at index <i>": i, else -1 */
	long retry_after;        /* seconds from Retry-After, else -1 */
	long ratelimit_limit, ratelimit_remaining, ratelimit_reset; /* -1 if absent */
	char *ratelimit_policy;  /* RateLimit-Policy header text, or NULL */
	char *transport;         /* curl's error text, or NULL */
	char *raw_body;          /* the response body as received (capped), or NULL */
	int attempts;            /* HTTP attempts made (retries + 1), 0 if none */
	char *retries_stopped;   /* why retrying ended while the answer could still
	                            change (time budget, attempts), or NULL */
};

#define NC_ERROR_INIT { .event_index = -1, .retry_after = -1, \
	.ratelimit_limit = -1, .ratelimit_remaining = -1, .ratelimit_reset = -1 }

void nc_error_init(struct nc_error *err);
void nc_error_clear(struct nc_error *err);

/* Set a client-side or local error (kind CLIENT for st == NC_E_INVALID or
 * NC_E_USAGE, LOCAL otherwise). When `field` is non-NULL a field entry with
 * the same message is added too. Returns st, so callers can
 * `return nc_error_set(err, NC_E_INVALID, "to", "...")`. err may be NULL.
 * Collecting: when err already holds an NC_E_INVALID summary and st is
 * NC_E_INVALID too, the first summary is kept and only the field entry is
 * added (validation reports every problem, the first one leads). */
enum nc_status nc_error_set(struct nc_error *err, enum nc_status st,
                            const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Append one field entry (strings are copied; value/schema_path may be NULL). */
enum nc_status nc_error_add_field(struct nc_error *err, const char *field,
                                  const char *message, const char *value,
                                  const char *schema_path);

/* Fill err from an HTTP error answer. body need not be JSON nor
 * NUL-terminated. Recognises ErrorDto, ValidationErrorDto (422 map),
 * PayloadValidationExceptionDto (400 list), the 413 event index, a bare JSON
 * string body (429), and anything else as raw text. Sets kind HTTP and
 * status NC_E_API (4xx) or NC_E_SERVER (5xx). Header-derived members
 * (retry_after, ratelimit_*) are left for the caller to set. */
enum nc_status nc_error_from_http(struct nc_error *err, long http_status,
                                  const char *endpoint,
                                  const char *body, size_t body_len);

/* Multi-line, human-readable rendering of everything in err (summary, fields,
 * event index, rate-limit figures, transport text). Caller frees. */
char *nc_error_format(const struct nc_error *err);

/* Deep copy; returns NC_E_NOMEM on failure (dst is then cleared). */
enum nc_status nc_error_copy(struct nc_error *dst, const struct nc_error *src);

#endif
