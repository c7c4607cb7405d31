/* activity.c - feed window, wait metadata and the backend's seeded
 * transactions (see activity.h). */
#define _GNU_SOURCE
#include "activity.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* What Novu keeps on a seeded digest that the store has no field for. */
struct wait_extra {
	uint64_t seq;
	int events;
	int timed;
};

#define EXTRA_CAP 64
static struct wait_extra extras[EXTRA_CAP];
static size_t nextras;

static const struct wait_extra *
extra_for(uint64_t seq)
{
	size_t i;

	for (i = 0; i < nextras; i++)
		if (extras[i].seq == seq)
			return &extras[i];
	return NULL;
}

/* ---- window ---- */

static int
parse_iso(const char *s, int64_t *ms)
{
	struct tm tm;
	const char *rest;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest) {
		rest = strptime(s, "%Y-%m-%d", &tm);
		if (!rest)
			return -1;
	}
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++)
			;
	if (*rest == 'Z')
		rest++;
	if (*rest)
		return -1;
	t = timegm(&tm);
	*ms = (int64_t)t * 1000;
	return 0;
}

static int
window_value(const struct sb_request *req, const char *key, int64_t *ms, cJSON *errors)
{
	const char *v = req_query(req, key);
	cJSON *val;

	*ms = 0;
	if (!v || parse_iso(v, ms) == 0)
		return 0;
	val = cJSON_CreateString(v);
	verr_add(errors, key, "must be a valid ISO 8601 date string", val);
	cJSON_Delete(val);
	return -1;
}

int
activity_window(const struct sb_request *req, int64_t *after_ms, int64_t *before_ms,
                cJSON *errors)
{
	int a = window_value(req, "after", after_ms, errors);
	int b = window_value(req, "before", before_ms, errors);

	return a || b ? -1 : 0;
}

int
activity_in_window(const struct txn *t, int64_t after_ms, int64_t before_ms)
{
	return (!after_ms || t->created_ms >= after_ms) && (!before_ms || t->created_ms <= before_ms);
}

/* ---- metadata ---- */

/* The window as Novu's amount and unit: the largest unit that divides it. */
static void
amount_unit(int64_t ms, long *amount, const char **unit)
{
	static const struct { const char *name; int64_t ms; } units[] = {
		{ "weeks", 604800000LL }, { "days", 86400000LL }, { "hours", 3600000LL },
		{ "minutes", 60000LL }, { "seconds", 1000LL },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ms >= units[i].ms && ms % units[i].ms == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		i--;
	*unit = units[i].name;
	*amount = (long)((ms + units[i].ms / 2) / units[i].ms);
	if (*amount < 1)
		*amount = 1;
}

static void
add_digest(cJSON *job, const struct txn *t, long amount, const char *unit)
{
	const struct wait_extra *x = extra_for(t->seq);
	cJSON *d = cJSON_AddObjectToObject(job, "digest"), *events, *e, *timed, *days;
	int i, n = x ? x->events : 1;

	cJSON_AddStringToObject(d, "type", x && x->timed ? "timed" : "regular");
	cJSON_AddNumberToObject(d, "amount", (double)amount);
	cJSON_AddStringToObject(d, "unit", unit);
	cJSON_AddStringToObject(d, "digestKey", "");
	events = cJSON_AddArrayToObject(d, "events");
	for (i = 0; i < n; i++) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "comment", i + 1);
		cJSON_AddItemToArray(events, e);
	}
	if (x && x->timed) {
		timed = cJSON_AddObjectToObject(d, "timed");
		cJSON_AddStringToObject(timed, "atTime", "09:00");
		days = cJSON_AddArrayToObject(timed, "weekDays");
		cJSON_AddItemToArray(days, cJSON_CreateString("monday"));
	}
}

void
activity_job_metadata(cJSON *job, const struct txn *t, const char *type)
{
	cJSON *d;
	long amount;
	const char *unit;

	if (!t->pending_until || t->wait_ms <= 0)
		return;
	amount_unit(t->wait_ms, &amount, &unit);
	if (strcmp(type, "digest") == 0) {
		add_digest(job, t, amount, unit);
	} else if (strcmp(type, "delay") == 0) {
		/* Novu copies every step's metadata into its job's `digest`
		 * (create-notification-jobs), a delay's too. */
		d = cJSON_AddObjectToObject(job, "digest");
		cJSON_AddStringToObject(d, "type", "regular");
		cJSON_AddNumberToObject(d, "amount", (double)amount);
		cJSON_AddStringToObject(d, "unit", unit);
	}
}

/* ---- seed ---- */

struct seed {
	const char *workflow_id;
	const char *subscriber_id;
	const char *topic_key;   /* reached through it, or NULL */
	int64_t age_ms;          /* triggered this long ago */
	int64_t window_ms;       /* digest or delay window */
	int events;
	int timed;
};

#define MIN_MS 60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

/* Oldest first, as they would have arrived. */
static const struct seed seeds[] = {
	{ "comment-digest", "user-001", NULL, 3 * DAY_MS, HOUR_MS, 4, 0 },     /* delivered */
	{ "comment-digest", "user-001", NULL, DAY_MS, 7 * DAY_MS, 5, 1 },      /* weekly, timed */
	{ "payment-reminder", "user-003", NULL, 2 * HOUR_MS, DAY_MS, 0, 0 },   /* delay */
	{ "comment-digest", "user-001", NULL, 10 * MIN_MS, HOUR_MS, 3, 0 },
	{ "comment-digest", "user-002", "vip", 5 * MIN_MS, 30 * MIN_MS, 1, 0 },
};

static pthread_mutex_t seed_mu = PTHREAD_MUTEX_INITIALIZER;

static void
seed_one(const struct seed *s, long window_s, cJSON *ids)
{
	struct recipient r;
	cJSON *sid = cJSON_CreateString(s->subscriber_id);
	long wf = store_workflow_find(s->workflow_id);
	int64_t window = window_s > 0 ? window_s * 1000LL : s->window_ms;
	int64_t age = window_s > 0 ? 0 : s->age_ms, left = window - age;
	char id[37];
	struct txn *t;

	r.sub = (int)store_subscriber_upsert(sid);
	r.topic = s->topic_key ? (int)store_topic_find(s->topic_key) : -1;
	cJSON_Delete(sid);
	if (wf < 0 || r.sub < 0)
		return;
	util_uuid4(id);
	t = store_txn_add(id, (size_t)wf, "none", 1, &r, 1);
	if (!t)
		return;
	t->created_ms = util_now_ms() - age;
	/* A window already over stays a delivered transaction. */
	t->pending_until = left > 0 ? util_mono_ms() + left : 1;
	t->wait_ms = window;
	if (nextras < EXTRA_CAP)
		extras[nextras++] = (struct wait_extra){ t->seq, s->events, s->timed };
	cJSON_AddItemToArray(ids, cJSON_CreateString(id));
}

cJSON *
activity_seed(long window_s)
{
	cJSON *ids = cJSON_CreateArray();
	size_t i;

	pthread_mutex_lock(&seed_mu);
	store_lock();
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		seed_one(&seeds[i], window_s, ids);
	store_unlock();
	pthread_mutex_unlock(&seed_mu);
	return ids;
}

void
activity_seed_handle(const struct sb_request *req, struct sb_reply *rep)
{
	const char *w = req_query(req, "windowSeconds");
	long window = 0;
	cJSON *doc;

	if (w && util_parse_long(w, 1, 86400L * 365, &window) != 0) {
		reply_error(rep, 400, req->url, "windowSeconds must be a whole number of seconds", 1);
		return;
	}
	doc = cJSON_CreateObject();
	cJSON_AddItemToObject(doc, "transactionIds", activity_seed(window));
	reply_json(rep, 200, doc);
}
