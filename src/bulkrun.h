/* bulkrun.h - send any number of events as bulk requests of at most 100,
 * several in flight at once, paced by RateLimit-* headers, recorded in
 * history and resumable without sending any event twice.
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
#include "ops.h"

/* Chunks in flight at once: the default, and the most a run may ask for. */
#define NC_BULK_PARALLEL_DEFAULT 4
#define NC_BULK_PARALLEL_MAX 16

/* Progress: called after each chunk (and while waiting for tokens, with
 * waiting_ms > 0). Runs on the caller's thread. With several chunks in
 * flight they finish in any order; events_done counts every event of the
 * chunks accepted so far. */
struct nc_bulk_progress {
	size_t chunk, nchunks;       /* chunk just finished (0-based) */
	size_t events_done, events_total;
	long waiting_ms;
	enum nc_status chunk_status;
	int chunk_unknown;           /* no answer: its events may have been accepted */
	int chunk_queued;            /* turned away for now (busy, 429...): its events
	                                stay queued, a resume sends them */
	const struct nc_trigger_result *results; /* this chunk's, index-aligned */
	size_t nresults;             /* results' count, or the chunk's events */
	size_t first_event;          /* index of the chunk's first event in the run */
	const char *response_body;   /* the chunk's raw answer, or NULL */
	const char *const *txids;    /* the chunk's transactionIds (nresults) */
	const struct nc_error *error;/* when chunk_status != NC_OK */
};
typedef void (*nc_bulk_progress_cb)(void *ctx, const struct nc_bulk_progress *p);

/* Store a new run for n events and return its id; nothing is sent. Each
 * event gets a transactionId when it has none. History is checked first:
 * an event whose transactionId was sent already gets a new one when
 * user_txid is NULL or user_txid[i] is 0 (the ID was ours), and fails the
 * whole run (NC_E_USAGE naming every such event) when the user chose it.
 * idem_key (NULL: made up) is used when the run is a single request. */
enum nc_status bulkrun_create(const struct nc_ops *o, const char *source,
                              struct nc_event *evs, size_t n, const unsigned char *user_txid,
                              const char *idem_key, int64_t *run_id, struct nc_error *err);
/* The same for the events of a file, read from r a chunk (100 events) at
 * a time: the run's memory is one chunk's events and body, whatever the
 * file's size. Chunks are checked and stored as they are read, in one
 * History transaction that is committed only after the last, so nothing of
 * the run can be sent before the whole file has passed every check. An
 * event that carries a transactionId in the file counts as the user's
 * choice. The reader's problems (event_reader_next_good: up to 100, in err)
 * store nothing. single: the run must be one request (the caller has one
 * idempotency key for it, or shows one answer): a file of more than 100
 * events stores nothing, NC_E_USAGE. *nevents: the events read, also on
 * failure. The reader stays the caller's. */
struct nc_event_reader;
enum nc_status bulkrun_create_from(const struct nc_ops *o, const char *source,
                                   struct nc_event_reader *r, const char *idem_key,
                                   int single, int64_t *run_id, size_t *nevents,
                                   struct nc_error *err);
/* Send every unfinished chunk of run_id, in order, with up to `parallel`
 * requests in flight (0: NC_BULK_PARALLEL_DEFAULT; capped at
 * NC_BULK_PARALLEL_MAX) through one libcurl multi handle on this thread
 * (http.h batches). The first chunk goes alone; once an answer has come
 * back, chunks go `parallel` at a time while the server sends no RateLimit-*
 * headers, and only as many as the advertised tokens pay for (100 each,
 * counting those in flight) when it does. Before a chunk leaves its events
 * are recorded "unknown"; after, its answer and every event's result are
 * committed together (two commits a chunk). A chunk refused for its body
 * (400, 413, 415, 422: resending the same bytes and key would only replay
 * the refusal) is settled as failed and the run goes on. A chunk without an
 * answer stays "unknown", one the server turned away (5xx, 429, 401...)
 * goes back to "queued"; either ends the run for a later resume, which
 * sends the stored bytes with the stored key: no new chunk starts, those in
 * flight finish and are recorded. History that cannot be written stops the
 * run before the next request. The client's abort flag stops every chunk
 * in flight (recorded "unknown"). Returns the first failure (err describes
 * it), else NC_OK. */
enum nc_status bulkrun_send(const struct nc_ops *o, int64_t run_id, int parallel,
                            nc_bulk_progress_cb cb, void *ctx, struct nc_error *err);
/* Give up run_id: nothing more of it is sent, no resume picks it. Events
 * never sent are recorded "dropped" (*dropped), those whose request left
 * without an answer stay "unknown" (*unknown; History's status check asks
 * Novu). Sends nothing. A run another process is sending is left alone
 * (NC_E_USAGE naming it). */
enum nc_status bulkrun_drop(const struct nc_ops *o, int64_t run_id, size_t *dropped,
                            size_t *unknown, struct nc_error *err);

#endif
