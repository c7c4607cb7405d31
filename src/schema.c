/* schema.c - recursive validation with AJV's messages and keyword order. */
#include "schema.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct walk {
	cJSON *errs;
	int depth;
};

static void validate_node(struct walk *w, const cJSON *schema, const cJSON *inst,
                          const char *field, const char *spath);

static const cJSON *
kw(const cJSON *schema, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(schema, name);
}

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

/* An error whose schemaPath is spath/keyword. */
static void
keyword_error(struct walk *w, const char *field, const char *message, const cJSON *value,
              const char *spath, const char *keyword)
{
	char sp[512];

	snprintf(sp, sizeof(sp), "%s/%s", spath, keyword);
	add_error(w, field, message, value, sp);
}

static void
join_field(char *out, size_t cap, const char *base, const char *name)
{
	if (*base)
		snprintf(out, cap, "%s.%s", base, name);
	else
		snprintf(out, cap, "%s", name);
}

/* ---- type ---- */

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
	char msg[160] = "must be ";
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
	if (!ok)
		keyword_error(w, field, msg, v, spath, "type");
	return ok;
}

/* The keywords AJV groups under each data type; a type with none of them
 * in the schema is checked before const and enum, one with some after. */
static int
has_rules_for(const cJSON *schema, const char *type)
{
	static const char *const number[] = { "maximum", "minimum", "exclusiveMaximum",
		"exclusiveMinimum", "multipleOf", "format", NULL };
	static const char *const string[] = { "maxLength", "minLength", "pattern", "format", NULL };
	static const char *const array[] = { "maxItems", "minItems", "uniqueItems", "items", NULL };
	static const char *const object[] = { "maxProperties", "minProperties", "required",
		"additionalProperties", "properties", NULL };
	const char *const *k = strcmp(type, "number") == 0 ? number
	                       : strcmp(type, "string") == 0 ? string
	                       : strcmp(type, "array") == 0 ? array
	                       : strcmp(type, "object") == 0 ? object : NULL;

	for (; k && *k; k++)
		if (kw(schema, *k))
			return 1;
	return 0;
}

static int
type_checked_late(const cJSON *schema, const cJSON *type)
{
	return cJSON_IsString(type) && has_rules_for(schema, type->valuestring);
}

static void
check_const_enum(struct walk *w, const cJSON *schema, const cJSON *inst, const char *field,
                 const char *spath)
{
	const cJSON *en = kw(schema, "enum"), *cn = kw(schema, "const"), *it;
	int found = 0;

	if (cn && !cJSON_Compare(cn, inst, 1))
		keyword_error(w, field, "must be equal to constant", inst, spath, "const");
	if (!cJSON_IsArray(en))
		return;
	cJSON_ArrayForEach(it, en)
		found |= cJSON_Compare(it, inst, 1);
	if (!found)
		keyword_error(w, field, "must be equal to one of the allowed values", inst, spath,
		              "enum");
}

/* ---- formats (ajv-formats, full mode) ---- */

static int
digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
number_at(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

	return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD, a day that exists (RFC 3339 full-date). len: bytes of s. */
static int
date_ok(const char *s, size_t len)
{
	int month, day;

	if (len != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return 0;
	month = number_at(s + 5, 2);
	day = number_at(s + 8, 2);
	return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(number_at(s, 4), month);
}

/* Z, or +HH, +HHMM, +HH:MM (and -); *minutes east of UTC. */
static int
zone_ok(const char *z, int *minutes)
{
	int sign, h, m = 0;

	if ((z[0] == 'z' || z[0] == 'Z') && !z[1]) {
		*minutes = 0;
		return 1;
	}
	if ((z[0] != '+' && z[0] != '-') || !digits(z + 1, 2))
		return 0;
	sign = z[0] == '-' ? -1 : 1;
	h = number_at(z + 1, 2);
	z += 3;
	if (*z == ':')
		z++;
	if (*z) {
		if (!digits(z, 2) || z[2])
			return 0;
		m = number_at(z, 2);
	}
	*minutes = sign * (h * 60 + m);
	return h <= 23 && m <= 59;
}

/* HH:MM:SS[.frac] and a zone, which ajv-formats 3 requires of "time" as of
 * "date-time". 23:59:60 UTC (a leap second) passes. */
static int
time_ok(const char *s)
{
	int h, m, sec, zone, utc;
	const char *p = s + 8;

	if (!digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' || !digits(s + 6, 2))
		return 0;
	h = number_at(s, 2);
	m = number_at(s + 3, 2);
	sec = number_at(s + 6, 2);
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (!zone_ok(p, &zone))
		return 0;
	if (h <= 23 && m <= 59 && sec <= 59)
		return 1;
	utc = ((h * 60 + m - zone) % 1440 + 1440) % 1440;
	return sec == 60 && h <= 23 && m <= 59 && utc == 23 * 60 + 59;
}

static int
date_time_ok(const char *s)
{
	const char *sep = s + 10;

	if (strlen(s) < 11 || (*sep != 'T' && *sep != 't' && *sep != ' '))
		return 0;
	return date_ok(s, 10) && time_ok(sep + 1);
}

static int
is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* One or more dot-separated runs of atext (RFC 5322 dot-atom), s[0..n). */
static int
email_local_ok(const char *s, size_t n)
{
	size_t i;
	int run = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!run)
				return 0;
			run = 0;
		} else if (is_alnum_lower(s[i]) || strchr("!#$%&'*+/=?^_`{|}~-", s[i])) {
			run++;
		} else {
			return 0;
		}
	}
	return run > 0;
}

/* Two or more dot-separated labels of letters, digits and inner hyphens. */
static int
email_domain_ok(const char *s)
{
	int labels = 0, len = 0;
	char prev = '.';

	for (; ; s++) {
		if (*s == '.' || !*s) {
			if (!len || prev == '-')
				return 0;
			labels++;
			len = 0;
			if (!*s)
				break;
		} else if (is_alnum_lower(*s) || (*s == '-' && len > 0)) {
			len++;
		} else {
			return 0;
		}
		prev = *s;
	}
	return labels >= 2;
}

static int
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at && email_local_ok(s, (size_t)(at - s)) && email_domain_ok(at + 1);
}

static int
uri_char_ok(const char *p)
{
	if (*p == '%')
		return strchr("0123456789abcdefABCDEF", p[1]) && p[1] &&
		       strchr("0123456789abcdefABCDEF", p[2]) && p[2];
	return is_alnum_lower(*p) || strchr("-._~!$&'()*+,;=:@/?#[]", *p);
}

/* The authority after "//": [userinfo@]host[:port], port in digits. */
static int
uri_authority_ok(const char *a, size_t n)
{
	const char *host = memchr(a, '@', n), *colon;

	host = host ? host + 1 : a;
	n -= (size_t)(host - a);
	if (n && *host == '[')   /* an IP literal: its own colons */
		return memchr(host, ']', n) != NULL;
	colon = memchr(host, ':', n);
	if (!colon)
		return 1;
	for (colon++; colon < host + n; colon++)
		if (*colon < '0' || *colon > '9')
			return 0;
	return 1;
}

/* An absolute URI (RFC 3986): scheme ":" then only URI characters or
 * %-escapes; after "//" an authority whose port is numeric. */
static int
uri_ok(const char *s)
{
	const char *p = s, *rest;
	size_t alen;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while (is_alnum_lower(*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':')
		return 0;
	rest = ++p;
	for (; *p; p += *p == '%' ? 3 : 1)
		if (!uri_char_ok(p))
			return 0;
	if (strncmp(rest, "//", 2) != 0)
		return 1;
	alen = strcspn(rest + 2, "/?#");
	return uri_authority_ok(rest + 2, alen);
}

int
schema_format_ok(const char *format, const char *text)
{
	if (strcmp(format, "date-time") == 0)
		return date_time_ok(text);
	if (strcmp(format, "date") == 0)
		return date_ok(text, strlen(text));
	if (strcmp(format, "time") == 0)
		return time_ok(text);
	if (strcmp(format, "email") == 0)
		return email_ok(text);
	if (strcmp(format, "uri") == 0)
		return uri_ok(text);
	return 1;
}

/* ---- numbers ---- */

static void
check_bound(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
            const char *spath, const char *name, const char *op)
{
	const cJSON *b = kw(schema, name);
	double x = v->valuedouble;
	char msg[96];
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
	keyword_error(w, field, msg, v, spath, name);
}

/* AJV's test: the quotient is a whole number. */
static void
check_multiple_of(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
                  const char *spath)
{
	const cJSON *m = kw(schema, "multipleOf");
	double q;
	char msg[96];

	if (!cJSON_IsNumber(m) || m->valuedouble <= 0)
		return;
	q = v->valuedouble / m->valuedouble;
	if (q == trunc(q))
		return;
	snprintf(msg, sizeof(msg), "must be multiple of %.15g", m->valuedouble);
	keyword_error(w, field, msg, v, spath, "multipleOf");
}

static void
check_number(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
             const char *spath)
{
	check_bound(w, schema, v, field, spath, "maximum", "<=");
	check_bound(w, schema, v, field, spath, "minimum", ">=");
	check_bound(w, schema, v, field, spath, "exclusiveMaximum", "<");
	check_bound(w, schema, v, field, spath, "exclusiveMinimum", ">");
	check_multiple_of(w, schema, v, field, spath);
}

/* ---- strings ---- */

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

/* "must NOT have fewer|more than N <unit>" when count is out of
 * [min, max] (either keyword may be absent). */
static void
check_count(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
            const char *spath, double count, const char *kw_max, const char *kw_min,
            const char *unit)
{
	const cJSON *max = kw(schema, kw_max), *min = kw(schema, kw_min);
	char msg[96];

	if (cJSON_IsNumber(max) && count > max->valuedouble) {
		snprintf(msg, sizeof(msg), "must NOT have more than %.15g %s", max->valuedouble, unit);
		keyword_error(w, field, msg, v, spath, kw_max);
	}
	if (cJSON_IsNumber(min) && count < min->valuedouble) {
		snprintf(msg, sizeof(msg), "must NOT have fewer than %.15g %s", min->valuedouble, unit);
		keyword_error(w, field, msg, v, spath, kw_min);
	}
}

static void
check_string(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
             const char *spath)
{
	const cJSON *pat = kw(schema, "pattern"), *fmt = kw(schema, "format");
	char msg[600];
	regex_t re;

	check_count(w, schema, v, field, spath, (double)utf8_length(v->valuestring), "maxLength",
	            "minLength", "characters");
	if (cJSON_IsString(pat) && regcomp(&re, pat->valuestring, REG_EXTENDED | REG_NOSUB) == 0) {
		if (regexec(&re, v->valuestring, 0, NULL, 0) != 0) {
			snprintf(msg, sizeof(msg), "must match pattern \"%.500s\"", pat->valuestring);
			keyword_error(w, field, msg, v, spath, "pattern");
		}
		regfree(&re);
	}
	if (cJSON_IsString(fmt) && !schema_format_ok(fmt->valuestring, v->valuestring)) {
		snprintf(msg, sizeof(msg), "must match format \"%.500s\"", fmt->valuestring);
		keyword_error(w, field, msg, v, spath, "format");
	}
}

/* ---- objects ---- */

/* v with the defaults of its missing properties added (AJV's useDefaults
 * fills them before checking the object), as references: deleting the
 * view leaves v and the schema alone. v itself when nothing is missing. */
static const cJSON *
with_defaults(const cJSON *props, const cJSON *v, cJSON **view)
{
	cJSON *p, *def, *m;

	*view = NULL;
	cJSON_ArrayForEach(p, props) {
		def = cJSON_GetObjectItemCaseSensitive(p, "default");
		if (!def || cJSON_GetObjectItemCaseSensitive(v, p->string))
			continue;
		if (!*view) {
			*view = cJSON_CreateObject();
			if (!*view)
				return v;
			cJSON_ArrayForEach(m, v)
				cJSON_AddItemReferenceToObject(*view, m->string, m);
		}
		cJSON_AddItemReferenceToObject(*view, p->string, def);
	}
	return *view ? *view : v;
}

static void
check_required(struct walk *w, const cJSON *schema, const cJSON *v, const cJSON *orig,
               const char *field, const char *spath)
{
	const cJSON *it;
	char sub_field[512], msg[320];

	cJSON_ArrayForEach(it, kw(schema, "required")) {
		if (!cJSON_IsString(it) || cJSON_GetObjectItemCaseSensitive(v, it->valuestring))
			continue;
		join_field(sub_field, sizeof(sub_field), field, it->valuestring);
		snprintf(msg, sizeof(msg), "must have required property '%.256s'", it->valuestring);
		keyword_error(w, sub_field, msg, orig, spath, "required");
	}
}

/* Members the schema does not name: refused by `false`, checked against
 * a schema otherwise. */
static void
check_additional(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
                 const char *spath)
{
	const cJSON *extra = kw(schema, "additionalProperties"), *props = kw(schema, "properties");
	const cJSON *member;
	char sub_field[512], sp[512];

	if (!cJSON_IsFalse(extra) && !cJSON_IsObject(extra))
		return;
	snprintf(sp, sizeof(sp), "%s/additionalProperties", spath);
	cJSON_ArrayForEach(member, v) {
		if (cJSON_GetObjectItemCaseSensitive(props, member->string))
			continue;
		join_field(sub_field, sizeof(sub_field), field, member->string);
		if (cJSON_IsFalse(extra))
			add_error(w, sub_field, "must NOT have additional properties", member, sp);
		else
			validate_node(w, extra, member, sub_field, sp);
	}
}

/* Each named property the object has, in the schema's order. */
static void
check_properties(struct walk *w, const cJSON *props, const cJSON *v, const char *field,
                 const char *spath)
{
	const cJSON *ps, *member;
	char sub_field[512], sp[512];

	cJSON_ArrayForEach(ps, props) {
		member = cJSON_GetObjectItemCaseSensitive(v, ps->string);
		if (!member)
			continue;
		join_field(sub_field, sizeof(sub_field), field, ps->string);
		snprintf(sp, sizeof(sp), "%s/properties/%s", spath, ps->string);
		validate_node(w, ps, member, sub_field, sp);
	}
}

static void
check_object(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
             const char *spath)
{
	const cJSON *props = kw(schema, "properties");
	cJSON *view;
	const cJSON *full = with_defaults(props, v, &view);

	check_count(w, schema, v, field, spath, (double)cJSON_GetArraySize(full), "maxProperties",
	            "minProperties", "properties");
	check_required(w, schema, full, v, field, spath);
	check_additional(w, schema, full, field, spath);
	check_properties(w, props, full, field, spath);
	cJSON_Delete(view);
}

/* ---- arrays ---- */

static int
scalar_items(const cJSON *schema)
{
	const cJSON *type = kw(kw(schema, "items"), "type"), *t;

	if (cJSON_IsString(type))
		return strcmp(type->valuestring, "object") != 0 &&
		       strcmp(type->valuestring, "array") != 0;
	if (!cJSON_IsArray(type) || !type->child)
		return 0;
	cJSON_ArrayForEach(t, type)
		if (!cJSON_IsString(t) || strcmp(t->valuestring, "object") == 0 ||
		    strcmp(t->valuestring, "array") == 0)
			return 0;
	return 1;
}

struct indexed {
	const cJSON *item;
	int index;
};

/* Scalars by kind, then value: equal ones end up next to each other. */
static int
scalar_cmp(const void *a, const void *b)
{
	const cJSON *x = ((const struct indexed *)a)->item, *y = ((const struct indexed *)b)->item;
	int kx = x->type & 0xff, ky = y->type & 0xff;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (cJSON_IsNumber(x))
		return x->valuedouble < y->valuedouble ? -1 : x->valuedouble > y->valuedouble;
	if (cJSON_IsString(x))
		return strcmp(x->valuestring, y->valuestring);
	return 0;
}

/* 1 when the type keyword t (string or array) accepts v. */
static int
types_accept(const cJSON *t, const cJSON *v)
{
	const cJSON *e;

	if (cJSON_IsString(t))
		return type_matches(t->valuestring, v);
	cJSON_ArrayForEach(e, t)
		if (cJSON_IsString(e) && type_matches(e->valuestring, v))
			return 1;
	return 0;
}

/* Scalar items, as AJV's hash finds them: items of another type are
 * skipped; scanning from the last item down, the first whose value was
 * seen later on. Among runs of equal values that is the run whose
 * second-highest index is highest; j is that run's highest index. */
static int
scalar_duplicate(const cJSON *v, const cJSON *type, int *pi, int *pj)
{
	struct indexed *e = malloc((size_t)cJSON_GetArraySize(v) * sizeof(*e) + 1);
	const cJSON *el;
	int n = 0, k, run, hi, second, best = -1, idx = 0;

	if (!e)
		return 0;
	cJSON_ArrayForEach(el, v) {
		if (types_accept(type, el))
			e[n++] = (struct indexed){ el, idx };
		idx++;
	}
	qsort(e, (size_t)n, sizeof(*e), scalar_cmp);
	for (k = 0; k < n; k = run) {
		/* Sorting is not stable: the run's two highest indices, found by hand. */
		for (hi = second = -1, run = k; run < n && scalar_cmp(&e[k], &e[run]) == 0; run++) {
			second = e[run].index > hi ? hi : e[run].index > second ? e[run].index : second;
			hi = e[run].index > hi ? e[run].index : hi;
		}
		if (second > best) {
			best = second;
			*pi = second;
			*pj = hi;
		}
	}
	free(e);
	return best >= 0;
}

/* Other items: from the last down, the first equal to one before it (j < i). */
static int
general_duplicate(const cJSON *v, int *pi, int *pj)
{
	int n = cJSON_GetArraySize(v), i, j, k = 0;
	const cJSON **items = malloc((size_t)n * sizeof(*items) + 1);
	const cJSON *el;

	if (!items)
		return 0;
	cJSON_ArrayForEach(el, v)
		items[k++] = el;
	for (i = n - 1; i >= 0; i--)
		for (j = i - 1; j >= 0; j--)
			if (cJSON_Compare(items[i], items[j], 1)) {
				*pi = i;
				*pj = j;
				free(items);
				return 1;
			}
	free(items);
	return 0;
}

/* The pair AJV names in its message: its scalar path (the items' type is
 * scalar) hashes, so j > i; its general path compares each item with the
 * ones before it, so j < i. */
static int
find_duplicate(const cJSON *schema, const cJSON *v, int *pi, int *pj)
{
	return scalar_items(schema)
	       ? scalar_duplicate(v, kw(kw(schema, "items"), "type"), pi, pj)
	       : general_duplicate(v, pi, pj);
}

static void
check_unique(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
             const char *spath)
{
	char msg[128];
	int i, j;

	if (!cJSON_IsTrue(kw(schema, "uniqueItems")) ||
	    !find_duplicate(schema, v, &i, &j))
		return;
	snprintf(msg, sizeof(msg), "must NOT have duplicate items (items ## %d and %d are identical)",
	         j, i);
	keyword_error(w, field, msg, v, spath, "uniqueItems");
}

static void
check_array(struct walk *w, const cJSON *schema, const cJSON *v, const char *field,
            const char *spath)
{
	const cJSON *items = kw(schema, "items"), *el;
	char sub_field[512], sp[512], idx[16];
	int i = 0;

	check_count(w, schema, v, field, spath, (double)cJSON_GetArraySize(v), "maxItems",
	            "minItems", "items");
	check_unique(w, schema, v, field, spath);
	if (!cJSON_IsObject(items))
		return;
	snprintf(sp, sizeof(sp), "%s/items", spath);
	cJSON_ArrayForEach(el, v) {
		snprintf(idx, sizeof(idx), "%d", i++);
		join_field(sub_field, sizeof(sub_field), field, idx);
		validate_node(w, items, el, sub_field, sp);
	}
}

/* AJV's order: a type without keywords of its own is checked first; then
 * const and enum; then a type with keywords of its own; then the keywords
 * of the instance's type. */
static void
validate_node(struct walk *w, const cJSON *schema, const cJSON *inst, const char *field,
              const char *spath)
{
	const cJSON *type = kw(schema, "type");
	int late, ok = 1;

	if (!cJSON_IsObject(schema) || w->depth >= MAX_DEPTH)
		return;
	late = type_checked_late(schema, type);
	if (type && !late)
		ok = check_type(w, type, inst, field, spath);
	check_const_enum(w, schema, inst, field, spath);
	if (type && late)
		ok = check_type(w, type, inst, field, spath);
	if (!ok)
		return;
	w->depth++;
	if (cJSON_IsString(inst))
		check_string(w, schema, inst, field, spath);
	else if (cJSON_IsNumber(inst))
		check_number(w, schema, inst, field, spath);
	else if (cJSON_IsObject(inst))
		check_object(w, schema, inst, field, spath);
	else if (cJSON_IsArray(inst))
		check_array(w, schema, inst, field, spath);
	w->depth--;
}

void
schema_validate(const cJSON *schema, const cJSON *instance, cJSON *errs)
{
	struct walk w = { errs, 0 };

	validate_node(&w, schema, instance, "", "#");
}

/* ---- examples ---- */

static cJSON *example_node(const cJSON *schema, int depth);

static const char *
first_type(const cJSON *schema)
{
	const cJSON *type = kw(schema, "type"), *t;

	if (cJSON_IsString(type))
		return type->valuestring;
	cJSON_ArrayForEach(t, type)
		if (cJSON_IsString(t) && strcmp(t->valuestring, "null") != 0)
			return t->valuestring;
	if (kw(schema, "properties"))
		return "object";
	if (kw(schema, "items"))
		return "array";
	return "string";
}

/* A value the schema itself gives: default, const, enum[0], examples[0]. */
static const cJSON *
given_value(const cJSON *schema)
{
	const cJSON *v = kw(schema, "default");

	if (!v)
		v = kw(schema, "const");
	if (!v && cJSON_IsArray(kw(schema, "enum")))
		v = kw(schema, "enum")->child;
	if (!v && cJSON_IsArray(kw(schema, "examples")))
		v = kw(schema, "examples")->child;
	return v;
}

static cJSON *
example_string(const cJSON *schema)
{
	static const struct { const char *format, *sample; } samples[] = {
		{ "date-time", "2026-01-15T09:30:00Z" }, { "date", "2026-01-15" },
		{ "time", "09:30:00Z" }, { "email", "jane.doe@example.com" },
		{ "uri", "https://example.com" },
	};
	const cJSON *fmt = kw(schema, "format"), *min = kw(schema, "minLength");
	const cJSON *max = kw(schema, "maxLength");
	char text[64] = "text";
	size_t i, want;

	for (i = 0; cJSON_IsString(fmt) && i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strcmp(fmt->valuestring, samples[i].format) == 0)
			return cJSON_CreateString(samples[i].sample);
	/* Within the length bounds where they are small enough to show. */
	want = cJSON_IsNumber(min) && min->valuedouble > 4 ? (size_t)min->valuedouble : 4;
	if (cJSON_IsNumber(max) && max->valuedouble < (double)want)
		want = max->valuedouble > 0 ? (size_t)max->valuedouble : 0;
	if (want >= sizeof(text))
		want = sizeof(text) - 1;
	for (i = 4; i < want; i++)
		text[i] = 'x';
	text[want] = '\0';
	return cJSON_CreateString(text);
}

/* The smallest whole number the bounds allow (0 when they allow it). */
static cJSON *
example_number(const cJSON *schema)
{
	const cJSON *min = kw(schema, "minimum"), *xmin = kw(schema, "exclusiveMinimum");
	const cJSON *max = kw(schema, "maximum"), *step = kw(schema, "multipleOf");
	double v = 0;

	if (cJSON_IsNumber(min) && v < min->valuedouble)
		v = ceil(min->valuedouble);
	if (cJSON_IsNumber(xmin) && v <= xmin->valuedouble)
		v = floor(xmin->valuedouble) + 1;
	if (cJSON_IsNumber(max) && v > max->valuedouble)
		v = floor(max->valuedouble);
	if (cJSON_IsNumber(step) && step->valuedouble > 0)
		v = ceil(v / step->valuedouble) * step->valuedouble;
	return cJSON_CreateNumber(v);
}

static cJSON *
example_object(const cJSON *schema, int depth)
{
	cJSON *o = cJSON_CreateObject(), *v;
	const cJSON *p;

	cJSON_ArrayForEach(p, kw(schema, "properties")) {
		v = example_node(p, depth + 1);
		if (!o || !v || !cJSON_AddItemToObject(o, p->string, v)) {
			cJSON_Delete(v);
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

/* As many items as minItems asks (one at least), each the items' example. */
static cJSON *
example_array(const cJSON *schema, int depth)
{
	const cJSON *items = kw(schema, "items"), *min = kw(schema, "minItems");
	int n = cJSON_IsNumber(min) && min->valueint > 1 ? min->valueint : 1, i;
	cJSON *a = cJSON_CreateArray(), *v;

	if (!cJSON_IsObject(items))
		return a;
	for (i = 0; a && i < n && i < 10; i++) {
		v = example_node(items, depth + 1);
		if (!v || !cJSON_AddItemToArray(a, v)) {
			cJSON_Delete(v);
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

static cJSON *
example_node(const cJSON *schema, int depth)
{
	const cJSON *given = given_value(schema);
	const char *type;

	if (given)
		return cJSON_Duplicate(given, 1);
	if (depth >= MAX_DEPTH)
		return cJSON_CreateNull();
	type = first_type(schema);
	if (strcmp(type, "object") == 0)
		return example_object(schema, depth);
	if (strcmp(type, "array") == 0)
		return example_array(schema, depth);
	if (strcmp(type, "number") == 0 || strcmp(type, "integer") == 0)
		return example_number(schema);
	if (strcmp(type, "boolean") == 0)
		return cJSON_CreateFalse();
	if (strcmp(type, "null") == 0)
		return cJSON_CreateNull();
	return example_string(schema);
}

cJSON *
schema_example(const cJSON *schema)
{
	return example_node(schema, 0);
}
