/* world.h - the sandbox's world on disk, so consecutive novu-console
 * commands and a running console (each with its own sandbox process) see
 * one set of transactions, pending delay/digest jobs, idempotency keys,
 * upserted subscribers and tenants.
 *
 * The file is an append-only journal, DIR/sandbox-world.jsonl: one JSON
 * record per line, one line per mutation; a request's lines are written
 * with a single write() on an O_APPEND descriptor so concurrent sandboxes
 * never interleave. Records are idempotent to apply, so a process re-reading its
 * own lines does no harm. Before each request a process replays what others
 * appended; a file that shrank or was replaced (a reset, a compaction)
 * is loaded again from scratch. At start the journal is compacted when it
 * holds mostly dead records (snapshot to a temporary file, fsync, rename),
 * under an exclusive flock that appenders respect with a shared one.
 *
 * No fsync per request: the world is a convenience, not a bank, and a crash
 * loses at most the last few records (a torn last line is skipped).
 *
 * Without world_open() everything here is a no-op: the world lives in
 * memory only. Lock order: the world's own lock before the store lock;
 * never call world_append() while holding the store lock. */
#ifndef SB_WORLD_H
#define SB_WORLD_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "store.h"

#define WORLD_FILE "sandbox-world.jsonl"

/* Create DIR (0700) and open the journal (0600): 0, or -1 with a message
 * on stderr. From then on requests wait until world_load() has run. */
int world_open(const char *dir);
/* Read the journal (compacting it when worth it). Runs after the sandbox
 * listens, so a large world never delays the banner its starter waits for
 * (a full world takes a second or more to read). */
void world_load(void);
void world_close(void);

/* Catch up with records other processes appended (or reload after a
 * reset). Call before handling each API request. */
void world_sync(void);

/* The journal line for a transaction just added (store lock held); NULL
 * when persistence is off. broadcast: the event may have created a tenant. */
char *world_txn_record(const struct txn *t, const cJSON *ev, int broadcast);
char *world_cancel_record(const char *transaction_id);
char *world_idem_record(const char *key, const char *body_hash, unsigned int status,
                        const char *body, int64_t expires_ms);

/* Queue one record line (consumed; NULL is ignored) for this thread's
 * request; world_flush() writes what the request queued with one write(),
 * after the request's work is done. */
void world_append(char *line);
void world_flush(void);

/* Empty the world: memory (transactions, keys, subscribers and tenants back
 * to the seed) and the journal, which other sandboxes then reload empty. */
void world_reset(void);

#endif
