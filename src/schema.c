/* schema.c - recursive validation with AJV-like messages. */
#include "schema.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 32

struct walk {
	cJSON *errs;
	int depth;
};

static void validate_node(struct walk *w, const cJSON *schema, const cJSON *inst,
                          const char *field, const char *spath);

static void
add_error(struct walk *w, const char *field, const char *message, const cJSON *value,
          const char *spath)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "field", *field ? field : "payload");
	cJSON_AddStringToObject(e, "message", message);
	if (value)
		cJSON_AddItemToObject(e, "value", cJSON_Duplicate(value, 1));
	cJSON_AddStringToObject(e, "schemaPath", spath);
	cJSON_AddItemToArray(w->errs, e);
}

static void
join_field(char *out, size_t cap, const char *base, const char *name)
{
	if (*base)
		snprintf(out, cap, "%s.%s", base, name);
	else
		snprintf(out, cap, "%s", name);
}

static int
type_matches(const char *type, const cJSON *v)
{
	if (strcmp(type, "object") == 0)
		return cJSON_IsObject(v);
	if (strcmp(type, "array") == 0)
		return cJSON_IsArray(v);
	if (strcmp(type, "string") == 0)
		return cJSON_IsString(v);
	if (strcmp(type, "number") == 0)
		return cJSON_IsNumber(v);
	if (strcmp(type, "integer") == 0)
		return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
	if (strcmp(type, "boolean") == 0)
		return cJSON_IsBool(v);
	if (strcmp(type, "null") == 0)
		return cJSON_IsNull(v);
	return 1; /* unknown type names do not constrain */
}

/* 1 if the type keyword (string or array of strings) accepts v. */
static int
check_type(struct walk *w, const cJSON *type, const cJSON *v, const char *field,
           const char *spath)
{
	char msg[160] = "must be ", sp[512];
	const cJSON *t;
	int ok = 0, first = 1;

	if (cJSON_IsString(type)) {
		ok = type_matches(type->valuestring, v);
		strncat(msg, type->valuestring, sizeof(msg) - strlen(msg) - 1);
	} else if (cJSON_IsArray(type)) {
		cJSON_ArrayForEach(t, type) {
			if (!cJSON_IsString(t))
				continue;
			ok |= type_matches(t->valuestring, v);
			if (!first)
				strncat(msg, ",", sizeof(msg) - strlen(msg) - 1);
			strncat(msg, t->valuestring, sizeof(msg) - strlen(msg) - 1);
			first = 0;
		}
	} else {
		return 1;
	}
	if (!ok) {
		snprintf(sp, sizeof(sp), "%s/type", spath);
		add_error(w, field, msg, v, sp);
	}
	return ok;
}

/* Number of UTF-8 code points, as JSON Schema counts string length. */
static size_t
utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
check_string(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
             const char *spath)
{
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(schema, "minLength");
	const cJSON *max = cJSON_GetObjectItemCaseSensitive(schema, "maxLength");
	const cJSON *pat = cJSON_GetObjectItemCaseSensitive(schema, "pattern");
	size_t len = utf8_length(v->valuestring);
	char msg[600], sp[512];
	regex_t re;

	if (cJSON_IsNumber(min) && (double)len < min->valuedouble) {
		snprintf(msg, sizeof(msg), "must NOT have fewer than %d characters", min->valueint);
		snprintf(sp, sizeof(sp), "%s/minLength", spath);
		add_error(w, field, msg, v, sp);
	}
	if (cJSON_IsNumber(max) && (double)len > max->valuedouble) {
		snprintf(msg, sizeof(msg), "must NOT have more than %d characters", max->valueint);
		snprintf(sp, sizeof(sp), "%s/maxLength", spath);
		add_error(w, field, msg, v, sp);
	}
	if (cJSON_IsString(pat) && regcomp(&re, pat->valuestring, REG_EXTENDED | REG_NOSUB) == 0) {
		if (regexec(&re, v->valuestring, 0, NULL, 0) != 0) {
			snprintf(msg, sizeof(msg), "must match pattern \"%.500s\"", pat->valuestring);
			snprintf(sp, sizeof(sp), "%s/pattern", spath);
			add_error(w, field, msg, v, sp);
		}
		regfree(&re);
	}
}

static void
check_bound(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
            const char *spath, const char *kw, const char *op)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(schema, kw);
	double x = v->valuedouble;
	char msg[96], sp[512];
	int bad;

	if (!cJSON_IsNumber(b))
		return;
	if (strcmp(op, ">=") == 0)
		bad = !(x >= b->valuedouble);
	else if (strcmp(op, "<=") == 0)
		bad = !(x <= b->valuedouble);
	else if (strcmp(op, ">") == 0)
		bad = !(x > b->valuedouble);
	else
		bad = !(x < b->valuedouble);
	if (!bad)
		return;
	snprintf(msg, sizeof(msg), "must be %s %.15g", op, b->valuedouble);
	snprintf(sp, sizeof(sp), "%s/%s", spath, kw);
	add_error(w, field, msg, v, sp);
}

static void
check_object(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
             const char *spath)
{
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
	const cJSON *it, *member;
	char sub_field[512], sp[512], msg[320];

	cJSON_ArrayForEach(it, req) {
		if (!cJSON_IsString(it) || cJSON_GetObjectItemCaseSensitive(v, it->valuestring))
			continue;
		join_field(sub_field, sizeof(sub_field), field, it->valuestring);
		snprintf(msg, sizeof(msg), "must have required property '%.256s'", it->valuestring);
		snprintf(sp, sizeof(sp), "%s/required", spath);
		add_error(w, sub_field, msg, v, sp);
	}
	cJSON_ArrayForEach(member, v) {
		const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, member->string);

		join_field(sub_field, sizeof(sub_field), field, member->string);
		if (ps) {
			snprintf(sp, sizeof(sp), "%s/properties/%s", spath, member->string);
			validate_node(w, ps, member, sub_field, sp);
		} else if (cJSON_IsFalse(extra)) {
			snprintf(sp, sizeof(sp), "%s/additionalProperties", spath);
			add_error(w, sub_field, "must NOT have additional properties", member, sp);
		}
	}
}

static void
check_array(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
            const char *spath)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(schema, "minItems");
	const cJSON *max = cJSON_GetObjectItemCaseSensitive(schema, "maxItems");
	int n = cJSON_GetArraySize(v), i = 0;
	char sub_field[512], sp[512], idx[16], msg[96];
	const cJSON *el;

	if (cJSON_IsNumber(min) && (double)n < min->valuedouble) {
		snprintf(msg, sizeof(msg), "must NOT have fewer than %d items", min->valueint);
		snprintf(sp, sizeof(sp), "%s/minItems", spath);
		add_error(w, field, msg, v, sp);
	}
	if (cJSON_IsNumber(max) && (double)n > max->valuedouble) {
		snprintf(msg, sizeof(msg), "must NOT have more than %d items", max->valueint);
		snprintf(sp, sizeof(sp), "%s/maxItems", spath);
		add_error(w, field, msg, v, sp);
	}
	if (!cJSON_IsObject(items))
		return;
	snprintf(sp, sizeof(sp), "%s/items", spath);
	cJSON_ArrayForEach(el, v) {
		snprintf(idx, sizeof(idx), "%d", i++);
		join_field(sub_field, sizeof(sub_field), field, idx);
		validate_node(w, items, el, sub_field, sp);
	}
}

static void
validate_node(struct walk *w, const cJSON *schema, const cJSON *inst, const char *field,
              const char *spath)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
	const cJSON *cn = cJSON_GetObjectItemCaseSensitive(schema, "const");
	const cJSON *it;
	char sp[512];
	int found = 0;

	if (!cJSON_IsObject(schema) || w->depth >= MAX_DEPTH)
		return;
	if (type && !check_type(w, type, inst, field, spath))
		return;
	if (cJSON_IsArray(en)) {
		cJSON_ArrayForEach(it, en)
			found |= cJSON_Compare(it, inst, 1);
		if (!found) {
			snprintf(sp, sizeof(sp), "%s/enum", spath);
			add_error(w, field, "must be equal to one of the allowed values", inst, sp);
		}
	}
	if (cn && !cJSON_Compare(cn, inst, 1)) {
		snprintf(sp, sizeof(sp), "%s/const", spath);
		add_error(w, field, "must be equal to constant", inst, sp);
	}
	w->depth++;
	if (cJSON_IsString(inst)) {
		check_string(w, schema, inst, field, spath);
	} else if (cJSON_IsNumber(inst)) {
		check_bound(w, schema, inst, field, spath, "minimum", ">=");
		check_bound(w, schema, inst, field, spath, "maximum", "<=");
		check_bound(w, schema, inst, field, spath, "exclusiveMinimum", ">");
		check_bound(w, schema, inst, field, spath, "exclusiveMaximum", "<");
	} else if (cJSON_IsObject(inst)) {
		check_object(w, schema, inst, field, spath);
	} else if (cJSON_IsArray(inst)) {
		check_array(w, schema, inst, field, spath);
	}
	w->depth--;
}

void
schema_validate(const cJSON *schema, const cJSON *instance, cJSON *errs)
{
	struct walk w = { errs, 0 };

	validate_node(&w, schema, instance, "", "#");
}
