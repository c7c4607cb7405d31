/* payloadcheck.c - schema errors turned into problems with a fix each. */
#include "payloadcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "schema.h"
#include "textbuf.h"

/* The sub-schema a schemaPath ("#/properties/order/required") names,
 * without its last segment (the keyword): the schema that failed. */
static const cJSON *
failing_schema(const cJSON *root, const char *spath, char *keyword, size_t cap)
{
	char buf[512], *seg, *save = NULL, *next;
	const cJSON *s = root;

	snprintf(buf, sizeof(buf), "%s", spath);
	seg = strtok_r(buf, "/", &save);   /* "#" */
	seg = strtok_r(NULL, "/", &save);
	while (seg) {
		next = strtok_r(NULL, "/", &save);
		if (!next) {
			snprintf(keyword, cap, "%s", seg);
			return s;
		}
		s = cJSON_GetObjectItemCaseSensitive(s, seg);
		seg = next;
	}
	keyword[0] = '\0';
	return s;
}

/* "order.items.0" for "order.items.0.sku", "" at the top. */
static void
parent_of(const char *field, char *out, size_t cap)
{
	const char *dot = strrchr(field, '.');
	size_t n = dot ? (size_t)(dot - field) : 0;

	if (n >= cap)
		n = cap - 1;
	memcpy(out, field, n);
	out[n] = '\0';
}

/* Each value of arr as compact JSON, ", "-separated. */
static void
add_values(struct textbuf *b, const cJSON *arr)
{
	const cJSON *v;
	char *text;

	cJSON_ArrayForEach(v, arr) {
		text = json_print_compact(v);
		(void)textbuf_printf(b, "%s%s", v == arr->child ? "" : ", ", text ? text : "?");
		free(text);
	}
}

static void
fix_required(struct textbuf *b, const char *field)
{
	char parent[512];
	const char *name = strrchr(field, '.');

	parent_of(field, parent, sizeof(parent));
	(void)textbuf_printf(b, "add \"%s\" to %s", name ? name + 1 : field,
	                     *parent ? parent : "the payload");
}

static void
fix_additional(struct textbuf *b, const cJSON *s)
{
	const cJSON *p;

	(void)textbuf_printf(b, "remove it; the schema names only:");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "properties"))
		(void)textbuf_printf(b, " %s", p->string);
}

static void
fix_format(struct textbuf *b, const cJSON *s)
{
	cJSON *sample = schema_example(s);
	char *text = sample ? json_print_compact(sample) : NULL;

	(void)textbuf_printf(b, "write it like %s", text ? text : "the format says");
	free(text);
	cJSON_Delete(sample);
}

/* The bounds and the pattern: what a value within them looks like. */
static void
write_bound_fix(struct textbuf *b, const char *keyword, const cJSON *k)
{
	static const struct { const char *keyword, *before, *after; } bounds[] = {
		{ "minLength", "give at least ", " characters" },
		{ "maxLength", "give at most ", " characters" },
		{ "minimum", "use a number >= ", "" }, { "maximum", "use a number <= ", "" },
		{ "exclusiveMinimum", "use a number > ", "" },
		{ "exclusiveMaximum", "use a number < ", "" },
		{ "multipleOf", "use a multiple of ", "" },
		{ "minItems", "give at least ", " items" }, { "maxItems", "give at most ", " items" },
		{ "minProperties", "give at least ", " properties" },
		{ "maxProperties", "give at most ", " properties" },
	};
	size_t i;

	if (cJSON_IsString(k) && strcmp(keyword, "pattern") == 0) {
		(void)textbuf_printf(b, "write text that the pattern %s matches", k->valuestring);
		return;
	}
	for (i = 0; cJSON_IsNumber(k) && i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		if (strcmp(keyword, bounds[i].keyword) == 0) {
			(void)textbuf_printf(b, "%s%.15g%s", bounds[i].before, k->valuedouble,
			                     bounds[i].after);
			return;
		}
	}
	(void)textbuf_printf(b, "change the value to fit the schema (%s)", keyword);
}

/* What to change, from the failing keyword and its schema. */
static void
write_fix(struct textbuf *b, const char *keyword, const cJSON *s, const char *field,
          const char *message)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(s, keyword);

	if (strcmp(keyword, "required") == 0) {
		fix_required(b, field);
	} else if (strcmp(keyword, "additionalProperties") == 0) {
		fix_additional(b, s);
	} else if (strcmp(keyword, "type") == 0) {
		const char *types = message + strlen("must be ");

		(void)textbuf_printf(b, "give %s %s", cJSON_IsArray(k) ? "one of"
		                     : strchr("aeiou", types[0]) ? "an" : "a", types);
	} else if (strcmp(keyword, "enum") == 0) {
		(void)textbuf_printf(b, "use one of: ");
		add_values(b, k);
	} else if (strcmp(keyword, "const") == 0) {
		char *text = json_print_compact(k);

		(void)textbuf_printf(b, "use %s", text ? text : "the constant");
		free(text);
	} else if (strcmp(keyword, "format") == 0) {
		fix_format(b, s);
	} else if (strcmp(keyword, "uniqueItems") == 0) {
		(void)textbuf_printf(b, "remove the repeated item");
	} else {
		write_bound_fix(b, keyword, k);
	}
}

static enum nc_status
add_problem(struct nc_payload_check *out, const cJSON *schema, const cJSON *e)
{
	const char *field = json_str(e, "field"), *message = json_str(e, "message");
	const char *spath = json_str(e, "schemaPath");
	struct nc_payload_problem *p = &out->items[out->n];
	struct textbuf fix = TEXTBUF_INIT(0);
	char keyword[64];
	const cJSON *s = failing_schema(schema, spath ? spath : "#", keyword, sizeof(keyword));

	write_fix(&fix, keyword, s, field ? field : "payload", message ? message : "");
	p->field = strdup(field ? field : "payload");
	p->message = strdup(message ? message : "");
	p->schema_path = strdup(spath ? spath : "#");
	p->fix = fix.data ? fix.data : strdup("");
	out->n++;
	if (!p->field || !p->message || !p->schema_path || !p->fix)
		return NC_E_NOMEM;
	return NC_OK;
}

enum nc_status
payload_check_json(const cJSON *schema, const cJSON *payload, struct nc_payload_check *out,
                   struct nc_error *err)
{
	cJSON *errs;
	const cJSON *e;
	enum nc_status st = NC_OK;

	memset(out, 0, sizeof(*out));
	if (!schema)
		return NC_OK;
	errs = cJSON_CreateArray();
	if (!errs)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	schema_validate(schema, payload, errs);
	if (errs->child) {
		out->items = calloc((size_t)cJSON_GetArraySize(errs), sizeof(*out->items));
		if (!out->items)
			st = NC_E_NOMEM;
	}
	cJSON_ArrayForEach(e, errs)
		if (!st)
			st = add_problem(out, schema, e);
	cJSON_Delete(errs);
	if (st) {
		payload_check_clear(out);
		return nc_error_set(err, st, NULL, "out of memory");
	}
	return NC_OK;
}

static int
blank(const char *s)
{
	return !s || !*(s + strspn(s, " \t\r\n"));
}

enum nc_status
payload_check(const cJSON *schema, const char *payload_text, struct nc_payload_check *out,
              struct nc_error *err)
{
	cJSON *payload;
	enum nc_status st;

	memset(out, 0, sizeof(*out));
	/* Novu checks a missing payload as {} (the controller's `|| {}`). */
	payload = blank(payload_text) ? cJSON_CreateObject()
	          : json_parse_field(payload_text, strlen(payload_text), "payload", 1, err);
	if (!payload)
		return blank(payload_text) ? nc_error_set(err, NC_E_NOMEM, NULL, "out of memory")
		                           : NC_E_INVALID;
	st = payload_check_json(schema, payload, out, err);
	cJSON_Delete(payload);
	return st;
}

void
payload_check_clear(struct nc_payload_check *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->items[i].field);
		free(c->items[i].message);
		free(c->items[i].fix);
		free(c->items[i].schema_path);
	}
	free(c->items);
	memset(c, 0, sizeof(*c));
}
