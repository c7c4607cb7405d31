/* bench_util.h - what every benchmark program shares: a monotonic clock,
 * medians, the output lines that scripts/bench turns into RESULTS.md, and
 * starting a child process with its output captured.
 *
 * Output protocol (stdout, one line each, tab-separated):
 *   row<TAB>BENCHMARK<TAB>OURS<TAB>PEER<TAB>RATIO   one line of the table
 *   note<TAB>TEXT                                   one bullet under it
 * Progress goes to stderr. Figures are already formatted for people.
 */
#ifndef NC_BENCH_UTIL_H
#define NC_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic nanoseconds. */
int64_t bench_now_ns(void);

/* Median of v[0..n) (sorts v in place); 0 when n is 0. */
double bench_median(double *v, size_t n);

/* One table row comparing a duration (seconds per operation; lower is
 * better). The ratio printed is peer / ours: above 1 means ours is faster. */
void bench_row_time(const char *benchmark, double ours_s, const char *peer_name,
                    double peer_s);
/* The same for a rate (higher is better): ratio ours / peer. */
void bench_row_rate(const char *benchmark, double ours, const char *peer_name,
                    double peer, const char *unit);
/* A row whose figure is shown as is, without a peer (e.g. a failed peer). */
void bench_row_text(const char *benchmark, const char *ours, const char *peer,
                    const char *ratio);

void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* n with thousands separators ("100,000") into buf; returns buf. */
char *bench_count(size_t n, char *buf, size_t cap);

/* "1.23 ms", "456 µs", "2.1 s" into buf. */
void bench_format_time(double seconds, char *buf, size_t cap);

/* argv for exec is char *const[] though nothing writes to it: this turns a
 * constant string into such an entry without a cast the warnings reject. */
char *bench_arg(const char *s);

/* Run argv (argv[0] looked up in PATH) with stdin from /dev/null and stdout
 * captured into *out (malloc'd, NUL-terminated; caller frees), stderr
 * inherited. Returns the exit status (0..255), or -1 if it could not run. */
int bench_run_capture(char *const argv[], char **out, size_t *out_len);

/* Create a fresh private directory under base (or $TMPDIR or /tmp when base
 * is NULL); malloc'd path, NULL on failure. bench_rmtree removes it again. */
char *bench_make_tmpdir(const char *base, const char *prefix);
void bench_rmtree(const char *path);

#endif
