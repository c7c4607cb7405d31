/* bulkrun.c - any number of events as bulk requests of at most 100, one at a
 * time, paced by the RateLimit-* headers, recorded in history and resumable.
 *
 * The run is stored before anything is sent: every event already carries its
 * transactionId and every chunk its exact body and idempotency key. Sending
 * and resuming both read the chunks back from history and send the stored
 * bytes, so a chunk that went through before a crash is replayed by the
 * server (same key, same body) rather than delivered twice.
 */
#include "bulkrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "ratelimit.h"
#include "textbuf.h"
#include "uuid.h"

#define BULK_COST 100           /* tokens per bulk request (CONTRACT 4.5) */
#define SUMMARY_MAX 200

/* ---- creating a run ---- */

static char *
new_chunk_key(void)
{
	char uuid[NC_UUID_LEN + 1];
	struct textbuf b = TEXTBUF_INIT(0);

	if (uuid_v4(uuid) != 0 || textbuf_printf(&b, "nc-bulk-%s", uuid)) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}

/* Ids first, then validation with run-wide field names ("events[250].to"),
 * so an error points at the line the user can find. */
static enum nc_status
prepare_events(struct nc_event *evs, size_t n, struct nc_error *err)
{
	char prefix[48];
	enum nc_status st;
	size_t i;

	if (n == 0)
		return nc_error_set(err, NC_E_INVALID, "events", "there are no events to send");
	for (i = 0; i < n; i++) {
		st = event_ensure_transaction_id(&evs[i]);
		if (st)
			return nc_error_set(err, st, NULL, "cannot generate a transactionId: %s",
			                    nc_status_message(st));
		snprintf(prefix, sizeof(prefix), "events[%zu].", i);
		st = event_validate(&evs[i], NC_USE_BULK_ENTRY, prefix, err);
		if (st)
			return st;
	}
	return NC_OK;
}

static enum nc_status
build_chunk(struct nc_event *evs, size_t n, size_t i, char **body, char **key,
            struct nc_error *err)
{
	size_t start, count;
	cJSON *json;

	bulk_plan_range(n, i, &start, &count);
	json = request_build_bulk(evs + start, count, err);
	if (!json)
		return err && err->status ? err->status : NC_E_INVALID;
	*body = json_print_compact(json);
	cJSON_Delete(json);
	*key = new_chunk_key();
	if (!*body || !*key)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return NC_OK;
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

enum nc_status
bulkrun_create(struct nc_history *h, const char *profile, const char *source,
               struct nc_event *evs, size_t n, int64_t *run_id, struct nc_error *err)
{
	size_t nchunks, i;
	char **bodies, **keys;
	enum nc_status st;

	*run_id = 0;
	st = prepare_events(evs, n, err);
	if (st)
		return st;
	nchunks = bulk_plan_count(n);
	bodies = calloc(nchunks, sizeof(*bodies));
	keys = calloc(nchunks, sizeof(*keys));
	if (!bodies || !keys)
		st = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	for (i = 0; st == NC_OK && i < nchunks; i++)
		st = build_chunk(evs, n, i, &bodies[i], &keys[i], err);
	if (st == NC_OK)
		st = histdb_bulk_create(h, profile, source, bodies, keys, nchunks, run_id, err);
	free_strings(bodies, nchunks);
	free_strings(keys, nchunks);
	return st;
}

/* ---- sending a run ---- */

/* One stored chunk, parsed back so each event can be recorded. */
struct chunk_events {
	cJSON *root;
	const cJSON **events;
	const char **txids;
	size_t n;
};

static void
chunk_events_free(struct chunk_events *ce)
{
	cJSON_Delete(ce->root);
	free(ce->events);
	free(ce->txids);
	memset(ce, 0, sizeof(*ce));
}

static enum nc_status
chunk_events_parse(const struct nc_bulk_chunk *ch, struct chunk_events *ce,
                   struct nc_error *err)
{
	const cJSON *list, *it;
	size_t count;

	memset(ce, 0, sizeof(*ce));
	ce->root = ch->body ? json_parse_field(ch->body, strlen(ch->body), "body", 1, NULL) : NULL;
	list = cJSON_GetObjectItemCaseSensitive(ce->root, "events");
	count = (size_t)cJSON_GetArraySize(list);
	if (!cJSON_IsArray(list) || count == 0) {
		chunk_events_free(ce);
		return nc_error_set(err, NC_E_IO, NULL,
		                    "bulk run %lld: stored chunk %zu is damaged (no events)",
		                    (long long)ch->run_id, ch->index);
	}
	ce->events = calloc(count, sizeof(*ce->events));
	ce->txids = calloc(count, sizeof(*ce->txids));
	if (!ce->events || !ce->txids) {
		chunk_events_free(ce);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	cJSON_ArrayForEach(it, list) {
		ce->events[ce->n] = it;
		ce->txids[ce->n] = json_str(it, "transactionId");
		ce->n++;
	}
	return NC_OK;
}

struct run {
	struct nc_client *c;
	struct nc_history *h;
	const char *profile;
	int64_t run_id;
	nc_bulk_progress_cb cb;
	void *ctx;
	struct nc_ratelimit rl;
	size_t nchunks, events_done, events_total;
};

static char *
recipients_of(const cJSON *event_json)
{
	struct nc_error ignored = NC_ERROR_INIT;
	struct nc_event ev;
	char *summary = NULL;

	event_init(&ev);
	if (event_from_json(&ev, event_json, NULL, &ignored) == NC_OK)
		summary = event_recipients_summary(&ev, SUMMARY_MAX);
	event_clear(&ev);
	nc_error_clear(&ignored);
	return summary;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Record one event of a chunk: its result when the chunk was answered, the
 * chunk's error otherwise. */
static enum nc_status
record_event(struct run *r, const struct nc_bulk_chunk *ch, const cJSON *event_json,
             const char *sent_txid, const struct nc_trigger_result *res,
             const struct nc_send_info *info, const struct nc_error *cerr,
             struct nc_error *err)
{
	struct nc_history_entry e;
	struct textbuf batch = TEXTBUF_INIT(0);
	enum nc_status st;

	memset(&e, 0, sizeof(e));
	textbuf_printf(&batch, "%lld:%zu", (long long)r->run_id, ch->index);
	e.batch_id = textbuf_steal(&batch);
	e.profile = dup_or_null(r->profile);
	e.kind = strdup("bulk");
	e.workflow = dup_or_null(json_str(event_json, "name"));
	e.recipients = recipients_of(event_json);
	e.transaction_id = dup_or_null(res && res->transaction_id ? res->transaction_id
	                                                          : sent_txid);
	e.idempotency_key = dup_or_null(ch->idempotency_key);
	e.http_status = info->http_status;
	e.response_status = res ? dup_or_null(res->status) : NULL;
	e.error = dup_or_null(res ? res->error : cerr->message);
	e.request_json = json_print_compact(event_json);
	/* The chunk's raw answer would repeat 100 times; keep it for failures,
	 * where it is the error body. */
	e.response_json = res ? NULL : dup_or_null(info->response_body);
	st = histdb_append(r->h, &e, err);
	histdb_entry_clear(&e);
	return st;
}

static enum nc_status
record_chunk(struct run *r, const struct nc_bulk_chunk *ch, const struct chunk_events *ce,
             const struct nc_trigger_result *results, const struct nc_send_info *info,
             const struct nc_error *cerr, struct nc_error *err)
{
	enum nc_status st = NC_OK;
	size_t i;

	for (i = 0; i < ce->n && st == NC_OK; i++)
		st = record_event(r, ch, ce->events[i], ce->txids[i],
		                  results ? &results[i] : NULL, info, cerr, err);
	return st;
}

static void
report(struct run *r, const struct nc_bulk_chunk *ch, size_t nevents, long waiting_ms,
       enum nc_status st, const struct nc_trigger_result *results,
       const struct nc_error *cerr)
{
	struct nc_bulk_progress p;

	if (!r->cb)
		return;
	memset(&p, 0, sizeof(p));
	p.chunk = ch->index;
	p.nchunks = r->nchunks;
	p.events_done = r->events_done;
	p.events_total = r->events_total;
	p.waiting_ms = waiting_ms;
	p.chunk_status = st;
	p.results = results;
	p.nresults = results ? nevents : 0;
	p.first_event = ch->index * NC_MAX_BULK_EVENTS;
	p.error = st == NC_OK ? NULL : cerr;
	r->cb(r->ctx, &p);
}

/* Wait until the bucket can pay for a bulk request; -1 when stopped. */
static int
wait_for_tokens(struct run *r, const struct nc_bulk_chunk *ch, size_t nevents)
{
	long wait = ratelimit_wait_ms(&r->rl, BULK_COST, ratelimit_now_ms());

	if (wait <= 0)
		return 0;
	report(r, ch, nevents, wait, NC_OK, NULL, NULL);
	return client_sleep(r->c, wait);
}

/* A chunk the server refused for what its body says (schema, size, type,
 * validation) is refused again on every resend: the same key and bytes
 * replay the stored answer. It is settled (recorded as failed, marked done)
 * so the run's other chunks can go; statuses that may pass later (401, 403,
 * 409, 429...) leave it pending for a resume. */
static int
chunk_refused_for_good(enum nc_status st, long http_status)
{
	return st == NC_E_API && (http_status == 400 || http_status == 413 ||
	                          http_status == 415 || http_status == 422);
}

static enum nc_status
send_chunk(struct run *r, const struct nc_bulk_chunk *ch, int *settled,
           struct nc_error *err)
{
	struct nc_error cerr = NC_ERROR_INIT;
	struct nc_trigger_result *results = NULL;
	struct nc_send_info info;
	struct chunk_events ce;
	enum nc_status st, rst;
	size_t i;

	st = chunk_events_parse(ch, &ce, err);
	if (st)
		return st;
	memset(&info, 0, sizeof(info));
	if (wait_for_tokens(r, ch, ce.n) != 0 || client_aborted(r->c)) {
		chunk_events_free(&ce);
		return nc_error_set(err, NC_E_ABORTED, NULL, "stopped by the user");
	}
	st = api_bulk_raw(r->c, ch->body, ch->idempotency_key, ce.txids, ce.n, &results,
	                  &info, &cerr);
	ratelimit_observe(&r->rl, info.ratelimit_limit, info.ratelimit_remaining,
	                  info.ratelimit_reset, ratelimit_now_ms());
	rst = record_chunk(r, ch, &ce, st == NC_OK ? results : NULL, &info, &cerr, err);
	*settled = st == NC_OK || chunk_refused_for_good(st, cerr.http_status);
	if (*settled && rst == NC_OK)
		rst = histdb_bulk_mark_done(r->h, r->run_id, ch->index, err);
	if (st == NC_OK)
		r->events_done += ce.n;
	report(r, ch, ce.n, 0, st, results, &cerr);
	if (st != NC_OK && err) {
		nc_error_clear(err);
		nc_error_copy(err, &cerr);
	}
	for (i = 0; results && i < ce.n; i++)
		trigger_result_clear(&results[i]);
	free(results);
	send_info_clear(&info);
	nc_error_clear(&cerr);
	chunk_events_free(&ce);
	return st != NC_OK ? st : rst;
}

/* Count events per chunk without keeping the parse: totals for progress. */
static size_t
events_in(const struct nc_bulk_chunk *ch)
{
	cJSON *root;
	size_t n;

	if (!ch->body)
		return 0;
	root = cJSON_ParseWithLength(ch->body, strlen(ch->body));
	n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "events"));
	cJSON_Delete(root);
	return n;
}

/* histdb_bulk_pending() returns only unfinished chunks, so on a resumed
 * run the totals cover what is left to send; nchunks is still the run's
 * (the last chunk is the last to be finished). */
static void
run_totals(struct run *r, const struct nc_bulk_chunk *chunks, size_t n)
{
	size_t i, count;

	for (i = 0; i < n; i++) {
		if (chunks[i].index + 1 > r->nchunks)
			r->nchunks = chunks[i].index + 1;
		count = events_in(&chunks[i]);
		r->events_total += count;
		if (chunks[i].done)
			r->events_done += count;
	}
}

enum nc_status
bulkrun_send(struct nc_client *c, struct nc_history *h, const char *profile,
             int64_t run_id, nc_bulk_progress_cb cb, void *ctx, struct nc_error *err)
{
	struct run r = { c, h, profile, run_id, cb, ctx, { 0, 0, 0, 0 }, 0, 0, 0 };
	struct nc_bulk_chunk *chunks = NULL;
	enum nc_status st;
	size_t n = 0, i;

	long holder = 0;

	ratelimit_init(&r.rl);
	st = histdb_bulk_claim(h, run_id, &holder, err);
	if (st)
		return st;
	if (holder)
		return nc_error_set(err, NC_E_USAGE, NULL, "bulk run %lld is being sent by "
		                    "process %ld; wait for it to finish", (long long)run_id, holder);
	st = histdb_bulk_pending(h, run_id, &chunks, &n, err);
	if (st) {
		histdb_bulk_release(h, run_id);
		return st;
	}
	run_totals(&r, chunks, n);
	for (i = 0; i < n; i++) {
		struct nc_error cerr = NC_ERROR_INIT;
		enum nc_status cst;
		int settled = 0;

		if (chunks[i].done)
			continue;
		cst = send_chunk(&r, &chunks[i], &settled, &cerr);
		/* The first failure is the one reported. */
		if (cst != NC_OK && st == NC_OK) {
			st = cst;
			if (err) {
				nc_error_clear(err);
				nc_error_copy(err, &cerr);
			}
		}
		nc_error_clear(&cerr);
		if (cst != NC_OK && !settled)
			break;   /* pending: resume later */
	}
	for (i = 0; i < n; i++)
		bulk_chunk_clear(&chunks[i]);
	free(chunks);
	histdb_bulk_release(h, run_id);
	return st;
}
