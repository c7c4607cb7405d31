/* textbuf.c - a growable, NUL-terminated byte buffer with a hard cap.
 *
 * The cap exists so a hostile or broken server cannot make the console
 * allocate without bound: an append that would cross it fails as a whole,
 * leaving the buffer as it was.
 */
#include "textbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXTBUF_MIN_CAP 64

/* Make room for `extra` more bytes plus the NUL. */
static int
textbuf_reserve(struct textbuf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - 1 - b->len)
		return -1;
	if (b->max != 0 && b->len + extra > b->max)
		return -1;
	need = b->len + extra + 1;
	if (b->data != NULL && need <= b->cap)
		return 0;
	cap = b->cap < TEXTBUF_MIN_CAP ? TEXTBUF_MIN_CAP : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	/* Never reserve far beyond what the cap allows. */
	if (b->max != 0 && b->max < SIZE_MAX && cap > b->max + 1)
		cap = b->max + 1 > need ? b->max + 1 : need;
	p = realloc(b->data, cap);
	if (p == NULL)
		return -1;
	if (b->data == NULL)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return 0;
}

int
textbuf_append(struct textbuf *b, const void *bytes, size_t n)
{
	if (textbuf_reserve(b, n) != 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, bytes, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
textbuf_puts(struct textbuf *b, const char *s)
{
	return textbuf_append(b, s, strlen(s));
}

int
textbuf_vprintf(struct textbuf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	/* First try the room already there; most messages fit. */
	if (textbuf_reserve(b, 0) != 0)
		return -1;
	va_copy(copy, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, copy);
	va_end(copy);
	if (n < 0) {
		b->data[b->len] = '\0';
		return -1;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (textbuf_reserve(b, (size_t)n) != 0) {
			b->data[b->len] = '\0';
			return -1;
		}
		va_copy(copy, ap);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, copy);
		va_end(copy);
		if (n < 0) {
			b->data[b->len] = '\0';
			return -1;
		}
	} else if (b->max != 0 && b->len + (size_t)n > b->max) {
		/* It fit the allocation but not the cap: undo. */
		b->data[b->len] = '\0';
		return -1;
	}
	b->len += (size_t)n;
	return 0;
}

int
textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = textbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

char *
textbuf_steal(struct textbuf *b)
{
	char *p = b->data;

	/* Callers expect a string, even when nothing was appended. */
	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void
textbuf_free(struct textbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

char *
nc_asprintf(const char *fmt, ...)
{
	struct textbuf b = TEXTBUF_INIT(0);
	va_list ap;
	int bad;

	va_start(ap, fmt);
	bad = textbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (bad || textbuf_append(&b, "", 0) != 0) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}
