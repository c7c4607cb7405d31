/* lists.c - pick lists and the activity (notifications) lookup. */
#include "lists.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activity.h"
#include "store.h"
#include "util.h"

#define MAX_FILTER_VALUES 32

/* ---- query parameters ---- */

/* Integer query parameter within [min, max], default def; messages go to
 * errors (class-validator wording). */
static long
query_long(const struct sb_request *req, const char *key, long def, long min, long max,
           cJSON *errors)
{
	const char *v = req_query(req, key);
	char msg[128];
	long out;
	cJSON *val;

	if (!v)
		return def;
	if (util_parse_long(v, -2147483647L, 2147483647L, &out) == 0 && out >= min && out <= max)
		return out;
	val = cJSON_CreateString(v);
	if (util_parse_long(v, -2147483647L, 2147483647L, &out) != 0)
		snprintf(msg, sizeof(msg), "%s must be an integer number", key);
	else if (out < min)
		snprintf(msg, sizeof(msg), "%s must not be less than %ld", key, min);
	else
		snprintf(msg, sizeof(msg), "%s must not be greater than %ld", key, max);
	verr_add(errors, key, msg, val);
	cJSON_Delete(val);
	return def;
}

/* Enumerated query parameter; returns the index in allowed[] or def. */
static int
query_enum(const struct sb_request *req, const char *key, const char *const *allowed, int n,
           int def, cJSON *errors)
{
	const char *v = req_query(req, key);
	char msg[256];
	size_t used;
	cJSON *val;
	int i;

	if (!v)
		return def;
	for (i = 0; i < n; i++)
		if (strcmp(v, allowed[i]) == 0)
			return i;
	used = (size_t)snprintf(msg, sizeof(msg), "%s must be one of the following values: ", key);
	for (i = 0; i < n && used < sizeof(msg); i++)
		used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", i ? ", " : "",
		                         allowed[i]);
	val = cJSON_CreateString(v);
	verr_add(errors, key, msg, val);
	cJSON_Delete(val);
	return def;
}

static const char *const directions[] = { "ASC", "DESC" };

/* Reply 422 when errors has entries (consumes errors); 1 if replied. */
static int
reply_if_invalid(const struct sb_request *req, struct sb_reply *rep, cJSON *errors)
{
	if (errors->child) {
		reply_validation(rep, req->url, errors);
		return 1;
	}
	cJSON_Delete(errors);
	return 0;
}

/* ---- cursor pagination (subscribers, topics) ---- */

struct page {
	size_t start, count;
	int has_prev, has_next;
};

/* ids are in display order; a cursor is the _id of an item (any string
 * works: positions compare like Mongo's _id < cursor). */
static void
cursor_page(const char *const *ids, size_t n, int desc, const char *after, const char *before,
            size_t limit, struct page *pg)
{
	size_t p = 0, end;

	if (after) {
		while (p < n && (desc ? strcmp(ids[p], after) >= 0 : strcmp(ids[p], after) <= 0))
			p++;
		pg->start = p;
		pg->count = n - p < limit ? n - p : limit;
	} else if (before) {
		while (p < n && (desc ? strcmp(ids[p], before) > 0 : strcmp(ids[p], before) < 0))
			p++;
		end = p;
		pg->start = end > limit ? end - limit : 0;
		pg->count = end - pg->start;
	} else {
		pg->start = 0;
		pg->count = n < limit ? n : limit;
	}
	pg->has_prev = pg->count > 0 && pg->start > 0;
	pg->has_next = pg->count > 0 && pg->start + pg->count < n;
}

/* Common cursor query checks; 0 ok, else replied. */
struct cursor_query {
	const char *after, *before;
	long limit;
	int desc;
};

static int
parse_cursor_query(const struct sb_request *req, struct sb_reply *rep, struct cursor_query *q,
                   const char *const *order_by, int norder)
{
	cJSON *errors = cJSON_CreateObject();

	q->after = req_query(req, "after");
	q->before = req_query(req, "before");
	if (q->after && !*q->after)
		q->after = NULL;
	if (q->before && !*q->before)
		q->before = NULL;
	q->limit = query_long(req, "limit", 10, 1, 100, errors);
	q->desc = query_enum(req, "orderDirection", directions, 2, 1, errors) == 1;
	query_enum(req, "orderBy", order_by, norder, 0, errors);
	if (reply_if_invalid(req, rep, errors))
		return -1;
	if (q->after && q->before) {
		reply_error(rep, 400, req->url, "Cannot use both \"after\" and \"before\" cursors", 1);
		return -1;
	}
	return 0;
}

static void
finish_cursor_list(struct sb_reply *rep, cJSON *data, const char *const *ids, size_t n,
                   const struct page *pg)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddItemToObject(doc, "data", data);
	if (pg->has_next)
		cJSON_AddStringToObject(doc, "next", ids[pg->start + pg->count - 1]);
	else
		cJSON_AddNullToObject(doc, "next");
	if (pg->has_prev)
		cJSON_AddStringToObject(doc, "previous", ids[pg->start]);
	else
		cJSON_AddNullToObject(doc, "previous");
	cJSON_AddNumberToObject(doc, "totalCount", (double)n);
	cJSON_AddBoolToObject(doc, "totalCountCapped", 0);
	reply_json(rep, 200, doc);
}

static int
opt_eq(const char *filter, const char *value)
{
	return !filter || (value && strcmp(filter, value) == 0);
}

struct sub_filter {
	const char *subscriber_id, *email, *phone, *name;
};

static int
subscriber_selected(const struct subscriber *s, const struct sub_filter *f)
{
	char full[2 * 512 + 2];

	if (!opt_eq(f->subscriber_id, s->subscriber_id))
		return 0;
	if (f->email && !(s->email && util_ci_contains(s->email, f->email)))
		return 0;
	if (f->phone && !(s->phone && util_ci_contains(s->phone, f->phone)))
		return 0;
	if (f->name) {
		snprintf(full, sizeof(full), "%s %s", s->first_name ? s->first_name : "",
		         s->last_name ? s->last_name : "");
		if (!util_ci_contains(full, f->name))
			return 0;
	}
	return 1;
}

void
lists_subscriber_get(const struct sb_request *req, struct sb_reply *rep)
{
	cJSON *doc;
	long at;

	store_lock();
	at = store_subscriber_find(req->route_arg);
	if (at < 0) {
		store_unlock();
		/* subscribers-v2 GetSubscriber's NotFoundException. */
		reply_errorf(rep, 404, req->url, "Subscriber: %.500s was not found", req->route_arg);
		return;
	}
	doc = cJSON_CreateObject();
	cJSON_AddItemToObject(doc, "data", store_subscriber_json(store_subscriber_at((size_t)at)));
	store_unlock();
	reply_json(rep, 200, doc);
}

void
lists_subscribers(const struct sb_request *req, struct sb_reply *rep)
{
	static const char *const order_by[] = { "updatedAt", "_id", "createdAt" };
	struct sub_filter f = { req_query(req, "subscriberId"), req_query(req, "email"),
		                req_query(req, "phone"), req_query(req, "name") };
	struct cursor_query q;
	const char **ids;
	size_t *idx, n = 0, i, total;
	struct page pg;
	cJSON *data;

	if (parse_cursor_query(req, rep, &q, order_by, 3) != 0)
		return;
	store_lock();
	total = store_subscriber_count();
	ids = malloc((total + 1) * sizeof(*ids));
	idx = malloc((total + 1) * sizeof(*idx));
	if (!ids || !idx) {
		store_unlock();
		free(ids);
		free(idx);
		reply_error(rep, 500, req->url, "out of memory", 0);
		return;
	}
	/* Store order is _id order; DESC walks it backwards. */
	for (i = 0; i < total; i++) {
		size_t at = q.desc ? total - 1 - i : i;
		const struct subscriber *s = store_subscriber_at(at);

		if (subscriber_selected(s, &f)) {
			ids[n] = s->id;
			idx[n++] = at;
		}
	}
	cursor_page(ids, n, q.desc, q.after, q.before, (size_t)q.limit, &pg);
	data = cJSON_CreateArray();
	for (i = 0; i < pg.count; i++)
		cJSON_AddItemToArray(data, store_subscriber_json(store_subscriber_at(idx[pg.start + i])));
	finish_cursor_list(rep, data, ids, n, &pg);
	store_unlock();
	free(ids);
	free(idx);
}

void
lists_topics(const struct sb_request *req, struct sb_reply *rep)
{
	static const char *const order_by[] = { "createdAt", "updatedAt", "_id", "name" };
	const char *key = req_query(req, "key"), *name = req_query(req, "name");
	const char *ids[16];
	size_t idx[16], n = 0, i, total;
	struct cursor_query q;
	struct page pg;
	cJSON *data;

	if (parse_cursor_query(req, rep, &q, order_by, 4) != 0)
		return;
	total = store_topic_count();
	for (i = 0; i < total && n < 16; i++) {
		size_t at = q.desc ? total - 1 - i : i;
		const struct topic *t = store_topic_at(at);

		if (opt_eq(key, t->key) && (!name || util_ci_contains(t->name, name))) {
			ids[n] = t->id;
			idx[n++] = at;
		}
	}
	cursor_page(ids, n, q.desc, q.after, q.before, (size_t)q.limit, &pg);
	data = cJSON_CreateArray();
	for (i = 0; i < pg.count; i++)
		cJSON_AddItemToArray(data, store_topic_json(store_topic_at(idx[pg.start + i])));
	finish_cursor_list(rep, data, ids, n, &pg);
}

/* ---- workflows ---- */

struct wf_row {
	size_t idx;
	int64_t num;
	const char *str;
	int by_str, desc;
};

static int
wf_row_cmp(const void *a, const void *b)
{
	const struct wf_row *x = a, *y = b;
	int c;

	if (x->by_str)
		c = strcmp(x->str, y->str);
	else
		c = x->num < y->num ? -1 : x->num > y->num;
	if (c == 0)
		c = x->idx < y->idx ? -1 : x->idx > y->idx;
	return x->desc ? -c : c;
}

static int
has_any(const char *const *want, size_t nwant, const char *const *have)
{
	size_t i, k;

	if (nwant == 0)
		return 1;
	for (i = 0; i < nwant; i++)
		for (k = 0; have[k]; k++)
			if (strcmp(want[i], have[k]) == 0)
				return 1;
	return 0;
}

static int
status_wanted(const char *const *statuses, size_t n, const struct workflow *w)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (strcmp(statuses[i], w->active ? "ACTIVE" : "INACTIVE") == 0)
			return 1;
	return 0;
}

static void
check_statuses(const char *const *statuses, size_t n, cJSON *errors)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(statuses[i], "ACTIVE") && strcmp(statuses[i], "INACTIVE") &&
		    strcmp(statuses[i], "ERROR")) {
			cJSON *v = cJSON_CreateString(statuses[i]);

			verr_add(errors, "status",
			         "each value in status must be one of the following values: ACTIVE, "
			         "INACTIVE, ERROR", v);
			cJSON_Delete(v);
			return;
		}
	}
}

void
lists_workflows(const struct sb_request *req, struct sb_reply *rep)
{
	static const char *const order_by[] = { "createdAt", "updatedAt", "name",
		                                "lastTriggeredAt" };
	const char *statuses[MAX_FILTER_VALUES], *tags[MAX_FILTER_VALUES];
	const char *query = req_query(req, "query");
	size_t nstatus = req_query_all(req, "status", statuses, MAX_FILTER_VALUES);
	size_t ntags = req_query_all(req, "tags", tags, MAX_FILTER_VALUES);
	struct wf_row rows[16];
	cJSON *errors = cJSON_CreateObject(), *doc, *data, *list;
	long limit, offset;
	size_t n = 0, i;
	int by, desc;

	limit = query_long(req, "limit", 10, 1, 100, errors);
	offset = query_long(req, "offset", 0, 0, 2147483647L, errors);
	desc = query_enum(req, "orderDirection", directions, 2, 1, errors) == 1;
	by = query_enum(req, "orderBy", order_by, 4, 0, errors);
	check_statuses(statuses, nstatus, errors);
	if (reply_if_invalid(req, rep, errors))
		return;
	store_lock();
	for (i = 0; i < store_workflow_count() && n < 16; i++) {
		const struct workflow *w = store_workflow_at(i);

		if (query && *query && !util_ci_contains(w->name, query) &&
		    !util_ci_contains(w->workflow_id, query))
			continue;
		if (!status_wanted(statuses, nstatus, w) || !has_any(tags, ntags, w->tags))
			continue;
		rows[n].idx = i;
		rows[n].by_str = by == 2;
		rows[n].str = w->name;
		rows[n].num = by == 0 ? w->created_ms : by == 1 ? w->updated_ms
		                                                : store_workflow_last_triggered(i);
		rows[n].desc = desc;
		n++;
	}
	qsort(rows, n, sizeof(rows[0]), wf_row_cmp);
	doc = cJSON_CreateObject();
	data = cJSON_AddObjectToObject(doc, "data");
	list = cJSON_AddArrayToObject(data, "workflows");
	for (i = (size_t)offset; i < n && i < (size_t)offset + (size_t)limit; i++)
		cJSON_AddItemToArray(list, store_workflow_json(rows[i].idx, 0));
	cJSON_AddNumberToObject(data, "totalCount", (double)n);
	store_unlock();
	reply_json(rep, 200, doc);
}

void
lists_workflow_get(const struct sb_request *req, struct sb_reply *rep)
{
	long wf = store_workflow_find(req->route_arg);
	cJSON *doc;

	if (wf < 0) {
		char msg[600];

		snprintf(msg, sizeof(msg), "Workflow cannot be found: %.500s", req->route_arg);
		reply_error(rep, 404, req->url, msg, 1);
		return;
	}
	doc = cJSON_CreateObject();
	store_lock();
	cJSON_AddItemToObject(doc, "data", store_workflow_json((size_t)wf, 1));
	store_unlock();
	reply_json(rep, 200, doc);
}

/* ---- notifications ---- */

enum job_state { JOB_COMPLETED, JOB_DELAYED, JOB_PENDING, JOB_CANCELED };

static const char *
provider_for(const char *type)
{
	if (strcmp(type, "email") == 0)
		return "sendgrid";
	if (strcmp(type, "sms") == 0)
		return "twilio";
	if (strcmp(type, "push") == 0)
		return "fcm";
	if (strcmp(type, "chat") == 0)
		return "slack";
	if (strcmp(type, "in_app") == 0)
		return "novu";
	return NULL;
}

static int
is_channel(const char *type)
{
	return provider_for(type) != NULL;
}

static int
is_wait_step(const char *type)
{
	return strcmp(type, "delay") == 0 || strcmp(type, "digest") == 0;
}

/* Index of the first delay/digest step (nsteps if none). */
static size_t
first_wait_step(const struct workflow *w)
{
	size_t k;

	for (k = 0; k < w->nsteps; k++)
		if (is_wait_step(w->steps[k].type))
			return k;
	return w->nsteps;
}

/* State of step s of a transaction right now. */
static enum job_state
job_state(const struct txn *t, const struct workflow *w, size_t s, int64_t now_ms)
{
	size_t first_wait = first_wait_step(w);

	if (!t->pending_until)
		return JOB_COMPLETED;
	if (s < first_wait)
		return JOB_COMPLETED;
	if (t->canceled)
		return JOB_CANCELED;
	if (now_ms >= t->pending_until)
		return JOB_COMPLETED;
	return s == first_wait ? JOB_DELAYED : JOB_PENDING;
}

static const char *const job_status_names[] = { "completed", "delayed", "pending", "canceled" };

static void
add_iso(cJSON *o, const char *name, int64_t ms)
{
	char ts[32];

	util_iso_time(ms, ts, sizeof(ts));
	cJSON_AddStringToObject(o, name, ts);
}

static cJSON *
execution_detail(const char *oid, int64_t at_ms, const char *status, const char *detail,
                 const char *provider)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "_id", oid);
	add_iso(d, "createdAt", at_ms);
	cJSON_AddStringToObject(d, "status", status);
	cJSON_AddStringToObject(d, "detail", detail);
	cJSON_AddBoolToObject(d, "isRetry", 0);
	cJSON_AddBoolToObject(d, "isTest", 0);
	if (provider)
		cJSON_AddStringToObject(d, "providerId", provider);
	cJSON_AddStringToObject(d, "source", "Internal");
	return d;
}

static cJSON *
job_json(const struct txn *t, size_t r, size_t s, int64_t now_ms)
{
	const struct workflow *w = store_workflow_at(t->wf);
	const char *type = w->steps[s].type, *provider = provider_for(type);
	enum job_state st = job_state(t, w, s, now_ms);
	cJSON *j = cJSON_CreateObject(), *step, *details;
	char oid[25], detail_id[25], step_oid[25];
	int64_t at = t->created_ms + 150 * (int64_t)(s + 1);

	/* The wait step and those after it finish when the window ends. */
	if (st == JOB_COMPLETED && t->pending_until && s >= first_wait_step(w))
		at += t->wait_ms;
	/* 24 hex digits like a Mongo ObjectId: the recipient and step indexes
	 * are cut to 16 bits each. */
	snprintf(oid, sizeof(oid), "66f3e2d2%08" PRIx32 "%04x%04x", (uint32_t)t->seq,
	         (unsigned int)(r & 0xffff), (unsigned int)(s & 0xffff));
	snprintf(detail_id, sizeof(detail_id), "66f3e2d3%08" PRIx32 "%04x%04x",
	         (uint32_t)t->seq, (unsigned int)(r & 0xffff), (unsigned int)(s & 0xffff));
	snprintf(step_oid, sizeof(step_oid), "%.20s%04x", w->id, (unsigned int)(0xa000 + s));
	cJSON_AddStringToObject(j, "_id", oid);
	cJSON_AddStringToObject(j, "type", type);
	cJSON_AddStringToObject(j, "status", job_status_names[st]);
	/* The spec requires a provider on every job; Novu itself runs the
	 * delay and digest steps. */
	cJSON_AddStringToObject(j, "providerId", provider ? provider : "novu");
	step = cJSON_AddObjectToObject(j, "step");
	cJSON_AddStringToObject(step, "_id", step_oid);
	cJSON_AddBoolToObject(step, "active", 1);
	cJSON_AddItemToObject(step, "filters", cJSON_CreateArray());
	cJSON_AddStringToObject(step, "_templateId", w->id);
	details = cJSON_AddArrayToObject(j, "executionDetails");
	switch (st) {
	case JOB_COMPLETED:
		cJSON_AddItemToArray(details, execution_detail(
			detail_id, at, "Success",
			is_channel(type) ? "Message sent" : is_wait_step(type) ? "Step completed"
			                                                       : "Step processed",
			provider));
		break;
	case JOB_DELAYED:
		cJSON_AddItemToArray(details, execution_detail(
			detail_id, at, "Pending",
			strcmp(type, "digest") == 0 ? "Digest is collecting events" : "Delay is active",
			NULL));
		break;
	case JOB_CANCELED:
		cJSON_AddItemToArray(details, execution_detail(detail_id, at, "Warning",
		                                               "Step canceled", provider));
		break;
	case JOB_PENDING:
		break;
	}
	add_iso(j, "createdAt", t->created_ms + 100);
	add_iso(j, "updatedAt", at);
	if (is_wait_step(type))
		activity_job_metadata(j, t, type);
	return j;
}

static cJSON *
notification_json(const struct txn *t, size_t r, int64_t now_ms)
{
	const struct workflow *w = store_workflow_at(t->wf);
	const struct subscriber *s = store_subscriber_at((size_t)t->recipients[r].sub);
	cJSON *o = cJSON_CreateObject(), *arr, *sub, *tpl, *trig;
	char oid[25];
	size_t k;

	snprintf(oid, sizeof(oid), "66f3e2d1%08" PRIx32 "%08" PRIx32, (uint32_t)t->seq,
	         (uint32_t)r);
	cJSON_AddStringToObject(o, "_id", oid);
	cJSON_AddStringToObject(o, "_environmentId", "66a0b1c2d3e4f5a6b7c8d9e1");
	cJSON_AddStringToObject(o, "_organizationId", "66a0b1c2d3e4f5a6b7c8d9e0");
	cJSON_AddStringToObject(o, "_subscriberId", s->id);
	cJSON_AddStringToObject(o, "_templateId", w->id);
	cJSON_AddStringToObject(o, "transactionId", t->transaction_id);
	add_iso(o, "createdAt", t->created_ms);
	arr = cJSON_AddArrayToObject(o, "channels");
	for (k = 0; k < w->nsteps; k++)
		if (is_channel(w->steps[k].type))
			cJSON_AddItemToArray(arr, cJSON_CreateString(w->steps[k].type));
	sub = cJSON_AddObjectToObject(o, "subscriber");
	cJSON_AddStringToObject(sub, "_id", s->id);
	cJSON_AddStringToObject(sub, "subscriberId", s->subscriber_id);
	if (s->email)
		cJSON_AddStringToObject(sub, "email", s->email);
	if (s->first_name)
		cJSON_AddStringToObject(sub, "firstName", s->first_name);
	if (s->last_name)
		cJSON_AddStringToObject(sub, "lastName", s->last_name);
	tpl = cJSON_AddObjectToObject(o, "template");
	cJSON_AddStringToObject(tpl, "_id", w->id);
	cJSON_AddStringToObject(tpl, "name", w->name);
	trig = cJSON_CreateObject();
	cJSON_AddStringToObject(trig, "type", "event");
	cJSON_AddStringToObject(trig, "identifier", w->workflow_id);
	cJSON_AddItemToObject(trig, "variables", cJSON_CreateArray());
	cJSON_AddItemToArray(cJSON_AddArrayToObject(tpl, "triggers"), trig);
	arr = cJSON_AddArrayToObject(o, "topics");
	if (t->recipients[r].topic >= 0) {
		const struct topic *tp = store_topic_at((size_t)t->recipients[r].topic);
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "_topicId", tp->id);
		cJSON_AddStringToObject(e, "topicKey", tp->key);
		cJSON_AddItemToArray(arr, e);
	}
	arr = cJSON_AddArrayToObject(o, "jobs");
	for (k = 0; k < w->nsteps; k++)
		cJSON_AddItemToArray(arr, job_json(t, r, k, now_ms));
	cJSON_AddStringToObject(o, "severity", t->severity);
	return o;
}

struct notif_filter {
	const char *transaction_id;
	const char *topic_key;
	const char *subscriber_ids[MAX_FILTER_VALUES];
	size_t nsubscriber_ids;
	const char *channels[MAX_FILTER_VALUES];
	size_t nchannels;
	const char *templates[MAX_FILTER_VALUES];
	size_t ntemplates;
	const char *emails[MAX_FILTER_VALUES];
	size_t nemails;
	const char *severities[MAX_FILTER_VALUES];
	size_t nseverities;
	int64_t after_ms, before_ms;
};

static int
in_list(const char *const *list, size_t n, const char *v)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; v && i < n; i++)
		if (strcmp(list[i], v) == 0)
			return 1;
	return 0;
}

static int
txn_selected(const struct txn *t, const struct notif_filter *f)
{
	const struct workflow *w = store_workflow_at(t->wf);
	size_t k;
	int any = f->nchannels == 0;

	if (f->transaction_id && strcmp(f->transaction_id, t->transaction_id) != 0)
		return 0;
	if (!activity_in_window(t, f->after_ms, f->before_ms) ||
	    !in_list(f->templates, f->ntemplates, w->id) ||
	    !in_list(f->severities, f->nseverities, t->severity))
		return 0;
	for (k = 0; !any && k < w->nsteps; k++)
		any = in_list(f->channels, f->nchannels, w->steps[k].type);
	return any;
}

static int
recipient_selected(const struct txn *t, size_t r, const struct notif_filter *f)
{
	const struct subscriber *s = store_subscriber_at((size_t)t->recipients[r].sub);
	int topic = t->recipients[r].topic;

	if (!in_list(f->subscriber_ids, f->nsubscriber_ids, s->subscriber_id))
		return 0;
	if (f->nemails && !in_list(f->emails, f->nemails, s->email))
		return 0;
	if (f->topic_key && (topic < 0 || strcmp(store_topic_at((size_t)topic)->key,
	                                         f->topic_key) != 0))
		return 0;
	return 1;
}

static void
check_channels(const char *const *channels, size_t n, cJSON *errors)
{
	static const char *const ok[] = { "in_app", "email", "sms", "chat", "push" };
	size_t i;

	for (i = 0; i < n; i++)
		if (!in_list(ok, 5, channels[i])) {
			cJSON *v = cJSON_CreateString(channels[i]);

			verr_add(errors, "channels",
			         "each value in channels must be one of the following values: in_app, "
			         "email, sms, chat, push", v);
			cJSON_Delete(v);
			return;
		}
}

void
lists_notifications(const struct sb_request *req, struct sb_reply *rep)
{
	struct notif_filter f;
	cJSON *errors = cJSON_CreateObject(), *doc, *data;
	int64_t now = util_now_ms();
	long page, limit;
	size_t i, r, seen = 0, first;

	memset(&f, 0, sizeof(f));
	f.transaction_id = req_query(req, "transactionId");
	f.topic_key = req_query(req, "topicKey");
	f.nsubscriber_ids = req_query_all(req, "subscriberIds", f.subscriber_ids, MAX_FILTER_VALUES);
	f.nchannels = req_query_all(req, "channels", f.channels, MAX_FILTER_VALUES);
	f.ntemplates = req_query_all(req, "templates", f.templates, MAX_FILTER_VALUES);
	f.nemails = req_query_all(req, "emails", f.emails, MAX_FILTER_VALUES);
	f.nseverities = req_query_all(req, "severity", f.severities, MAX_FILTER_VALUES);
	page = query_long(req, "page", 0, 0, 1000000, errors);
	limit = query_long(req, "limit", 10, 1, 50, errors);
	check_channels(f.channels, f.nchannels, errors);
	(void)activity_window(req, &f.after_ms, &f.before_ms, errors);
	if (reply_if_invalid(req, rep, errors))
		return;
	first = (size_t)page * (size_t)limit;
	data = cJSON_CreateArray();
	store_lock();
	/* Newest transaction first, recipients in the order they were reached. */
	for (i = store_txn_count(); i > 0; i--) {
		const struct txn *t = store_txn_at(i - 1);

		if (!txn_selected(t, &f))
			continue;
		for (r = 0; r < t->nrecipients; r++) {
			if (!recipient_selected(t, r, &f))
				continue;
			if (seen >= first && seen < first + (size_t)limit)
				cJSON_AddItemToArray(data, notification_json(t, r, now));
			seen++;
		}
		/* A transactionId lookup only ever matches one stored transaction. */
		if (f.transaction_id)
			break;
	}
	store_unlock();
	doc = cJSON_CreateObject();
	cJSON_AddItemToObject(doc, "data", data);
	cJSON_AddBoolToObject(doc, "hasMore", seen > first + (size_t)limit);
	cJSON_AddNumberToObject(doc, "pageSize", (double)limit);
	cJSON_AddNumberToObject(doc, "page", (double)page);
	reply_json(rep, 200, doc);
}
