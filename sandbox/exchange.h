/* exchange.h - one HTTP exchange as the route handlers see it: a parsed
 * request (path, query, body) and the reply they fill in (status, JSON body,
 * extra headers). Also the Novu error bodies (ErrorDto, ValidationErrorDto).
 *
 * Ownership: a struct sb_reply owns its body and header strings; release
 * them with reply_free(). Handlers never see MHD. */
#ifndef SB_EXCHANGE_H
#define SB_EXCHANGE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define SB_MAX_HEADERS 16
#define SB_MAX_QUERY 64

struct sb_param {
	char *key;
	char *value; /* "" for a key without '=' */
};

struct sb_request {
	const char *method;
	const char *path;            /* decoded path, no query, no trailing '/' */
	const char *url;             /* path plus query as received (ErrorDto.path) */
	struct sb_param query[SB_MAX_QUERY];
	size_t nquery;
	const char *body;            /* raw body, NUL-terminated, may be "" */
	size_t body_len;
	cJSON *json;                 /* parsed body on POST routes, else NULL */
	const char *route_arg;       /* the trailing {id} segment, or NULL */
};

struct sb_header {
	char *name;
	char *value;
};

struct sb_reply {
	unsigned int status;         /* 0 until a handler answered */
	char *body;                  /* JSON text or NULL (empty body) */
	size_t nheaders;
	struct sb_header headers[SB_MAX_HEADERS];
};

/* First value of query key (also matched as "key[]"), or NULL. */
const char *req_query(const struct sb_request *r, const char *key);

/* Up to cap values of a repeatable query key ("key" or "key[]"); returns
 * how many were stored in out. */
size_t req_query_all(const struct sb_request *r, const char *key, const char **out,
                     size_t cap);

/* Set the reply status and body from doc (consumed; NULL means no body). */
void reply_json(struct sb_reply *r, unsigned int status, cJSON *doc);

/* Add or replace a response header. */
void reply_header(struct sb_reply *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void reply_free(struct sb_reply *r);

/* Standard reason phrase for an HTTP status ("Unprocessable Entity"). */
const char *http_reason(unsigned int status);

/* A bare ErrorDto: statusCode, timestamp, path, message. Caller owns it. */
cJSON *error_dto(unsigned int status, const char *url, const char *message);

/* Answer with an ErrorDto; with_reason adds NestJS's "error" reason field. */
void reply_error(struct sb_reply *r, unsigned int status, const char *url,
                 const char *message, int with_reason);

/* printf-style variant of reply_error (no "error" field). */
void reply_errorf(struct sb_reply *r, unsigned int status, const char *url,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Add one message for field to a ValidationErrorDto "errors" map; value (may
 * be NULL = field undefined) is copied in once per field. */
void verr_add(cJSON *errors, const char *field, const char *message, const cJSON *value);

/* Answer 422 "Validation Error" with the errors map (consumed). */
void reply_validation(struct sb_reply *r, const char *url, cJSON *errors);

#endif
