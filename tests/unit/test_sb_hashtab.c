/* test_sb_hashtab.c - the sandbox's hash table against a plain array model:
 * random puts, removes and lookups (many collisions and wrap-arounds in a
 * small table), growth, and removal by backward shift. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sandbox is a separate program; its table is compiled in here. */
#include "../../sandbox/hashtab.c"

#define NKEYS 600

static char keys[NKEYS][16];
static int present[NKEYS];

static void
make_keys(void)
{
	int i;

	for (i = 0; i < NKEYS; i++)
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
	memset(present, 0, sizeof(present));
}

static void
assert_matches_model(const struct hashtab *t)
{
	size_t n = 0;
	int i;

	for (i = 0; i < NKEYS; i++) {
		void *v = hashtab_get(t, keys[i]);

		if (present[i]) {
			cr_assert_eq(v, (void *)keys[i], "key %s lost", keys[i]);
			n++;
		} else {
			cr_assert_null(v, "key %s should be gone", keys[i]);
		}
	}
	cr_assert_eq(t->count, n);
}

Test(sb_hashtab, random_operations_match_a_model)
{
	struct hashtab t = { 0 };
	unsigned int seed = 12345;
	int step, k;

	make_keys();
	for (step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		k = (int)((seed >> 8) % NKEYS);
		if ((seed >> 20) % 3 == 0) {
			void *v = hashtab_remove(&t, keys[k]);

			cr_assert_eq(v, present[k] ? (void *)keys[k] : NULL);
			present[k] = 0;
		} else {
			cr_assert_eq(hashtab_put(&t, keys[k], keys[k]), 0);
			present[k] = 1;
		}
		if (step % 997 == 0)
			assert_matches_model(&t);
	}
	assert_matches_model(&t);
	hashtab_free(&t);
}

Test(sb_hashtab, put_replaces_and_remove_of_missing_is_null)
{
	struct hashtab t = { 0 };
	int a = 1, b = 2;

	cr_assert_null(hashtab_get(&t, "x"));
	cr_assert_null(hashtab_remove(&t, "x"));
	cr_assert_eq(hashtab_put(&t, "x", &a), 0);
	cr_assert_eq(hashtab_put(&t, "x", &b), 0);
	cr_assert_eq(t.count, 1);
	cr_assert_eq(hashtab_get(&t, "x"), &b);
	cr_assert_eq(hashtab_remove(&t, "x"), &b);
	cr_assert_eq(t.count, 0);
	hashtab_free(&t);
}

Test(sb_hashtab, removal_keeps_every_other_key_reachable)
{
	struct hashtab t = { 0 };
	int i, j;

	/* Remove each key in turn from a full table of 48 (a 128-slot table
	 * with long probe runs), checking all others after each removal. */
	make_keys();
	for (j = 0; j < 48; j++) {
		hashtab_clear(&t);
		for (i = 0; i < 48; i++) {
			hashtab_put(&t, keys[i], keys[i]);
			present[i] = 1;
		}
		cr_assert_eq(hashtab_remove(&t, keys[j]), keys[j]);
		present[j] = 0;
		assert_matches_model(&t);
	}
	hashtab_free(&t);
}

Test(sb_hashtab, grows_past_a_hundred_thousand)
{
	struct hashtab t = { 0 };
	static char big[100000][12];
	int i;

	for (i = 0; i < 100000; i++) {
		snprintf(big[i], sizeof(big[i]), "t-%d", i);
		cr_assert_eq(hashtab_put(&t, big[i], big[i]), 0);
	}
	cr_assert_eq(t.count, 100000);
	cr_assert_geq(t.cap, 200000);
	for (i = 0; i < 100000; i++)
		cr_assert_eq(hashtab_get(&t, big[i]), big[i]);
	cr_assert_null(hashtab_get(&t, "t-100000"));
	hashtab_free(&t);
}
