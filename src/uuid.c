/* uuid.c - RFC 4122 version-4 UUIDs from the kernel's CSPRNG.
 *
 * transactionIds double as cancel handles and dedup keys, so they must not
 * collide across processes started in the same second: getrandom(2), never
 * rand().
 */
#include "uuid.h"

#include <errno.h>
#include <stddef.h>
#include <sys/random.h>
#include <sys/types.h>

/* Fill buf completely; getrandom may return short reads or EINTR. */
static int
random_bytes(unsigned char *buf, size_t len)
{
	size_t got = 0;
	int tries = 0;

	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);

		if (n < 0) {
			if (errno == EINTR && ++tries < 100)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int
uuid_v4(char out[NC_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];
	size_t i, o = 0;

	if (random_bytes(r, sizeof(r)) != 0) {
		out[0] = '\0';
		return -1;
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);  /* version 4 */
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);  /* variant 10xx */
	for (i = 0; i < sizeof(r); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[r[i] >> 4];
		out[o++] = hex[r[i] & 0x0f];
	}
	out[o] = '\0';
	return 0;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

int
uuid_is_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < NC_UUID_LEN; i++) {
		int dash = (i == 8 || i == 13 || i == 18 || i == 23);

		if (s[i] == '\0')
			return 0;
		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return 0;
	}
	return s[NC_UUID_LEN] == '\0';
}
