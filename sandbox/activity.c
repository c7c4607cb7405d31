/* activity.c - feed window, wait metadata and the backend's seeded
 * transactions (see activity.h). */
#define _GNU_SOURCE
#include "activity.h"
#include "world.h"

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

/* The metadata a journal line does not carry, for txn seq. */
static void
note_extra(const struct txn *t, const struct seed *s)
{
	if (nextras < EXTRA_CAP && !extra_for(t->seq))
		extras[nextras++] = (struct wait_extra){ t->seq, s->events, s->timed };
}

/* Add one seeded transaction under id, store lock held; its journal line
 * goes to *line (NULL when persistence is off). */
static struct txn *
seed_one(const struct seed *s, long window_s, const char *id, char **line)
{
	struct txn_spec spec;
	struct recipient r;
	cJSON *sid = cJSON_CreateString(s->subscriber_id), *ev;
	long wf = store_workflow_find(s->workflow_id);
	int64_t window = window_s > 0 ? window_s * 1000LL : s->window_ms;
	int64_t age = window_s > 0 ? 0 : s->age_ms;
	struct txn *t;

	*line = NULL;
	r.sub = (int)store_subscriber_upsert(sid);
	r.topic = s->topic_key ? (int)store_topic_find(s->topic_key) : -1;
	cJSON_Delete(sid);
	if (wf < 0 || r.sub < 0)
		return NULL;
	memset(&spec, 0, sizeof(spec));
	spec.transaction_id = id;
	spec.wf = (size_t)wf;
	spec.severity = "none";
	spec.created_ms = util_now_ms() - age;
	/* Wall clock, as every transaction: a window already over is a
	 * delivered transaction, in this process and the next. */
	spec.pending_until = spec.created_ms + window;
	t = store_txn_add(&spec, &r, 1);
	if (!t)
		return NULL;
	note_extra(t, s);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "to", s->subscriber_id);
	*line = world_txn_record(t, ev, 0);
	cJSON_Delete(ev);
	return t;
}

/* Seed every entry of seeds[] (window_s as activity_seed); ids NULL: fixed
 * transactionIds, each added only when the world does not have it yet. */
static cJSON *
seed_all(long window_s, int fixed, int add)
{
	char *lines[sizeof(seeds) / sizeof(seeds[0])];
	cJSON *ids = cJSON_CreateArray();
	char id[64];
	size_t i;

	pthread_mutex_lock(&seed_mu);
	store_lock();
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct txn *t;

		lines[i] = NULL;
		if (fixed)   /* a UUID, as Novu makes them; "5eed" marks the seed */
			snprintf(id, sizeof(id), "5eed0000-0000-4000-8000-%012zx", i + 1);
		else
			util_uuid4(id);
		t = fixed ? store_txn_find(id) : NULL;
		if (t)
			note_extra(t, &seeds[i]);   /* from the saved world */
		else if (add)
			t = seed_one(&seeds[i], window_s, id, &lines[i]);
		if (t)
			cJSON_AddItemToArray(ids, cJSON_CreateString(id));
	}
	store_unlock();
	/* Journal lines go out without the store lock (world.h). */
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		world_append(lines[i]);
	world_flush();
	pthread_mutex_unlock(&seed_mu);
	return ids;
}

cJSON *
activity_seed(long window_s)
{
	return seed_all(window_s, 0, 1);
}

void
activity_seed_world(void)
{
	int empty;

	store_lock();
	empty = store_txn_count() == 0;
	store_unlock();
	/* Only a new world gets them: a saved one keeps what became of them
	 * (cancelled, delivered, evicted by newer transactions). */
	cJSON_Delete(seed_all(0, 1, empty));
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
