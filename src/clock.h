/* clock.h - the one clock and the one ID source that the core and both front
 * ends use, so a test can fix them everywhere at once.
 *
 * From the environment (read on each call, so a test can set them late):
 *   NOVU_CONSOLE_TEST_TIME=SECONDS  the wall clock stands at that Unix time
 *   NOVU_CONSOLE_TEST_SEED=N        IDs are "0000000k-0000-4000-8000-<N in hex>"
 *                                   with k counting from 1 in this process
 * From a unit test: clock_fake_start() makes monotonic time move only when
 * something sleeps, so retry back-offs and rate-limit waits cost no time.
 *
 * Thread-safe. Strings returned are malloc'd; the caller frees them.
 */
#ifndef NC_CLOCK_H
#define NC_CLOCK_H

#include <stdint.h>

#define NC_ID_LEN 36  /* a UUID's text, without the NUL */

/* Unix time in milliseconds. */
int64_t clock_wall_ms(void);
/* Milliseconds on a clock that never jumps: waits and deadlines. */
int64_t clock_mono_ms(void);
/* Sleep ms (restarted after signals); under the fake clock, advance it. */
void clock_sleep_ms(long ms);
/* Fake monotonic time starting at start_ms, until clock_fake_stop(). */
void clock_fake_start(int64_t start_ms);
void clock_fake_stop(void);
int clock_is_fake(void);

/* A fresh random (v4) UUID, or the test sequence. Returns 0, or -1 when the
 * kernel has no randomness (out then holds a time-based fallback). */
int id_new_uuid(char out[NC_ID_LEN + 1]);
char *id_new_transaction_id(void);
/* "nc-<uuid>". */
char *id_new_idempotency_key(void);
/* The same name always gives the same UUID (version 8, from SHA-256 of a
 * fixed prefix and the name): a transactionId derived from an idempotency
 * key makes a rerun with that key send the same bytes. 0, or -1 when out
 * of memory. */
int id_uuid_from_name(const char *name, char out[NC_ID_LEN + 1]);

#endif
