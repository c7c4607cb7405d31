/* jsonutil.c - cJSON helpers with errors a person can act on.
 *
 * cJSON reports only an offset on failure, and not always a helpful one (it
 * points one past the start of a bad string and clamps "ran out of text" to
 * the last byte). So when cJSON refuses a text we re-scan it with a small
 * grammar walker that knows what was expected where, and describe the
 * character found there. cJSON stays the only parser that builds trees; the
 * walker only explains, and when it sees nothing wrong (a cJSON-specific
 * limit) we fall back to cJSON's own offset.
 */
#include "jsonutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

#define JSON_MAX_DEPTH 1000  /* cJSON's CJSON_NESTING_LIMIT */

enum json_expect {
	X_VALUE,             /* start, after ':' or after ',' in an array */
	X_KEY_OR_CLOSE,      /* just after '{' */
	X_KEY,               /* after ',' in an object */
	X_COLON,             /* after a key */
	X_COMMA_OR_CLOSE_OBJ,
	X_VALUE_OR_CLOSE_ARR,/* just after '[' */
	X_COMMA_OR_CLOSE_ARR,
	X_END                /* the top-level value is complete */
};

static const char *const expect_text[] = {
	[X_VALUE] = "expected a value",
	[X_KEY_OR_CLOSE] = "expected a \"key\" or '}'",
	[X_KEY] = "expected a \"key\"",
	[X_COLON] = "expected ':' after the key",
	[X_COMMA_OR_CLOSE_OBJ] = "expected ',' or '}'",
	[X_VALUE_OR_CLOSE_ARR] = "expected a value or ']'",
	[X_COMMA_OR_CLOSE_ARR] = "expected ',' or ']'",
	[X_END] = "expected nothing more after the JSON value",
};

struct json_walk {
	const unsigned char *s;
	size_t len, pos;
	enum json_expect state;
	char stack[JSON_MAX_DEPTH]; /* '{' or '[' per open container */
	size_t depth;
	int after_comma;
	char *what;
	size_t what_size;
};

/* cJSON skips every byte <= 0x20 as whitespace; do the same so both agree
 * on where tokens start. */
static void
walk_skip_space(struct json_walk *w)
{
	while (w->pos < w->len && w->s[w->pos] <= 0x20)
		w->pos++;
}

static size_t
utf8_seq_len(const unsigned char *s, size_t avail)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* no overlong forms, no UTF-16 surrogates, nothing past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/* "'x'", "'tru'", "end of input", "control character 0x09", ... */
static void
describe_found(const unsigned char *s, size_t len, size_t pos,
               char *buf, size_t size)
{
	unsigned char c;
	size_t n;

	if (pos >= len) {
		snprintf(buf, size, "end of input");
		return;
	}
	c = s[pos];
	if (isalnum(c) || c == '_') {
		n = 0;
		while (pos + n < len && n < 24 &&
		       (isalnum(s[pos + n]) || s[pos + n] == '_' ||
		        s[pos + n] == '.' || s[pos + n] == '-'))
			n++;
		snprintf(buf, size, "'%.*s'", (int)n, (const char *)s + pos);
	} else if (c == '\'') {
		snprintf(buf, size, "a single quote (JSON strings use \")");
	} else if (c > 0x20 && c < 0x7f) {
		snprintf(buf, size, "'%c'", c);
	} else if (c < 0x80) {
		snprintf(buf, size, "control character 0x%02x", c);
	} else if ((n = utf8_seq_len(s + pos, len - pos)) == 0) {
		snprintf(buf, size, "byte 0x%02x (not UTF-8)", c);
	} else if (n == 3 && c == 0xe2 && s[pos + 1] == 0x80 &&
	           s[pos + 2] >= 0x98 && s[pos + 2] <= 0x9d) {
		/* U+2018..U+201D: pasted from a word processor. */
		snprintf(buf, size, "'%.3s' (a typographic quote; use plain \")",
		         (const char *)s + pos);
	} else {
		snprintf(buf, size, "'%.*s'", (int)n, (const char *)s + pos);
	}
}

static int
walk_fail(struct json_walk *w, size_t pos, const char *fmt_expect,
          const char *hint)
{
	char found[96];

	w->pos = pos;
	if (w->what_size == 0)
		return -1;
	describe_found(w->s, w->len, pos, found, sizeof(found));
	snprintf(w->what, w->what_size, "%s, found %s%s", fmt_expect, found,
	         hint != NULL ? hint : "");
	return -1;
}

static int
walk_fail_text(struct json_walk *w, size_t pos, const char *text)
{
	w->pos = pos;
	if (w->what_size > 0)
		snprintf(w->what, w->what_size, "%s", text);
	return -1;
}

static int
is_hex_digit(unsigned char c)
{
	return isxdigit(c) != 0;
}

static int
hex4_at(const struct json_walk *w, size_t i, unsigned *out)
{
	size_t k;
	unsigned v = 0;

	if (i + 4 > w->len)
		return -1;
	for (k = 0; k < 4; k++) {
		unsigned char c = w->s[i + k];

		if (!is_hex_digit(c))
			return -1;
		v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	*out = v;
	return 0;
}

/* \uXXXX at *i (the backslash); UTF-16 surrogates must come in pairs,
 * as cJSON insists. Advances *i past the escape(s). */
static int
walk_unicode_escape(struct json_walk *w, size_t *i)
{
	unsigned hi, lo;

	if (hex4_at(w, *i + 2, &hi) != 0)
		return walk_fail_text(w, *i,
		    "invalid \\u escape in a string (needs 4 hex digits)");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return walk_fail_text(w, *i,
		    "invalid \\u escape: a low surrogate without its high half");
	*i += 6;
	if (hi < 0xd800 || hi > 0xdbff)
		return 0;
	if (*i + 1 >= w->len || w->s[*i] != '\\' || w->s[*i + 1] != 'u' ||
	    hex4_at(w, *i + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
		return walk_fail_text(w, *i - 6,
		    "invalid \\u escape: a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)");
	*i += 6;
	return 0;
}

/* A string token starting at the opening quote. */
static int
walk_string(struct json_walk *w)
{
	size_t start = w->pos, i = w->pos + 1;

	while (i < w->len && w->s[i] != '"') {
		if (w->s[i] != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= w->len)
			break;
		switch (w->s[i + 1]) {
		case '"': case '\\': case '/': case 'b':
		case 'f': case 'n': case 'r': case 't':
			i += 2;
			break;
		case 'u':
			if (walk_unicode_escape(w, &i) != 0)
				return -1;
			break;
		default: {
			char msg[96];
			char found[48];

			describe_found(w->s, w->len, i + 1, found, sizeof(found));
			snprintf(msg, sizeof(msg),
			         "invalid escape in a string: backslash before %s", found);
			return walk_fail_text(w, i, msg);
		}
		}
	}
	if (i >= w->len)
		return walk_fail_text(w, start,
		    "a string starting here is never closed (missing '\"')");
	w->pos = i + 1;
	return 0;
}

/* Numbers as cJSON reads them (strtod on [-0-9.eE+]): at least one digit,
 * an exponent only when digits follow it. */
static int
walk_number(struct json_walk *w)
{
	size_t i = w->pos, digits = 0;

	if (w->s[i] == '-')
		i++;
	while (i < w->len && isdigit(w->s[i])) {
		i++;
		digits++;
	}
	if (i < w->len && w->s[i] == '.') {
		i++;
		while (i < w->len && isdigit(w->s[i])) {
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return walk_fail(w, w->pos, expect_text[X_VALUE], NULL);
	if (i < w->len && (w->s[i] == 'e' || w->s[i] == 'E')) {
		size_t j = i + 1;

		if (j < w->len && (w->s[j] == '+' || w->s[j] == '-'))
			j++;
		if (j < w->len && isdigit(w->s[j])) {
			while (j < w->len && isdigit(w->s[j]))
				j++;
			i = j;
		}
	}
	w->pos = i;
	return 0;
}

static int
walk_literal(struct json_walk *w)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t k;

	for (k = 0; k < sizeof(lits) / sizeof(lits[0]); k++) {
		size_t n = strlen(lits[k]);

		if (w->len - w->pos >= n &&
		    memcmp(w->s + w->pos, lits[k], n) == 0) {
			w->pos += n;
			return 0;
		}
	}
	return walk_fail(w, w->pos, expect_text[w->state],
	                 " (text values need double quotes)");
}

static void
walk_after_value(struct json_walk *w)
{
	if (w->depth == 0)
		w->state = X_END;
	else if (w->stack[w->depth - 1] == '{')
		w->state = X_COMMA_OR_CLOSE_OBJ;
	else
		w->state = X_COMMA_OR_CLOSE_ARR;
}

static int
walk_open(struct json_walk *w, unsigned char c)
{
	if (w->depth >= JSON_MAX_DEPTH)
		return walk_fail_text(w, w->pos,
		    "nested deeper than 1000 levels");
	w->stack[w->depth++] = (char)c;
	w->pos++;
	w->state = c == '{' ? X_KEY_OR_CLOSE : X_VALUE_OR_CLOSE_ARR;
	return 0;
}

static int
walk_close(struct json_walk *w)
{
	w->depth--;
	w->pos++;
	walk_after_value(w);
	return 0;
}

static int
walk_value(struct json_walk *w)
{
	unsigned char c = w->s[w->pos];

	if (c == '{' || c == '[')
		return walk_open(w, c);
	if (c == '"') {
		if (walk_string(w) != 0)
			return -1;
		walk_after_value(w);
		return 0;
	}
	if (c == '-' || isdigit(c)) {
		if (walk_number(w) != 0)
			return -1;
		walk_after_value(w);
		return 0;
	}
	if (c == 't' || c == 'f' || c == 'n') {
		if (walk_literal(w) != 0)
			return -1;
		walk_after_value(w);
		return 0;
	}
	if ((c == ']' || c == '}') && w->after_comma)
		return walk_fail(w, w->pos, expect_text[w->state],
		                 " (remove the trailing comma)");
	if (isalpha(c))
		return walk_fail(w, w->pos, expect_text[w->state],
		                 " (text values need double quotes)");
	return walk_fail(w, w->pos, expect_text[w->state], NULL);
}

static int
walk_key(struct json_walk *w)
{
	unsigned char c = w->s[w->pos];

	if (c == '"') {
		if (walk_string(w) != 0)
			return -1;
		w->state = X_COLON;
		return 0;
	}
	if (c == '}' && w->after_comma)
		return walk_fail(w, w->pos, expect_text[w->state],
		                 " (remove the trailing comma)");
	if (isalpha(c) || c == '_')
		return walk_fail(w, w->pos, expect_text[w->state],
		                 " (keys need double quotes)");
	return walk_fail(w, w->pos, expect_text[w->state], NULL);
}

/* One token in the current state. */
static int
walk_step(struct json_walk *w)
{
	unsigned char c = w->s[w->pos];
	int comma = 0, r;

	if ((w->state == X_VALUE_OR_CLOSE_ARR && c == ']') ||
	    (w->state == X_KEY_OR_CLOSE && c == '}'))
		return walk_close(w);
	switch (w->state) {
	case X_VALUE_OR_CLOSE_ARR:
	case X_VALUE:
		r = walk_value(w);
		break;
	case X_KEY_OR_CLOSE:
	case X_KEY:
		r = walk_key(w);
		break;
	case X_COLON:
		if (c != ':')
			return walk_fail(w, w->pos, expect_text[w->state], NULL);
		w->pos++;
		w->state = X_VALUE;
		r = 0;
		break;
	case X_COMMA_OR_CLOSE_OBJ:
	case X_COMMA_OR_CLOSE_ARR:
		if (c == (w->state == X_COMMA_OR_CLOSE_OBJ ? '}' : ']'))
			return walk_close(w);
		if (c != ',')
			return walk_fail(w, w->pos, expect_text[w->state], NULL);
		w->pos++;
		w->state = w->state == X_COMMA_OR_CLOSE_OBJ ? X_KEY : X_VALUE;
		comma = 1;
		r = 0;
		break;
	case X_END:
	default:
		return walk_fail(w, w->pos, expect_text[X_END], NULL);
	}
	w->after_comma = comma;
	return r;
}

/* 0 if the walker finds the text well-formed, else -1 with *off / what. */
static int
json_walk_text(const unsigned char *s, size_t len, size_t *off,
               char *what, size_t what_size)
{
	struct json_walk *w;
	int r = 0;

	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		*off = 0;
		if (what_size > 0)
			snprintf(what, what_size, "out of memory");
		return -1;
	}
	w->s = s;
	w->len = len;
	w->what = what;
	w->what_size = what_size;
	w->state = X_VALUE;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		w->pos = 3;
	for (;;) {
		walk_skip_space(w);
		if (w->pos >= w->len) {
			if (w->state != X_END)
				r = walk_fail(w, w->len, expect_text[w->state], NULL);
			break;
		}
		if (walk_step(w) != 0) {
			r = -1;
			break;
		}
	}
	*off = w->pos;
	free(w);
	return r;
}

/* JSON text must be UTF-8 (RFC 8259) and cJSON does not check. */
size_t
utf8_first_invalid(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

static int
is_blank(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] > 0x20)
			return 0;
	return 1;
}

cJSON *
json_parse_explain(const char *text, size_t len, size_t *err_off,
                   char *what, size_t what_size)
{
	const char *end = NULL;
	char *copy;
	cJSON *root;
	size_t off, rest, bad;

	if (what_size > 0)
		what[0] = '\0';
	if (text == NULL || is_blank(text, len)) {
		*err_off = text == NULL ? 0 : len;
		if (what_size > 0)
			snprintf(what, what_size, "the text is empty; expected a JSON value");
		return NULL;
	}
	/* A private NUL-terminated copy: the caller's bytes need not end in
	 * NUL, and no cJSON read can then run past the buffer. */
	copy = malloc(len + 1);
	if (copy == NULL) {
		*err_off = 0;
		if (what_size > 0)
			snprintf(what, what_size, "out of memory");
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
	off = end != NULL && end >= copy ? (size_t)(end - copy) : 0;
	if (root != NULL) {
		for (rest = off; rest < len && (unsigned char)copy[rest] <= 0x20; rest++)
			;
		/* cJSON lets some malformed escapes through (it reads a bad
		 * \\u as U+0000); the walker is the stricter judge. */
		if (rest >= len && json_walk_text((const unsigned char *)copy, len,
		                                  err_off, what, what_size) != 0) {
			cJSON_Delete(root);
			free(copy);
			return NULL;
		}
		if (rest >= len && (bad = utf8_first_invalid(copy, len)) == len) {
			free(copy);
			return root;
		}
		if (rest >= len) {
			cJSON_Delete(root);
			free(copy);
			*err_off = bad;
			if (what_size > 0)
				snprintf(what, what_size,
				         "byte 0x%02x is not UTF-8 — save the text as UTF-8",
				         (unsigned char)text[bad]);
			return NULL;
		}
		cJSON_Delete(root);
		root = NULL;
	}
	if (json_walk_text((const unsigned char *)copy, len, err_off,
	                   what, what_size) == 0) {
		/* The walker saw nothing wrong (e.g. a bad surrogate pair):
		 * report where cJSON stopped. */
		char found[96];

		*err_off = off > len ? len : off;
		describe_found((const unsigned char *)copy, len, *err_off,
		               found, sizeof(found));
		if (what_size > 0)
			snprintf(what, what_size, "cannot be read here, found %s", found);
	}
	free(copy);
	return NULL;
}

void
json_offset_to_linecol(const char *text, size_t off, long *line, long *col)
{
	long l = 1, c = 1;
	size_t i;

	for (i = 0; i < off && text != NULL; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xc0) != 0x80) {
			/* continuation bytes belong to the previous character */
			c++;
		}
	}
	if (line != NULL)
		*line = l;
	if (col != NULL)
		*col = c;
}

const char *
json_kind(const cJSON *v)
{
	if (json_is_nul_string(v))
		return "a string";
	if (json_is_number(v))
		return "a number";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsBool(v))
		return "a boolean";
	return "null";
}

cJSON *
json_parse_field(const char *text, size_t len, const char *field,
                 int want_object, struct nc_error *err)
{
	char what[192];
	size_t off = 0;
	long line, col;
	cJSON *root;
	const char *name = field != NULL ? field : "JSON";

	root = json_parse_explain(text, len, &off, what, sizeof(what));
	if (root == NULL) {
		if (err == NULL)
			return NULL;
		json_offset_to_linecol(text, off, &line, &col);
		nc_error_set(err, NC_E_INVALID, name,
		             "%s: invalid JSON at line %ld, column %ld: %s",
		             name, line, col, what);
		if (err->nfields > 0) {
			err->fields[err->nfields - 1].line = line;
			err->fields[err->nfields - 1].column = col;
		}
		return NULL;
	}
	if (want_object && !cJSON_IsObject(root)) {
		nc_error_set(err, NC_E_INVALID, name,
		             "%s must be a JSON object {...}, not %s",
		             name, json_kind(root));
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

const cJSON *
json_unwrap_data(const cJSON *root)
{
	const cJSON *child;

	if (!cJSON_IsObject(root))
		return root;
	child = root->child;
	if (child != NULL && child->next == NULL && child->string != NULL &&
	    strcmp(child->string, "data") == 0)
		return child;
	return root;
}

const char *
json_str(const cJSON *obj, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(obj) || key == NULL)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double
json_num(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v;
	char *end;
	double d;

	if (!cJSON_IsObject(obj) || key == NULL)
		return dflt;
	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return dflt;
	/* Headers and some fields carry numbers as strings ("300"). */
	errno = 0;
	d = strtod(v->valuestring, &end);
	if (end == v->valuestring || errno == ERANGE || !isfinite(d))
		return dflt;
	while (isspace((unsigned char)*end))
		end++;
	return *end == '\0' ? d : dflt;
}

int
json_bool(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *v;

	if (!cJSON_IsObject(obj) || key == NULL)
		return dflt;
	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsFalse(v))
		return 0;
	return dflt;
}

char *
json_print_compact(const cJSON *item)
{
	if (item == NULL)
		return NULL;
	return cJSON_PrintUnformatted(item);
}

/* ---- tokens as typed ------------------------------------------------------
 *
 * cJSON keeps numbers as doubles, so printing a tree rewrites
 * 12345678901234567890 as 1.2345678901234567e+19 and 1e400 as null. The
 * functions below work on the text instead: once json_parse_explain has
 * accepted it, a token scanner copies every number and string exactly as
 * typed. */

struct json_tok {
	char kind;            /* one of {}[],: or '"' string, '0' number, 'l' literal */
	size_t start, end;    /* [start, end) in the text */
};

struct json_scan {
	const char *s;
	size_t len, pos;
};

/* The next token of text already known to be valid JSON; 0 at the end. */
static int
scan_next(struct json_scan *sc, struct json_tok *t)
{
	const char *s = sc->s;
	size_t i;

	while (sc->pos < sc->len && (unsigned char)s[sc->pos] <= 0x20)
		sc->pos++;
	if (sc->pos + 3 <= sc->len && memcmp(s + sc->pos, "\xef\xbb\xbf", 3) == 0 &&
	    sc->pos == 0)
		return (sc->pos = 3), scan_next(sc, t);
	if (sc->pos >= sc->len)
		return 0;
	i = sc->pos;
	t->start = i;
	if (strchr("{}[],:", s[i]) != NULL) {
		t->kind = s[i];
		i++;
	} else if (s[i] == '"') {
		t->kind = '"';
		for (i++; i < sc->len && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		i++;
	} else if (s[i] == '-' || isdigit((unsigned char)s[i])) {
		t->kind = '0';
		while (i < sc->len && strchr("+-.eE0123456789", s[i]) != NULL && s[i] != '\0')
			i++;
	} else {
		t->kind = 'l';
		while (i < sc->len && isalpha((unsigned char)s[i]))
			i++;
	}
	t->end = i;
	sc->pos = i;
	return 1;
}

/* Does the string token [start, end) hold a \u0000 escape? */
static int
string_token_has_nul(const char *s, size_t start, size_t end)
{
	size_t i;

	for (i = start + 1; i + 1 < end; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 6 <= end && memcmp(s + i + 2, "0000", 4) == 0)
			return 1;
		i++;
	}
	return 0;
}

/* Turn item into a cJSON_Raw holding the token's text. */
static int
make_raw(cJSON *item, const char *s, const struct json_tok *t)
{
	char *text = malloc(t->end - t->start + 1);

	if (text == NULL)
		return -1;
	memcpy(text, s + t->start, t->end - t->start);
	text[t->end - t->start] = '\0';
	if (cJSON_IsString(item))
		free(item->valuestring);
	item->valuestring = text;
	item->type = cJSON_Raw | (item->type & cJSON_StringIsConst);
	return 0;
}

/* Walk the tokens of one value alongside its parsed item (cJSON keeps
 * members in document order, so both visit the same values). */
static int
keep_value_text(struct json_scan *sc, cJSON *item)
{
	struct json_tok t;
	cJSON *child;
	char open;

	if (!scan_next(sc, &t))
		return -1;
	open = t.kind;
	if (t.kind == '0')
		return make_raw(item, sc->s, &t);
	if (t.kind == '"')
		return string_token_has_nul(sc->s, t.start, t.end) ? make_raw(item, sc->s, &t) : 0;
	if (t.kind != '{' && t.kind != '[')
		return 0;
	for (child = item->child; child != NULL; child = child->next) {
		if (open == '{' && !scan_next(sc, &t))
			return -1;      /* the key */
		if (open == '{' && string_token_has_nul(sc->s, t.start, t.end)) {
			/* cJSON cuts a key at its NUL: it could not go out as typed */
			sc->pos = t.start;
			return -2;
		}
		if (open == '{' && !scan_next(sc, &t))
			return -1;      /* its ':' */
		if (keep_value_text(sc, child) != 0 || !scan_next(sc, &t))
			return -1;      /* then ',' or the closing bracket */
	}
	if (item->child == NULL && !scan_next(sc, &t))
		return -1;
	return 0;
}

cJSON *
json_parse_typed(const char *text, size_t len, size_t *err_off,
                 char *what, size_t what_size)
{
	struct json_scan sc = { text, len, 0 };
	cJSON *root = json_parse_explain(text, len, err_off, what, what_size);

	int kept = root != NULL ? keep_value_text(&sc, root) : 0;

	if (kept != 0) {
		cJSON_Delete(root);
		*err_off = kept == -2 ? sc.pos : 0;
		if (what_size > 0)
			snprintf(what, what_size, "%s", kept == -2 ?
			         "a key holds \\u0000 (NUL), which cannot be sent as typed — remove it" :
			         "out of memory");
		return NULL;
	}
	return root;
}

int
json_is_number(const cJSON *item)
{
	if (cJSON_IsNumber(item))
		return 1;
	return cJSON_IsRaw(item) && item->valuestring != NULL && item->valuestring[0] != '"';
}

int
json_is_nul_string(const cJSON *item)
{
	return cJSON_IsRaw(item) && item->valuestring != NULL && item->valuestring[0] == '"';
}

static void
put_indent(struct textbuf *b, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		textbuf_puts(b, "  ");
}

/* One value at `depth`, laid out as cJSON_Print does (objects one member
 * a line, arrays on one line), with two spaces per level. */
static void
pretty_value(struct json_scan *sc, struct textbuf *b, int depth)
{
	struct json_tok t;
	char close;

	if (!scan_next(sc, &t))
		return;
	if (t.kind != '{' && t.kind != '[') {
		textbuf_append(b, sc->s + t.start, t.end - t.start);
		return;
	}
	close = t.kind == '{' ? '}' : ']';
	textbuf_append(b, &t.kind, 1);
	if (t.kind == '{')
		textbuf_puts(b, "\n");
	for (;;) {
		struct json_scan peek = *sc;

		if (scan_next(&peek, &t) && t.kind == close) {
			*sc = peek;
			break;
		}
		if (close == '}') {
			put_indent(b, depth + 1);
			scan_next(sc, &t);              /* key */
			textbuf_append(b, sc->s + t.start, t.end - t.start);
			scan_next(sc, &t);              /* ':' */
			textbuf_puts(b, ": ");
		}
		pretty_value(sc, b, depth + 1);
		if (!scan_next(sc, &t))
			return;
		if (t.kind == ',')
			textbuf_puts(b, close == '}' ? ",\n" : ", ");
		else if (close == '}')
			textbuf_puts(b, "\n");
		if (t.kind == close)
			break;
	}
	if (close == '}')
		put_indent(b, depth);
	textbuf_append(b, &close, 1);
}

char *
json_pretty(const char *text, size_t len)
{
	struct json_scan sc = { text, len, 0 };
	struct textbuf b = TEXTBUF_INIT(0);
	size_t off;
	cJSON *check = text != NULL ? json_parse_explain(text, len, &off, NULL, 0) : NULL;

	if (check == NULL)
		return NULL;
	cJSON_Delete(check);
	pretty_value(&sc, &b, 0);
	if (b.data == NULL)
		textbuf_puts(&b, "");
	return textbuf_steal(&b);
}

/* ---- sizes as JavaScript's JSON.stringify gives them ---- */

/* Bytes of a finite number as JavaScript prints it (Number::toString:
 * the shortest digits that read back the same, decimal for exponents
 * -6..20, else d.ddde+N). */
static size_t
js_number_bytes(double x)
{
	char buf[40];
	size_t k = 0, i, sign = 0;
	int p, n;

	if (x == 0)
		return 1;
	if (x < 0) {
		sign = 1;
		x = -x;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	for (i = 0; buf[i] != 'e'; i++)
		k += isdigit((unsigned char)buf[i]) != 0;
	n = atoi(buf + i + 1) + 1;      /* x = 0.digits * 10^n */
	if ((int)k <= n && n <= 21)
		return sign + (size_t)n;
	if (0 < n && n <= 21)
		return sign + k + 1;
	if (-6 < n && n <= 0)
		return sign + 2 + (size_t)-n + k;
	snprintf(buf, sizeof(buf), "%d", n - 1 < 0 ? 1 - n : n - 1);
	return sign + k + (k > 1) + 2 + strlen(buf);
}

/* Bytes JSON.stringify writes for a code point inside a string. */
static size_t
js_char_bytes(unsigned long cp)
{
	if (cp == '"' || cp == '\\' || cp == '\b' || cp == '\f' || cp == '\n' ||
	    cp == '\r' || cp == '\t')
		return 2;
	if (cp < 0x20)
		return 6;
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* A string token as typed (json_parse_typed kept it: it holds \u0000):
 * decode its escapes and count what JSON.stringify writes. */
static size_t
js_token_bytes(const char *t)
{
	size_t n = 2, i = 1, len = strlen(t);
	unsigned hi, lo;

	while (i + 1 < len) {
		if (t[i] != '\\') {
			n += (unsigned char)t[i] >= 0x80 ? 1 : js_char_bytes((unsigned char)t[i]);
			i++;
			continue;
		}
		if (t[i + 1] != 'u') {
			n += t[i + 1] == '/' ? 1 : 2;
			i += 2;
			continue;
		}
		hi = (unsigned)strtoul((char[5]){ t[i + 2], t[i + 3], t[i + 4], t[i + 5], 0 }, NULL, 16);
		i += 6;
		if (hi >= 0xd800 && hi <= 0xdbff && i + 5 < len && t[i] == '\\') {
			lo = (unsigned)strtoul((char[5]){ t[i + 2], t[i + 3], t[i + 4], t[i + 5], 0 },
			                       NULL, 16);
			i += 6;
			n += js_char_bytes(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
		} else {
			n += js_char_bytes(hi);
		}
	}
	return n;
}

/* A C string (UTF-8 already checked): every non-ASCII byte is written
 * as is, so count bytes, escapes as JSON.stringify writes them. */
static size_t
js_string_bytes(const char *s)
{
	size_t n = 2;

	for (; *s != '\0'; s++)
		n += (unsigned char)*s >= 0x80 ? 1 : js_char_bytes((unsigned char)*s);
	return n;
}

size_t
json_stringify_bytes(const cJSON *item)
{
	const cJSON *c;
	size_t n;
	double d;

	if (json_is_nul_string(item))
		return js_token_bytes(item->valuestring);
	if (json_is_number(item)) {
		d = cJSON_IsRaw(item) ? strtod(item->valuestring, NULL) : item->valuedouble;
		return isfinite(d) ? js_number_bytes(d) : 4;    /* Infinity -> null */
	}
	if (cJSON_IsString(item))
		return js_string_bytes(item->valuestring);
	if (cJSON_IsTrue(item))
		return 4;
	if (cJSON_IsFalse(item))
		return 5;
	if (!cJSON_IsObject(item) && !cJSON_IsArray(item))
		return 4;
	n = 2;
	for (c = item->child; c != NULL; c = c->next) {
		n += json_stringify_bytes(c) + (c->next != NULL);
		if (cJSON_IsObject(item))
			n += js_string_bytes(c->string) + 1;
	}
	return n;
}
