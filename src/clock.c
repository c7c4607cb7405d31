/* clock.c - wall and monotonic time, sleeping, and IDs (see clock.h). */
#include "clock.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"
#include "uuid.h"

static atomic_int fake_on;
static _Atomic int64_t fake_now_ms;
static atomic_ullong id_counter;

static int
env_number(const char *name, long long *out)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s;
}

int64_t
clock_wall_ms(void)
{
	struct timespec ts;
	long long fixed;

	if (env_number("NOVU_CONSOLE_TEST_TIME", &fixed))
		return (int64_t)fixed * 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_mono_ms(void)
{
	struct timespec ts;

	if (atomic_load(&fake_on))
		return atomic_load(&fake_now_ms);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	if (atomic_load(&fake_on)) {
		atomic_fetch_add(&fake_now_ms, ms);
		return;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void
clock_fake_start(int64_t start_ms)
{
	atomic_store(&fake_now_ms, start_ms);
	atomic_store(&fake_on, 1);
}

void
clock_fake_stop(void)
{
	atomic_store(&fake_on, 0);
}

int
clock_is_fake(void)
{
	return atomic_load(&fake_on);
}

int
id_new_uuid(char out[NC_ID_LEN + 1])
{
	unsigned long long k = atomic_fetch_add(&id_counter, 1) + 1;
	long long seed;

	if (env_number("NOVU_CONSOLE_TEST_SEED", &seed)) {
		/* Counter first, so short forms ("00000002") differ. */
		snprintf(out, NC_ID_LEN + 1, "%08llx-0000-4000-8000-%012llx",
		         k & 0xffffffffULL, (unsigned long long)seed & 0xffffffffffffULL);
		return 0;
	}
	if (uuid_v4(out) == 0)
		return 0;
	/* No randomness: time and a counter, still unique in this process and
	 * never empty. */
	snprintf(out, NC_ID_LEN + 1, "%08llx-0000-4000-8000-%012llx",
	         (unsigned long long)clock_wall_ms() & 0xffffffffULL, k & 0xffffffffffffULL);
	return -1;
}

char *
id_new_transaction_id(void)
{
	char id[NC_ID_LEN + 1];

	id_new_uuid(id);
	return strdup(id);
}

char *
id_new_idempotency_key(void)
{
	char id[NC_ID_LEN + 1], *key = malloc(3 + NC_ID_LEN + 1);

	id_new_uuid(id);
	if (key)
		snprintf(key, 3 + NC_ID_LEN + 1, "nc-%s", id);
	return key;
}

int
id_uuid_from_name(const char *name, char out[NC_ID_LEN + 1])
{
	static const char prefix[] = "novu-console transactionId\n";
	static const char hex[] = "0123456789abcdef";
	size_t plen = sizeof(prefix) - 1, nlen = strlen(name), i, o = 0;
	unsigned char d[32];
	char *buf = malloc(plen + nlen + 1);

	if (!buf) {
		out[0] = '\0';
		return -1;
	}
	memcpy(buf, prefix, plen);
	memcpy(buf + plen, name, nlen);
	sha256(buf, plen + nlen, d);
	free(buf);
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x80);  /* version 8 */
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);  /* variant 10xx */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[d[i] >> 4];
		out[o++] = hex[d[i] & 0x0f];
	}
	out[o] = '\0';
	return 0;
}
