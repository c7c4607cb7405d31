/* jsonedit.c - a scanner that knows where each value's bytes are, and
 * splices. The document is checked with the strict parser first, so the
 * scanner only has to find boundaries, not judge them. */
#include "jsonedit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonutil.h"

#define MAX_DEPTH 200

/* One member or item of a container. */
struct elem {
	size_t start;       /* the key's quote (objects) or the value */
	size_t key_end;     /* after the key's closing quote (objects) */
	struct json_span value;
};

/* Where a path led. */
struct located {
	struct json_span value;    /* found: the value */
	struct json_span parent;   /* the container holding it (or that lacks it) */
	size_t missing_step;       /* which step was missing (JE_MISSING) */
	int has_elem;
	size_t nelems;             /* elements in parent */
	size_t elem_index;         /* the found element's position in parent */
};

static size_t
skip_ws(const char *s, size_t p)
{
	while (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')
		p++;
	return p;
}

static size_t
string_end(const char *s, size_t p)
{
	for (p++; s[p] && s[p] != '"'; p++)
		if (s[p] == '\\' && s[p + 1])
			p++;
	return s[p] ? p + 1 : p;
}

static size_t value_end(const char *s, size_t p, int depth);

static size_t
container_end(const char *s, size_t p, int depth)
{
	char close = s[p] == '{' ? '}' : ']';

	p = skip_ws(s, p + 1);
	while (s[p] && s[p] != close) {
		if (s[p] == ',' || s[p] == ':')
			p = skip_ws(s, p + 1);
		else
			p = skip_ws(s, value_end(s, p, depth + 1));
	}
	return s[p] ? p + 1 : p;
}

/* End of the value starting at p (the text already parsed). */
static size_t
value_end(const char *s, size_t p, int depth)
{
	if (depth > MAX_DEPTH)
		return strlen(s);
	if (s[p] == '"')
		return string_end(s, p);
	if (s[p] == '{' || s[p] == '[')
		return container_end(s, p, depth);
	while (s[p] && (isalnum((unsigned char)s[p]) || s[p] == '-' || s[p] == '+' || s[p] == '.'))
		p++;
	return p;
}

/* Fill e with the element starting at p in a container of kind open;
 * returns the position after it. */
static size_t
scan_elem(const char *s, size_t p, char open, struct elem *e)
{
	e->start = p;
	e->key_end = p;
	if (open == '{') {
		e->key_end = string_end(s, p);
		p = skip_ws(s, e->key_end);
		p = skip_ws(s, p + 1);   /* the ':' */
	}
	e->value.start = p;
	e->value.end = value_end(s, p, 0);
	return skip_ws(s, e->value.end);
}

/* The elements of the container at span c; *n gets their count. Caller
 * frees. NULL with *n 0 for an empty container (or no memory: *n -1). */
static struct elem *
elements(const char *s, struct json_span c, size_t *n)
{
	struct elem *v = NULL, *grown;
	size_t cap = 0, p = skip_ws(s, c.start + 1);
	char open = s[c.start];

	*n = 0;
	while (p < c.end - 1 && s[p] != '}' && s[p] != ']') {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				free(v);
				*n = (size_t)-1;
				return NULL;
			}
			v = grown;
		}
		p = scan_elem(s, p, open, &v[*n]);
		(*n)++;
		if (s[p] == ',')
			p = skip_ws(s, p + 1);
	}
	return v;
}

/* Next step of ptr (decoded, caller frees) and where the one after starts. */
static char *
next_step(const char **ptr)
{
	const char *p = *ptr + 1, *end = strchr(p, '/');
	size_t len = end ? (size_t)(end - p) : strlen(p), i, o = 0;
	char *step = malloc(len + 1);

	if (!step)
		return NULL;
	for (i = 0; i < len; i++) {
		if (p[i] == '~' && i + 1 < len && (p[i + 1] == '0' || p[i + 1] == '1')) {
			step[o++] = p[i + 1] == '0' ? '~' : '/';
			i++;
		} else {
			step[o++] = p[i];
		}
	}
	step[o] = '\0';
	*ptr = p + len;
	return step;
}

static int
key_equals(const char *s, const struct elem *e, const char *step)
{
	cJSON *k = cJSON_ParseWithLength(s + e->start, e->key_end - e->start);
	int eq = cJSON_IsString(k) && strcmp(k->valuestring, step) == 0;

	cJSON_Delete(k);
	return eq;
}

/* Array index step: digits without a leading zero. -1 when not one. */
static long
index_step(const char *step)
{
	const char *p;

	if (!*step || (step[0] == '0' && step[1]) || strlen(step) > 9)
		return -1;
	for (p = step; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	return strtol(step, NULL, 10);
}

/* Find the element named by step in container c. */
static enum jsonedit_status
find_in(const char *s, struct located *at, const char *step)
{
	struct elem *v;
	size_t n, i;
	long idx = -1;

	if (s[at->parent.start] != '{' && s[at->parent.start] != '[')
		return JE_BAD_PATH;
	if (s[at->parent.start] == '[' && (idx = index_step(step)) < 0)
		return JE_BAD_PATH;
	v = elements(s, at->parent, &n);
	if (n == (size_t)-1)
		return JE_NOMEM;
	at->nelems = n;
	for (i = 0; i < n; i++) {
		if (idx >= 0 ? (long)i == idx : key_equals(s, &v[i], step)) {
			at->value = v[i].value;
			at->elem_index = i;
			at->has_elem = 1;
			free(v);
			return JE_OK;
		}
	}
	free(v);
	return JE_MISSING;
}

static enum jsonedit_status
locate(const char *s, const char *ptr, struct located *at)
{
	enum jsonedit_status st = JE_OK;
	size_t start = skip_ws(s, 0);

	memset(at, 0, sizeof(*at));
	at->value.start = start;
	at->value.end = value_end(s, start, 0);
	if (*ptr && *ptr != '/')
		return JE_BAD_PATH;
	while (*ptr) {
		char *step = next_step(&ptr);

		if (!step)
			return JE_NOMEM;
		at->parent = at->value;
		st = find_in(s, at, step);
		free(step);
		if (st != JE_OK)
			return st;
		at->missing_step++;
	}
	return JE_OK;
}

static int
parses(const char *text)
{
	size_t off;
	cJSON *root = json_parse_explain(text, strlen(text), &off, NULL, 0);

	cJSON_Delete(root);
	return root != NULL;
}

static int
blank(const char *s)
{
	return !s || s[skip_ws(s, 0)] == '\0';
}

enum jsonedit_status
jsonedit_find(const char *text, const char *ptr, struct json_span *out)
{
	struct located at;
	enum jsonedit_status st;

	if (blank(text))
		text = "{}";
	if (!parses(text))
		return JE_BAD_JSON;
	st = locate(text, ptr, &at);
	if (st == JE_OK)
		*out = at.value;
	return st;
}

/* text with [from, to) replaced by the concatenation of parts (NULL-ended). */
static char *
splice(const char *text, size_t from, size_t to, const char *const *parts)
{
	size_t len = strlen(text), add = 0, i, o;
	char *out;

	for (i = 0; parts[i]; i++)
		add += strlen(parts[i]);
	out = malloc(len - (to - from) + add + 1);
	if (!out)
		return NULL;
	memcpy(out, text, from);
	o = from;
	for (i = 0; parts[i]; i++) {
		memcpy(out + o, parts[i], strlen(parts[i]));
		o += strlen(parts[i]);
	}
	memcpy(out + o, text + to, len - to + 1);
	return out;
}

static char *
quoted(const char *key)
{
	cJSON *k = cJSON_CreateString(key);
	char *q = k ? cJSON_PrintUnformatted(k) : NULL;

	cJSON_Delete(k);
	return q;
}

/* The rest of the path from step `from` on, wrapped around value as nested
 * objects: "/a/b" with 1 -> {"a": {"b": 1}} (for missing parents). */
static char *
wrap_missing(const char *rest, const char *value)
{
	const char *p = rest;
	char *step, *key, *inner, *out;
	size_t len;

	if (!*p)
		return strdup(value);
	step = next_step(&p);
	inner = step ? wrap_missing(p, value) : NULL;
	key = step ? quoted(step) : NULL;
	free(step);
	if (!inner || !key) {
		free(inner);
		free(key);
		return NULL;
	}
	len = strlen(key) + strlen(inner) + 5;
	out = malloc(len);
	if (out)
		snprintf(out, len, "{%s: %s}", key, inner);
	free(key);
	free(inner);
	return out;
}

/* The pointer's steps from number `skip` on. */
static const char *
steps_from(const char *ptr, size_t skip)
{
	while (skip-- && *ptr) {
		ptr = strchr(ptr + 1, '/');
		if (!ptr)
			return "";
	}
	return ptr;
}

/* Add `member` (a key-value or an item, as text) to the container at c,
 * after its last element in that element's style. */
static char *
append_elem(const char *s, struct json_span c, const char *key, const char *value)
{
	struct elem *v;
	size_t n, sep_start;
	char *out = NULL, *indent, *colon = NULL;

	v = elements(s, c, &n);
	if (n == (size_t)-1)
		return NULL;
	if (n == 0) {
		const char *parts[] = { key ? key : "", key ? ": " : "", value, NULL };

		return splice(s, c.start + 1, c.end - 1, parts);
	}
	/* The blanks between the separator before the last element and it. */
	sep_start = n > 1 ? v[n - 2].value.end : c.start + 1;
	while (s[sep_start] != ',' && sep_start > c.start + 1 && sep_start < v[n - 1].start)
		sep_start++;
	if (s[sep_start] == ',')
		sep_start++;
	indent = strndup(s + sep_start, v[n - 1].start - sep_start);
	if (key)
		colon = strndup(s + v[n - 1].key_end, v[n - 1].value.start - v[n - 1].key_end);
	/* A lone member on the brace's line has no separator to copy: follow
	 * its ": " (a space after the comma too) or its ":" (none). */
	if (n == 1 && indent && !strchr(indent, '\n') && colon && strchr(colon, ' ')) {
		free(indent);
		indent = strdup(" ");
	}
	if (indent && (!key || colon)) {
		const char *parts[] = { ",", indent, key ? key : "", key ? colon : "", value, NULL };

		out = splice(s, v[n - 1].value.end, v[n - 1].value.end, parts);
	}
	free(indent);
	free(colon);
	free(v);
	return out;
}

static enum jsonedit_status
insert_missing(const char *text, const char *ptr, struct located *at, const char *value,
               char **out)
{
	const char *rest = steps_from(ptr, at->missing_step);
	const char *after = rest;
	char *step, *key = NULL, *inner;

	step = next_step(&after);
	if (!step)
		return JE_NOMEM;
	inner = wrap_missing(after, value);
	if (text[at->parent.start] == '[') {
		/* Only the index just past the end appends. */
		if (index_step(step) != (long)at->nelems || *after) {
			free(step);
			free(inner);
			return JE_MISSING;
		}
	} else {
		key = quoted(step);
	}
	free(step);
	if (inner && (key || text[at->parent.start] == '['))
		*out = append_elem(text, at->parent, key, inner);
	free(key);
	free(inner);
	return *out ? JE_OK : JE_NOMEM;
}

enum jsonedit_status
jsonedit_set(const char *text, const char *ptr, const char *value, char **out)
{
	struct located at;
	enum jsonedit_status st;

	*out = NULL;
	if (blank(text))
		text = "{}";
	if (!parses(text) || !value || !parses(value))
		return JE_BAD_JSON;
	st = locate(text, ptr, &at);
	if (st == JE_OK) {
		const char *parts[] = { value, NULL };

		*out = splice(text, at.value.start, at.value.end, parts);
		return *out ? JE_OK : JE_NOMEM;
	}
	if (st != JE_MISSING)
		return st;
	return insert_missing(text, ptr, &at, value, out);
}

enum jsonedit_status
jsonedit_remove(const char *text, const char *ptr, char **out)
{
	static const char *const none[] = { NULL };
	struct located at;
	enum jsonedit_status st;
	struct elem *v;
	size_t n, k, from, to;

	*out = NULL;
	if (blank(text))
		text = "{}";
	if (!parses(text))
		return JE_BAD_JSON;
	if (!*ptr)
		return JE_BAD_PATH;
	st = locate(text, ptr, &at);
	if (st != JE_OK)
		return st;
	v = elements(text, at.parent, &n);
	if (n == (size_t)-1 || !v)
		return JE_NOMEM;
	k = at.elem_index;
	if (n == 1) {
		from = at.parent.start + 1;   /* the container becomes empty */
		to = at.parent.end - 1;
	} else if (k + 1 < n) {
		from = v[k].start;            /* the element, its comma, the blanks */
		to = v[k + 1].start;
	} else {
		from = v[k - 1].value.end;    /* the comma before the last one */
		to = v[k].value.end;
	}
	free(v);
	*out = splice(text, from, to, none);
	return *out ? JE_OK : JE_NOMEM;
}

char *
jsonptr_key(const char *ptr, const char *key)
{
	size_t len = strlen(ptr), i, o;
	char *out = malloc(len + 2 * strlen(key) + 2);

	if (!out)
		return NULL;
	memcpy(out, ptr, len);
	o = len;
	out[o++] = '/';
	for (i = 0; key[i]; i++) {
		if (key[i] == '~' || key[i] == '/') {
			out[o++] = '~';
			out[o++] = key[i] == '~' ? '0' : '1';
		} else {
			out[o++] = key[i];
		}
	}
	out[o] = '\0';
	return out;
}

char *
jsonptr_index(const char *ptr, size_t index)
{
	size_t len = strlen(ptr) + 24;
	char *out = malloc(len);

	if (out)
		snprintf(out, len, "%s/%zu", ptr, index);
	return out;
}

const char *
jsonedit_strerror(enum jsonedit_status st)
{
	switch (st) {
	case JE_OK:
		return "ok";
	case JE_MISSING:
		return "no such member or item";
	case JE_BAD_PATH:
		return "the path goes through a value that is not an object or array";
	case JE_BAD_JSON:
		return "not valid JSON";
	case JE_NOMEM:
		return "out of memory";
	}
	return "?";
}
