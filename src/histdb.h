/* histdb.h - the durable local record of every send and cancel.
 *
 * Stored in SQLite at $XDG_STATE_HOME/novu-console/history.db (default
 * ~/.local/state/...; $NOVU_CONSOLE_STATE_DIR overrides the directory),
 * WAL mode with a busy timeout: every append is one transaction, so a crash
 * at any point loses at most the record being written and never the file,
 * and two consoles can append at once. Paging is keyset-based (id < cursor,
 * id > cursor) and filtering goes through an FTS5 trigram index of the text
 * each row shows, so millions of entries page and filter at once.
 * The secret key is never given to this module.
 *
 * Ownership: entries returned are caller-owned; free with
 * histdb_entry_clear() (each) and free() (the array).
 */
#ifndef NC_HISTDB_H
#define NC_HISTDB_H

#include <stddef.h>
#include <stdint.h>
#include "apierror.h"

struct nc_history;

struct nc_history_entry {
	int64_t id;               /* assigned by histdb_append */
	int64_t time_ms;          /* Unix time in ms; 0 = now */
	char *profile;
	char *kind;               /* "trigger" "broadcast" "bulk" "cancel" */
	char *workflow;
	char *recipients;         /* summary */
	char *transaction_id;
	char *idempotency_key;
	long http_status;         /* 0 = no answer */
	char *response_status;    /* "processed", "error", "cancelled", ... */
	char *error;              /* one-line summary or NULL */
	char *cancel_outcome;     /* NULL, "cancelled", "nothing pending", "failed: ..." */
	char *request_json;       /* exact body sent (no key), or NULL */
	char *response_json;      /* body received, or NULL */
	char *batch_id;           /* bulk: shared by the events of one request */
	char *scope;              /* "ENVIRONMENT URL" it was sent to
	                             (session_run_scope; "PROFILE URL" in rows
	                             of older versions, NULL in the oldest) */
	int64_t chunk_id;         /* bulk: its request in bulk_chunks, else 0 */
	char *shown_status;       /* the Status column as History shows it; set by
	                           * histdb_page/_newer/_slice, else NULL */
};

void histdb_entry_clear(struct nc_history_entry *e);

/* Default database path (malloc'd). */
char *histdb_default_path(void);

/* Open (creating directories 0700 and the file 0600). A file that is not a
 * readable database is moved aside to PATH.corrupt-<time> and a new one
 * started; err then carries a note (status NC_OK). */
enum nc_status histdb_open(const char *path, struct nc_history **out, struct nc_error *err);
void histdb_close(struct nc_history *h);

enum nc_status histdb_append(struct nc_history *h, struct nc_history_entry *e,
                              struct nc_error *err);
/* Append n entries in one transaction, all or none (a bulk request's
 * per-event results; one fsync instead of n). Fills each id (and time_ms
 * when 0). */
enum nc_status histdb_append_many(struct nc_history *h, struct nc_history_entry *entries,
                                   size_t n, struct nc_error *err);
/* ---- the send ledger ----
 * A send is recorded before it leaves and completed when its answer comes,
 * so a kill in between leaves it "unknown", never missing. */
#define HISTDB_QUEUED  "queued"   /* stored in a bulk run, not sent yet */
#define HISTDB_UNKNOWN "unknown"  /* sent; no answer recorded */
#define HISTDB_UNKNOWN_WHY "sent, but no answer was recorded: it may have been accepted"
#define HISTDB_DROPPED "dropped"  /* queued in a bulk run that was dropped: never sent */

enum histdb_verdict {
	HISTDB_NEW,         /* e was inserted (e->id set): send it */
	HISTDB_RETRY,       /* *found has this key and these very bytes: a retry */
	HISTDB_KEY_CHANGED, /* *found has this key with other bytes */
	HISTDB_TXID_TAKEN,  /* *found already used this transactionId */
};
/* In one write transaction (so two consoles cannot both claim an ID):
 * look e's idempotency key, then its transactionId, up among the send rows
 * of e->scope (rows refused by the API, which kept no status, did not use
 * their transactionId); insert e only when neither is there. *found
 * (cleared by the caller) holds the row behind any other verdict. */
enum nc_status histdb_claim_send(struct nc_history *h, struct nc_history_entry *e,
                                 enum histdb_verdict *v, struct nc_history_entry *found,
                                 struct nc_error *err);
/* The answer to a claimed send: http_status, response_status, error,
 * response_json, transaction_id (when not NULL) and time_ms (when > 0) of r
 * replace the row's. */
enum nc_status histdb_finish_send(struct nc_history *h, int64_t id,
                                  const struct nc_history_entry *r, struct nc_error *err);
/* A cancel's outcome (c->cancel_outcome) goes on every send row of
 * c->transaction_id in c->scope; only when there is none (sent by something
 * else) is c recorded as a row of its own (*own_row = 1), one per
 * transaction, kept up to date. One transaction. */
enum nc_status histdb_record_cancel(struct nc_history *h, struct nc_history_entry *c,
                                   int *own_row, struct nc_error *err);

/* Where a transaction was sent, for a cancel: *found gets its newest send
 * row when History holds sends of it only to other environments or servers
 * than scope ("ENVIRONMENT URL"; a cancel asked here would ask the wrong
 * one), and is all-zero when one went here, under any profile, or History
 * has none. Rows of older versions, whose environment is unknown, count as
 * here when they went to this URL. Clear *found. */
enum nc_status histdb_sent_elsewhere(struct nc_history *h, const char *transaction_id,
                                     const char *scope, const char *profile,
                                     struct nc_history_entry *found, struct nc_error *err);
/* The newest send row (refused ones included) of each of n transactionIds
 * in scope, into out[i] (all-zero when none; NULL txids are skipped). out
 * holds n entries, each cleared by the caller. */
enum nc_status histdb_latest_sends(struct nc_history *h, const char *scope,
                                   const char *profile, const char *const *txids, size_t n,
                                   struct nc_history_entry *out, struct nc_error *err);


/* The History filter. `filter` (NULL or "" = all) matches, case-
 * insensitively, a substring of the text a row shows: its time as local
 * "YYYY-MM-DD HH:MM:SS" (so "14:05" and "2026-12-02" both match), kind,
 * profile, workflow, recipients, the shown status (cancel outcome, API
 * status, "HTTP 422", "failed"), the API status and "HTTP nnn" of its detail,
 * and the full transactionId. Filters of 3 or more characters go through a
 * trigram index; shorter ones read the same text row by row. Case folding
 * is Unicode-wide through the index and ASCII-only for the short ones.
 *
 * Newest first: before_id = 0 starts at the newest; pass the last id of the
 * previous page to continue. */
enum nc_status histdb_page(struct nc_history *h, const char *filter, int64_t before_id,
                            size_t limit, struct nc_history_entry **out, size_t *n,
                            struct nc_error *err);
/* The `limit` matching rows just newer than after_id (after_id = 0: the
 * oldest ones), newest first: paging back up, or to the end, by key. */
enum nc_status histdb_page_newer(struct nc_history *h, const char *filter, int64_t after_id,
                                  size_t limit, struct nc_history_entry **out, size_t *n,
                                  struct nc_error *err);
/* Rows at positions [offset, offset+limit) newest first (for a scrolling list
 * that jumps). Costs in proportion to offset: prefer the keyset pages. */
enum nc_status histdb_slice(struct nc_history *h, const char *filter, size_t offset,
                             size_t limit, struct nc_history_entry **out, size_t *n,
                             struct nc_error *err);
enum nc_status histdb_count(struct nc_history *h, const char *filter, size_t *count,
                             struct nc_error *err);
/* The count, but stop at cap (0 = no cap): *count == cap means "cap or
 * more". Without a filter the count is exact and free (a stored total). */
enum nc_status histdb_count_upto(struct nc_history *h, const char *filter, size_t cap,
                                  size_t *count, struct nc_error *err);
/* A filter's first screen: the count stopped at cap (as histdb_count_upto)
 * and the newest `limit` matching rows (as histdb_page with before_id 0),
 * read together in one pass over the index and one read transaction,
 * so the two agree. A rare filter at millions of rows costs what one of
 * the two calls would. cap >= limit; caller frees *out (histdb_entry_clear
 * each, then free). */
enum nc_status histdb_filter_first(struct nc_history *h, const char *filter, size_t cap,
                                   size_t limit, size_t *count,
                                   struct nc_history_entry **out, size_t *n,
                                   struct nc_error *err);
/* How many matching rows are newer than after_id, stopping at cap (0: no
 * cap): the position of that row in the list, newest first. */
enum nc_status histdb_count_newer(struct nc_history *h, const char *filter, int64_t after_id,
                                  size_t cap, size_t *count, struct nc_error *err);
/* A number that changes when another connection (another console, a
 * headless command, sqlite3) commits to the store, and only then: a view
 * polls it to show rows written elsewhere. This handle's own writes leave
 * it as it is. */
enum nc_status histdb_data_version(struct nc_history *h, int64_t *version,
                                   struct nc_error *err);
/* One entry by id (NC_E_USAGE if there is none). Functions here are
 * histdb_*: GNU readline, linked into the screens, owns history_*. */
enum nc_status histdb_get_entry(struct nc_history *h, int64_t id,
                                 struct nc_history_entry *out, struct nc_error *err);

/* ---- resumable bulk runs (more than 100 events) ---- */
/* A run is stored before anything is sent: every chunk's exact body and
 * idempotency key. Sending marks chunks done; a stopped run is resumed by
 * sending only chunks not done, with their stored bytes and key, so the
 * server replays rather than re-sends one that had gone through. */
struct nc_bulk_chunk {
	int64_t id;               /* its row; event rows point at it */
	int64_t run_id;
	size_t index;
	char *idempotency_key;
	char *body;               /* NULL from histdb_bulk_pending: a run of
	                             100,000 events would hold every body; read
	                             it with histdb_bulk_chunk_body as it goes */
	size_t nevents;           /* its event rows */
	int done;
};
#define HISTDB_EVENTS_PER_CHUNK 100
/* What each event row of a new run holds (borrowed strings). */
struct histdb_bulk_event {
	const char *workflow, *recipients, *transaction_id, *request_json;
};
/* Store a run in one transaction: its chunks (body and key each) and one
 * "queued" row per event (event i in chunk i/100), with tmpl's profile and
 * scope. Before storing, every event's transactionId is looked up in scope:
 * when any was sent already, nothing is stored, *taken (malloc'd, caller
 * frees) lists their indices and *ntaken their count. */
enum nc_status histdb_bulk_create(struct nc_history *h, const struct nc_history_entry *tmpl,
                                  const char *source, char **bodies, char **keys,
                                  size_t nchunks, const struct histdb_bulk_event *evs,
                                  size_t nevents, size_t **taken, size_t *ntaken,
                                  int64_t *run_id, struct nc_error *err);
/* The same, a chunk at a time, for runs read from a file: begin starts
 * the transaction and the run's row; add_chunk stores the next chunk (its
 * body, key and event rows) after looking its events' transactionIds up in
 * scope - rows of this run aside - and, when any was sent already, stores
 * nothing and lists their indices in the chunk in taken[] (room for
 * nevents), *ntaken their count; commit makes the run visible (nothing of
 * it is seen by histdb_bulk_pending or a resume before), abort drops it.
 * Both free the writer. From begin to commit/abort the writer holds the
 * store's write lock and the handle's mutex: other consoles wait (busy
 * timeout), and this thread calls no other histdb function meanwhile. */
struct histdb_bulk_writer;
enum nc_status histdb_bulk_begin(struct nc_history *h, const struct nc_history_entry *tmpl,
                                 const char *source, struct histdb_bulk_writer **w,
                                 struct nc_error *err);
enum nc_status histdb_bulk_add_chunk(struct histdb_bulk_writer *w, const char *body,
                                     const char *key, const struct histdb_bulk_event *evs,
                                     size_t nevents, size_t *taken, size_t *ntaken,
                                     struct nc_error *err);
/* transactionIds that more than one event of the run being stored carries,
 * up to max of them into ids[] (caller frees each), their count in *n. */
enum nc_status histdb_bulk_repeated_ids(struct histdb_bulk_writer *w, char **ids, size_t max,
                                        size_t *n, struct nc_error *err);
enum nc_status histdb_bulk_commit(struct histdb_bulk_writer *w, int64_t *run_id,
                                  struct nc_error *err);
void histdb_bulk_abort(struct histdb_bulk_writer *w);   /* NULL is fine */
enum nc_status histdb_bulk_pending(struct nc_history *h, int64_t run_id,
                                    struct nc_bulk_chunk **out, size_t *n,
                                    struct nc_error *err);
/* The stored body of chunk_id, exactly as stored (caller frees *body). */
enum nc_status histdb_bulk_chunk_body(struct nc_history *h, int64_t chunk_id, char **body,
                                      struct nc_error *err);
/* What a chunk's answer records: the answer, kept once on the chunk, and
 * each event's result. results (index-aligned with the chunk's events) when
 * the chunk was answered 2xx; else every event gets status/error. settled:
 * the chunk is done (answered, or refused for good) and is not resent.
 * The strings are borrowed for the call. */
struct histdb_event_result { const char *status, *error, *transaction_id; };
struct histdb_chunk_outcome {
	int64_t chunk_id;
	long http_status;
	const char *response_json;
	const struct histdb_event_result *results;
	size_t nresults;
	const char *status, *error;   /* when results is NULL */
	int settled;
};
/* In one transaction (one fsync): the answers of chunks that came back,
 * and the chunks about to leave (leaving: chunk ids), whose events become
 * "unknown" before they go. Nothing is recorded when it fails. */
enum nc_status histdb_bulk_record(struct nc_history *h,
                                  const struct histdb_chunk_outcome *answers,
                                  size_t nanswers, const int64_t *leaving, size_t nleaving,
                                  struct nc_error *err);
/* Every event row of a run, in event order (entries as histdb_page). */
enum nc_status histdb_bulk_run_entries(struct nc_history *h, int64_t run_id,
                                       struct nc_history_entry **out, size_t *n,
                                       struct nc_error *err);
/* Newest unfinished run id stored with this scope (tmpl->scope given to
 * histdb_bulk_create; NULL: any), or 0; runs stored by older versions
 * under "PROFILE URL" count for that profile. Filtering by it keeps a run
 * made against one server from being finished against another. */
enum nc_status histdb_bulk_last_unfinished(struct nc_history *h, const char *scope,
                                            const char *profile, int64_t *run_id,
                                            struct nc_error *err);
/* Drop run_id for good, in one transaction: nothing of it is sent any
 * more (no resume picks it). Its events that never left ("queued") become
 * "dropped" (*dropped counts them); those whose request left without an
 * answer stay "unknown" (*unknown: Novu may have them, History's status
 * check asks). Claim the run first (histdb_bulk_claim): dropping a run
 * another process is sending would not stop its requests. */
enum nc_status histdb_bulk_drop(struct nc_history *h, int64_t run_id, size_t *dropped,
                                size_t *unknown, struct nc_error *err);
/* Whether chunk_id still has to be sent (*pending: a resume sends it). */
enum nc_status histdb_bulk_chunk_pending(struct nc_history *h, int64_t chunk_id, int *pending,
                                         struct nc_error *err);
void bulk_chunk_clear(struct nc_bulk_chunk *c);
/* Claim run_id for this handle before sending it, so two consoles resuming
 * the same run do not both send its chunks: a kernel lock on
 * <state dir>/bulk-run-<id>.lock, freed when the holder exits or dies.
 * *holder is set when another process holds it (nothing claimed): its pid,
 * or -1 when unknown; else 0. */
enum nc_status histdb_bulk_claim(struct nc_history *h, int64_t run_id, long *holder,
                                  struct nc_error *err);
void histdb_bulk_release(struct nc_history *h, int64_t run_id);

#endif
