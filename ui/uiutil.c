/* uiutil.c - allocation, UTF-8 widths, string lists, clock and IDs. */
#include "uiutil.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "clock.h"

static void (*fatal_hook)(void);

void
ui_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

static void
out_of_memory(void)
{
	if (fatal_hook)
		fatal_hook();
	fputs("novu-console: out of memory\n", stderr);
	abort();
}

void *
must_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *
must_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *
must_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		out_of_memory();
	return q;
}

char *
must_strdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		out_of_memory();
	return d;
}

char *
must_strndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		out_of_memory();
	return d;
}

char *
must_asprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	s = must_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

int
str_empty(const char *s)
{
	return !s || !*s;
}

int
str_icontains(const char *hay, const char *needle)
{
	size_t nl, i;

	if (str_empty(needle))
		return 1;
	if (!hay)
		return 0;
	nl = strlen(needle);
	for (; *hay; hay++) {
		for (i = 0; i < nl && hay[i]; i++)
			if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
				break;
		if (i == nl)
			return 1;
	}
	return 0;
}

char *
str_trim(char *s)
{
	size_t n;
	char *p = s;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (p != s)
		memmove(s, p, strlen(p) + 1);
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	             s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

char *
str_one_line(const char *s)
{
	char *out = must_malloc(strlen(s ? s : "") + 1), *o = out;
	int blank = 0;

	for (; s && *s; s++) {
		int is_blank = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r';

		if (is_blank && blank)
			continue;
		*o++ = is_blank ? ' ' : *s;
		blank = is_blank;
	}
	*o = '\0';
	return out;
}

void
str_set(char **slot, const char *v)
{
	char *copy = must_strdup(v);

	free(*slot);
	*slot = copy;
}

size_t
utf8_decode(const char *s, size_t n, wchar_t *wc, int *w)
{
	mbstate_t st;
	size_t len;
	int cw;

	memset(&st, 0, sizeof(st));
	len = mbrtowc(wc, s, n, &st);
	if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
		*wc = L'?';     /* a broken byte shows as one '?' */
		*w = 1;
		return 1;
	}
	cw = wcwidth(*wc);
	if (cw < 0) {
		*wc = L'?';
		cw = 1;
	}
	*w = cw;
	return len;
}

/* The byte length and width of the character at s. */
static size_t
utf8_step(const char *s, size_t n, int *w)
{
	wchar_t wc;

	return utf8_decode(s, n, &wc, w);
}

int
utf8_width(const char *s)
{
	return s ? utf8_width_n(s, strlen(s)) : 0;
}

int
utf8_width_n(const char *s, size_t bytes)
{
	size_t i = 0;
	int w, total = 0;

	while (i < bytes && s[i]) {
		i += utf8_step(s + i, bytes - i, &w);
		total += w;
	}
	return total;
}

size_t
utf8_fit_before(const char *s, size_t end, int cols)
{
	size_t start = end, k;
	int w, used = 0;

	while (start > 0) {
		k = start - 1;
		while (k > 0 && start - k < 4 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		w = utf8_width_n(s + k, start - k);
		if (used + w > cols)
			break;
		used += w;
		start = k;
	}
	return start;
}

size_t
utf8_fit(const char *s, int cols)
{
	size_t i = 0, n = strlen(s), len;
	int w, used = 0;

	while (i < n) {
		len = utf8_step(s + i, n - i, &w);
		if (used + w > cols)
			break;
		used += w;
		i += len;
	}
	return i;
}

void
strlist_push(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = must_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = must_strdup(s);
}

void
strlist_remember(struct strlist *l, const char *s, size_t max)
{
	size_t i;

	if (str_empty(s))
		return;
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], s) == 0) {
			free(l->v[i]);
			memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(*l->v));
			l->n--;
			break;
		}
	}
	strlist_push(l, s);
	while (l->n > max) {
		free(l->v[0]);
		memmove(l->v, l->v + 1, (l->n - 1) * sizeof(*l->v));
		l->n--;
	}
}

void
strlist_clear(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void
ui_format_time(int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "?");
}

void
ui_format_time_short(int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000), now = (time_t)(clock_wall_ms() / 1000);
	struct tm tm, tn;

	if (!localtime_r(&t, &tm) || !localtime_r(&now, &tn)) {
		snprintf(buf, size, "?");
		return;
	}
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		strftime(buf, size, "%H:%M:%S", &tm);
	else
		strftime(buf, size, "%m-%d %H:%M", &tm);
}


char *
ui_new_transaction_id(void)
{
	char *id = id_new_transaction_id();

	if (!id)
		out_of_memory();
	return id;
}

char *
ui_new_idempotency_key(void)
{
	char id[NC_ID_LEN + 1];

	id_new_uuid(id);
	return must_asprintf("nc-%s", id);
}
