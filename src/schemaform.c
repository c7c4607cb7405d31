/* schemaform.c - walks the schema and the payload side by side into rows,
 * then hangs the validator's problems on the rows they name. */
#include "schemaform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonedit.h"
#include "jsonutil.h"
#include "schema.h"
#include "payloadcheck.h"

#define MAX_DEPTH 16

struct builder {
	struct sf_form *f;
	const char *payload;
	size_t cap;
	int oom;
};

static char *
dup_or_null(struct builder *b, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		b->oom = 1;
	return d;
}

static char *
print_or_null(struct builder *b, const cJSON *v)
{
	char *s;

	if (!v)
		return NULL;
	s = cJSON_PrintUnformatted(v);
	if (!s)
		b->oom = 1;
	return s;
}

/* "string", or "string|null" for a list of types, or "". */
static char *
type_text(struct builder *b, const cJSON *schema)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(schema, "type"), *it;
	char buf[128] = "";

	if (cJSON_IsString(t))
		return dup_or_null(b, t->valuestring);
	cJSON_ArrayForEach(it, t) {
		if (!cJSON_IsString(it))
			continue;
		if (*buf)
			strncat(buf, "|", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, it->valuestring, sizeof(buf) - strlen(buf) - 1);
	}
	return dup_or_null(b, buf);
}

static int
has_type(const char *type, const char *want)
{
	size_t n = strlen(want);
	const char *p;

	for (p = type; (p = strstr(p, want)) != NULL; p += n)
		if ((p == type || p[-1] == '|') && (p[n] == '\0' || p[n] == '|'))
			return 1;
	return 0;
}

/* What `add` appends to an array: the items' default, their first enum
 * value, or an empty value of their type. */
static char *
new_item_text(struct builder *b, const cJSON *items)
{
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(items, "default");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(items, "enum");
	const char *t = json_str(items, "type");

	if (def)
		return print_or_null(b, def);
	if (cJSON_GetArraySize(en) > 0)
		return print_or_null(b, cJSON_GetArrayItem(en, 0));
	if (!t || cJSON_GetObjectItemCaseSensitive(items, "properties"))
		t = cJSON_GetObjectItemCaseSensitive(items, "properties") ? "object" : "";
	if (strcmp(t, "object") == 0)
		return dup_or_null(b, "{}");
	if (strcmp(t, "array") == 0)
		return dup_or_null(b, "[]");
	if (strcmp(t, "string") == 0)
		return dup_or_null(b, "\"\"");
	if (strcmp(t, "number") == 0 || strcmp(t, "integer") == 0)
		return dup_or_null(b, "0");
	if (strcmp(t, "boolean") == 0)
		return dup_or_null(b, "false");
	return dup_or_null(b, "null");
}

static struct sf_row *
new_row(struct builder *b)
{
	struct sf_form *f = b->f;

	if (f->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct sf_row *rows = realloc(f->rows, cap * sizeof(*rows));

		if (!rows) {
			b->oom = 1;
			return NULL;
		}
		f->rows = rows;
		b->cap = cap;
	}
	memset(&f->rows[f->n], 0, sizeof(f->rows[0]));
	return &f->rows[f->n++];
}

static void
describe(struct builder *b, struct sf_row *r, const cJSON *schema)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(schema, "enum"), *it;

	r->type = type_text(b, schema);
	r->def = print_or_null(b, cJSON_GetObjectItemCaseSensitive(schema, "default"));
	r->format = dup_or_null(b, json_str(schema, "format"));
	r->description = dup_or_null(b, json_str(schema, "description"));
	if (cJSON_IsArray(en) && cJSON_GetArraySize(en) > 0) {
		r->enums = calloc((size_t)cJSON_GetArraySize(en), sizeof(char *));
		if (!r->enums) {
			b->oom = 1;
			return;
		}
		cJSON_ArrayForEach(it, en)
			r->enums[r->nenum++] = print_or_null(b, it);
	}
	if (r->type && !*r->type && cJSON_GetObjectItemCaseSensitive(schema, "properties")) {
		free(r->type);
		r->type = dup_or_null(b, "object");
	}
}

static void
value_bytes(struct builder *b, struct sf_row *r)
{
	struct json_span s;

	if (b->f->parse_error || jsonedit_find(b->payload, r->ptr, &s) != JE_OK)
		return;
	r->value = malloc(s.end - s.start + 1);
	if (!r->value) {
		b->oom = 1;
		return;
	}
	memcpy(r->value, b->payload + s.start, s.end - s.start);
	r->value[s.end - s.start] = '\0';
}

static char *
join_field(struct builder *b, const char *base, const char *name)
{
	size_t len = strlen(base) + strlen(name) + 2;
	char *out = malloc(len);

	if (!out) {
		b->oom = 1;
		return NULL;
	}
	snprintf(out, len, "%s%s%s", base, *base ? "." : "", name);
	return out;
}

static void add_children(struct builder *b, size_t at, const cJSON *schema, const cJSON *inst);

/* One row (and the rows below it) for a value named `name` under the row
 * parent (or the payload when parent is -1). */
static void
add_row(struct builder *b, long parent, const char *name, int is_item,
        const cJSON *schema, const cJSON *inst, int required)
{
	const char *pptr = parent >= 0 ? b->f->rows[parent].ptr : "";
	const char *pfield = parent >= 0 ? b->f->rows[parent].field : "";
	int depth = parent >= 0 ? b->f->rows[parent].depth + 1 : 0;
	struct sf_row *r = new_row(b);
	char label[32];

	if (!r || depth > MAX_DEPTH) {
		if (r)
			b->f->n--;
		return;
	}
	r->depth = depth;
	r->required = required;
	r->ptr = is_item ? jsonptr_index(pptr, (size_t)atol(name)) : jsonptr_key(pptr, name);
	r->field = join_field(b, pfield, name);
	snprintf(label, sizeof(label), "[%s]", name);
	r->label = dup_or_null(b, is_item ? label : name);
	if (!r->ptr || !r->field)
		b->oom = 1;
	r->flags = (is_item ? SF_ITEM : 0) | (schema ? 0 : SF_EXTRA);
	if (schema)
		describe(b, r, schema);
	else
		r->type = dup_or_null(b, "");
	value_bytes(b, r);
	if (!b->oom && schema)
		add_children(b, b->f->n - 1, schema, inst);
}

static int
in_required(const cJSON *schema, const char *key)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(schema, "required"))
		if (cJSON_IsString(it) && strcmp(it->valuestring, key) == 0)
			return 1;
	return 0;
}

static void
add_properties(struct builder *b, long at, const cJSON *schema, const cJSON *inst)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties"), *p, *m;

	cJSON_ArrayForEach(p, props)
		add_row(b, at, p->string, 0, p, cJSON_GetObjectItemCaseSensitive(inst, p->string),
		        in_required(schema, p->string));
	if (!cJSON_IsObject(inst))
		return;
	cJSON_ArrayForEach(m, inst)
		if (!cJSON_GetObjectItemCaseSensitive(props, m->string))
			add_row(b, at, m->string, 0, NULL, m, 0);
}

static void
add_items(struct builder *b, size_t at, const cJSON *schema, const cJSON *inst)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items"), *it;
	char idx[24];
	int i = 0;

	b->f->rows[at].flags |= SF_ARRAY;
	b->f->rows[at].new_item = new_item_text(b, cJSON_IsObject(items) ? items : NULL);
	cJSON_ArrayForEach(it, inst) {
		snprintf(idx, sizeof(idx), "%d", i++);
		add_row(b, (long)at, idx, 1, cJSON_IsObject(items) ? items : NULL, it, 0);
		if (b->oom)
			return;
		if (!cJSON_IsObject(items))
			b->f->rows[b->f->n - 1].flags &= ~SF_EXTRA;
	}
}

static void
add_children(struct builder *b, size_t at, const cJSON *schema, const cJSON *inst)
{
	const char *type = b->f->rows[at].type;

	if (has_type(type, "array") || (cJSON_IsArray(inst) &&
	    cJSON_GetObjectItemCaseSensitive(schema, "items"))) {
		add_items(b, at, schema, cJSON_IsArray(inst) ? inst : NULL);
	} else if (cJSON_GetObjectItemCaseSensitive(schema, "properties")) {
		b->f->rows[at].flags |= SF_OBJECT;
		add_properties(b, (long)at, schema, cJSON_IsObject(inst) ? inst : NULL);
	}
}

/* The row whose field is name, or the nearest row above it; -1 if none. */
static long
row_for_field(const struct sf_form *f, const char *name)
{
	char *n = strdup(name), *dot;
	long found = -1;
	size_t i;

	while (n && found < 0) {
		for (i = 0; i < f->n && found < 0; i++)
			if (strcmp(f->rows[i].field, n) == 0)
				found = (long)i;
		dot = strrchr(n, '.');
		if (!dot)
			break;
		*dot = '\0';
	}
	free(n);
	return found;
}

/* "field: text" when the row shows another field's problem (the nearest
 * row above a path the form has no row for), else text itself. */
static char *
problem_text(struct builder *b, long r, const char *field, const char *text)
{
	size_t len = strlen(text) + strlen(field) + 3;
	char *out;

	if (r >= 0 && strcmp(b->f->rows[r].field, field) == 0)
		return dup_or_null(b, text);
	out = malloc(len);
	if (!out)
		b->oom = 1;
	else
		snprintf(out, len, "%s: %s", field, text);
	return out;
}

/* The check's problems, each with its fix, onto the rows they name (the
 * nearest row above a path the form has no row for), or onto the form as
 * a whole. */
static void
attach_problems(struct builder *b, const struct nc_payload_check *pc)
{
	size_t i;

	for (i = 0; i < pc->n; i++) {
		const struct nc_payload_problem *pb = &pc->items[i];
		long r = row_for_field(b->f, pb->field);
		char **slot = r >= 0 ? &b->f->rows[r].problem : &b->f->root_problem;
		char **fix = r >= 0 ? &b->f->rows[r].fix : &b->f->root_fix;

		b->f->nproblems++;
		if (*slot)
			continue;
		*slot = problem_text(b, r, pb->field, pb->message);
		*fix = problem_text(b, r, pb->field, pb->fix);
	}
}

static void
parse_payload(struct builder *b, cJSON **inst)
{
	char what[128], buf[192];
	size_t off, len = strlen(b->payload);
	long line, col;

	*inst = json_parse_explain(b->payload, len, &off, what, sizeof(what));
	if (*inst)
		return;
	json_offset_to_linecol(b->payload, off, &line, &col);
	snprintf(buf, sizeof(buf), "invalid JSON at line %ld, column %ld: %s", line, col, what);
	b->f->parse_error = dup_or_null(b, buf);
}

int
schemaform_build(const char *schema_json, const char *payload, struct sf_form *out)
{
	struct builder b = { out, payload, 0, 0 };
	cJSON *schema, *inst = NULL;
	struct nc_payload_check pc;
	struct nc_error err = NC_ERROR_INIT;
	const char *p = payload ? payload : "";

	memset(out, 0, sizeof(*out));
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	b.payload = *p ? payload : "{}";
	schema = schema_json ? cJSON_Parse(schema_json) : NULL;
	if (!cJSON_IsObject(schema)) {
		cJSON_Delete(schema);
		return -1;
	}
	parse_payload(&b, &inst);
	add_properties(&b, -1, schema, inst);
	/* The one check the headless --check and the sandbox agree with. */
	if (inst) {
		if (payload_check_json(schema, inst, &pc, &err) == NC_OK)
			attach_problems(&b, &pc);
		else
			b.oom = 1;
		payload_check_clear(&pc);
		nc_error_clear(&err);
	}
	if (b.f->parse_error)
		b.f->nproblems++;
	cJSON_Delete(inst);
	cJSON_Delete(schema);
	if (b.oom) {
		schemaform_free(out);
		return -1;
	}
	return 0;
}

static void
row_free(struct sf_row *r)
{
	size_t i;

	free(r->ptr);
	free(r->field);
	free(r->label);
	free(r->type);
	for (i = 0; i < r->nenum; i++)
		free(r->enums[i]);
	free(r->enums);
	free(r->def);
	free(r->format);
	free(r->description);
	free(r->value);
	free(r->new_item);
	free(r->problem);
	free(r->fix);
}

void
schemaform_free(struct sf_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		row_free(&f->rows[i]);
	free(f->rows);
	free(f->root_problem);
	free(f->root_fix);
	free(f->parse_error);
	memset(f, 0, sizeof(*f));
}

long
schemaform_first_problem(const struct sf_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->rows[i].problem)
			return (long)i;
	return -1;
}

static int
is_json(const char *text)
{
	size_t off;
	cJSON *v = json_parse_explain(text, strlen(text), &off, NULL, 0);

	cJSON_Delete(v);
	return v != NULL;
}

char *
schemaform_value_for(const struct sf_row *r, const char *typed)
{
	cJSON *s;
	char *out;

	if (!typed || !*typed)
		return NULL;
	if (strcmp(r->type ? r->type : "", "string") != 0 && is_json(typed))
		return strdup(typed);
	s = cJSON_CreateString(typed);
	out = s ? cJSON_PrintUnformatted(s) : NULL;
	cJSON_Delete(s);
	return out;
}

char *
schemaform_edit_text(const struct sf_row *r)
{
	cJSON *v;
	char *out;

	if (!r->value)
		return strdup("");
	v = cJSON_Parse(r->value);
	out = strdup(cJSON_IsString(v) ? v->valuestring : r->value);
	cJSON_Delete(v);
	return out;
}

/* "field: text" for row r's problem or fix. */
static char *
row_text(const struct sf_row *r, const char *text)
{
	size_t len = strlen(r->field) + strlen(text) + 3;
	char *out = malloc(len);

	if (out)
		snprintf(out, len, "%s: %s", r->field, text);
	return out;
}

size_t
schemaform_check(const char *schema_json, const char *payload, char **first, char **fix)
{
	struct sf_form f;
	long r;
	size_t n;

	if (first)
		*first = NULL;
	if (fix)
		*fix = NULL;
	if (schemaform_build(schema_json, payload, &f) != 0)
		return 0;
	n = f.nproblems;
	r = schemaform_first_problem(&f);
	if (f.parse_error) {
		if (first)
			*first = strdup(f.parse_error);
	} else if (r >= 0) {
		if (first)
			*first = row_text(&f.rows[r], f.rows[r].problem);
		if (fix && f.rows[r].fix)
			*fix = row_text(&f.rows[r], f.rows[r].fix);
	} else if (f.root_problem) {
		if (first)
			*first = strdup(f.root_problem);
		if (fix && f.root_fix)
			*fix = strdup(f.root_fix);
	}
	schemaform_free(&f);
	return n;
}
