/* apierror.c - the structured error value: filling it from client-side
 * checks and from Novu's error bodies, rendering it for people.
 *
 * Novu's error bodies come in several shapes (ErrorDto, the 422 `errors`
 * map, the 400 PAYLOAD_VALIDATION_ERROR list, a bare JSON string) and a
 * proxy in front of it may answer with HTML or nothing at all. Everything
 * here is lenient: an unexpected body is kept as text, never a crash.
 */
#include "apierror.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "termsafe.h"
#include "textbuf.h"

#define RAW_BODY_MAX      (64 * 1024)  /* bytes of the body kept verbatim */
#define SNIPPET_CHARS     200          /* body excerpt in the summary */
#define MAX_FIELD_ENTRIES 1000         /* per error; the rest is counted */
#define FORMAT_VALUE_MAX  300          /* value text shown per field */
#define FORMAT_BODY_LINES 20

void
nc_error_init(struct nc_error *err)
{
	static const struct nc_error blank = NC_ERROR_INIT;

	if (err != NULL)
		*err = blank;
}

static void
field_error_free(struct nc_field_error *f)
{
	free(f->field);
	free(f->message);
	free(f->value);
	free(f->schema_path);
}

static void
free_fields(struct nc_error *err)
{
	size_t i;

	for (i = 0; i < err->nfields; i++)
		field_error_free(&err->fields[i]);
	free(err->fields);
	err->fields = NULL;
	err->nfields = 0;
}

void
nc_error_clear(struct nc_error *err)
{
	if (err == NULL)
		return;
	free(err->endpoint);
	free(err->message);
	free(err->type);
	free(err->error_id);
	free_fields(err);
	free(err->ratelimit_policy);
	free(err->transport);
	free(err->raw_body);
	free(err->retries_stopped);
	nc_error_init(err);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Replace *slot with an owned copy; 0, or -1 on OOM (slot then NULL). */
static int
replace_str(char **slot, const char *s)
{
	free(*slot);
	*slot = dup_or_null(s);
	return (s != NULL && *slot == NULL) ? -1 : 0;
}

enum nc_status
nc_error_add_field(struct nc_error *err, const char *field,
                   const char *message, const char *value,
                   const char *schema_path)
{
	struct nc_field_error *grown, *f;

	if (err == NULL)
		return NC_OK;
	grown = realloc(err->fields, (err->nfields + 1) * sizeof(*grown));
	if (grown == NULL)
		return NC_E_NOMEM;
	err->fields = grown;
	f = &err->fields[err->nfields];
	memset(f, 0, sizeof(*f));
	f->field = strdup(field != NULL ? field : "");
	f->message = strdup(message != NULL ? message : "");
	f->value = dup_or_null(value);
	f->schema_path = dup_or_null(schema_path);
	if (f->field == NULL || f->message == NULL ||
	    (value != NULL && f->value == NULL) ||
	    (schema_path != NULL && f->schema_path == NULL)) {
		field_error_free(f);
		return NC_E_NOMEM;
	}
	err->nfields++;
	return NC_OK;
}

/* Validation collects many problems into one error: the first one stays
 * the summary and later ones only add their field entry. Any other call
 * replaces the summary. */
enum nc_status
nc_error_set(struct nc_error *err, enum nc_status st, const char *field,
             const char *fmt, ...)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	va_list ap;
	char *msg;
	int keep;

	if (err == NULL)
		return st;
	va_start(ap, fmt);
	if (textbuf_vprintf(&tb, fmt, ap) != 0)
		textbuf_free(&tb);
	va_end(ap);
	msg = tb.data != NULL ? textbuf_steal(&tb) : strdup(nc_status_message(st));
	keep = err->message != NULL && err->status == NC_E_INVALID &&
	       st == NC_E_INVALID;
	if (!keep) {
		free(err->message);
		err->message = msg;
		err->status = st;
		err->kind = (st == NC_E_INVALID || st == NC_E_USAGE) ?
		            NC_ERRK_CLIENT : NC_ERRK_LOCAL;
	}
	if (field != NULL && msg != NULL)
		nc_error_add_field(err, field, msg, NULL, NULL);
	if (keep)
		free(msg);
	return st;
}

static const char *
http_reason(long status)
{
	switch (status) {
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
	default: return NULL;
	}
}

/* "HTTP 502 Bad Gateway" or "HTTP 599". */
static void
append_status_line(struct textbuf *tb, long status)
{
	const char *reason = http_reason(status);

	if (reason != NULL)
		textbuf_printf(tb, "HTTP %ld %s", status, reason);
	else
		textbuf_printf(tb, "HTTP %ld", status);
}

static int
looks_like_html(const char *body, size_t len)
{
	size_t i = 0;

	while (i < len && (unsigned char)body[i] <= 0x20)
		i++;
	return i < len && body[i] == '<';
}

static char *
printed_json(const cJSON *v)
{
	return v != NULL ? json_print_compact(v) : NULL;
}

/* ErrorDto.message may be a string, a string array, an object, a number,
 * a boolean or null. */
static char *
message_text(const cJSON *m)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	const cJSON *item;

	if (m == NULL || cJSON_IsNull(m))
		return NULL;
	if (cJSON_IsString(m))
		return strdup(m->valuestring);
	if (!cJSON_IsArray(m))
		return printed_json(m);
	cJSON_ArrayForEach(item, m) {
		char *part = cJSON_IsString(item) ? NULL : printed_json(item);
		const char *text = cJSON_IsString(item) ? item->valuestring : part;

		if (text != NULL && *text != '\0') {
			if (tb.len > 0)
				textbuf_puts(&tb, "; ");
			textbuf_puts(&tb, text);
		}
		free(part);
	}
	return tb.data != NULL ? textbuf_steal(&tb) : NULL;
}

static void
add_field_capped(struct nc_error *err, const char *field, const char *msg,
                 const char *value, const char *schema_path, size_t *dropped)
{
	if (err->nfields >= MAX_FIELD_ENTRIES) {
		(*dropped)++;
		return;
	}
	nc_error_add_field(err, field, msg, value, schema_path);
}

/* 422: {"<field>": {"messages": [...], "value": ...}, ...} */
static void
fields_from_map(struct nc_error *err, const cJSON *errors, size_t *dropped)
{
	const cJSON *entry;

	cJSON_ArrayForEach(entry, errors) {
		const char *name = entry->string != NULL ? entry->string : "";
		const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(entry, "messages");
		const cJSON *m;
		char *value = NULL, *text;
		size_t added = 0;

		if (cJSON_IsObject(entry)) {
			value = printed_json(cJSON_GetObjectItemCaseSensitive(entry, "value"));
			if (msgs == NULL)
				msgs = cJSON_GetObjectItemCaseSensitive(entry, "message");
		} else {
			msgs = entry;
		}
		if (cJSON_IsArray(msgs)) {
			cJSON_ArrayForEach(m, msgs) {
				text = cJSON_IsString(m) ? NULL : printed_json(m);
				add_field_capped(err, name,
				                 cJSON_IsString(m) ? m->valuestring : text,
				                 value, NULL, dropped);
				free(text);
				added++;
			}
		} else if (msgs != NULL) {
			text = message_text(msgs);
			add_field_capped(err, name, text != NULL ? text : "invalid",
			                 value, NULL, dropped);
			free(text);
			added++;
		}
		if (added == 0) {
			text = printed_json(entry);
			add_field_capped(err, name, text != NULL ? text : "invalid",
			                 value, NULL, dropped);
			free(text);
		}
		free(value);
	}
}

/* 400: [{"field": .., "message": .., "value": .., "schemaPath": ..}, ...] */
static void
fields_from_list(struct nc_error *err, const cJSON *errors, size_t *dropped)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, errors) {
		const char *field = json_str(item, "field");
		const char *msg = json_str(item, "message");
		char *value = NULL, *text = NULL;

		if (cJSON_IsObject(item)) {
			value = printed_json(cJSON_GetObjectItemCaseSensitive(item, "value"));
			if (msg == NULL)
				msg = text = printed_json(item);
		} else {
			msg = text = message_text(item);
		}
		add_field_capped(err, field != NULL ? field : "",
		                 msg != NULL ? msg : "invalid", value,
		                 json_str(item, "schemaPath"), dropped);
		free(value);
		free(text);
	}
}

/* 413 on bulk: "Event at index 4 (workflow: ...) has payload size ..." */
static long
event_index_from(const char *msg)
{
	const char *p = msg != NULL ? strstr(msg, "Event at index ") : NULL;
	char *end;
	long v;

	if (p == NULL)
		return -1;
	p += strlen("Event at index ");
	if (*p < '0' || *p > '9')
		return -1;
	v = strtol(p, &end, 10);
	return end != p && v >= 0 ? v : -1;
}

static void
fill_from_object(struct nc_error *err, const cJSON *root)
{
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(root, "errors");
	size_t dropped = 0;
	char *msg;

	msg = message_text(cJSON_GetObjectItemCaseSensitive(root, "message"));
	if (msg == NULL || *msg == '\0') {
		const char *reason = json_str(root, "error");
		struct textbuf tb = TEXTBUF_INIT(0);

		free(msg);
		append_status_line(&tb, err->http_status);
		if (reason != NULL && *reason != '\0' &&
		    (http_reason(err->http_status) == NULL ||
		     strcmp(reason, http_reason(err->http_status)) != 0))
			textbuf_printf(&tb, " (%s)", reason);
		msg = textbuf_steal(&tb);
	}
	err->message = msg;
	replace_str(&err->type, json_str(root, "type"));
	replace_str(&err->error_id, json_str(root, "errorId"));
	if (cJSON_IsObject(errors))
		fields_from_map(err, errors, &dropped);
	else if (cJSON_IsArray(errors))
		fields_from_list(err, errors, &dropped);
	if (dropped > 0) {
		char note[64];

		snprintf(note, sizeof(note), "%zu more problems not shown", dropped);
		nc_error_add_field(err, "", note, NULL, NULL);
	}
	err->event_index = event_index_from(err->message);
}

static void
fill_from_text(struct nc_error *err, const char *body, size_t len)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	size_t mark;

	append_status_line(&tb, err->http_status);
	if (body == NULL || len == 0) {
		textbuf_puts(&tb, " (empty body)");
	} else {
		textbuf_puts(&tb, " (non-JSON body: ");
		mark = tb.len;
		if (term_append_excerpt(&tb, body, len, SNIPPET_CHARS,
		                     looks_like_html(body, len)) == 0) {
			/* nothing printable: say what there was */
			if (tb.data != NULL) {
				tb.len = mark;
				tb.data[mark] = '\0';
			}
			textbuf_printf(&tb, "%zu bytes, nothing printable", len);
		}
		textbuf_puts(&tb, ")");
		/* A 413 from Novu itself may still arrive as plain text. */
		err->event_index = event_index_from(tb.data);
	}
	err->message = textbuf_steal(&tb);
}

static void
fill_from_other_json(struct nc_error *err, const cJSON *root)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	char *printed;

	if (cJSON_IsString(root) && *root->valuestring != '\0') {
		err->message = strdup(root->valuestring);
		return;
	}
	printed = json_print_compact(root);
	append_status_line(&tb, err->http_status);
	textbuf_puts(&tb, " (unexpected JSON body: ");
	if (printed != NULL)
		term_append_excerpt(&tb, printed, strlen(printed), SNIPPET_CHARS, 0);
	textbuf_puts(&tb, ")");
	free(printed);
	err->message = textbuf_steal(&tb);
}

/* Copy of at most RAW_BODY_MAX bytes as a C string; NUL bytes (binary
 * bodies) become '?' so the text is not silently cut short. */
static char *
raw_copy(const char *body, size_t len)
{
	size_t n = len > RAW_BODY_MAX ? RAW_BODY_MAX : len, i;
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		p[i] = body[i] == '\0' ? '?' : body[i];
	p[n] = '\0';
	return p;
}

/* Parse leniently: bytes after the value and text that is not UTF-8 are
 * tolerated, as long as cJSON can read a value. The private NUL-terminated
 * copy keeps every read inside the buffer. */
/* An object or array is taken even with bytes after it (a proxy may append
 * some), but a bare scalar only when it is the whole text: "404 page not
 * found" must stay text, not parse as the number 404. */
static cJSON *
parse_whole(const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);

	if (cJSON_IsObject(root) || cJSON_IsArray(root))
		return root;
	if (root && end)
		while ((size_t)(end - text) < len && strchr(" \t\r\n", *end) && *end)
			end++;
	if (root && (!end || (size_t)(end - text) < len)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static cJSON *
parse_body(const char *body, size_t len)
{
	char *copy = malloc(len + 1);
	cJSON *root;

	if (copy == NULL)
		return NULL;
	memcpy(copy, body, len);
	copy[len] = '\0';
	root = parse_whole(copy, len);
	free(copy);
	return root;
}

enum nc_status
nc_error_from_http(struct nc_error *err, long http_status,
                   const char *endpoint, const char *body, size_t body_len)
{
	enum nc_status st = http_status >= 500 ? NC_E_SERVER : NC_E_API;
	cJSON *root = NULL;

	if (err == NULL)
		return st;
	/* Keep what the caller may already have recorded (attempts, headers,
	 * transport text); replace what this body describes. */
	free(err->message);
	err->message = NULL;
	free(err->type);
	err->type = NULL;
	free(err->error_id);
	err->error_id = NULL;
	free(err->raw_body);
	err->raw_body = NULL;
	free_fields(err);
	replace_str(&err->endpoint, endpoint);
	err->kind = NC_ERRK_HTTP;
	err->status = st;
	err->http_status = http_status;
	err->event_index = -1;
	if (body != NULL && body_len > 0) {
		err->raw_body = raw_copy(body, body_len);
		root = parse_body(body, body_len);
	}
	if (cJSON_IsObject(root))
		fill_from_object(err, root);
	else if (root != NULL)
		fill_from_other_json(err, root);
	else
		fill_from_text(err, body, body_len);
	cJSON_Delete(root);
	if (err->message == NULL)
		err->message = strdup(nc_status_message(st));
	return st;
}

/* 1 if msg already starts with "<field>:" (client messages do). */
static int
message_names_field(const char *field, const char *msg)
{
	size_t n = strlen(field);

	return n > 0 && strncmp(msg, field, n) == 0 &&
	       (msg[n] == ':' || msg[n] == ' ' || msg[n] == ',');
}

static void
format_fields(struct textbuf *tb, const struct nc_error *err)
{
	size_t i;

	if (err->nfields == 0)
		return;
	/* A lone client-side entry repeats the summary word for word. */
	if (err->nfields == 1 && err->message != NULL &&
	    strcmp(err->fields[0].message, err->message) == 0)
		return;
	textbuf_printf(tb, "  %s:\n", err->nfields == 1 ? "problem" : "problems");
	for (i = 0; i < err->nfields; i++) {
		const struct nc_field_error *f = &err->fields[i];

		textbuf_puts(tb, "    - ");
		if (*f->field != '\0' && !message_names_field(f->field, f->message))
			textbuf_printf(tb, "%s: ", f->field);
		term_append_excerpt(tb, f->message, strlen(f->message), 1000, 0);
		textbuf_puts(tb, "\n");
		if (f->value != NULL) {
			textbuf_puts(tb, "      value: ");
			term_append_excerpt(tb, f->value, strlen(f->value),
			                 FORMAT_VALUE_MAX, 0);
			textbuf_puts(tb, "\n");
		}
		if (f->schema_path != NULL)
			textbuf_printf(tb, "      schema: %s\n", f->schema_path);
	}
}

static void
format_ratelimit(struct textbuf *tb, const struct nc_error *err)
{
	if (err->retry_after >= 0)
		textbuf_printf(tb, "  retry after: %ld s\n", err->retry_after);
	if (err->ratelimit_limit >= 0 || err->ratelimit_remaining >= 0 ||
	    err->ratelimit_reset >= 0) {
		textbuf_puts(tb, "  rate limit:");
		if (err->ratelimit_remaining >= 0)
			textbuf_printf(tb, " %ld", err->ratelimit_remaining);
		/* A bucket with a burst (Novu's policies have one) holds more
		 * than its limit when full: "330 of 300" read as a miscount. */
		if (err->ratelimit_limit >= 0 && err->ratelimit_remaining > err->ratelimit_limit)
			textbuf_printf(tb, " tokens left (a burst above the limit of %ld)",
			               err->ratelimit_limit);
		else if (err->ratelimit_limit >= 0)
			textbuf_printf(tb, "%s of %ld tokens left",
			               err->ratelimit_remaining >= 0 ? "" : " ?",
			               err->ratelimit_limit);
		else if (err->ratelimit_remaining >= 0)
			textbuf_puts(tb, " tokens left");
		if (err->ratelimit_reset >= 0)
			textbuf_printf(tb, "%s refills in %ld s",
			               err->ratelimit_remaining >= 0 ||
			               err->ratelimit_limit >= 0 ? "," : "",
			               err->ratelimit_reset);
		textbuf_puts(tb, "\n");
	}
	if (err->ratelimit_policy != NULL)
		textbuf_printf(tb, "  rate-limit policy: %s\n", err->ratelimit_policy);
}

/* The raw body, only when it was not JSON (JSON is shown parsed above). */
static void
format_raw_body(struct textbuf *tb, const struct nc_error *err)
{
	const char *p = err->raw_body, *nl;
	cJSON *root;
	int lines = 0;

	if (p == NULL || *p == '\0')
		return;
	root = parse_whole(p, strlen(p));
	if (root != NULL) {
		cJSON_Delete(root);
		return;
	}
	textbuf_printf(tb, "  body (%zu bytes kept, not JSON):\n", strlen(p));
	while (*p != '\0' && lines < FORMAT_BODY_LINES) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		textbuf_puts(tb, "    | ");
		term_append_excerpt(tb, p, n, 160, 0);
		textbuf_puts(tb, "\n");
		lines++;
		p += n;
		if (*p == '\n')
			p++;
	}
	if (*p != '\0')
		textbuf_puts(tb, "    | ...\n");
}

static void
format_origin(struct textbuf *tb, const struct nc_error *err)
{
	switch (err->kind) {
	case NC_ERRK_CLIENT:
		textbuf_puts(tb, "  no request was made (checked here first)\n");
		break;
	case NC_ERRK_HTTP:
		textbuf_puts(tb, "  ");
		append_status_line(tb, err->http_status);
		if (err->endpoint != NULL)
			textbuf_printf(tb, " from %s", err->endpoint);
		textbuf_puts(tb, "\n");
		break;
	case NC_ERRK_TRANSPORT:
		textbuf_printf(tb, "  no HTTP answer%s%s\n",
		               err->endpoint != NULL ? " to " : "",
		               err->endpoint != NULL ? err->endpoint : "");
		break;
	case NC_ERRK_LOCAL:
	case NC_ERRK_NONE:
	default:
		if (err->endpoint != NULL)
			textbuf_printf(tb, "  request: %s\n", err->endpoint);
		break;
	}
}

char *
nc_error_format(const struct nc_error *err)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	const char *msg;
	char *out;

	if (err == NULL)
		return strdup("");
	msg = err->message != NULL ? err->message : nc_status_message(err->status);
	term_append_excerpt(&tb, msg, strlen(msg), 2000, 0);
	textbuf_puts(&tb, "\n");
	format_origin(&tb, err);
	if (err->type != NULL)
		textbuf_printf(&tb, "  type: %s\n", err->type);
	if (err->error_id != NULL)
		textbuf_printf(&tb, "  error id: %s (quote it to Novu support)\n",
		               err->error_id);
	format_fields(&tb, err);
	if (err->event_index >= 0)
		textbuf_printf(&tb, "  event index: %ld (0-based position in the request)\n",
		               err->event_index);
	format_ratelimit(&tb, err);
	if (err->transport != NULL)
		textbuf_printf(&tb, "  transport: %s\n", err->transport);
	if (err->attempts > 1)
		textbuf_printf(&tb, "  attempts: %d\n", err->attempts);
	if (err->retries_stopped != NULL)
		textbuf_printf(&tb, "  retries stopped: %s\n", err->retries_stopped);
	format_raw_body(&tb, err);
	out = textbuf_steal(&tb);
	/* Every byte of the rendering may come from the server (type, errorId,
	 * field names, schemaPath, the RateLimit-Policy header). */
	term_defuse(out, TERM_LINES);
	return out;
}

static int
copy_fields(struct nc_error *dst, const struct nc_error *src)
{
	size_t i;

	for (i = 0; i < src->nfields; i++) {
		const struct nc_field_error *f = &src->fields[i];

		if (nc_error_add_field(dst, f->field, f->message, f->value,
		                       f->schema_path) != NC_OK)
			return -1;
		dst->fields[i].line = f->line;
		dst->fields[i].column = f->column;
	}
	return 0;
}

enum nc_status
nc_error_copy(struct nc_error *dst, const struct nc_error *src)
{
	int bad = 0;

	nc_error_init(dst);
	if (src == NULL)
		return NC_OK;
	*dst = *src;
	dst->endpoint = dst->message = dst->type = dst->error_id = NULL;
	dst->ratelimit_policy = dst->transport = dst->raw_body = dst->retries_stopped = NULL;
	dst->fields = NULL;
	dst->nfields = 0;
	bad |= replace_str(&dst->endpoint, src->endpoint);
	bad |= replace_str(&dst->message, src->message);
	bad |= replace_str(&dst->type, src->type);
	bad |= replace_str(&dst->error_id, src->error_id);
	bad |= replace_str(&dst->ratelimit_policy, src->ratelimit_policy);
	bad |= replace_str(&dst->transport, src->transport);
	bad |= replace_str(&dst->raw_body, src->raw_body);
	bad |= replace_str(&dst->retries_stopped, src->retries_stopped);
	if (bad || copy_fields(dst, src) != 0) {
		nc_error_clear(dst);
		return NC_E_NOMEM;
	}
	return NC_OK;
}
