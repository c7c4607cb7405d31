/* exchange.c - reply building and Novu's error body shapes. */
#include "exchange.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static int
query_key_matches(const char *have, const char *want)
{
	size_t n = strlen(want);

	if (strncmp(have, want, n) != 0)
		return 0;
	return have[n] == '\0' || strcmp(have + n, "[]") == 0;
}

const char *
req_query(const struct sb_request *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nquery; i++)
		if (query_key_matches(r->query[i].key, key))
			return r->query[i].value;
	return NULL;
}

size_t
req_query_all(const struct sb_request *r, const char *key, const char **out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < r->nquery && n < cap; i++)
		if (query_key_matches(r->query[i].key, key))
			out[n++] = r->query[i].value;
	return n;
}

void
reply_json(struct sb_reply *r, unsigned int status, cJSON *doc)
{
	free(r->body);
	r->body = NULL;
	r->status = status;
	if (doc) {
		r->body = cJSON_PrintUnformatted(doc);
		cJSON_Delete(doc);
	}
}

static struct sb_header *
find_header(struct sb_reply *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return &r->headers[i];
	return NULL;
}

void
reply_header(struct sb_reply *r, const char *name, const char *fmt, ...)
{
	struct sb_header *h = find_header(r, name);
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (h) {
		free(h->value);
		h->value = strdup(buf);
		return;
	}
	if (r->nheaders == SB_MAX_HEADERS)
		return;
	h = &r->headers[r->nheaders];
	h->name = strdup(name);
	h->value = strdup(buf);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		return;
	}
	r->nheaders++;
}

void
reply_free(struct sb_reply *r)
{
	size_t i;

	free(r->body);
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	memset(r, 0, sizeof(*r));
}

const char *
http_reason(unsigned int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return status >= 500 ? "Server Error" : "Error";
	}
}

cJSON *
error_dto(unsigned int status, const char *url, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	char ts[32];

	util_iso_time(util_now_ms(), ts, sizeof(ts));
	cJSON_AddNumberToObject(o, "statusCode", status);
	cJSON_AddStringToObject(o, "timestamp", ts);
	cJSON_AddStringToObject(o, "path", url);
	if (message)
		cJSON_AddStringToObject(o, "message", message);
	return o;
}

void
reply_error(struct sb_reply *r, unsigned int status, const char *url, const char *message,
            int with_reason)
{
	cJSON *o = error_dto(status, url, message);

	if (with_reason)
		cJSON_AddStringToObject(o, "error", http_reason(status));
	reply_json(r, status, o);
}

void
reply_errorf(struct sb_reply *r, unsigned int status, const char *url, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	reply_error(r, status, url, buf, 0);
}

void
verr_add(cJSON *errors, const char *field, const char *message, const cJSON *value)
{
	cJSON *entry = cJSON_GetObjectItemCaseSensitive(errors, field);

	if (!entry) {
		entry = cJSON_AddObjectToObject(errors, field);
		cJSON_AddArrayToObject(entry, "messages");
		if (value)
			cJSON_AddItemToObject(entry, "value", cJSON_Duplicate(value, 1));
	}
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(entry, "messages"),
	                     cJSON_CreateString(message));
}

void
reply_validation(struct sb_reply *r, const char *url, cJSON *errors)
{
	cJSON *o = error_dto(422, url, "Validation Error");

	cJSON_AddItemToObject(o, "errors", errors);
	reply_json(r, 422, o);
}
