/* bulkrun.h - send any number of events as bulk requests of at most 100,
 * one after another, paced by RateLimit-* headers, recorded in history and
 * resumable without sending any event twice.
 *
 * Every event gets its transactionId before the run is stored, and every
 * chunk its own idempotency key and exact body; a resumed run re-sends only
 * unfinished chunks with the stored bytes and key.
 */
#ifndef NC_BULKRUN_H
#define NC_BULKRUN_H

#include <stddef.h>
#include <stdint.h>
#include "api.h"
#include "histdb.h"

/* Progress: called after each chunk (and while waiting for tokens, with
 * waiting_ms > 0). Runs on the caller's thread. */
struct nc_bulk_progress {
	size_t chunk, nchunks;       /* chunk just finished (0-based) */
	size_t events_done, events_total;
	long waiting_ms;
	enum nc_status chunk_status;
	const struct nc_trigger_result *results; /* this chunk's, index-aligned */
	size_t nresults;
	size_t first_event;          /* index of results[0] in the whole run */
	const struct nc_error *error;/* when chunk_status != NC_OK */
};
typedef void (*nc_bulk_progress_cb)(void *ctx, const struct nc_bulk_progress *p);

/* Store a new run for n events (transactionIds filled in evs) and return its
 * id; nothing is sent. */
enum nc_status bulkrun_create(struct nc_history *h, const char *profile, const char *source,
                              struct nc_event *evs, size_t n, int64_t *run_id,
                              struct nc_error *err);
/* Send every unfinished chunk of run_id. A chunk refused for its body
 * (400, 413, 415, 422: resending the same bytes and key would only replay
 * the refusal) is recorded as failed and settled, and the run goes on with
 * the next chunk. Any other failure (network, 5xx, 429, 401, stop) leaves
 * the chunk unfinished and ends the run for a later resume. Returns the
 * first failure (err describes it), else NC_OK. Each event's result goes
 * to history. */
enum nc_status bulkrun_send(struct nc_client *c, struct nc_history *h, const char *profile,
                            int64_t run_id, nc_bulk_progress_cb cb, void *ctx,
                            struct nc_error *err);

#endif
