/* pending.c - the activity feed grouped by transaction, and what is still
 * waiting in it (see pending.h). */
#include "pending.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>

#include "jsonutil.h"
#include "textbuf.h"

#define FEED_PAGE_SIZE 50          /* the API's maximum */
#define FEED_MAX_PAGES 200         /* 10,000 notifications: a walk ends */
#define DEFAULT_LIMIT 100

/* ---- times ---- */

static int
parse_digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* "Z", "+02:00", "-0530" or nothing (taken as UTC): offset east in seconds. */
static int
parse_offset(const char *p, long *east)
{
	int sign, hh, mm = 0;

	*east = 0;
	if (*p == '\0' || (p[0] == 'Z' && p[1] == '\0'))
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (parse_digits(&p, 2, &hh))
		return -1;
	if (*p == ':')
		p++;
	if (*p && parse_digits(&p, 2, &mm))
		return -1;
	if (*p || hh > 23 || mm > 59)
		return -1;
	*east = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int
pending_parse_iso(const char *text, int64_t *out_ms)
{
	const char *p = text;
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, s = 0, ms = 0, scale = 100;
	long east;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (parse_digits(&p, 4, &y) || *p++ != '-' || parse_digits(&p, 2, &mo) ||
	    *p++ != '-' || parse_digits(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (parse_digits(&p, 2, &h) || *p++ != ':' || parse_digits(&p, 2, &mi))
			return -1;
		if (*p == ':' && (p++, parse_digits(&p, 2, &s)))
			return -1;
		if (*p == '.' || *p == ',') {
			for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
				ms += (*p - '0') * scale;
		}
	}
	if (parse_offset(p, &east) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || s > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d) /* timegm normalises Feb 31 */
		return -1;
	*out_ms = ((int64_t)t - east) * 1000 + ms;
	return 0;
}

int
pending_parse_time(const char *text, int64_t now_ms, int64_t *out_ms)
{
	static const struct { char unit; int64_t ms; } units[] = {
		{ 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 },
		{ 'w', 7 * 86400000LL },
	};
	char *end;
	long long n;
	size_t i;

	if (!text || !*text)
		return -1;
	if (isdigit((unsigned char)text[0]) && strlen(text) <= 12) {
		n = strtoll(text, &end, 10);
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (end != text && end[0] == units[i].unit && end[1] == '\0' && n >= 0 &&
			    n < 100000000LL) {
				*out_ms = now_ms - n * units[i].ms;
				return 0;
			}
	}
	return pending_parse_iso(text, out_ms);
}

int64_t
pending_unit_ms(const char *unit)
{
	static const struct { const char *name; int64_t ms; } units[] = {
		{ "seconds", 1000 }, { "minutes", 60000 }, { "hours", 3600000 },
		{ "days", 86400000 }, { "weeks", 7 * 86400000LL }, { "months", 30 * 86400000LL },
	};
	size_t i;

	for (i = 0; unit && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].name, unit) == 0)
			return units[i].ms;
	return 0;
}

/* ---- grouping ---- */

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
txn_clear(struct nc_activity_txn *t)
{
	size_t i;

	free(t->transaction_id);
	free(t->workflow);
	free(t->subscribers);
	free(t->wait_type);
	free(t->schedule);
	for (i = 0; i < t->njobs; i++) {
		free(t->jobs[i].subscriber_id);
		free(t->jobs[i].type);
		free(t->jobs[i].status);
		free(t->jobs[i].detail);
	}
	free(t->jobs);
	memset(t, 0, sizeof(*t));
}

void
activity_list_clear(struct nc_activity_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		txn_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int
pending_job_waiting(const char *type, const char *status)
{
	if (!type || !status)
		return 0;
	if (strcmp(type, "digest") != 0 && strcmp(type, "delay") != 0)
		return 0;
	return strcmp(status, "pending") == 0 || strcmp(status, "queued") == 0 ||
	       strcmp(status, "delayed") == 0;
}

static int64_t
iso_ms(const char *s)
{
	int64_t ms = 0;

	return s && pending_parse_iso(s, &ms) == 0 ? ms : 0;
}

/* A timed digest's schedule as text: the cron expression, else "at TIME
 * on DAYS". NULL when the digest is not timed. */
static char *
timed_schedule(const cJSON *timed)
{
	struct textbuf b = TEXTBUF_INIT(0);
	const char *cron = json_str(timed, "cronExpression"), *at = json_str(timed, "atTime");
	const cJSON *day;
	int first = 1;

	if (!cJSON_IsObject(timed))
		return NULL;
	if (cron && *cron)
		return strdup(cron);
	(void)textbuf_printf(&b, "at %s", at ? at : "?");
	cJSON_ArrayForEach(day, cJSON_GetObjectItemCaseSensitive(timed, "weekDays")) {
		if (cJSON_IsString(day))
			(void)textbuf_printf(&b, "%s%s", first ? " on " : ",", day->valuestring);
		first = 0;
	}
	return textbuf_steal(&b);
}

/* The waiting job's metadata: Novu copies each step's metadata into its
 * job's `digest` (a delay's too); `step.metadata` is the fallback. */
static void
take_wait(struct nc_activity_txn *t, const cJSON *job, const char *type)
{
	const cJSON *digest = cJSON_GetObjectItemCaseSensitive(job, "digest");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(job, "step"), "metadata");
	const cJSON *src = cJSON_IsObject(digest) ? digest : meta;
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(digest, "events");
	double amount = json_num(src, "amount", 0);
	int64_t unit = pending_unit_ms(json_str(src, "unit"));

	t->pending = 1;
	if (t->wait_type)
		return; /* the first waiting job found speaks for the transaction */
	t->wait_type = strdup(type);
	t->schedule = timed_schedule(cJSON_GetObjectItemCaseSensitive(src, "timed"));
	if (!t->schedule && amount > 0 && unit && t->created_ms)
		t->until_ms = t->created_ms + (int64_t)(amount * (double)unit);
	if (strcmp(type, "digest") == 0 && cJSON_IsArray(events))
		t->events = cJSON_GetArraySize(events);
}

static enum nc_status
add_job(struct nc_activity_txn *t, const cJSON *job, const char *subscriber)
{
	struct nc_activity_job *grown = realloc(t->jobs, (t->njobs + 1) * sizeof(*grown));
	const cJSON *details = cJSON_GetObjectItemCaseSensitive(job, "executionDetails");
	int nd = cJSON_GetArraySize(details);
	const char *type = json_str(job, "type"), *status = json_str(job, "status");
	struct nc_activity_job *j;

	if (!grown)
		return NC_E_NOMEM;
	t->jobs = grown;
	j = &t->jobs[t->njobs++];
	j->subscriber_id = dup_or_null(subscriber);
	j->type = dup_or_null(type);
	j->status = dup_or_null(status);
	j->detail = nd > 0 ? dup_or_null(json_str(cJSON_GetArrayItem(details, nd - 1), "detail"))
	                   : NULL;
	if (pending_job_waiting(type, status))
		take_wait(t, job, type);
	return NC_OK;
}

static struct nc_activity_txn *
find_txn(struct nc_activity_list *l, const char *txid)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].transaction_id, txid) == 0)
			return &l->items[i];
	return NULL;
}

static const char *
workflow_name(const cJSON *item)
{
	const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(item, "template");
	const cJSON *trig = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tpl, "triggers"), 0);
	const char *id = json_str(trig, "identifier");

	return id ? id : json_str(tpl, "name");
}

static struct nc_activity_txn *
new_txn(struct nc_activity_list *l, const cJSON *item, const char *txid)
{
	struct nc_activity_txn *grown = realloc(l->items, (l->n + 1) * sizeof(*grown)), *t;

	if (!grown)
		return NULL;
	l->items = grown;
	t = &l->items[l->n];
	memset(t, 0, sizeof(*t));
	t->events = -1;
	t->transaction_id = strdup(txid);
	t->workflow = dup_or_null(workflow_name(item));
	t->created_ms = iso_ms(json_str(item, "createdAt"));
	if (!t->transaction_id) {
		txn_clear(t);
		return NULL;
	}
	l->n++;
	return t;
}

static int
add_subscriber(struct nc_activity_txn *t, const char *sub)
{
	struct textbuf b = TEXTBUF_INIT(0);

	if (!sub)
		return 0;
	if (t->subscribers && textbuf_printf(&b, "%s, ", t->subscribers))
		return -1;
	if (textbuf_puts(&b, sub)) {
		textbuf_free(&b);
		return -1;
	}
	free(t->subscribers);
	t->subscribers = textbuf_steal(&b);
	return 0;
}

enum nc_status
activity_add_notification(struct nc_activity_list *l, const cJSON *item, struct nc_error *err)
{
	const char *txid = json_str(item, "transactionId");
	const char *sub = json_str(cJSON_GetObjectItemCaseSensitive(item, "subscriber"),
	                           "subscriberId");
	struct nc_activity_txn *t;
	const cJSON *job;

	if (!txid)
		return NC_OK; /* nothing to cancel it by */
	t = find_txn(l, txid);
	if (!t)
		t = new_txn(l, item, txid);
	if (!t || add_subscriber(t, sub))
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory reading the feed");
	cJSON_ArrayForEach(job, cJSON_GetObjectItemCaseSensitive(item, "jobs"))
		if (add_job(t, job, sub))
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory reading the feed");
	return NC_OK;
}

static int
newest_first(const void *a, const void *b)
{
	const struct nc_activity_txn *x = a, *y = b;

	return x->created_ms < y->created_ms ? 1 : x->created_ms > y->created_ms ? -1 : 0;
}

void
activity_finish(struct nc_activity_list *l, int pending_only)
{
	size_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		if (pending_only && !l->items[i].pending) {
			txn_clear(&l->items[i]);
			continue;
		}
		l->items[kept++] = l->items[i];
	}
	l->n = kept;
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(*l->items), newest_first);
}

static size_t
count_pending(const struct nc_activity_list *l, int pending_only)
{
	size_t i, n = 0;

	if (!pending_only)
		return l->n;
	for (i = 0; i < l->n; i++)
		n += l->items[i].pending;
	return n;
}

void
pending_describe_wait(const struct nc_activity_txn *t, char *buf, size_t cap)
{
	char until[32] = "", events[32] = "";
	time_t secs;
	struct tm tm;

	if (!t->pending) {
		snprintf(buf, cap, "-");
		return;
	}
	secs = (time_t)(t->until_ms / 1000);
	if (t->until_ms && gmtime_r(&secs, &tm))
		strftime(until, sizeof(until), " until ~%Y-%m-%d %H:%MZ", &tm);
	if (t->events >= 0)
		snprintf(events, sizeof(events), " (%d event%s)", t->events, t->events == 1 ? "" : "s");
	snprintf(buf, cap, "%s%s%s%s%s", t->wait_type ? t->wait_type : "waiting", until,
	         t->schedule ? ", timed: " : "", t->schedule ? t->schedule : "", events);
}

/* ---- reading ---- */

struct query {
	struct textbuf b;
	int bad;
};

static void
query_add(struct query *q, const char *key, const char *value)
{
	char *esc = curl_easy_escape(NULL, value, 0);

	if (!esc) {
		q->bad = 1;
		return;
	}
	q->bad |= textbuf_printf(&q->b, "%c%s=%s", q->b.len ? '&' : '?', key, esc) != 0;
	curl_free(esc);
}

static void
query_add_time(struct query *q, const char *key, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char buf[40];

	if (!ms || !gmtime_r(&secs, &tm))
		return;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03dZ", (int)(ms % 1000));
	query_add(q, key, buf);
}

/* One workflow identifier to its _id: an exact workflowId match of the
 * server-side search, or an identifier that already is an _id. */
static enum nc_status
resolve_workflow(struct nc_client *c, const char *ident, char **id, struct nc_error *err)
{
	struct nc_list_query q = { ident, 100, 0, NULL };
	struct nc_workflow_page page = { 0 };
	enum nc_status st = api_list_workflows(c, &q, &page, err);
	size_t i;

	*id = NULL;
	for (i = 0; !st && !*id && i < page.n; i++)
		if ((page.items[i].workflow_id && strcmp(page.items[i].workflow_id, ident) == 0) ||
		    (page.items[i].id && strcmp(page.items[i].id, ident) == 0))
			*id = dup_or_null(page.items[i].id);
	workflow_page_clear(&page);
	if (!st && !*id)
		st = nc_error_set(err, NC_E_USAGE, "workflow",
		                  "no workflow with the identifier %s (novu-console workflows "
		                  "lists them)", ident);
	return st;
}

static enum nc_status
build_filters(struct nc_client *c, const struct nc_activity_query *q, struct query *qs,
              struct nc_error *err)
{
	enum nc_status st = NC_OK;
	char *id;
	size_t i;

	for (i = 0; i < q->nsubscribers; i++)
		query_add(qs, "subscriberIds", q->subscriber_ids[i]);
	for (i = 0; !st && i < q->nworkflows; i++) {
		st = resolve_workflow(c, q->workflows[i], &id, err);
		if (!st)
			query_add(qs, "templates", id);
		free(id);
	}
	if (q->topic_key && *q->topic_key)
		query_add(qs, "topicKey", q->topic_key);
	query_add_time(qs, "after", q->after_ms);
	query_add_time(qs, "before", q->before_ms);
	if (!st && qs->bad)
		st = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory building the query");
	return st;
}

/* Read page `page` into out; *more from hasMore. */
static enum nc_status
read_page(struct nc_client *c, const char *filters, long page, struct nc_activity_list *out,
          int *more, struct nc_error *err)
{
	struct textbuf b = TEXTBUF_INIT(0);
	const cJSON *data, *it;
	cJSON *root;
	enum nc_status st;

	if (textbuf_printf(&b, "/v1/notifications%s%cpage=%ld&limit=%d", filters,
	                   *filters ? '&' : '?', page, FEED_PAGE_SIZE))
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	st = api_get_json(c, b.data, "GET /v1/notifications", &root, err);
	textbuf_free(&b);
	if (st)
		return st;
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	cJSON_ArrayForEach(it, data) {
		out->notifications++;
		st = activity_add_notification(out, it, err);
		if (st)
			break;
	}
	*more = json_bool(root, "hasMore", 0) == 1;
	out->pages++;
	cJSON_Delete(root);
	return st;
}

enum nc_status
activity_read(struct nc_client *c, const struct nc_activity_query *q,
              nc_activity_progress_cb progress, void *ctx, struct nc_activity_list *out,
              struct nc_error *err)
{
	struct query qs = { TEXTBUF_INIT(0), 0 };
	size_t limit = q->limit > 0 ? (size_t)q->limit : DEFAULT_LIMIT;
	enum nc_status st;
	long page;
	int more = 1;

	memset(out, 0, sizeof(*out));
	st = build_filters(c, q, &qs, err);
	for (page = 0; !st && more && page < FEED_MAX_PAGES; page++) {
		if (count_pending(out, q->pending_only) >= limit || client_aborted(c))
			break;
		st = read_page(c, qs.b.data ? qs.b.data : "", page, out, &more, err);
		if (progress && !st)
			progress(ctx, out->pages, out->notifications, count_pending(out, q->pending_only));
	}
	textbuf_free(&qs.b);
	if (st) {
		activity_list_clear(out);
		return st;
	}
	out->stopped_early = more;
	activity_finish(out, q->pending_only);
	out->stopped_early |= out->n > limit;
	while (out->n > limit)
		txn_clear(&out->items[--out->n]);
	return NC_OK;
}
