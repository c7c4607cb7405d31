/* util.c - clocks, timestamps, random numbers and string helpers. */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t rng_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rng_state;
static int rng_seeded;

static pthread_mutex_t sleep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cv;
static pthread_once_t sleep_once = PTHREAD_ONCE_INIT;
static int sleep_stopped;

int64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
util_iso_time(int64_t epoch_ms, char *buf, size_t cap)
{
	time_t secs = (time_t)(epoch_ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (int)(epoch_ms % 1000));
}

/* splitmix64: tiny, good enough for fault draws and UUIDs, and fully
 * determined by the seed so --seed makes a run repeatable. */
static uint64_t
splitmix_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
util_rng_seed(uint64_t seed)
{
	pthread_mutex_lock(&rng_mu);
	rng_state = seed;
	rng_seeded = 1;
	pthread_mutex_unlock(&rng_mu);
}

uint64_t
util_rng_next(void)
{
	uint64_t v;

	pthread_mutex_lock(&rng_mu);
	if (!rng_seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		rng_state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
		            ((uint64_t)getpid() << 16);
		rng_seeded = 1;
	}
	v = splitmix_next(&rng_state);
	pthread_mutex_unlock(&rng_mu);
	return v;
}

double
util_rng_unit(void)
{
	/* 53 random bits scaled into [0,1). */
	return (double)(util_rng_next() >> 11) * (1.0 / 9007199254740992.0);
}

void
util_uuid4(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	uint64_t a = util_rng_next(), c = util_rng_next();
	size_t i, o = 0;

	for (i = 0; i < 8; i++) {
		b[i] = (unsigned char)(a >> (i * 8));
		b[i + 8] = (unsigned char)(c >> (i * 8));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}

static void
sleep_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sleep_cv, &attr);
	pthread_condattr_destroy(&attr);
}

void
util_sleep_ms(long ms)
{
	struct timespec deadline;

	if (ms <= 0)
		return;
	pthread_once(&sleep_once, sleep_init);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sleep_mu);
	while (!sleep_stopped) {
		if (pthread_cond_timedwait(&sleep_cv, &sleep_mu, &deadline) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&sleep_mu);
}

void
util_stop_sleepers(void)
{
	pthread_once(&sleep_once, sleep_init);
	pthread_mutex_lock(&sleep_mu);
	sleep_stopped = 1;
	pthread_cond_broadcast(&sleep_cv);
	pthread_mutex_unlock(&sleep_mu);
}

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int
util_ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0)
		return 1;
	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i]; i++)
			if (ascii_lower((unsigned char)hay[i]) != ascii_lower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

char *
util_strndup_utf8(const char *s, size_t max)
{
	size_t n = strlen(s);
	char *copy;

	if (n > max) {
		n = max;
		/* Back off over continuation bytes so a character stays whole. */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	copy = malloc(n + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	return copy;
}

int
util_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
util_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
