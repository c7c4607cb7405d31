/* request.c - the event model, its client-side checks and the exact wire
 * bodies for trigger, broadcast and bulk (CONTRACT.md sections 2-3).
 *
 * Checks run before anything is sent and collect every problem, each named
 * after the request field, so a form can mark all of them at once. The
 * builders always send `to` as an array (the server accepts a single
 * recipient either way, and one shape is easier to diff and test).
 */
#include "request.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "textbuf.h"
#include "uuid.h"

#define CONTEXT_PATTERN "^[A-Za-z0-9_-]{1,100}$"
#define QUOTE_MAX 40          /* characters of a value quoted in a message */
/* A string with \u0000 (json_parse_typed keeps it whole rather than cut) */
#define NUL_MESSAGE "holds a NUL character (\\u0000), which Novu cannot use — remove it"

/* ---- small string helpers ---------------------------------------------- */

static int
is_set(const char *s)
{
	return s != NULL && *s != '\0';
}

static int
is_space_byte(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\f' || c == '\v';
}

static int
is_blank(const char *s)
{
	if (s == NULL)
		return 1;
	while (*s != '\0' && is_space_byte((unsigned char)*s))
		s++;
	return *s == '\0';
}

static int
has_outer_space(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && (is_space_byte((unsigned char)s[0]) ||
	                 is_space_byte((unsigned char)s[n - 1]));
}

int
nc_strset(char **slot, const char *value)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

/* `s` as a JSON-style quoted string for messages: escaped, cut to
 * QUOTE_MAX characters so a pasted megabyte does not flood the screen. */
static const char *
quoted(const char *s, char *buf, size_t size)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	size_t chars = 0;
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

	textbuf_puts(&tb, "\"");
	for (; *p != '\0'; p++) {
		if ((*p & 0xc0) != 0x80 && chars++ >= QUOTE_MAX) {
			textbuf_puts(&tb, "...");
			break;
		}
		if (*p == '"' || *p == '\\')
			textbuf_printf(&tb, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			textbuf_printf(&tb, "\\u%04x", *p);
		else
			textbuf_append(&tb, p, 1);
	}
	textbuf_puts(&tb, "\"");
	snprintf(buf, size, "%s", tb.data != NULL ? tb.data : "\"\"");
	textbuf_free(&tb);
	return buf;
}

/* ---- model lifecycle ---------------------------------------------------- */

void
recipient_clear(struct nc_recipient *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->id);
	free(r->email);
	free(r->phone);
	free(r->first_name);
	free(r->last_name);
	free(r->avatar);
	free(r->locale);
	free(r->timezone);
	free(r->data_json);
	free(r->channels_json);
	for (i = 0; i < r->nexclude; i++)
		free(r->exclude[i]);
	free(r->exclude);
	memset(r, 0, sizeof(*r));
}

/* dst is treated as fresh storage: its old contents are not freed. */
enum nc_status
recipient_copy(struct nc_recipient *dst, const struct nc_recipient *src)
{
	size_t i;
	int bad = 0;

	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	bad |= nc_strset(&dst->id, src->id);
	bad |= nc_strset(&dst->email, src->email);
	bad |= nc_strset(&dst->phone, src->phone);
	bad |= nc_strset(&dst->first_name, src->first_name);
	bad |= nc_strset(&dst->last_name, src->last_name);
	bad |= nc_strset(&dst->avatar, src->avatar);
	bad |= nc_strset(&dst->locale, src->locale);
	bad |= nc_strset(&dst->timezone, src->timezone);
	bad |= nc_strset(&dst->data_json, src->data_json);
	bad |= nc_strset(&dst->channels_json, src->channels_json);
	if (!bad && src->nexclude > 0) {
		dst->exclude = calloc(src->nexclude, sizeof(*dst->exclude));
		if (dst->exclude == NULL)
			bad = 1;
		for (i = 0; !bad && i < src->nexclude; i++) {
			bad |= nc_strset(&dst->exclude[i], src->exclude[i]);
			dst->nexclude = i + 1;
		}
	}
	if (bad) {
		recipient_clear(dst);
		return NC_E_NOMEM;
	}
	return NC_OK;
}

enum nc_status
recipient_add_exclude(struct nc_recipient *r, const char *subscriber_id)
{
	char **grown, *copy;

	copy = strdup(subscriber_id != NULL ? subscriber_id : "");
	if (copy == NULL)
		return NC_E_NOMEM;
	grown = realloc(r->exclude, (r->nexclude + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(copy);
		return NC_E_NOMEM;
	}
	r->exclude = grown;
	r->exclude[r->nexclude++] = copy;
	return NC_OK;
}

void
event_init(struct nc_event *ev)
{
	memset(ev, 0, sizeof(*ev));
}

void
event_clear(struct nc_event *ev)
{
	size_t i;

	if (ev == NULL)
		return;
	free(ev->workflow);
	for (i = 0; i < ev->nto; i++)
		recipient_clear(&ev->to[i]);
	free(ev->to);
	free(ev->payload_json);
	free(ev->overrides_json);
	free(ev->actor);
	free(ev->tenant);
	free(ev->context_json);
	free(ev->transaction_id);
	event_init(ev);
}

/* dst is treated as fresh storage: its old contents are not freed. */
enum nc_status
event_copy(struct nc_event *dst, const struct nc_event *src)
{
	size_t i;
	int bad = 0;

	event_init(dst);
	dst->to_empty_ok = src->to_empty_ok;
	bad |= nc_strset(&dst->workflow, src->workflow);
	bad |= nc_strset(&dst->payload_json, src->payload_json);
	bad |= nc_strset(&dst->overrides_json, src->overrides_json);
	bad |= nc_strset(&dst->actor, src->actor);
	bad |= nc_strset(&dst->tenant, src->tenant);
	bad |= nc_strset(&dst->context_json, src->context_json);
	bad |= nc_strset(&dst->transaction_id, src->transaction_id);
	for (i = 0; !bad && i < src->nto; i++)
		bad = event_add_recipient(dst, &src->to[i]) != NC_OK;
	if (bad) {
		event_clear(dst);
		return NC_E_NOMEM;
	}
	return NC_OK;
}

enum nc_status
event_add_recipient(struct nc_event *ev, const struct nc_recipient *r)
{
	if (ev->nto == ev->capto) {
		size_t cap = ev->capto < 4 ? 4 : ev->capto * 2;
		struct nc_recipient *grown = realloc(ev->to, cap * sizeof(*grown));

		if (grown == NULL)
			return NC_E_NOMEM;
		ev->to = grown;
		ev->capto = cap;
	}
	if (recipient_copy(&ev->to[ev->nto], r) != NC_OK)
		return NC_E_NOMEM;
	ev->nto++;
	return NC_OK;
}

void
event_remove_recipient(struct nc_event *ev, size_t index)
{
	if (index >= ev->nto)
		return;
	recipient_clear(&ev->to[index]);
	memmove(&ev->to[index], &ev->to[index + 1],
	        (ev->nto - index - 1) * sizeof(ev->to[0]));
	ev->nto--;
}

enum nc_status
event_ensure_transaction_id(struct nc_event *ev)
{
	char id[NC_ID_LEN + 1];

	if (is_set(ev->transaction_id))
		return NC_OK;
	id_new_uuid(id);
	return nc_strset(&ev->transaction_id, id) == 0 ? NC_OK : NC_E_NOMEM;
}

/* ---- problem collection ------------------------------------------------- */

struct vctx {
	struct nc_error *err;
	const char *prefix;   /* "", "events[3]." or "line 4: " */
	int bad;
	int nomem;
};

/* prefix + field; with an empty field the prefix alone, without its
 * trailing separator ("events[3]", "line 4"). Caller frees. */
static char *
field_name(const char *prefix, const char *field)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	size_t n;

	if (is_set(field)) {
		textbuf_puts(&tb, prefix);
		textbuf_puts(&tb, field);
		return textbuf_steal(&tb);
	}
	n = strlen(prefix);
	while (n > 0 && (prefix[n - 1] == '.' || prefix[n - 1] == ' ' ||
	                 prefix[n - 1] == ':'))
		n--;
	if (n == 0)
		return strdup("event");
	textbuf_append(&tb, prefix, n);
	return textbuf_steal(&tb);
}

static void problem(struct vctx *v, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void vproblem(struct vctx *v, const char *field, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Record one problem: field entry "<prefix><field>", message
 * "<prefix><field>: <text>". */
static void
problem(struct vctx *v, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vproblem(v, field, fmt, ap);
	va_end(ap);
}

enum nc_status
event_problem(struct nc_error *err, const char *prefix, const char *field,
              const char *fmt, ...)
{
	struct vctx v = { err, prefix != NULL ? prefix : "", 0, 0 };
	va_list ap;

	va_start(ap, fmt);
	vproblem(&v, field, fmt, ap);
	va_end(ap);
	return v.nomem ? NC_E_NOMEM : NC_E_INVALID;
}

static void
vproblem(struct vctx *v, const char *field, const char *fmt, va_list ap)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	char *name;

	v->bad = 1;
	if (v->err == NULL)
		return;
	name = field_name(v->prefix, field);
	if (name == NULL) {
		v->nomem = 1;
		return;
	}
	textbuf_printf(&tb, "%s: ", name);
	textbuf_vprintf(&tb, fmt, ap);
	if (tb.data == NULL)
		v->nomem = 1;
	else
		nc_error_set(v->err, NC_E_INVALID, name, "%s", tb.data);
	textbuf_free(&tb);
	free(name);
}

/* Parse a JSON-object text field; problems are recorded under its name. */
static cJSON *
parse_object_field(struct vctx *v, const char *field, const char *text)
{
	char *name = field_name(v->prefix, field);
	cJSON *root;

	if (name == NULL) {
		v->nomem = v->bad = 1;
		return NULL;
	}
	root = json_parse_field(text, strlen(text), name, 1, v->err);
	if (root == NULL)
		v->bad = 1;
	free(name);
	return root;
}

/* ---- validation --------------------------------------------------------- */

/* An identifier typed by hand: refuse blank and surrounding spaces, which
 * the server would take literally and never match. */
static void
check_identifier(struct vctx *v, const char *field, const char *value,
                 const char *what)
{
	char q[QUOTE_MAX * 6 + 8];

	if (value == NULL || *value == '\0')
		return;
	if (is_blank(value))
		problem(v, field, "%s is blank — clear it or enter a real one", what);
	else if (has_outer_space(value))
		problem(v, field, "%s %s starts or ends with a space — remove it",
		        what, quoted(value, q, sizeof(q)));
}

/* Novu takes JSON, which is UTF-8: a string that is not would make the
 * request body invalid JSON, so refuse it here, naming the field. */
static void
check_utf8(struct vctx *v, const char *field, const char *value)
{
	size_t n, bad;

	if (value == NULL)
		return;
	n = strlen(value);
	bad = utf8_first_invalid(value, n);
	if (bad < n)
		problem(v, field, "is not valid UTF-8 (byte 0x%02x at byte %zu) — "
		        "save or type it as UTF-8", (unsigned char)value[bad], bad + 1);
}

static void
check_recipient_utf8(struct vctx *v, const char *field, const struct nc_recipient *r)
{
	const char *const values[] = {
		r->id, r->email, r->phone, r->first_name, r->last_name, r->avatar,
		r->locale, r->timezone,
	};
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		check_utf8(v, field, values[i]);
	for (i = 0; i < r->nexclude; i++)
		check_utf8(v, field, r->exclude[i]);
}

static void
check_recipient_id(struct vctx *v, const char *field, const char *id,
                   const char *what)
{
	if (is_blank(id))
		problem(v, field, "%s is empty", what);
	else
		check_identifier(v, field, id, what);
}

static void
check_array_text(struct vctx *v, const char *field, const char *text)
{
	char *name = field_name(v->prefix, field);
	cJSON *root;

	if (name == NULL) {
		v->nomem = v->bad = 1;
		return;
	}
	root = json_parse_field(text, strlen(text), name, 0, v->err);
	if (root == NULL)
		v->bad = 1;
	else if (!cJSON_IsArray(root))
		problem(v, field, "must be a JSON array [...]");
	cJSON_Delete(root);
	free(name);
}

static void
check_recipient(struct vctx *v, const struct nc_recipient *r, size_t i)
{
	char field[64], sub[96];
	size_t j;
	cJSON *data;

	snprintf(field, sizeof(field), "to[%zu]", i);
	check_recipient_utf8(v, field, r);
	switch (r->kind) {
	case NC_RCPT_SUBSCRIBER_ID:
		check_recipient_id(v, field, r->id, "subscriber ID");
		break;
	case NC_RCPT_SUBSCRIBER:
		check_recipient_id(v, field, r->id, "subscriber ID");
		if (!is_blank(r->data_json)) {
			snprintf(sub, sizeof(sub), "%s.data", field);
			data = parse_object_field(v, sub, r->data_json);
			cJSON_Delete(data);
		}
		if (!is_blank(r->channels_json)) {
			snprintf(sub, sizeof(sub), "%s.channels", field);
			check_array_text(v, sub, r->channels_json);
		}
		break;
	case NC_RCPT_TOPIC:
		check_recipient_id(v, field, r->id, "topic key");
		for (j = 0; j < r->nexclude; j++) {
			snprintf(sub, sizeof(sub), "%s.exclude[%zu]", field, j);
			if (is_blank(r->exclude[j]))
				problem(v, sub, "subscriber ID is empty — remove the blank entry");
			else
				check_identifier(v, sub, r->exclude[j], "subscriber ID");
		}
		break;
	default:
		problem(v, field, "unknown recipient kind %d", (int)r->kind);
		break;
	}
}

static void
check_recipients(struct vctx *v, const struct nc_event *ev,
                 enum nc_event_use use)
{
	size_t i;

	if (ev->nto == 0 && !ev->to_empty_ok)
		problem(v, "to", "no recipients — add a subscriber ID, a subscriber or a topic");
	else if (ev->nto > NC_MAX_RECIPIENTS)
		problem(v, "to", "%zu recipients; the limit is %d per event — remove %zu %s",
		        ev->nto, NC_MAX_RECIPIENTS, ev->nto - NC_MAX_RECIPIENTS,
		        use == NC_USE_BULK_ENTRY ? "or split them over more events"
		                                 : "or use the bulk builder");
	for (i = 0; i < ev->nto; i++)
		check_recipient(v, &ev->to[i], i);
}

static int
context_part_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return n >= 1 && n <= NC_MAX_CONTEXT_PART;
}

/* One context entry as Novu's isValidContextValue and the data size rule
 * of IsValidContextPayload see it: an ID string, or an object with an "id"
 * string and "data" absent or a non-null object (other keys pass). */
static void
check_context_entry(struct vctx *v, const cJSON *entry)
{
	char q[QUOTE_MAX * 6 + 8];
	char *field;
	const cJSON *data;
	size_t n;

	field = field_name("context.", entry->string);
	if (field == NULL) {
		v->nomem = v->bad = 1;
		return;
	}
	if (cJSON_IsString(entry)) {
		if (!context_part_ok(entry->valuestring))
			problem(v, field, "id %s must match " CONTEXT_PATTERN,
			        quoted(entry->valuestring, q, sizeof(q)));
	} else if (cJSON_IsObject(entry)) {
		const char *id = json_str(entry, "id");

		data = cJSON_GetObjectItemCaseSensitive(entry, "data");
		if (id == NULL)
			problem(v, field, "needs an \"id\" string, e.g. {\"id\": \"org-acme\"}");
		else if (!context_part_ok(id))
			problem(v, field, "id %s must match " CONTEXT_PATTERN,
			        quoted(id, q, sizeof(q)));
		if (data != NULL && !cJSON_IsObject(data) && !cJSON_IsArray(data))
			problem(v, field, "\"data\" must be a JSON object {...}");
		else if (data != NULL && (n = json_stringify_bytes(data)) > NC_MAX_CONTEXT_DATA)
			problem(v, field, "\"data\" is %zu bytes; the limit is %d (64 KB)",
			        n, NC_MAX_CONTEXT_DATA);
	} else {
		problem(v, field, "must be an ID string or {\"id\": \"...\", \"data\": {...}}");
	}
	free(field);
}

static void
check_context(struct vctx *v, const char *text)
{
	char q[QUOTE_MAX * 6 + 8];
	const cJSON *entry;
	cJSON *root;
	int n;

	root = parse_object_field(v, "context", text);
	if (root == NULL)
		return;
	n = cJSON_GetArraySize(root);
	if (n == 0)
		problem(v, "context", "is empty — remove it, or give a type and id, "
		        "e.g. {\"tenant\": \"org-acme\"}");
	else if (n > NC_MAX_CONTEXTS)
		problem(v, "context", "has %d types; Novu takes at most %d", n, NC_MAX_CONTEXTS);
	/* isValidContextPayload leaves the type keys alone, but each type:id
	 * becomes a context entity, whose type has the id's pattern
	 * (CreateContextRequestDto). */
	cJSON_ArrayForEach(entry, root) {
		if (!context_part_ok(entry->string))
			problem(v, "context", "type %s must match " CONTEXT_PATTERN,
			        quoted(entry->string, q, sizeof(q)));
		else
			check_context_entry(v, entry);
	}
	cJSON_Delete(root);
}

static void
check_json_text(struct vctx *v, const char *field, const char *text)
{
	if (!is_blank(text))
		cJSON_Delete(parse_object_field(v, field, text));
}

/* Novu's validatePayloadSize: Buffer.byteLength(JSON.stringify(payload
 * without attachments)) > 524288 is a 413. Attachments are excluded (they
 * go to storage and have their own limit), so a large email attachment is
 * not refused here. */
static void
check_payload_size(struct vctx *v, const char *text)
{
	size_t off, n;
	cJSON *p;

	if (is_blank(text))
		return;
	p = json_parse_typed(text, strlen(text), &off, NULL, 0);
	if (p == NULL)
		return;                 /* reported by check_json_text */
	while (cJSON_HasObjectItem(p, "attachments"))
		cJSON_DeleteItemFromObjectCaseSensitive(p, "attachments");
	n = json_stringify_bytes(p);
	cJSON_Delete(p);
	if (n > NC_MAX_PAYLOAD_BYTES)
		problem(v, "payload", "is %zu bytes as Novu measures it (its JSON without "
		        "\"attachments\"); the limit is %d (512 KB) — shrink it by at least %zu bytes",
		        n, NC_MAX_PAYLOAD_BYTES, n - NC_MAX_PAYLOAD_BYTES);
}

/* actor / tenant: JSON object text when it starts with '{'. */
static int
is_object_text(const char *s)
{
	while (s != NULL && is_space_byte((unsigned char)*s))
		s++;
	return s != NULL && *s == '{';
}

/* An actor or tenant: an ID string, or an object that names its ID under
 * id_key (Novu's SubscriberPayloadDto needs subscriberId; the console
 * needs a tenant object to say which tenant). */
static void
check_party(struct vctx *v, const char *field, const char *value,
            const char *id_key)
{
	const cJSON *id;
	cJSON *obj;

	if (!is_object_text(value)) {
		check_identifier(v, field, value, field);
		return;
	}
	obj = parse_object_field(v, field, value);
	if (obj == NULL)
		return;
	id = cJSON_GetObjectItemCaseSensitive(obj, id_key);
	if (!cJSON_IsString(id) || is_blank(id->valuestring))
		problem(v, field, "needs a non-empty \"%s\" string, e.g. {\"%s\": \"...\"}",
		        id_key, id_key);
	cJSON_Delete(obj);
}

enum nc_status
event_validate(const struct nc_event *ev, enum nc_event_use use,
               const char *prefix, struct nc_error *err)
{
	struct vctx v = { err, prefix != NULL ? prefix : "", 0, 0 };

	check_utf8(&v, "name", ev->workflow);
	check_utf8(&v, "actor", ev->actor);
	check_utf8(&v, "tenant", ev->tenant);
	check_utf8(&v, "transactionId", ev->transaction_id);
	if (is_blank(ev->workflow))
		problem(&v, "name", "no workflow — choose one "
		        "(its trigger identifier, e.g. order-shipped)");
	else
		check_identifier(&v, "name", ev->workflow, "workflow");
	if (use != NC_USE_BROADCAST)
		check_recipients(&v, ev, use);
	check_json_text(&v, "payload", ev->payload_json);
	check_json_text(&v, "overrides", ev->overrides_json);
	if (!is_blank(ev->context_json))
		check_context(&v, ev->context_json);
	check_party(&v, "actor", ev->actor, "subscriberId");
	check_party(&v, "tenant", ev->tenant, "identifier");
	if (is_set(ev->transaction_id) && is_blank(ev->transaction_id))
		problem(&v, "transactionId", "is blank — clear it to have one generated");
	if (!v.bad && !v.nomem)
		check_payload_size(&v, ev->payload_json);
	if (v.nomem)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory while checking the request");
	return v.bad ? NC_E_INVALID : NC_OK;
}

enum nc_status
idempotency_key_validate(const char *key, struct nc_error *err)
{
	struct vctx v = { err, "", 0, 0 };
	size_t n, i;

	if (key == NULL || *key == '\0')
		return NC_OK;
	n = strlen(key);
	if (n > NC_MAX_IDEMPOTENCY_KEY)
		problem(&v, "Idempotency-Key",
		        "%zu characters; the limit is %d — shorten it, "
		        "or leave it empty to have one generated",
		        n, NC_MAX_IDEMPOTENCY_KEY);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c < 0x20 || c > 0x7e) {
			problem(&v, "Idempotency-Key",
			        "character %zu (byte 0x%02x) is not printable ASCII — "
			        "use letters, digits and punctuation",
			        i + 1, c);
			break;
		}
	}
	return v.bad ? NC_E_INVALID : NC_OK;
}

/* ---- builders ------------------------------------------------------------ */

/* Each add_* returns 0, or -1 when cJSON ran out of memory. */
static int
add_str_if_set(cJSON *obj, const char *key, const char *value)
{
	if (!is_set(value))
		return 0;
	return cJSON_AddStringToObject(obj, key, value) != NULL ? 0 : -1;
}

/* Add the already-validated JSON text `text` under key (skipped if blank,
 * unless empty_object, which puts {} there instead). */
static int
add_json_text(cJSON *obj, const char *key, const char *text, int empty_object)
{
	cJSON *parsed;
	char *copy;
	size_t off;

	if (is_blank(text)) {
		if (!empty_object)
			return 0;
		return cJSON_AddObjectToObject(obj, key) != NULL ? 0 : -1;
	}
	/* Validation has parsed it already; send the user's own text, only
	 * minified, so numbers beyond a double's precision (order IDs...), \u0000
	 * and the like reach Novu exactly as typed rather than as cJSON
	 * re-prints them. */
	parsed = json_parse_explain(text, strlen(text), &off, NULL, 0);
	if (parsed == NULL)
		return -1;
	cJSON_Delete(parsed);
	copy = strdup(text);
	if (copy == NULL)
		return -1;
	cJSON_Minify(copy);
	parsed = cJSON_CreateRaw(copy);
	free(copy);
	if (parsed == NULL)
		return -1;
	if (!cJSON_AddItemToObject(obj, key, parsed)) {
		cJSON_Delete(parsed);
		return -1;
	}
	return 0;
}

static int
add_party(cJSON *obj, const char *key, const char *value)
{
	if (is_object_text(value))
		return add_json_text(obj, key, value, 0);
	return add_str_if_set(obj, key, value);
}

cJSON *
request_subscriber_json(const struct nc_recipient *r)
{
	cJSON *o = cJSON_CreateObject();
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= cJSON_AddStringToObject(o, "subscriberId", r->id != NULL ? r->id : "") == NULL;
	bad |= add_str_if_set(o, "firstName", r->first_name);
	bad |= add_str_if_set(o, "lastName", r->last_name);
	bad |= add_str_if_set(o, "email", r->email);
	bad |= add_str_if_set(o, "phone", r->phone);
	bad |= add_str_if_set(o, "avatar", r->avatar);
	bad |= add_str_if_set(o, "locale", r->locale);
	bad |= add_str_if_set(o, "timezone", r->timezone);
	bad |= add_json_text(o, "data", r->data_json, 0);
	bad |= add_json_text(o, "channels", r->channels_json, 0);
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *
topic_json(const struct nc_recipient *r)
{
	cJSON *o = cJSON_CreateObject(), *ex;
	size_t i;
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= cJSON_AddStringToObject(o, "type", "Topic") == NULL;
	bad |= cJSON_AddStringToObject(o, "topicKey", r->id != NULL ? r->id : "") == NULL;
	if (!bad && r->nexclude > 0) {
		ex = cJSON_AddArrayToObject(o, "exclude");
		bad |= ex == NULL;
		for (i = 0; !bad && i < r->nexclude; i++) {
			cJSON *s = cJSON_CreateString(r->exclude[i] != NULL ? r->exclude[i] : "");

			if (s == NULL || !cJSON_AddItemToArray(ex, s)) {
				cJSON_Delete(s);
				bad = 1;
			}
		}
	}
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *
recipient_json(const struct nc_recipient *r)
{
	switch (r->kind) {
	case NC_RCPT_SUBSCRIBER:
		return request_subscriber_json(r);
	case NC_RCPT_TOPIC:
		return topic_json(r);
	case NC_RCPT_SUBSCRIBER_ID:
	default:
		return cJSON_CreateString(r->id != NULL ? r->id : "");
	}
}

static int
add_recipients(cJSON *obj, const struct nc_event *ev)
{
	cJSON *to = cJSON_AddArrayToObject(obj, "to");
	size_t i;

	if (to == NULL)
		return -1;
	for (i = 0; i < ev->nto; i++) {
		cJSON *item = recipient_json(&ev->to[i]);

		if (item == NULL || !cJSON_AddItemToArray(to, item)) {
			cJSON_Delete(item);
			return -1;
		}
	}
	return 0;
}

/* The wire object, key order name, to, payload, overrides, transactionId,
 * actor, tenant, context. Assumes the JSON texts are valid; NULL on OOM. */
static cJSON *
event_json(const struct nc_event *ev, enum nc_event_use use)
{
	cJSON *o = cJSON_CreateObject();
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= cJSON_AddStringToObject(o, "name", ev->workflow != NULL ? ev->workflow : "") == NULL;
	if (!bad && use != NC_USE_BROADCAST)
		bad |= add_recipients(o, ev);
	bad |= add_json_text(o, "payload", ev->payload_json, 1);
	bad |= add_json_text(o, "overrides", ev->overrides_json, 0);
	bad |= add_str_if_set(o, "transactionId", ev->transaction_id);
	bad |= add_party(o, "actor", ev->actor);
	bad |= add_party(o, "tenant", ev->tenant);
	bad |= add_json_text(o, "context", ev->context_json, 0);
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *
build_one(const struct nc_event *ev, enum nc_event_use use, struct nc_error *err)
{
	cJSON *j;

	if (event_validate(ev, use, NULL, err) != NC_OK)
		return NULL;
	j = event_json(ev, use);
	if (j == NULL)
		nc_error_set(err, NC_E_NOMEM, NULL, "out of memory building the request");
	return j;
}

cJSON *
request_build_trigger(const struct nc_event *ev, struct nc_error *err)
{
	return build_one(ev, NC_USE_TRIGGER, err);
}

cJSON *
request_build_broadcast(const struct nc_event *ev, struct nc_error *err)
{
	return build_one(ev, NC_USE_BROADCAST, err);
}

static enum nc_status
validate_bulk(const struct nc_event *evs, size_t n, struct nc_error *err)
{
	struct vctx v = { err, "", 0, 0 };
	char prefix[48];
	enum nc_status st;
	size_t i;

	if (n == 0)
		problem(&v, "events", "no events — add at least one");
	else if (n > NC_MAX_BULK_EVENTS)
		problem(&v, "events", "%zu events; a bulk request takes at most %d — "
		        "remove %zu or send them in several requests",
		        n, NC_MAX_BULK_EVENTS, n - NC_MAX_BULK_EVENTS);
	for (i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "events[%zu].", i);
		st = event_validate(&evs[i], NC_USE_BULK_ENTRY, prefix, err);
		if (st == NC_E_NOMEM)
			return st;
		if (st != NC_OK)
			v.bad = 1;
	}
	return v.bad ? NC_E_INVALID : NC_OK;
}

cJSON *
request_build_bulk(const struct nc_event *evs, size_t n, struct nc_error *err)
{
	cJSON *root, *arr;
	size_t i;

	if (validate_bulk(evs, n, err) != NC_OK)
		return NULL;
	root = cJSON_CreateObject();
	arr = root != NULL ? cJSON_AddArrayToObject(root, "events") : NULL;
	for (i = 0; arr != NULL && i < n; i++) {
		cJSON *e = event_json(&evs[i], NC_USE_BULK_ENTRY);

		if (e == NULL || !cJSON_AddItemToArray(arr, e)) {
			cJSON_Delete(e);
			arr = NULL;
		}
	}
	if (arr == NULL) {
		cJSON_Delete(root);
		nc_error_set(err, NC_E_NOMEM, NULL, "out of memory building the request");
		return NULL;
	}
	return root;
}

/* ---- wire format -> model ------------------------------------------------ */


/* Copy a string member into *slot; null means "not given". */
static void
take_string(struct vctx *v, const char *field, const cJSON *val, char **slot)
{
	if (cJSON_IsNull(val))
		return;
	if (json_is_nul_string(val)) {
		problem(v, field, NUL_MESSAGE);
		return;
	}
	if (!cJSON_IsString(val)) {
		problem(v, field, "must be a string, not %s", json_kind(val));
		return;
	}
	if (nc_strset(slot, val->valuestring) != 0)
		v->nomem = 1;
}

/* Keep an object (or array) member as compact JSON text; numbers stay as
 * typed when the tree came from json_parse_typed. */
static void
take_json_text(struct vctx *v, const char *field, const cJSON *val, int type,
               char **slot)
{
	char *text;

	if (cJSON_IsNull(val))
		return;
	if ((val->type & 0xff) != type) {
		problem(v, field, "must be a JSON %s, not %s",
		        type == cJSON_Array ? "array [...]" : "object {...}", json_kind(val));
		return;
	}
	text = json_print_compact(val);
	if (text == NULL) {
		v->nomem = 1;
		return;
	}
	free(*slot);
	*slot = text;
}

static void
take_object_text(struct vctx *v, const char *field, const cJSON *val, char **slot)
{
	take_json_text(v, field, val, cJSON_Object, slot);
}

static void
take_topic(struct vctx *v, const char *field, const cJSON *obj,
           struct nc_recipient *r)
{
	char sub[128], q[QUOTE_MAX * 6 + 8];
	const cJSON *k, *x;
	size_t j;

	r->kind = NC_RCPT_TOPIC;
	cJSON_ArrayForEach(k, obj) {
		snprintf(sub, sizeof(sub), "%s.%s", field, k->string);
		if (strcmp(k->string, "type") == 0) {
			continue;
		} else if (strcmp(k->string, "topicKey") == 0) {
			take_string(v, sub, k, &r->id);
		} else if (strcmp(k->string, "exclude") == 0) {
			if (cJSON_IsNull(k))
				continue;
			if (!cJSON_IsArray(k)) {
				problem(v, sub, "must be an array of subscriber IDs");
				continue;
			}
			j = 0;
			cJSON_ArrayForEach(x, k) {
				snprintf(sub, sizeof(sub), "%s.exclude[%zu]", field, j++);
				if (json_is_nul_string(x))
					problem(v, sub, NUL_MESSAGE);
				else if (!cJSON_IsString(x))
					problem(v, sub, "must be a subscriber ID string, not %s", json_kind(x));
				else if (recipient_add_exclude(r, x->valuestring) != NC_OK)
					v->nomem = 1;
			}
		} else {
			problem(v, field, "unknown key %s in a topic; "
			        "a topic has type, topicKey and exclude",
			        quoted(k->string, q, sizeof(q)));
		}
	}
}

static void
take_subscriber(struct vctx *v, const char *field, const cJSON *obj,
                struct nc_recipient *r)
{
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
		{ "subscriberId", offsetof(struct nc_recipient, id) },
		{ "firstName", offsetof(struct nc_recipient, first_name) },
		{ "lastName", offsetof(struct nc_recipient, last_name) },
		{ "email", offsetof(struct nc_recipient, email) },
		{ "phone", offsetof(struct nc_recipient, phone) },
		{ "avatar", offsetof(struct nc_recipient, avatar) },
		{ "locale", offsetof(struct nc_recipient, locale) },
		{ "timezone", offsetof(struct nc_recipient, timezone) },
	};
	char sub[128], q[QUOTE_MAX * 6 + 8];
	const cJSON *k;
	size_t i;

	r->kind = NC_RCPT_SUBSCRIBER;
	cJSON_ArrayForEach(k, obj) {
		snprintf(sub, sizeof(sub), "%s.%s", field, k->string);
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			if (strcmp(k->string, strs[i].key) == 0)
				break;
		if (i < sizeof(strs) / sizeof(strs[0]))
			take_string(v, sub, k, (char **)(void *)((char *)r + strs[i].off));
		else if (strcmp(k->string, "data") == 0)
			take_object_text(v, sub, k, &r->data_json);
		else if (strcmp(k->string, "type") == 0)
			continue;
		else if (strcmp(k->string, "channels") == 0)
			take_json_text(v, sub, k, cJSON_Array, &r->channels_json);
		else
			problem(v, field, "unknown key %s in a subscriber; allowed: subscriberId, "
			        "firstName, lastName, email, phone, avatar, locale, timezone, data, "
			        "channels",
			        quoted(k->string, q, sizeof(q)));
	}
}

/* One `to` entry (string or object) appended to ev. */
static void
take_recipient(struct vctx *v, const char *field, const cJSON *val,
               struct nc_event *ev)
{
	struct nc_recipient r;
	const char *type;

	memset(&r, 0, sizeof(r));
	if (json_is_nul_string(val)) {
		problem(v, field, "subscriber ID " NUL_MESSAGE);
		return;
	}
	if (cJSON_IsString(val)) {
		r.kind = NC_RCPT_SUBSCRIBER_ID;
		r.id = val->valuestring; /* borrowed; copied by event_add_recipient */
		if (event_add_recipient(ev, &r) != NC_OK)
			v->nomem = 1;
		return;
	}
	if (json_is_number(val)) {
		problem(v, field, "subscriber ID must be a string — write it in quotes");
		return;
	}
	if (!cJSON_IsObject(val)) {
		problem(v, field, "must be a subscriber ID, a subscriber object or a topic, not %s",
		        json_kind(val));
		return;
	}
	type = json_str(val, "type");
	if ((type != NULL && strcmp(type, "Topic") == 0) ||
	    (type == NULL && cJSON_HasObjectItem(val, "topicKey")))
		take_topic(v, field, val, &r);
	else if (type == NULL || strcmp(type, "Subscriber") == 0)
		take_subscriber(v, field, val, &r);
	else {
		char sub[128];

		snprintf(sub, sizeof(sub), "%s.type", field);
		problem(v, sub, "must be \"Topic\" or \"Subscriber\"");
	}
	if (event_add_recipient(ev, &r) != NC_OK)
		v->nomem = 1;
	recipient_clear(&r);
}

static void
take_to(struct vctx *v, const cJSON *val, struct nc_event *ev)
{
	char field[48];
	const cJSON *item;
	size_t i = 0;

	if (cJSON_IsNull(val))
		return;
	if (!cJSON_IsArray(val)) {
		take_recipient(v, "to", val, ev);
		return;
	}
	ev->to_empty_ok = cJSON_GetArraySize(val) == 0;
	cJSON_ArrayForEach(item, val) {
		snprintf(field, sizeof(field), "to[%zu]", i++);
		take_recipient(v, field, item, ev);
	}
}

/* actor / tenant: a string, or an object kept as its JSON text (checked
 * by event_validate, sent as typed). */
static void
take_id_or_object(struct vctx *v, const char *field, const cJSON *val, char **slot)
{
	if (cJSON_IsObject(val))
		take_object_text(v, field, val, slot);
	else
		take_string(v, field, val, slot);
}

static void
take_workflow(struct vctx *v, const cJSON *val, struct nc_event *ev)
{
	char q[QUOTE_MAX * 6 + 8];

	if (cJSON_IsString(val) && is_set(ev->workflow) &&
	    strcmp(ev->workflow, val->valuestring) != 0) {
		problem(v, "name", "\"name\" and \"workflowId\" differ (%s) — keep one",
		        quoted(val->valuestring, q, sizeof(q)));
		return;
	}
	take_string(v, "name", val, &ev->workflow);
}

static void
take_member(struct vctx *v, const cJSON *k, struct nc_event *ev)
{
	const char *key = k->string;

	if (strcmp(key, "name") == 0 || strcmp(key, "workflowId") == 0)
		take_workflow(v, k, ev);
	else if (strcmp(key, "to") == 0)
		take_to(v, k, ev);
	else if (strcmp(key, "payload") == 0)
		take_object_text(v, "payload", k, &ev->payload_json);
	else if (strcmp(key, "overrides") == 0)
		take_object_text(v, "overrides", k, &ev->overrides_json);
	else if (strcmp(key, "context") == 0)
		take_object_text(v, "context", k, &ev->context_json);
	else if (strcmp(key, "transactionId") == 0)
		take_string(v, "transactionId", k, &ev->transaction_id);
	else if (strcmp(key, "actor") == 0)
		take_id_or_object(v, "actor", k, &ev->actor);
	else if (strcmp(key, "tenant") == 0)
		take_id_or_object(v, "tenant", k, &ev->tenant);
	else if (strcmp(key, "bridgeUrl") == 0)
		problem(v, key, "not supported by novu-console — remove it");
	else
		problem(v, key, "unknown field; an event has " NC_EVENT_KEYS_TEXT);
}

int
event_is_wire_key(const char *key)
{
	static const char *const keys[] = {
		"name", "workflowId", "to", "payload", "overrides", "transactionId",
		"actor", "tenant", "context",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

/* ev is treated as fresh storage; on failure it is left empty. */
enum nc_status
event_from_json(struct nc_event *ev, const cJSON *obj, const char *prefix,
                struct nc_error *err)
{
	struct vctx v = { err, prefix != NULL ? prefix : "", 0, 0 };
	const cJSON *k;

	event_init(ev);
	if (!cJSON_IsObject(obj)) {
		problem(&v, "", "must be an event object {...}, not %s", json_kind(obj));
		return NC_E_INVALID;
	}
	cJSON_ArrayForEach(k, obj)
		take_member(&v, k, ev);
	if (v.nomem) {
		event_clear(ev);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory reading the event");
	}
	if (v.bad) {
		event_clear(ev);
		return NC_E_INVALID;
	}
	return NC_OK;
}

/* ---- bulk planning and summaries ----------------------------------------- */

size_t
bulk_plan_count(size_t n)
{
	return n / NC_MAX_BULK_EVENTS + (n % NC_MAX_BULK_EVENTS != 0);
}

void
bulk_plan_range(size_t n, size_t i, size_t *start, size_t *count)
{
	size_t s = i < bulk_plan_count(n) ? i * NC_MAX_BULK_EVENTS : n;
	size_t c = n - s < NC_MAX_BULK_EVENTS ? n - s : NC_MAX_BULK_EVENTS;

	if (start != NULL)
		*start = s;
	if (count != NULL)
		*count = c;
}

/* Cut b to fit max-1 bytes on a UTF-8 boundary, ending in "..." when
 * anything was dropped. */
static void
fit_summary(struct textbuf *b, size_t max)
{
	size_t keep;

	if (b->data == NULL || b->len + 1 <= max)
		return;
	keep = max - 1;
	if (keep >= 3)
		keep -= 3;
	while (keep > 0 && ((unsigned char)b->data[keep] & 0xc0) == 0x80)
		keep--;
	b->len = keep;
	b->data[keep] = '\0';
	if (max - 1 - keep >= 3)
		textbuf_puts(b, "...");
}

char *
event_recipients_summary(const struct nc_event *ev, size_t max)
{
	struct textbuf b = TEXTBUF_INIT(0);
	size_t i, shown = 0, more = 0, topics = 0, more_topics = 0;

	if (max == 0)
		return NULL;
	/* Subscribers first (two by name, then a count), topics after. */
	for (i = 0; i < ev->nto; i++) {
		const struct nc_recipient *r = &ev->to[i];

		if (r->kind == NC_RCPT_TOPIC)
			continue;
		if (shown == 2) {
			more++;
			continue;
		}
		textbuf_printf(&b, "%s%s", shown > 0 ? ", " : "",
		               is_set(r->id) ? r->id : "(empty)");
		shown++;
	}
	if (more > 0)
		textbuf_printf(&b, " +%zu", more);
	for (i = 0; i < ev->nto; i++) {
		const struct nc_recipient *r = &ev->to[i];

		if (r->kind != NC_RCPT_TOPIC)
			continue;
		if (topics == 2) {
			more_topics++;
			continue;
		}
		textbuf_printf(&b, "%stopic %s", b.len > 0 ? ", " : "",
		               is_set(r->id) ? r->id : "(empty)");
		topics++;
	}
	if (more_topics > 0)
		textbuf_printf(&b, " +%zu topics", more_topics);
	fit_summary(&b, max);
	return textbuf_steal(&b);
}
