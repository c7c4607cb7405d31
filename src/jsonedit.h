/* jsonedit.h - change one value inside JSON text and leave every other byte
 * as it was.
 *
 * The payload is the text the user typed: re-printing it through a parser
 * would turn 1.50 into 1.5, 1e3 into 1000 and could reorder keys. These
 * functions find the bytes of the value at a path and splice: replace that
 * span, add a member at the end of its object (or an item at the end of its
 * array), or cut a member or item with its comma. Paths are JSON Pointers
 * (RFC 6901): "" is the whole document, "/order/id" a member, "/items/0"
 * an array item, "~1" and "~0" stand for '/' and '~' in a key.
 */
#ifndef NC_JSONEDIT_H
#define NC_JSONEDIT_H

#include <stddef.h>

enum jsonedit_status {
	JE_OK,
	JE_MISSING,     /* the path names nothing (its parent exists or not) */
	JE_BAD_PATH,    /* a step goes into a string/number, or an index is not one */
	JE_BAD_JSON,    /* the document or the new value does not parse */
	JE_NOMEM
};

/* Bytes [start, end) of a value in the text. */
struct json_span {
	size_t start, end;
};

/* Where the value at ptr is in text (NUL-terminated). Blank text is an
 * empty object. JE_OK, JE_MISSING, JE_BAD_PATH or JE_BAD_JSON. */
enum jsonedit_status jsonedit_find(const char *text, const char *ptr, struct json_span *out);

/* *out (caller frees) = text with the value at ptr set to value (JSON
 * text, used byte for byte). A missing member is added after the last one
 * of its object, copying that member's indentation and ": " spacing;
 * missing parent objects are created; index n of an n-item array appends.
 * Blank text counts as {}. On failure *out is NULL. */
enum jsonedit_status jsonedit_set(const char *text, const char *ptr, const char *value,
                                  char **out);

/* *out (caller frees) = text without the member or item at ptr (and the
 * comma and blanks that separated it). ptr "" is refused (JE_BAD_PATH). */
enum jsonedit_status jsonedit_remove(const char *text, const char *ptr, char **out);

/* ptr + "/" + key escaped (~0, ~1), or ptr + "/" + index. Caller frees;
 * NULL on OOM. */
char *jsonptr_key(const char *ptr, const char *key);
char *jsonptr_index(const char *ptr, size_t index);

/* A short reason for a status, for messages. */
const char *jsonedit_strerror(enum jsonedit_status st);

#endif
