/* ratelimit.h - pacing by the RateLimit-* headers (CONTRACT 4.5), so a long
 * bulk run waits for tokens instead of running into 429s. */
#ifndef NC_RATELIMIT_H
#define NC_RATELIMIT_H

struct nc_ratelimit {
	long limit, remaining, reset_s; /* last seen, -1 unknown */
	long long seen_at_ms;           /* monotonic ms when seen */
};

void ratelimit_init(struct nc_ratelimit *rl);
void ratelimit_observe(struct nc_ratelimit *rl, long limit, long remaining,
                       long reset_s, long long now_ms);
/* For answers that come back in any order (several requests in flight):
 * like ratelimit_observe, but a higher `remaining` than the one held is
 * taken only once the held figures are stale. */
void ratelimit_observe_lowest(struct nc_ratelimit *rl, long limit, long remaining,
                              long reset_s, long long now_ms);
/* 1 when figures are known and their reset has passed: the bucket has
 * refilled by an amount they no longer tell. */
int ratelimit_stale(const struct nc_ratelimit *rl, long long now_ms);
/* How long to wait before a request costing `cost` tokens (bulk and
 * broadcast cost 100): 0 when enough remain or nothing is known, else the
 * time until the advertised reset. */
long ratelimit_wait_ms(const struct nc_ratelimit *rl, long cost, long long now_ms);
long long ratelimit_now_ms(void); /* CLOCK_MONOTONIC */

#endif
