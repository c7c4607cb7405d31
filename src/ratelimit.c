/* ratelimit.c - pacing by the RateLimit-* headers (CONTRACT 4.5).
 *
 * The server runs a token bucket per environment and category; it tells us
 * how many tokens are left and how many seconds until the bucket refills.
 * Waiting out that reset before a request we know cannot be paid for is
 * cheaper than a 429 plus its Retry-After.
 */
#include "ratelimit.h"
#include "clock.h"

#include <time.h>

void
ratelimit_init(struct nc_ratelimit *rl)
{
	rl->limit = rl->remaining = rl->reset_s = -1;
	rl->seen_at_ms = 0;
}

void
ratelimit_observe(struct nc_ratelimit *rl, long limit, long remaining,
                  long reset_s, long long now_ms)
{
	/* No headers at all means rate limiting is off for this organisation
	 * (or the answer never came): keep what we knew. */
	if (limit < 0 && remaining < 0 && reset_s < 0)
		return;
	rl->limit = limit;
	rl->remaining = remaining;
	rl->reset_s = reset_s;
	rl->seen_at_ms = now_ms;
}

void
ratelimit_observe_lowest(struct nc_ratelimit *rl, long limit, long remaining, long reset_s,
                         long long now_ms)
{
	/* While the held figures' reset has not passed, a higher count may
	 * come from an answer the server gave before the one held. */
	if (rl->remaining >= 0 && remaining > rl->remaining && !ratelimit_stale(rl, now_ms))
		return;
	ratelimit_observe(rl, limit, remaining, reset_s, now_ms);
}

int
ratelimit_stale(const struct nc_ratelimit *rl, long long now_ms)
{
	return rl->remaining >= 0 && rl->reset_s >= 0 &&
	       now_ms - rl->seen_at_ms >= (long long)rl->reset_s * 1000;
}

long
ratelimit_wait_ms(const struct nc_ratelimit *rl, long cost, long long now_ms)
{
	long long left;

	if (rl->remaining < 0 || rl->remaining >= cost || rl->reset_s < 0)
		return 0;
	left = (long long)rl->reset_s * 1000 - (now_ms - rl->seen_at_ms);
	return left > 0 ? (long)left : 0;
}

long long
ratelimit_now_ms(void)
{
	return clock_mono_ms();
}
