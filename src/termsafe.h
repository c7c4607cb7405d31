/* termsafe.h - text from the network, made safe to print on a terminal.
 *
 * Anything a server sends (a transactionId, a status, an error, a list
 * name, a whole body) is stored as received and neutralised only when it
 * is printed: C0 controls (ESC starts OSC 52 clipboard writes, screen
 * clears, title changes), DEL, C1 controls (U+0080..U+009F, 8-bit CSI) and
 * bytes that are not UTF-8 never reach the terminal. This is the one home
 * of that rule; the CLI's print sites and the error rendering use it.
 */
#ifndef NC_TERMSAFE_H
#define NC_TERMSAFE_H

#include <stddef.h>
#include <stdio.h>
#include "textbuf.h"

enum term_mode {
	TERM_FIELD,   /* one value on a line: every control becomes '?' */
	TERM_LINES    /* multi-line text: newline and tab are kept */
};

/* In place (never longer): each unsafe byte becomes '?'. NULL is ignored. */
void term_defuse(char *text, enum term_mode mode);

/* A defused copy (NULL for NULL or out of memory). Caller frees. */
char *term_safe_copy(const char *text, enum term_mode mode);

/* Printable single-line excerpt of untrusted bytes appended to tb: control
 * characters and runs of whitespace become one space, bytes that are not
 * UTF-8 become '?', HTML tags are dropped when strip_tags, at most
 * max_chars characters then "...". Returns the characters appended. */
size_t term_append_excerpt(struct textbuf *tb, const char *text, size_t len,
                           size_t max_chars, int strip_tags);

/* Printed JSON made terminal-safe and still valid JSON: DEL and C1
 * characters (which cJSON prints raw) become \u00XX escapes and bytes that
 * are not UTF-8 become \ufffd. Control characters below 0x20 must already
 * be escaped (cJSON does). Caller frees; NULL on NULL or out of memory. */
char *term_safe_json(const char *json_text);

/* fprintf, then defused (TERM_LINES) before it reaches f. */
int term_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* fputs of one value, defused as TERM_FIELD. NULL prints nothing. */
void term_put_field(const char *text, FILE *f);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
size_t term_utf8_len(const unsigned char *s, size_t avail);

#endif
