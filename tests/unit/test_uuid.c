/* test_uuid.c - version/variant bits, format and uniqueness of uuid_v4. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "uuid.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

Test(uuid, format_version_and_variant)
{
	char id[NC_UUID_LEN + 1];
	int i;

	for (i = 0; i < 1000; i++) {
		cr_assert_eq(uuid_v4(id), 0);
		cr_assert_eq(strlen(id), NC_UUID_LEN);
		cr_assert(uuid_is_valid(id), "%s", id);
		cr_assert_eq(id[14], '4', "version nibble in %s", id);
		cr_assert(strchr("89ab", id[19]) != NULL, "variant nibble in %s", id);
		cr_assert_eq(strspn(id, "0123456789abcdef-"), NC_UUID_LEN, "lowercase hex: %s", id);
	}
}

Test(uuid, unique_over_many)
{
	enum { N = 5000 };
	char (*ids)[NC_UUID_LEN + 1] = malloc(N * sizeof(*ids));
	int i;

	for (i = 0; i < N; i++)
		cr_assert_eq(uuid_v4(ids[i]), 0);
	qsort(ids, N, sizeof(*ids), cmp_str);
	for (i = 1; i < N; i++)
		cr_assert_neq(strcmp(ids[i - 1], ids[i]), 0, "duplicate %s", ids[i]);
	free(ids);
}

Test(uuid, every_random_bit_varies)
{
	/* Over 200 draws each of the 122 random bits should take both values;
	 * a stuck nibble would mean a broken generator. */
	char id[NC_UUID_LEN + 1];
	unsigned seen_or[NC_UUID_LEN] = { 0 }, seen_and[NC_UUID_LEN];
	int i, k;

	for (k = 0; k < NC_UUID_LEN; k++)
		seen_and[k] = 0xf;
	for (i = 0; i < 200; i++) {
		uuid_v4(id);
		for (k = 0; k < NC_UUID_LEN; k++) {
			unsigned v;

			if (id[k] == '-')
				continue;
			v = (unsigned)(id[k] <= '9' ? id[k] - '0' : id[k] - 'a' + 10);
			seen_or[k] |= v;
			seen_and[k] &= v;
		}
	}
	for (k = 0; k < NC_UUID_LEN; k++) {
		if (k == 8 || k == 13 || k == 18 || k == 23)
			continue;
		if (k == 14) {          /* version: always 0100 */
			cr_assert(seen_or[k] == 4 && seen_and[k] == 4);
		} else if (k == 19) {   /* variant: 10xx, xx random */
			cr_assert_eq(seen_or[k], 0xb);
			cr_assert_eq(seen_and[k], 0x8);
		} else {
			cr_assert_eq(seen_or[k], 0xf, "position %d", k);
			cr_assert_eq(seen_and[k], 0x0, "position %d", k);
		}
	}
}

Test(uuid, validity_checks)
{
	cr_assert(uuid_is_valid("7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a17"));
	cr_assert(uuid_is_valid("7F9C2D3E-8A41-1B6E-9D1A-2C5E8F0B4A17"));
	cr_assert_not(uuid_is_valid(NULL));
	cr_assert_not(uuid_is_valid(""));
	cr_assert_not(uuid_is_valid("7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a1"));
	cr_assert_not(uuid_is_valid("7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a177"));
	cr_assert_not(uuid_is_valid("7f9c2d3e08a41-4b6e-9d1a-2c5e8f0b4a17"));
	cr_assert_not(uuid_is_valid("7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a1g"));
}
