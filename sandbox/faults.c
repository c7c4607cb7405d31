/* faults.c - injected failures and latency. */
#include "faults.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static pthread_mutex_t faults_mu = PTHREAD_MUTEX_INITIALIZER;
static const struct sb_config *faults_cfg;
static long fail_next, drop_next, next_status, next_retry_after, latency_ms;
/* The one-shot counters count only requests to this path ("": any), so a
 * test can fail one kind of request while the others go through. */
static char only_path[256];

/* Retry-After to send with an injected status when none was asked for:
 * 429 and 503 are the statuses clients are told to retry after a pause. */
static long
default_retry_after(unsigned int status)
{
	return (status == 429 || status == 503) ? 1 : -1;
}

void
faults_init(const struct sb_config *cfg)
{
	faults_cfg = cfg;
	faults_reset();
}

void
faults_reset(void)
{
	pthread_mutex_lock(&faults_mu);
	fail_next = 0;
	drop_next = 0;
	next_status = faults_cfg->fail_status;
	next_retry_after = -2; /* -2: use default_retry_after() */
	latency_ms = faults_cfg->latency_ms;
	only_path[0] = '\0';
	pthread_mutex_unlock(&faults_mu);
}

void
faults_decide(struct fault_decision *d, const char *path)
{
	int counts;

	pthread_mutex_lock(&faults_mu);
	d->kind = FAULT_NONE;
	d->status = 0;
	d->retry_after = -1;
	d->latency_ms = latency_ms;
	counts = !only_path[0] || (path && strcmp(path, only_path) == 0);
	if (!counts) {
		/* Another path's one-shot faults: this request goes through. */
	} else if (drop_next > 0) {
		drop_next--;
		d->kind = FAULT_DROP;
	} else if (fail_next > 0) {
		fail_next--;
		d->kind = FAULT_FAIL;
		d->status = (unsigned int)next_status;
		d->retry_after = next_retry_after == -2 ? default_retry_after(d->status)
		                                        : next_retry_after;
	}
	pthread_mutex_unlock(&faults_mu);
	if (d->kind != FAULT_NONE)
		return;
	/* Random faults draw outside the lock; the generator has its own. */
	if (faults_cfg->drop_rate > 0 && util_rng_unit() < faults_cfg->drop_rate) {
		d->kind = FAULT_DROP;
	} else if (faults_cfg->fail_rate > 0 && util_rng_unit() < faults_cfg->fail_rate) {
		d->kind = FAULT_FAIL;
		d->status = faults_cfg->fail_status;
		d->retry_after = default_retry_after(d->status);
	}
}

/* Read an optional integer member within [min, max]; 0 ok (or absent). */
static int
read_int(const cJSON *spec, const char *name, long min, long max, long *out, int *present,
         char *err, size_t errcap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, name);

	*present = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < (double)min || v->valuedouble > (double)max ||
	    v->valuedouble != (double)(long)v->valuedouble) {
		snprintf(err, errcap, "%s must be an integer between %ld and %ld", name, min, max);
		return -1;
	}
	*out = (long)v->valuedouble;
	*present = 1;
	return 0;
}

int
faults_update(const cJSON *spec, char *err, size_t errcap)
{
	long fail = 0, drop = 0, status = 0, retry = 0, lat = 0;
	int has_fail, has_drop, has_status, has_retry, has_lat;
	const cJSON *path;

	if (!cJSON_IsObject(spec)) {
		snprintf(err, errcap, "body must be a JSON object");
		return -1;
	}
	if (read_int(spec, "failNext", 0, 1000000, &fail, &has_fail, err, errcap) ||
	    read_int(spec, "dropNext", 0, 1000000, &drop, &has_drop, err, errcap) ||
	    read_int(spec, "status", 100, 599, &status, &has_status, err, errcap) ||
	    read_int(spec, "retryAfter", 0, 86400, &retry, &has_retry, err, errcap) ||
	    read_int(spec, "latencyMs", 0, 3600000, &lat, &has_lat, err, errcap))
		return -1;
	path = cJSON_GetObjectItemCaseSensitive(spec, "path");
	if (path && !cJSON_IsNull(path) &&
	    (!cJSON_IsString(path) || strlen(path->valuestring) >= sizeof(only_path))) {
		snprintf(err, errcap, "path must be a string of at most %zu bytes, or null",
		         sizeof(only_path) - 1);
		return -1;
	}
	pthread_mutex_lock(&faults_mu);
	if (path)
		snprintf(only_path, sizeof(only_path), "%s",
		         cJSON_IsString(path) ? path->valuestring : "");
	if (has_fail)
		fail_next = fail;
	if (has_drop)
		drop_next = drop;
	if (has_status)
		next_status = status;
	if (has_retry)
		next_retry_after = retry == 0 ? -1 : retry;
	else if (has_fail || has_status)
		next_retry_after = -2;
	if (has_lat)
		latency_ms = lat;
	pthread_mutex_unlock(&faults_mu);
	return 0;
}

cJSON *
faults_state(void)
{
	cJSON *o = cJSON_CreateObject();
	long ra;

	pthread_mutex_lock(&faults_mu);
	cJSON_AddNumberToObject(o, "failNext", (double)fail_next);
	cJSON_AddNumberToObject(o, "status", (double)next_status);
	ra = next_retry_after == -2 ? default_retry_after((unsigned int)next_status)
	                            : next_retry_after;
	if (ra < 0)
		cJSON_AddNullToObject(o, "retryAfter");
	else
		cJSON_AddNumberToObject(o, "retryAfter", (double)ra);
	cJSON_AddNumberToObject(o, "dropNext", (double)drop_next);
	if (only_path[0])
		cJSON_AddStringToObject(o, "path", only_path);
	else
		cJSON_AddNullToObject(o, "path");
	cJSON_AddNumberToObject(o, "latencyMs", (double)latency_ms);
	cJSON_AddNumberToObject(o, "failRate", faults_cfg->fail_rate);
	cJSON_AddNumberToObject(o, "dropRate", faults_cfg->drop_rate);
	pthread_mutex_unlock(&faults_mu);
	return o;
}
