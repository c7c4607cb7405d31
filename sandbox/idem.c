/* idem.c - idempotency keys with TTLs, searched linearly (the store is
 * small and a sandbox sees few requests per second). */
#include "idem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define IN_FLIGHT_TTL_MS (5LL * 60 * 1000)
#define DONE_TTL_MS (24LL * 3600 * 1000)

struct idem_entry {
	char *key;
	char hash[65];
	int done;
	int64_t expires_ms;   /* monotonic */
	uint64_t order;       /* insertion order, for eviction */
	unsigned int status;
	char *body;
};

static pthread_mutex_t idem_mu = PTHREAD_MUTEX_INITIALIZER;
static struct idem_entry *entries[IDEM_CAP];
static size_t nentries;
static uint64_t next_order;

static void
entry_free(struct idem_entry *e)
{
	free(e->key);
	free(e->body);
	free(e);
}

static void
remove_at(size_t i)
{
	entry_free(entries[i]);
	entries[i] = entries[--nentries];
	entries[nentries] = NULL;
}

/* Drop expired entries; return the index of key, or -1. */
static long
sweep_and_find(const char *key, int64_t now)
{
	long found = -1;
	size_t i = 0;

	while (i < nentries) {
		if (entries[i]->expires_ms <= now) {
			remove_at(i);
			continue;
		}
		if (strcmp(entries[i]->key, key) == 0)
			found = (long)i;
		i++;
	}
	return found;
}

/* Make room for one entry: the oldest finished key goes first, else the
 * oldest of all (only if every slot is in flight, which is unlikely). */
static void
evict_one(void)
{
	long victim = -1;
	size_t i;

	for (i = 0; i < nentries; i++)
		if (entries[i]->done &&
		    (victim < 0 || entries[i]->order < entries[victim]->order))
			victim = (long)i;
	if (victim < 0)
		for (i = 0; i < nentries; i++)
			if (victim < 0 || entries[i]->order < entries[victim]->order)
				victim = (long)i;
	if (victim >= 0)
		remove_at((size_t)victim);
}

enum idem_outcome
idem_begin(const char *key, const char *body_hash, struct sb_reply *replay)
{
	int64_t now = util_mono_ms();
	struct idem_entry *e;
	enum idem_outcome out;
	long at;

	pthread_mutex_lock(&idem_mu);
	at = sweep_and_find(key, now);
	if (at >= 0) {
		e = entries[at];
		if (!e->done) {
			out = IDEM_IN_FLIGHT;
		} else if (strcmp(e->hash, body_hash) != 0) {
			out = IDEM_MISMATCH;
		} else {
			out = IDEM_REPLAY;
			memset(replay, 0, sizeof(*replay));
			replay->status = e->status;
			replay->body = e->body ? strdup(e->body) : NULL;
		}
		pthread_mutex_unlock(&idem_mu);
		return out;
	}
	if (nentries == IDEM_CAP)
		evict_one();
	e = calloc(1, sizeof(*e));
	if (e) {
		e->key = strdup(key);
		if (!e->key) {
			free(e);
			e = NULL;
		}
	}
	if (e) {
		memcpy(e->hash, body_hash, sizeof(e->hash));
		e->hash[64] = '\0';
		e->expires_ms = now + IN_FLIGHT_TTL_MS;
		e->order = next_order++;
		entries[nentries++] = e;
	}
	pthread_mutex_unlock(&idem_mu);
	return IDEM_NEW;
}

void
idem_finish(const char *key, const char *body_hash, const struct sb_reply *reply)
{
	size_t i;

	pthread_mutex_lock(&idem_mu);
	for (i = 0; i < nentries; i++) {
		struct idem_entry *e = entries[i];

		/* A reset while the request ran removed the marker: keep it gone. */
		if (strcmp(e->key, key) != 0 || e->done || strcmp(e->hash, body_hash) != 0)
			continue;
		e->done = 1;
		e->status = reply->status;
		e->body = reply->body ? strdup(reply->body) : NULL;
		e->expires_ms = util_mono_ms() + DONE_TTL_MS;
		break;
	}
	pthread_mutex_unlock(&idem_mu);
}

void
idem_reset(void)
{
	pthread_mutex_lock(&idem_mu);
	while (nentries > 0)
		remove_at(nentries - 1);
	pthread_mutex_unlock(&idem_mu);
}

void
idem_free(void)
{
	idem_reset();
}
