/* activity.h - what the activity feed (/v1/notifications) adds for the
 * pending work: the after/before window, the digest and delay metadata
 * Novu returns on waiting jobs, and transactions the sandbox's own
 * "backend" triggered (seeded at start and by POST /__sandbox/pending-seed)
 * so the whole find-and-cancel flow can be tried without an account.
 *
 * Locking: the functions taking a txn need the store lock (see store.h);
 * the seeding functions take it themselves. */
#ifndef SB_ACTIVITY_H
#define SB_ACTIVITY_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "exchange.h"
#include "store.h"

/* The after/before query values as epoch ms (0: none). -1 and a
 * validation entry in errors when one is not an ISO 8601 time. */
int activity_window(const struct sb_request *req, int64_t *after_ms, int64_t *before_ms,
                    cJSON *errors);
/* 1 when the transaction was created inside the window. */
int activity_in_window(const struct txn *t, int64_t after_ms, int64_t before_ms);
/* Add Novu's metadata to a delay or digest job: `digest` {type, amount,
 * unit, digestKey, events, timed} on a digest, `digest` {type, amount,
 * unit} on a delay. */
void activity_job_metadata(cJSON *job, const struct txn *t, const char *type);

/* Seed the backend's transactions. window_s > 0 gives every pending one
 * that window (seconds, from now) instead of its own. The seeded
 * transactionIds are returned as a JSON array (caller owns). */
cJSON *activity_seed(long window_s);
/* At start (after the saved world is read) and after a reset: the
 * backend's transactions under fixed transactionIds, added to a world that
 * has no transactions yet, so consecutive sandboxes (one per headless
 * command) share them and their cancels. */
void activity_seed_world(void);
/* POST /__sandbox/pending-seed[?windowSeconds=N] */
void activity_seed_handle(const struct sb_request *req, struct sb_reply *rep);

#endif
