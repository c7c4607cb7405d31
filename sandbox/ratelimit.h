/* ratelimit.h - Novu's variable-cost token bucket (CONTRACT 4.5): one bucket
 * per category, `limit` tokens per `window` seconds, burst floor(limit*1.1).
 * Thread-safe. */
#ifndef SB_RATELIMIT_H
#define SB_RATELIMIT_H

enum rl_category { RL_NONE = -1, RL_TRIGGER, RL_CONFIGURATION, RL_GLOBAL, RL_NCATEGORIES };

#define RL_COST_SINGLE 1
#define RL_COST_BULK 100

struct rl_result {
	int allowed;
	long limit;
	long remaining;
	long reset_s;      /* seconds until the bucket refills enough */
	char policy[192];  /* RateLimit-Policy value */
};

/* limit 0 disables rate limiting (no headers, never 429). */
void ratelimit_init(long limit, long window_s);
int ratelimit_enabled(void);

/* Try to spend cost tokens from the category's bucket. */
void ratelimit_take(enum rl_category cat, int cost, struct rl_result *out);

/* Refill every bucket to its burst size. */
void ratelimit_reset(void);

#endif
