/* hashtab.c - open addressing with linear probing. The table doubles when
 * it is half full, which keeps probe sequences to a couple of slots. */
#include "hashtab.h"

#include <stdlib.h>
#include <string.h>

#define MIN_CAP 64

uint32_t
hashtab_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

/* Slot index holding key, or of the empty slot where it would go. */
static size_t
find_slot(const struct hashtab *t, const char *key, uint32_t h)
{
	size_t mask = t->cap - 1, i = h & mask;

	while (t->slots[i].key &&
	       (t->slots[i].hash != h || strcmp(t->slots[i].key, key) != 0))
		i = (i + 1) & mask;
	return i;
}

void *
hashtab_get(const struct hashtab *t, const char *key)
{
	size_t i;

	if (t->count == 0)
		return NULL;
	i = find_slot(t, key, hashtab_hash(key));
	return t->slots[i].key ? t->slots[i].value : NULL;
}

static int
grow(struct hashtab *t)
{
	size_t ncap = t->cap ? t->cap * 2 : MIN_CAP, i, j;
	struct hashtab_slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (i = 0; i < t->cap; i++) {
		if (!t->slots[i].key)
			continue;
		j = t->slots[i].hash & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

int
hashtab_put(struct hashtab *t, const char *key, void *value)
{
	uint32_t h = hashtab_hash(key);
	size_t i;

	if ((t->count + 1) * 2 > t->cap && grow(t) != 0)
		return -1;
	i = find_slot(t, key, h);
	if (!t->slots[i].key)
		t->count++;
	t->slots[i].key = key;
	t->slots[i].value = value;
	t->slots[i].hash = h;
	return 0;
}

/* Close the gap at i: move later members of the probe run back when their
 * home slot does not lie cyclically in (i, j]. */
static void
shift_back(struct hashtab *t, size_t i)
{
	size_t mask = t->cap - 1, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (!t->slots[j].key)
			break;
		home = t->slots[j].hash & mask;
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].key = NULL;
	t->slots[i].value = NULL;
}

void *
hashtab_remove(struct hashtab *t, const char *key)
{
	void *value;
	size_t i;

	if (t->count == 0)
		return NULL;
	i = find_slot(t, key, hashtab_hash(key));
	if (!t->slots[i].key)
		return NULL;
	value = t->slots[i].value;
	shift_back(t, i);
	t->count--;
	return value;
}

void
hashtab_clear(struct hashtab *t)
{
	if (t->slots)
		memset(t->slots, 0, t->cap * sizeof(*t->slots));
	t->count = 0;
}

void
hashtab_free(struct hashtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->count = 0;
}
