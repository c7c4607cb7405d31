/* termsafe.c - neutralising server text before it is printed (see
 * termsafe.h for why). */
#include "termsafe.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

size_t
term_utf8_len(const unsigned char *s, size_t avail)
{
	size_t n, i;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static int
is_c1(const unsigned char *s, size_t n)
{
	return n == 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;
}

static int
is_unsafe_ascii(unsigned char b, enum term_mode mode)
{
	if (mode == TERM_LINES && (b == '\n' || b == '\t'))
		return 0;
	return b < 0x20 || b == 0x7f;
}

void
term_defuse(char *text, enum term_mode mode)
{
	unsigned char *p = (unsigned char *)text;
	size_t left, n;

	if (!p)
		return;
	left = strlen(text);
	while (left > 0) {
		n = term_utf8_len(p, left);
		if (n == 0 || (n == 1 && is_unsafe_ascii(*p, mode)))
			*p = '?', n = 1;
		else if (is_c1(p, n))
			p[0] = p[1] = '?';
		p += n;
		left -= n;
	}
}

char *
term_safe_copy(const char *text, enum term_mode mode)
{
	char *copy = text ? strdup(text) : NULL;

	term_defuse(copy, mode);
	return copy;
}

size_t
term_append_excerpt(struct textbuf *tb, const char *text, size_t len,
                    size_t max_chars, int strip_tags)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, chars = 0, n;
	int space = 0, in_tag = 0;

	while (i < len) {
		if (strip_tags && (s[i] == '<' || in_tag)) {
			in_tag = s[i] != '>';
			space = chars > 0;
			i++;
			continue;
		}
		if (s[i] <= 0x20 || s[i] == 0x7f) {
			space = chars > 0;
			i++;
			continue;
		}
		if (chars >= max_chars) {
			textbuf_puts(tb, "...");
			break;
		}
		if (space) {
			textbuf_puts(tb, " ");
			chars++;
			space = 0;
		}
		n = term_utf8_len(s + i, len - i);
		if (n == 0 || is_c1(s + i, n)) {
			textbuf_puts(tb, "?");
			n = n ? n : 1;
		} else {
			textbuf_append(tb, s + i, n);
		}
		chars++;
		i += n;
	}
	return chars;
}

char *
term_safe_json(const char *json_text)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	const unsigned char *p = (const unsigned char *)json_text;
	size_t left, n;
	int bad = 0;

	if (!p)
		return NULL;
	left = strlen(json_text);
	while (left > 0 && !bad) {
		n = term_utf8_len(p, left);
		if (n == 0)
			bad = textbuf_puts(&tb, "\\ufffd"), n = 1;
		else if (n == 1 && *p == 0x7f)
			bad = textbuf_puts(&tb, "\\u007f");
		else if (is_c1(p, n))
			bad = textbuf_printf(&tb, "\\u00%02x", p[1]);
		else if (n == 1 && *p < 0x20 && *p != '\n' && *p != '\t')
			bad = textbuf_puts(&tb, "?");   /* not inside a string: cJSON escapes those */
		else
			bad = textbuf_append(&tb, p, n);
		p += n;
		left -= n;
	}
	if (bad || !tb.data) {
		textbuf_free(&tb);
		return bad ? NULL : strdup("");
	}
	return textbuf_steal(&tb);
}

int
term_printf(FILE *f, const char *fmt, ...)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = textbuf_vprintf(&tb, fmt, ap);
	va_end(ap);
	if (rc != 0 || !tb.data) {
		textbuf_free(&tb);
		return -1;
	}
	term_defuse(tb.data, TERM_LINES);
	rc = fputs(tb.data, f);
	textbuf_free(&tb);
	return rc;
}

void
term_put_field(const char *text, FILE *f)
{
	char *safe = term_safe_copy(text, TERM_FIELD);

	if (safe)
		fputs(safe, f);
	free(safe);
}
