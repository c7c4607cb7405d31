/* idem.c - idempotency keys with TTLs: a hash index for lookups and a list
 * in insertion order for eviction, both O(1) per request. */
#include "idem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hashtab.h"
#include "util.h"

#define IN_FLIGHT_TTL_MS (5LL * 60 * 1000)

struct idem_entry {
	char *key;
	char hash[65];
	int done;
	int64_t expires_ms;   /* wall clock */
	unsigned int status;
	char *body;
	struct idem_entry *older, *newer;
};

static pthread_mutex_t idem_mu = PTHREAD_MUTEX_INITIALIZER;
static struct hashtab index_by_key;
static struct idem_entry *oldest, *newest;
static size_t cap = IDEM_CAP;

void
idem_set_cap(size_t n)
{
	cap = n ? n : 1;
}

static void
unlink_entry(struct idem_entry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		newest = e->older;
}

static void
remove_entry(struct idem_entry *e)
{
	hashtab_remove(&index_by_key, e->key);
	unlink_entry(e);
	free(e->key);
	free(e->body);
	free(e);
}

/* New entry as the newest; the oldest goes when the store is full. */
static struct idem_entry *
add_entry(const char *key, const char *body_hash)
{
	struct idem_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->key = strdup(key);
	if (!e->key || hashtab_put(&index_by_key, e->key, e) != 0) {
		free(e->key);
		free(e);
		return NULL;
	}
	memcpy(e->hash, body_hash, 64);
	e->hash[64] = '\0';
	e->older = newest;
	if (newest)
		newest->newer = e;
	else
		oldest = e;
	newest = e;
	while (index_by_key.count > cap && oldest != e)
		remove_entry(oldest);
	return e;
}

/* The live entry for key (an expired one is dropped), or NULL. */
static struct idem_entry *
find_live(const char *key, int64_t now)
{
	struct idem_entry *e = hashtab_get(&index_by_key, key);

	if (e && e->expires_ms <= now) {
		remove_entry(e);
		e = NULL;
	}
	/* Expired keys at the old end go too, so memory follows the TTL. */
	while (oldest && oldest->expires_ms <= now)
		remove_entry(oldest);
	return e;
}

enum idem_outcome
idem_begin(const char *key, const char *body_hash, struct sb_reply *replay)
{
	int64_t now = util_now_ms();
	struct idem_entry *e;
	enum idem_outcome out = IDEM_NEW;

	pthread_mutex_lock(&idem_mu);
	e = find_live(key, now);
	if (!e) {
		e = add_entry(key, body_hash);
		if (e)
			e->expires_ms = now + IN_FLIGHT_TTL_MS;
	} else if (!e->done) {
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

static void
set_done(struct idem_entry *e, unsigned int status, const char *body, int64_t expires_ms)
{
	free(e->body);
	e->done = 1;
	e->status = status;
	e->body = body ? strdup(body) : NULL;
	e->expires_ms = expires_ms;
}

int64_t
idem_finish(const char *key, const char *body_hash, const struct sb_reply *reply)
{
	struct idem_entry *e;
	int64_t expires = 0;

	pthread_mutex_lock(&idem_mu);
	e = hashtab_get(&index_by_key, key);
	/* A reset while the request ran removed the marker: keep it gone. */
	if (e && !e->done && strcmp(e->hash, body_hash) == 0) {
		expires = util_now_ms() + IDEM_DONE_TTL_MS;
		set_done(e, reply->status, reply->body, expires);
	}
	pthread_mutex_unlock(&idem_mu);
	return expires;
}

void
idem_restore(const struct idem_saved *s)
{
	struct idem_entry *e;

	if (s->expires_ms <= util_now_ms() || strlen(s->body_hash) != 64)
		return;
	pthread_mutex_lock(&idem_mu);
	e = hashtab_get(&index_by_key, s->key);
	if (e)
		remove_entry(e);
	e = add_entry(s->key, s->body_hash);
	if (e)
		set_done(e, s->status, s->body, s->expires_ms);
	pthread_mutex_unlock(&idem_mu);
}

void
idem_each_finished(void (*fn)(const struct idem_saved *, void *), void *arg)
{
	int64_t now = util_now_ms();
	struct idem_entry *e;
	struct idem_saved s;

	pthread_mutex_lock(&idem_mu);
	for (e = oldest; e; e = e->newer) {
		if (!e->done || e->expires_ms <= now)
			continue;
		s.key = e->key;
		s.body_hash = e->hash;
		s.status = e->status;
		s.body = e->body;
		s.expires_ms = e->expires_ms;
		fn(&s, arg);
	}
	pthread_mutex_unlock(&idem_mu);
}

size_t
idem_count(void)
{
	size_t n;

	pthread_mutex_lock(&idem_mu);
	n = index_by_key.count;
	pthread_mutex_unlock(&idem_mu);
	return n;
}

void
idem_reset(void)
{
	pthread_mutex_lock(&idem_mu);
	while (oldest)
		remove_entry(oldest);
	pthread_mutex_unlock(&idem_mu);
}

void
idem_free(void)
{
	idem_reset();
	hashtab_free(&index_by_key);
}
