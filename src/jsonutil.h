/* jsonutil.h - cJSON helpers: parsing with line/column errors, lenient
 * getters and the Novu `{"data": ...}` envelope rule.
 */
#ifndef NC_JSONUTIL_H
#define NC_JSONUTIL_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "apierror.h"

/* Parse `text` (len bytes, need not be NUL-terminated) as JSON.
 * On failure returns NULL and, when err is non-NULL, sets NC_E_INVALID with a
 * field entry for `field` whose message reads
 * "<field>: invalid JSON at line L, column C: <what>" and line/column set.
 * If `want_object` is non-zero anything but a JSON object is refused the same
 * way ("<field> must be a JSON object"). Empty or all-blank text counts as
 * invalid. Caller owns the returned tree (cJSON_Delete). */
cJSON *json_parse_field(const char *text, size_t len, const char *field,
                        int want_object, struct nc_error *err);

/* Parse text (len bytes, need not be NUL-terminated) as exactly one JSON
 * value in UTF-8 (leading BOM and surrounding whitespace allowed; stricter
 * than cJSON about \u escapes and byte encoding). On failure returns
 * NULL, sets *err_off to the byte offset of the problem (len for "ran out of
 * text") and writes a short description such as
 * "expected ',' or '}', found '\"'" into what (what_size bytes, may be 0).
 * Caller owns the returned tree. */
cJSON *json_parse_explain(const char *text, size_t len, size_t *err_off,
                          char *what, size_t what_size);

/* 1-based line and column of byte offset `off` in text. Columns count
 * characters (UTF-8 sequences), not bytes, as an editor shows them. */
void json_offset_to_linecol(const char *text, size_t off, long *line, long *col);

/* The Novu envelope rule (CONTRACT 1.1): if root is an object whose only key
 * is "data", return that child, else root itself. Borrowed pointer. */
const cJSON *json_unwrap_data(const cJSON *root);

/* Borrowed string of object[key] if it is a string, else NULL. */
const char *json_str(const cJSON *obj, const char *key);
/* object[key] as a number if numeric (or a numeric string), else dflt. */
double json_num(const cJSON *obj, const char *key, double dflt);
/* 1 if object[key] is true, 0 if false, dflt otherwise. */
int json_bool(const cJSON *obj, const char *key, int dflt);

/* Compact, key-order-preserving serialisation. Caller frees. NULL on OOM.
 * Raw items (see json_parse_typed) are printed as they hold them. */
char *json_print_compact(const cJSON *item);

/* As json_parse_explain, but numbers keep the text they were typed as: each
 * becomes a cJSON_Raw item holding it ("12345678901234567890", "1e400",
 * "-0"), so json_print_compact sends them unchanged. A string with a \u0000
 * escape (which a C string cannot hold) also becomes a Raw item holding
 * its quoted token. A key with \u0000 is refused (cJSON would cut it).
 * Caller owns the tree. */
cJSON *json_parse_typed(const char *text, size_t len, size_t *err_off,
                        char *what, size_t what_size);
/* A number in a tree from either parser (cJSON number or Raw number). */
int json_is_number(const cJSON *item);
/* A string json_parse_typed kept as a Raw token because it holds NUL. */
int json_is_nul_string(const cJSON *item);
/* "an object", "an array", "a string", "a number", "a boolean" or "null",
 * for messages; Raw items from json_parse_typed count as what they hold. */
const char *json_kind(const cJSON *item);

/* Bytes of JSON.stringify(item) as Node's Buffer.byteLength counts them,
 * which is what Novu measures: numbers as JavaScript prints them (1.50 ->
 * 1.5, 1e3 -> 1000, 1e400 -> null), strings with JSON.stringify's escapes
 * (only '"', '\\' and control characters; \u00e9 is written as é). */
size_t json_stringify_bytes(const cJSON *item);

/* Pretty-print JSON text with two-space indents, one object member a line
 * and arrays on one line (cJSON_Print's layout), copying every number and
 * string token exactly as typed and keeping key order. NULL when the text
 * is not valid JSON (json_parse_explain's rules) or on OOM. Caller frees. */
char *json_pretty(const char *text, size_t len);

/* Offset of the first byte of s[0..len) that is not valid UTF-8 (overlong
 * forms, surrogates and code points past U+10FFFF included), or len. */
size_t utf8_first_invalid(const char *s, size_t len);

#endif
