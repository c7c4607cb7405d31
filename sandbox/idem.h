/* idem.h - the Idempotency-Key store (CONTRACT 4.4): an in-flight marker
 * while the first request runs, then the finished status and body for 24 h.
 * Thread-safe; at most IDEM_CAP keys (oldest finished ones go first). */
#ifndef SB_IDEM_H
#define SB_IDEM_H

#include "exchange.h"

#define IDEM_CAP 10000
#define IDEM_KEY_MAX 255

enum idem_outcome {
	IDEM_NEW,        /* first use: run the handler, then idem_finish() */
	IDEM_IN_FLIGHT,  /* same key still running: 409 */
	IDEM_MISMATCH,   /* same key, different body: 422 */
	IDEM_REPLAY      /* finished before: *replay holds status and body */
};

/* Look the key up and mark it in flight when new. body_hash identifies the
 * re-serialised body. On IDEM_REPLAY, *replay is filled (caller frees it
 * with reply_free). */
enum idem_outcome idem_begin(const char *key, const char *body_hash, struct sb_reply *replay);

/* Store the finished reply's status and body for the key. */
void idem_finish(const char *key, const char *body_hash, const struct sb_reply *reply);

void idem_reset(void);
void idem_free(void);

#endif
