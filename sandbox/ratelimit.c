/* ratelimit.c - token buckets refilled continuously at limit/window. */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

struct bucket {
	double tokens;
	int64_t last_ms;
};

static pthread_mutex_t rl_mu = PTHREAD_MUTEX_INITIALIZER;
static struct bucket buckets[RL_NCATEGORIES];
static long rl_limit, rl_window, rl_burst;

static const char *const category_names[RL_NCATEGORIES] = {
	"trigger", "configuration", "global"
};

void
ratelimit_init(long limit, long window_s)
{
	rl_limit = limit;
	rl_window = window_s > 0 ? window_s : 1;
	rl_burst = (long)floor((double)limit * 1.1);
	if (rl_burst < limit)
		rl_burst = limit;
	ratelimit_reset();
}

int
ratelimit_enabled(void)
{
	return rl_limit > 0;
}

void
ratelimit_reset(void)
{
	int i;
	int64_t now = util_mono_ms();

	pthread_mutex_lock(&rl_mu);
	for (i = 0; i < RL_NCATEGORIES; i++) {
		buckets[i].tokens = (double)rl_burst;
		buckets[i].last_ms = now;
	}
	pthread_mutex_unlock(&rl_mu);
}

/* Whole seconds needed to refill `missing` tokens (0 if none missing). */
static long
seconds_for(double missing, double per_ms)
{
	if (missing <= 0)
		return 0;
	return (long)ceil(missing / per_ms / 1000.0);
}

void
ratelimit_take(enum rl_category cat, int cost, struct rl_result *out)
{
	double per_ms = (double)rl_limit / ((double)rl_window * 1000.0);
	int64_t now = util_mono_ms();
	struct bucket *b;
	double target;

	out->allowed = 1;
	out->limit = rl_limit;
	out->remaining = 0;
	out->reset_s = 0;
	snprintf(out->policy, sizeof(out->policy),
	         "%ld;w=%ld;burst=%ld;comment=\"token bucket\";category=\"%s\";cost=\"%s\";"
	         "serviceLevel=\"free\"",
	         rl_limit, rl_window, rl_burst, category_names[cat],
	         cost > RL_COST_SINGLE ? "bulk" : "single");
	if (!ratelimit_enabled())
		return;

	pthread_mutex_lock(&rl_mu);
	b = &buckets[cat];
	b->tokens += (double)(now - b->last_ms) * per_ms;
	if (b->tokens > (double)rl_burst)
		b->tokens = (double)rl_burst;
	b->last_ms = now;
	if (b->tokens >= (double)cost) {
		b->tokens -= (double)cost;
		out->reset_s = seconds_for((double)rl_burst - b->tokens, per_ms);
	} else {
		out->allowed = 0;
		/* A cost above the burst can never be paid; point at a full bucket. */
		target = (double)cost <= (double)rl_burst ? (double)cost : (double)rl_burst;
		out->reset_s = seconds_for(target - b->tokens, per_ms);
		if (out->reset_s < 1)
			out->reset_s = 1;
	}
	out->remaining = (long)floor(b->tokens);
	pthread_mutex_unlock(&rl_mu);
}
