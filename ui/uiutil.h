/* uiutil.h - small helpers the screens share: allocation that restores the
 * terminal before dying, UTF-8 display widths, string lists, the test clock
 * and predictable IDs for the screen tests.
 *
 * Ownership: every function returning char* returns a malloc'd string the
 * caller frees; struct strlist owns its strings.
 */
#ifndef NC_UI_UIUTIL_H
#define NC_UI_UIUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* Called before abort() on out-of-memory, so the terminal is usable again. */
void ui_set_fatal_hook(void (*hook)(void));

/* must_*: never NULL; out of memory restores the terminal and aborts. Not
 * named x*: GNU readline exports xmalloc/xrealloc, which these would replace. */
void *must_malloc(size_t n);
void *must_calloc(size_t n, size_t size);
void *must_realloc(void *p, size_t n);
char *must_strdup(const char *s);         /* NULL -> NULL */
char *must_strndup(const char *s, size_t n);
char *must_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 if s is NULL or empty. */
int str_empty(const char *s);
/* Case-insensitive substring test (ASCII folding); needle "" matches. */
int str_icontains(const char *hay, const char *needle);
/* Trim blanks at both ends in place; returns s. */
char *str_trim(char *s);
/* Replace *slot with a copy of v (NULL allowed). */
void str_set(char **slot, const char *v);

/* Text on one line: every run of blanks and line breaks becomes one space
 * (multi-line JSON in a single row). Caller frees. */
char *str_one_line(const char *s);

/* ---- UTF-8 and terminal columns ---- */

/* Decode one character of the n bytes at s: *wc and the columns it takes.
 * A broken or unprintable byte is one '?' of one column. Returns the bytes
 * used (1 for a broken one). The one place widths are worked out. */
size_t utf8_decode(const char *s, size_t n, wchar_t *wc, int *w);
/* Columns the UTF-8 text takes on screen (control and invalid bytes count
 * as one column each, as they are drawn as '?'). */
int utf8_width(const char *s);
/* Number of bytes of s that fit in `cols` columns without cutting a
 * character. */
size_t utf8_fit(const char *s, int cols);
/* Columns taken by the first `bytes` bytes of s. */
int utf8_width_n(const char *s, size_t bytes);
/* Where the longest run of whole characters ending at byte `end` of s that
 * fits in `cols` columns starts: what a one-line input scrolled to keep
 * its cursor in view shows. Measured back from `end`, so a long line costs
 * one pass, not one per character. */
size_t utf8_fit_before(const char *s, size_t end, int cols);

/* ---- string list ---- */

struct strlist {
	char **v;
	size_t n, cap;
};
void strlist_push(struct strlist *l, const char *s);
/* Move s to the end (most recent), dropping an equal older entry, and keep
 * at most `max` entries (the oldest go). */
void strlist_remember(struct strlist *l, const char *s, size_t max);
void strlist_clear(struct strlist *l);

/* ---- time and IDs ---- */

/* "YYYY-MM-DD HH:MM:SS" (local time) into buf. */
void ui_format_time(int64_t ms, char *buf, size_t size);
/* "HH:MM:SS" today, "MM-DD HH:MM" otherwise (relative to clock_wall_ms). */
void ui_format_time_short(int64_t ms, char *buf, size_t size);

/* A fresh transactionId from the core's ID source (clock.h: predictable
 * under NOVU_CONSOLE_TEST_SEED, so screen dumps are stable). Never NULL;
 * caller frees. */
char *ui_new_transaction_id(void);
/* A fresh idempotency key "nc-<uuid>", predictable under the same seed. */
char *ui_new_idempotency_key(void);

#endif
