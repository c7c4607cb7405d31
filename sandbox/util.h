/* util.h - small helpers shared by the sandbox modules: clocks, ISO-8601
 * timestamps, a seedable random generator, UUIDs, an interruptible sleep and
 * string helpers. Everything here is thread-safe. */
#ifndef SB_UTIL_H
#define SB_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock milliseconds since the epoch (timestamps shown to clients). */
int64_t util_now_ms(void);

/* Monotonic milliseconds (durations: pending windows, TTLs, token buckets). */
int64_t util_mono_ms(void);

/* Format epoch milliseconds as "2026-07-20T10:15:30.123Z" (cap >= 25). */
void util_iso_time(int64_t epoch_ms, char *buf, size_t cap);

/* Seed the random generator. Without a call it is seeded unpredictably. */
void util_rng_seed(uint64_t seed);
uint64_t util_rng_next(void);
/* Uniform double in [0, 1). */
double util_rng_unit(void);

/* A random (RFC 4122 version 4) UUID, lower-case, into out[37]. */
void util_uuid4(char out[37]);

/* Sleep up to ms milliseconds; returns early once util_stop_sleepers() ran,
 * so a shutdown never waits for an injected latency. */
void util_sleep_ms(long ms);
void util_stop_sleepers(void);

/* ASCII case-insensitive substring test; an empty needle matches. */
int util_ci_contains(const char *hay, const char *needle);

/* Copy of s cut to at most max bytes without splitting a UTF-8 sequence.
 * Caller frees; NULL on allocation failure. */
char *util_strndup_utf8(const char *s, size_t max);

/* Parse a whole string as a base-10 long within [min, max]; 0 on success. */
int util_parse_long(const char *s, long min, long max, long *out);

/* Parse a whole string as a finite double within [min, max]; 0 on success. */
int util_parse_double(const char *s, double min, double max, double *out);

#endif
