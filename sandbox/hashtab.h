/* hashtab.h - a string-keyed hash table (open addressing, linear probing,
 * deletion by backward shift, so there are no tombstones and lookups stay
 * short after many evictions). The sandbox's one lookup structure: the
 * subscriber, transaction and idempotency-key indexes all use it.
 *
 * Ownership: the table stores the key pointer, not a copy; the caller keeps
 * the key alive (usually it lives in the value) until the entry is removed.
 * Not thread-safe: the owner's lock protects it. */
#ifndef SB_HASHTAB_H
#define SB_HASHTAB_H

#include <stddef.h>
#include <stdint.h>

struct hashtab_slot {
	const char *key;   /* NULL: empty */
	void *value;
	uint32_t hash;
};

struct hashtab {
	struct hashtab_slot *slots;
	size_t cap;        /* a power of two, or 0 before the first insert */
	size_t count;
};

/* FNV-1a of a NUL-terminated string. */
uint32_t hashtab_hash(const char *key);

/* The value stored under key, or NULL. */
void *hashtab_get(const struct hashtab *t, const char *key);

/* Store value under key, replacing an earlier value; 0, or -1 when out of
 * memory (the table is then unchanged). */
int hashtab_put(struct hashtab *t, const char *key, void *value);

/* Remove key; returns its value, or NULL when it was not there. */
void *hashtab_remove(struct hashtab *t, const char *key);

/* Forget every entry but keep the memory. */
void hashtab_clear(struct hashtab *t);

/* Release the slots; the table is empty and usable again afterwards. */
void hashtab_free(struct hashtab *t);

#endif
