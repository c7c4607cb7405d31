/* idem.h - the Idempotency-Key store (CONTRACT 4.4): an in-flight marker
 * while the first request runs, then the finished status and body for 24 h.
 * Thread-safe. Keys are found by hash; past the cap (IDEM_CAP unless
 * idem_set_cap) the oldest key is forgotten. Expiry times are wall clock,
 * so a key saved by one sandbox process means the same in another. */
#ifndef SB_IDEM_H
#define SB_IDEM_H

#include <stdint.h>

#include "exchange.h"

#define IDEM_CAP 100000
#define IDEM_KEY_MAX 255
#define IDEM_DONE_TTL_MS (24LL * 3600 * 1000)

enum idem_outcome {
	IDEM_NEW,        /* first use: run the handler, then idem_finish() */
	IDEM_IN_FLIGHT,  /* same key still running: 409 */
	IDEM_MISMATCH,   /* same key, different body: 422 */
	IDEM_REPLAY      /* finished before: *replay holds status and body */
};

/* A finished key as it is saved and restored. */
struct idem_saved {
	const char *key;
	const char *body_hash;   /* 64 hex digits */
	unsigned int status;
	const char *body;        /* may be NULL */
	int64_t expires_ms;      /* wall clock */
};

/* Most keys kept (at least 1). Call before the first request. */
void idem_set_cap(size_t cap);

/* Look the key up and mark it in flight when new. body_hash identifies the
 * re-serialised body. On IDEM_REPLAY, *replay is filled (caller frees it
 * with reply_free). */
enum idem_outcome idem_begin(const char *key, const char *body_hash, struct sb_reply *replay);

/* Store the finished reply's status and body for the key. Returns the
 * expiry (wall clock ms), or 0 when the marker was gone (a reset ran). */
int64_t idem_finish(const char *key, const char *body_hash, const struct sb_reply *reply);

/* Put back a finished key saved earlier (replaces what is there; already
 * expired ones are ignored). */
void idem_restore(const struct idem_saved *s);

/* Call fn for every finished, unexpired key, oldest first. */
void idem_each_finished(void (*fn)(const struct idem_saved *, void *), void *arg);

/* Keys held (in flight or finished). */
size_t idem_count(void);

void idem_reset(void);
void idem_free(void);

#endif
