/* textbuf.h - a growable byte buffer with a hard size cap (curl's dynbuf
 * idea): response bodies, request dumps and formatted messages.
 *
 * Ownership: the struct owns `data`; textbuf_free() releases it,
 * textbuf_steal() hands it to the caller (who frees it) and resets the buffer.
 * `data` is always NUL-terminated when non-NULL.
 */
#ifndef NC_TEXTBUF_H
#define NC_TEXTBUF_H

#include <stddef.h>
#include <stdarg.h>

struct textbuf {
	char *data;
	size_t len, cap, max; /* max == 0: no cap */
};

#define TEXTBUF_INIT(maxbytes) { NULL, 0, 0, (maxbytes) }

/* Append n bytes. Returns 0, or -1 when out of memory or over the cap
 * (then nothing is appended). */
int textbuf_append(struct textbuf *b, const void *bytes, size_t n);
int textbuf_puts(struct textbuf *b, const char *s);
int textbuf_printf(struct textbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int textbuf_vprintf(struct textbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
char *textbuf_steal(struct textbuf *b);
/* A formatted string in a new allocation (no cap), or NULL on OOM.
 * Caller frees. */
char *nc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void textbuf_free(struct textbuf *b);

#endif
