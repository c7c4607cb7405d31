/* test_bulkrun.c - rate-limit pacing arithmetic, and bulk runs of more than
 * 100 events against the real sandbox: chunking, history, pacing, and a
 * stopped run resumed without sending any event twice; several chunks in
 * flight at once (overlap, keep-alive, failure, abort, pacing). */
#include <criterion/criterion.h>

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bulkrun.h"
#include "histdb.h"
#include "import.h"
#include "jsonutil.h"
#include "nc_test_sandbox.h"
#include "ratelimit.h"
#include "textbuf.h"

#define BULK_PATH "/v1/events/trigger/bulk"
#define NEVENTS 250

/* ---- pacing arithmetic ---- */

Test(ratelimit, unknown_means_no_wait)
{
	struct nc_ratelimit rl;

	ratelimit_init(&rl);
	cr_assert_eq(rl.limit, -1);
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 5000), 0);
	/* An answer without any RateLimit-* header changes nothing. */
	ratelimit_observe(&rl, -1, -1, -1, 1000);
	cr_assert_eq(rl.remaining, -1);
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 5000), 0);
}

Test(ratelimit, waits_for_the_reset_when_short)
{
	struct nc_ratelimit rl;

	ratelimit_init(&rl);
	ratelimit_observe(&rl, 300, 250, 3, 10000);
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 10000), 0, "250 tokens pay for 100");
	ratelimit_observe(&rl, 300, 100, 3, 10000);
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 10000), 0, "exactly enough");
	ratelimit_observe(&rl, 300, 99, 3, 10000);
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 10000), 3000);
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 11200), 1800, "time already passed counts");
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 13000), 0);
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 20000), 0);
	cr_assert_eq(ratelimit_wait_ms(&rl, 1, 10000), 0, "a single request still fits");
	ratelimit_observe(&rl, 300, 0, 0, 10000);
	cr_assert_eq(ratelimit_wait_ms(&rl, 100, 10000), 0, "reset 0: refilled now");
}

/* Answers to requests in flight together come back in any order: a higher
 * count is an older answer until the held figures' reset has passed. */
Test(ratelimit, out_of_order_answers_keep_the_lowest_until_stale)
{
	struct nc_ratelimit rl;

	ratelimit_init(&rl);
	cr_assert_eq(ratelimit_stale(&rl, 0), 0, "nothing known is not stale");
	ratelimit_observe_lowest(&rl, 500, 250, 1, 10000);
	ratelimit_observe_lowest(&rl, 500, 350, 1, 10100);
	cr_assert_eq(rl.remaining, 250, "the older, higher answer is not taken");
	cr_assert_eq(ratelimit_wait_ms(&rl, 300, 10100), 900);
	ratelimit_observe_lowest(&rl, 500, 150, 1, 10200);
	cr_assert_eq(rl.remaining, 150);
	cr_assert_eq(ratelimit_stale(&rl, 11199), 0);
	cr_assert_eq(ratelimit_stale(&rl, 11200), 1);
	ratelimit_observe_lowest(&rl, 500, 450, 1, 11300);
	cr_assert_eq(rl.remaining, 450, "once stale, a higher count is taken");
	cr_assert_eq(ratelimit_stale(&rl, 11300), 0);
}

Test(ratelimit, monotonic_clock_moves_forward)
{
	long long a = ratelimit_now_ms(), b;

	usleep(20 * 1000);
	b = ratelimit_now_ms();
	cr_assert_geq(b - a, 19);
	cr_assert_lt(b - a, 2000);
}

/* ---- bulk runs against the sandbox ---- */

static struct tsb sb;
static struct nc_client *cl;
static struct nc_history *hist;
static char dir[64];
static char dbpath[128];

static void
remove_dir(const char *path)
{
	char file[512];
	struct dirent *de;
	DIR *d = opendir(path);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(path);
}

static void
open_history(void)
{
	struct nc_error err = NC_ERROR_INIT;

	strcpy(dir, "/tmp/nc-bulkrun-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/history.db", dir);
	cr_assert_eq(histdb_open(dbpath, &hist, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	nc_error_clear(&err);
}

static void
up_with(const char *const *args, int max_attempts)
{
	cr_assert_eq(tsb_start(&sb, args), 0, "could not start %s", NC_SANDBOX_BIN);
	cl = tsb_client(&sb, TSB_KEY, max_attempts, 20);
	cr_assert_not_null(cl);
	open_history();
}

static void
sb_up(void)
{
	static const char *const args[] = { "--rate-limit", "0", NULL };

	up_with(args, 1);
}

static void
sb_down(void)
{
	client_free(cl);
	cl = NULL;
	if (hist)
		histdb_close(hist);
	hist = NULL;
	tsb_stop(&sb);
	remove_dir(dir);
}

/* The use cases' view of this test's client and History, for one scope. */
static const struct nc_ops *
ops(const char *scope)
{
	static struct nc_ops o;

	o.client = cl;
	o.history = hist;
	o.profile = "test";
	o.scope = scope;
	return &o;
}

TestSuite(bulk, .init = sb_up, .fini = sb_down, .timeout = 90);

/* Small events with short transactionIds, so that every chunk body stays
 * small enough for the sandbox to log it verbatim. */
static struct nc_event *
make_events(size_t n, const char *prefix)
{
	struct nc_event *evs = calloc(n, sizeof(*evs));
	struct nc_recipient r;
	char id[32];
	size_t i;

	cr_assert_not_null(evs);
	memset(&r, 0, sizeof(r));
	r.kind = NC_RCPT_SUBSCRIBER_ID;
	r.id = (char *)(uintptr_t)"u1";
	for (i = 0; i < n; i++) {
		event_init(&evs[i]);
		snprintf(id, sizeof(id), "%s%03zu", prefix, i);
		cr_assert_eq(nc_strset(&evs[i].workflow, "welcome-onboarding"), 0);
		cr_assert_eq(nc_strset(&evs[i].transaction_id, id), 0);
		cr_assert_eq(event_add_recipient(&evs[i], &r), NC_OK);
	}
	return evs;
}

static void
free_events(struct nc_event *evs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		event_clear(&evs[i]);
	free(evs);
}

/* Per transactionId, how many times the server accepted it (2xx bulk
 * requests only: a refused request delivered nothing). */
static int
accepted_count(const cJSON *reqs, const char *txid, int *bodies_missing)
{
	const cJSON *it, *ev, *status;
	cJSON *body;
	int n = 0;

	cJSON_ArrayForEach(it, reqs) {
		status = cJSON_GetObjectItem(it, "status");
		if (strcmp(json_str(it, "path"), BULK_PATH) != 0 || !cJSON_IsNumber(status) ||
		    status->valueint / 100 != 2)
			continue;
		if (!json_str(it, "body")) {
			(*bodies_missing)++;
			continue;
		}
		body = cJSON_Parse(json_str(it, "body"));
		cJSON_ArrayForEach(ev, cJSON_GetObjectItem(body, "events"))
			if (strcmp(json_str(ev, "transactionId"), txid) == 0)
				n++;
		cJSON_Delete(body);
	}
	return n;
}

static void
assert_each_event_once(const char *prefix, size_t n)
{
	cJSON *reqs = tsb_requests(&sb);
	char id[32];
	int missing = 0, k;
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s%03zu", prefix, i);
		k = accepted_count(reqs, id, &missing);
		cr_assert_eq(missing, 0, "the sandbox did not log a bulk body");
		cr_assert_eq(k, 1, "%s accepted %d times", id, k);
	}
	cJSON_Delete(reqs);
}

/* History: per transactionId, how many "processed" bulk entries. */
static void
assert_history_processed_once(const char *prefix, size_t n)
{
	struct nc_history_entry *rows = NULL;
	struct nc_error err = NC_ERROR_INIT;
	size_t nrows = 0, i, j;
	char id[32];
	int k;

	cr_assert_eq(histdb_page(hist, NULL, 0, 100000, &rows, &nrows, &err), NC_OK);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s%03zu", prefix, i);
		k = 0;
		for (j = 0; j < nrows; j++)
			if (rows[j].transaction_id && strcmp(rows[j].transaction_id, id) == 0 &&
			    rows[j].response_status &&
			    strcmp(rows[j].response_status, "processed") == 0) {
				cr_assert_str_eq(rows[j].kind, "bulk");
				cr_assert_not_null(rows[j].batch_id);
				cr_assert_not_null(rows[j].idempotency_key);
				cr_assert_str_eq(rows[j].workflow, "welcome-onboarding");
				k++;
			}
		cr_assert_eq(k, 1, "%s recorded as processed %d times", id, k);
	}
	for (j = 0; j < nrows; j++)
		histdb_entry_clear(&rows[j]);
	free(rows);
}

struct progress_log {
	int chunks_reported, waits;
	size_t last_done, last_total, nchunks;
	size_t first_event[8];
	double chunk_done_s[8];   /* monotonic time each chunk was reported */
	int inject_after_first;   /* 1: fail the next request; 2: raise the flag */
	atomic_int *flag;
};

static void
on_progress(void *ctx, const struct nc_bulk_progress *p)
{
	struct progress_log *log = ctx;

	if (p->waiting_ms > 0) {
		log->waits++;
		return;
	}
	if (log->chunks_reported < 8) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		log->first_event[log->chunks_reported] = p->first_event;
		log->chunk_done_s[log->chunks_reported] = (double)now.tv_sec + now.tv_nsec / 1e9;
	}
	log->chunks_reported++;
	log->last_done = p->events_done;
	log->last_total = p->events_total;
	log->nchunks = p->nchunks;
	if (p->chunk_status == NC_OK)
		cr_assert_eq(p->nresults, p->chunk + 1 < p->nchunks ? 100u : NEVENTS % 100u);
	if (log->inject_after_first == 1 && p->chunk == 0)
		cr_assert_eq(tsb_faults(&sb, "{\"failNext\":1,\"status\":503,\"retryAfter\":0}"),
		             200);
	if (log->inject_after_first == 2 && p->chunk == 0)
		atomic_store(log->flag, 1);
	if (log->inject_after_first == 3 && p->chunk == 0)
		cr_assert_eq(tsb_faults(&sb, "{\"failNext\":1,\"status\":400}"), 200);
}

Test(bulk, run_of_250_in_three_requests)
{
	struct nc_event *evs = make_events(NEVENTS, "a");
	struct nc_error err = NC_ERROR_INIT;
	struct progress_log log;
	int64_t run = 0, unfinished = -1;
	size_t count = 0;
	cJSON *reqs;

	memset(&log, 0, sizeof(log));
	cr_assert_eq(bulkrun_create(ops("test"), "events.jsonl", evs, NEVENTS, NULL, NULL, &run, &err),
	             NC_OK, "%s", err.message ? err.message : "");
	cr_assert_gt(run, 0);
	reqs = tsb_requests(&sb);
	cr_assert_eq(cJSON_GetArraySize(reqs), 0, "creating a run sends nothing");
	cJSON_Delete(reqs);

	cr_assert_eq(bulkrun_send(ops("test"), run, 1, on_progress, &log, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 3);
	cJSON_Delete(reqs);
	cr_assert_eq(log.chunks_reported, 3);
	cr_assert_eq(log.nchunks, 3);
	cr_assert_eq(log.last_done, NEVENTS);
	cr_assert_eq(log.last_total, NEVENTS);
	cr_assert_eq(log.first_event[1], 100);
	cr_assert_eq(log.first_event[2], 200);
	assert_each_event_once("a", NEVENTS);
	cr_assert_eq(histdb_count(hist, NULL, &count, &err), NC_OK);
	cr_assert_eq(count, NEVENTS, "one history entry per event");
	assert_history_processed_once("a", NEVENTS);
	cr_assert_eq(histdb_bulk_last_unfinished(hist, NULL, NULL, &unfinished, &err), NC_OK);
	cr_assert_eq(unfinished, 0, "the run is finished");

	/* Sending a finished run again sends nothing. */
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, NULL, NULL, &err), NC_OK);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 3);
	cJSON_Delete(reqs);
	free_events(evs, NEVENTS);
}

Test(bulk, invalid_event_is_named_by_its_run_index)
{
	struct nc_event *evs = make_events(150, "v");
	struct nc_error err = NC_ERROR_INIT;
	int64_t run = -1;

	cr_assert_eq(nc_strset(&evs[123].workflow, ""), 0);
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, 150, NULL, NULL, &run, &err), NC_E_INVALID);
	cr_assert_eq(run, 0);
	cr_assert_geq(err.nfields, 1);
	cr_assert(strncmp(err.fields[0].field, "events[123].", 12) == 0, "%s",
	          err.fields[0].field);
	nc_error_clear(&err);
	free_events(evs, 150);
}

/* The key and body of each logged bulk request, in order. */
static int
bulk_requests(const cJSON *reqs, const char **keys, const char **bodies, long *statuses,
              int cap)
{
	const cJSON *it, *st;
	int n = 0;

	cJSON_ArrayForEach(it, reqs) {
		if (strcmp(json_str(it, "path"), BULK_PATH) != 0 || n >= cap)
			continue;
		keys[n] = json_str(it, "idempotencyKey");
		bodies[n] = json_str(it, "bodySha");
		st = cJSON_GetObjectItem(it, "status");
		statuses[n] = cJSON_IsNumber(st) ? (long)st->valuedouble : 0;
		n++;
	}
	return n;
}

Test(bulk, stopped_run_resumes_with_only_the_rest)
{
	struct nc_event *evs = make_events(NEVENTS, "r");
	struct nc_error err = NC_ERROR_INIT;
	struct progress_log log;
	int64_t run = 0, unfinished = 0;
	const char *keys[8], *shas[8];
	long statuses[8];
	cJSON *reqs;
	int n;

	memset(&log, 0, sizeof(log));
	log.inject_after_first = 1;
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, NEVENTS, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, on_progress, &log, &err), NC_E_SERVER);
	cr_assert_eq(err.http_status, 503);
	cr_assert_eq(log.chunks_reported, 2, "chunk 1 done, chunk 2 failed and reported");
	cr_assert_eq(histdb_bulk_last_unfinished(hist, NULL, NULL, &unfinished, &err), NC_OK);
	cr_assert_eq(unfinished, run);
	nc_error_clear(&err);

	memset(&log, 0, sizeof(log));
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, on_progress, &log, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(log.chunks_reported, 2, "only chunks 2 and 3 are sent again");
	cr_assert_eq(log.first_event[0], 100);
	cr_assert_eq(log.first_event[1], 200);

	reqs = tsb_requests(&sb);
	n = bulk_requests(reqs, keys, shas, statuses, 8);
	cr_assert_eq(n, 4, "chunk 1, chunk 2 refused, then chunks 2 and 3");
	cr_assert_eq(statuses[0], 201);
	cr_assert_eq(statuses[1], 503);
	cr_assert_eq(statuses[2], 201);
	cr_assert_eq(statuses[3], 201);
	cr_assert_str_eq(keys[1], keys[2], "the resumed chunk reuses its stored key");
	cr_assert_str_eq(shas[1], shas[2], "and its stored bytes");
	cr_assert_str_neq(keys[0], keys[1]);
	cr_assert_str_neq(keys[2], keys[3]);
	assert_each_event_once("r", NEVENTS);
	assert_history_processed_once("r", NEVENTS);
	cJSON_Delete(reqs);
	cr_assert_eq(histdb_bulk_last_unfinished(hist, NULL, NULL, &unfinished, &err), NC_OK);
	cr_assert_eq(unfinished, 0);
	free_events(evs, NEVENTS);
}

/* A chunk refused for its body would be refused again on every resend (Novu
 * replays a 400 for the same key): the run records it as failed and goes on
 * with the other chunks instead of stalling for good. */
Test(bulk, chunk_refused_for_its_body_is_settled_and_the_run_goes_on)
{
	struct nc_event *evs = make_events(NEVENTS, "q");
	struct nc_error err = NC_ERROR_INIT;
	struct progress_log log;
	int64_t run = 0, unfinished = -1;
	const char *keys[8], *shas[8];
	long statuses[8];
	cJSON *reqs;
	int n;

	memset(&log, 0, sizeof(log));
	log.inject_after_first = 3;
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, NEVENTS, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, on_progress, &log, &err), NC_E_API);
	cr_assert_eq(err.http_status, 400, "the first failure is reported");
	cr_assert_eq(log.chunks_reported, 3, "chunk 3 is sent after chunk 2 was refused");
	reqs = tsb_requests(&sb);
	n = bulk_requests(reqs, keys, shas, statuses, 8);
	cr_assert_eq(n, 3);
	cr_assert_eq(statuses[0], 201);
	cr_assert_eq(statuses[1], 400);
	cr_assert_eq(statuses[2], 201);
	cJSON_Delete(reqs);
	nc_error_clear(&err);
	cr_assert_eq(histdb_bulk_last_unfinished(hist, NULL, NULL, &unfinished, &err), NC_OK);
	cr_assert_eq(unfinished, 0, "nothing is left to resume: resending would replay the 400");
	free_events(evs, NEVENTS);
}

/* A run is resumed only in the environment (key) and on the server it was
 * made for, under any profile of them; a run stored by an older version,
 * scoped "PROFILE URL", under that profile. */
Test(bulk, resume_looks_only_at_runs_of_the_same_environment)
{
	struct nc_event *evs = make_events(NEVENTS, "p");
	struct nc_error err = NC_ERROR_INIT;
	int64_t run = 0, old = 0, found = -1;

	cr_assert_eq(bulkrun_create(ops("key:0123456789ab https://staging.example"), NULL, evs,
	                            NEVENTS, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(histdb_bulk_last_unfinished(hist, "key:0123456789ab https://api.novu.co",
	                                          "test", &found, &err), NC_OK);
	cr_assert_eq(found, 0, "a run made against another server is not offered");
	cr_assert_eq(histdb_bulk_last_unfinished(hist, "key:ba9876543210 https://staging.example",
	                                          "test", &found, &err), NC_OK);
	cr_assert_eq(found, 0, "nor one made with another key");
	cr_assert_eq(histdb_bulk_last_unfinished(hist, "key:0123456789ab https://staging.example",
	                                          "other-profile", &found, &err), NC_OK);
	cr_assert_eq(found, run);

	free_events(evs, NEVENTS);
	evs = make_events(NEVENTS, "q");
	cr_assert_eq(bulkrun_create(ops("test https://old.example"), NULL, evs, NEVENTS, NULL,
	                            NULL, &old, &err), NC_OK);
	cr_assert_eq(histdb_bulk_last_unfinished(hist, "key:0123456789ab https://old.example",
	                                          "test", &found, &err), NC_OK);
	cr_assert_eq(found, old, "the older version's run of this profile");
	cr_assert_eq(histdb_bulk_last_unfinished(hist, "key:0123456789ab https://old.example",
	                                          "other-profile", &found, &err), NC_OK);
	cr_assert_eq(found, 0, "not another profile's");
	free_events(evs, NEVENTS);
}

Test(bulk, abort_flag_stops_between_chunks)
{
	struct nc_event *evs = make_events(NEVENTS, "s");
	struct nc_error err = NC_ERROR_INIT;
	struct progress_log log;
	atomic_int flag = 0;
	int64_t run = 0;
	cJSON *reqs;

	memset(&log, 0, sizeof(log));
	log.inject_after_first = 2;
	log.flag = &flag;
	client_set_abort_flag(cl, &flag);
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, NEVENTS, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, on_progress, &log, &err), NC_E_ABORTED);
	nc_error_clear(&err);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 1);
	cJSON_Delete(reqs);

	atomic_store(&flag, 0);
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, NULL, NULL, &err), NC_OK);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 3);
	cJSON_Delete(reqs);
	assert_each_event_once("s", NEVENTS);
	client_set_abort_flag(cl, NULL);
	free_events(evs, NEVENTS);
}

/* A bucket of 200 tokens per 2 s: the third 100-token request must wait for
 * the refill instead of running into a 429. */
static void
paced_up(void)
{
	static const char *const args[] = { "--rate-limit", "200", "--rate-window", "2", NULL };

	up_with(args, 1);
}

TestSuite(paced, .init = paced_up, .fini = sb_down, .timeout = 90);

Test(paced, bulk_requests_wait_for_tokens)
{
	struct nc_event *evs = make_events(NEVENTS, "p");
	struct nc_error err = NC_ERROR_INIT;
	struct progress_log log;
	int64_t run = 0;
	const char *keys[8], *shas[8];
	long statuses[8];
	cJSON *reqs;
	struct timespec start;
	double t0;
	int n, i;

	memset(&log, 0, sizeof(log));
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, NEVENTS, NULL, NULL, &run, &err), NC_OK);
	clock_gettime(CLOCK_MONOTONIC, &start);
	t0 = (double)start.tv_sec + start.tv_nsec / 1e9;
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, on_progress, &log, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	/* The bucket refills 100 tokens a second. When the first two requests
	 * came back within a second, the third had to wait for tokens; a slower
	 * run (valgrind, a loaded machine) may find them refilled, so there
	 * only "no 429" below is required. */
	if (log.chunk_done_s[1] - t0 < 1.0)
		cr_assert_geq(log.waits, 1, "no wait for tokens was reported");
	reqs = tsb_requests(&sb);
	n = bulk_requests(reqs, keys, shas, statuses, 8);
	cr_assert_eq(n, 3, "one attempt each: no 429 was needed");
	for (i = 0; i < n; i++)
		cr_assert_eq(statuses[i], 201);
	cJSON_Delete(reqs);
	free_events(evs, NEVENTS);
}

/* ---- several chunks in flight ---- */

#define PAR_EVENTS 1000        /* ten chunks */

/* Each answer waits a while in the sandbox, so chunks sent together
 * are open there together: the log's inFlight (requests open when each
 * arrived) shows the overlap without measuring time. The suite sets 400 ms. */


static void
parallel_up(void)
{
	static const char *const args[] = { "--rate-limit", "0", NULL };

	up_with(args, 1);
	cr_assert_eq(tsb_faults(&sb, "{\"latencyMs\":400}"), 200);
}

TestSuite(parallel, .init = parallel_up, .fini = sb_down, .timeout = 120);

struct par_log {
	int chunks_reported;
	size_t last_done, ok_events;
	size_t order[64];          /* chunk index of each report, in order */
	int fail_after_first;      /* inject a 503 for one of the next chunks */
};

static void
on_par_progress(void *ctx, const struct nc_bulk_progress *p)
{
	struct par_log *log = ctx;

	if (p->waiting_ms > 0)
		return;
	if (log->chunks_reported < 64)
		log->order[log->chunks_reported] = p->chunk;
	log->chunks_reported++;
	cr_assert_geq(p->events_done, log->last_done, "events_done never goes back");
	log->last_done = p->events_done;
	if (p->chunk_status == NC_OK)
		log->ok_events += p->nresults;
	if (log->fail_after_first && log->chunks_reported == 1)
		cr_assert_eq(tsb_faults(&sb, "{\"failNext\":1,\"status\":503,\"retryAfter\":0}"),
		             200);
}

/* The bulk requests of the log: the most that were open at once, the
 * connections they came on, and the first one's inFlight. */
static void
bulk_overlap(const cJSON *reqs, int *max_in_flight, int *connections, int *first_in_flight)
{
	int ports[64], nports = 0, i, k, seen = 0;
	const cJSON *it;

	*max_in_flight = 0;
	*first_in_flight = 0;
	cJSON_ArrayForEach(it, reqs) {
		if (strcmp(json_str(it, "path"), BULK_PATH) != 0)
			continue;
		k = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "inFlight"));
		if (!seen++)
			*first_in_flight = k;
		if (k > *max_in_flight)
			*max_in_flight = k;
		k = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "clientPort"));
		for (i = 0; i < nports && ports[i] != k; i++)
			;
		if (i == nports && nports < 64)
			ports[nports++] = k;
	}
	*connections = nports;
}

static size_t
count_rows_with(const char *prefix, const char *status)
{
	struct nc_history_entry *rows = NULL;
	struct nc_error err = NC_ERROR_INIT;
	size_t nrows = 0, i, k = 0;

	cr_assert_eq(histdb_page(hist, NULL, 0, 100000, &rows, &nrows, &err), NC_OK);
	for (i = 0; i < nrows; i++) {
		k += rows[i].transaction_id && rows[i].response_status &&
		     strncmp(rows[i].transaction_id, prefix, strlen(prefix)) == 0 &&
		     strcmp(rows[i].response_status, status) == 0;
		histdb_entry_clear(&rows[i]);
	}
	free(rows);
	return k;
}

Test(parallel, four_in_flight_overlap_on_kept_alive_connections)
{
	struct nc_event *evs = make_events(PAR_EVENTS, "o");
	struct nc_error err = NC_ERROR_INIT;
	struct par_log log;
	int64_t run = 0;
	int most, conns, first;
	cJSON *reqs;

	memset(&log, 0, sizeof(log));
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, PAR_EVENTS, NULL, NULL, &run, &err),
	             NC_OK);
	cr_assert_eq(bulkrun_send(ops("test"), run, 4, on_par_progress, &log, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(log.chunks_reported, 10);
	cr_assert_eq(log.last_done, PAR_EVENTS);
	cr_assert_eq(log.ok_events, PAR_EVENTS);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 10);
	bulk_overlap(reqs, &most, &conns, &first);
	cr_assert_eq(first, 1, "the first chunk goes alone, to learn whether limits are on");
	cr_assert_eq(most, 4, "four chunks were open in the server at once (%d)", most);
	cr_assert_leq(conns, 4, "ten requests came on %d connections: kept alive", conns);
	cJSON_Delete(reqs);
	assert_each_event_once("o", PAR_EVENTS);
	assert_history_processed_once("o", PAR_EVENTS);
	free_events(evs, PAR_EVENTS);
}

static void
parallel_fast_up(void)
{
	static const char *const args[] = { "--rate-limit", "0", NULL };

	up_with(args, 1);
}

TestSuite(parallel_fast, .init = parallel_fast_up, .fini = sb_down, .timeout = 120);

/* Twelve chunks. NC_TEST_FAST_EVENTS (a multiple of 100, 600 or more: the
 * first chunk alone, four in flight, then reused slots) makes it smaller
 * under valgrind (tests/valgrind.sh), where the run takes a minute. */
static int
fast_events(void)
{
	const char *s = getenv("NC_TEST_FAST_EVENTS");
	long n = s ? strtol(s, NULL, 10) : 0;

	return n >= 600 && n <= 1200 && n % 100 == 0 ? (int)n : 1200;
}

/* Quick answers: each chunk is recorded about when it comes back, never
 * held while later ones overtake it (answers used to be handed back by
 * lowest slot, so a reused low slot kept a higher one's answer waiting,
 * unrecorded, until the end of the run). */
Test(parallel_fast, answers_are_recorded_as_they_come)
{
	const int nev = fast_events();
	struct nc_event *evs = make_events((size_t)nev, "q");
	struct nc_error err = NC_ERROR_INIT;
	struct par_log log;
	int64_t run = 0;
	int i;

	memset(&log, 0, sizeof(log));
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, (size_t)nev, NULL, NULL, &run, &err),
	             NC_OK);
	cr_assert_eq(bulkrun_send(ops("test"), run, 4, on_par_progress, &log, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(log.chunks_reported, nev / 100);
	/* At most 4 in flight: a chunk cannot be reported after a chunk
	 * started 4 or more places after it was answered. */
	for (i = 0; i < nev / 100; i++)
		cr_assert_leq(log.order[i], (size_t)i + 4, "report %d is chunk %zu", i, log.order[i]);
	for (i = 0; i < nev / 100; i++)
		cr_assert_geq(log.order[i] + 4, (size_t)i, "report %d is chunk %zu: chunk held back",
		              i, log.order[i]);
	assert_each_event_once("q", (size_t)nev);
	free_events(evs, (size_t)nev);
}

/* One chunk turned away while others are in flight: those finish and are
 * recorded, no new one starts, and the resume sends only what is left. */
Test(parallel, failure_mid_run_then_resume_accepts_each_event_once)
{
	struct nc_event *evs = make_events(PAR_EVENTS, "m");
	struct nc_error err = NC_ERROR_INIT;
	struct par_log log;
	int64_t run = 0, unfinished = 0;
	const char *keys[32], *shas[32];
	long statuses[32];
	int n, i, failed = -1;
	cJSON *reqs;

	memset(&log, 0, sizeof(log));
	log.fail_after_first = 1;
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, PAR_EVENTS, NULL, NULL, &run, &err),
	             NC_OK);
	cr_assert_eq(bulkrun_send(ops("test"), run, 4, on_par_progress, &log, &err), NC_E_SERVER);
	cr_assert_eq(err.http_status, 503);
	nc_error_clear(&err);
	reqs = tsb_requests(&sb);
	n = bulk_requests(reqs, keys, shas, statuses, 32);
	cr_assert_eq(n, 5, "the first chunk, then four together; nothing after the 503");
	cr_assert_eq(log.chunks_reported, 5, "the three in flight beside it were finished");
	cr_assert_eq(count_rows_with("m", "processed"), 400, "and recorded");
	cr_assert_eq(count_rows_with("m", HISTDB_QUEUED), 600);
	cr_assert_eq(count_rows_with("m", HISTDB_UNKNOWN), 0);
	cJSON_Delete(reqs);
	cr_assert_eq(histdb_bulk_last_unfinished(hist, NULL, NULL, &unfinished, &err), NC_OK);
	cr_assert_eq(unfinished, run);

	cr_assert_eq(bulkrun_send(ops("test"), run, 4, NULL, NULL, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	reqs = tsb_requests(&sb);
	n = bulk_requests(reqs, keys, shas, statuses, 32);
	cr_assert_eq(n, 11, "the resume sent the refused chunk and the five never sent");
	for (i = 0; i < 5; i++)
		if (statuses[i] == 503)
			failed = i;
	cr_assert_geq(failed, 0);
	for (i = 5; i < n && strcmp(keys[i], keys[failed]) != 0; i++)
		;
	cr_assert_lt(i, n, "the refused chunk went again with its stored key");
	cr_assert_str_eq(shas[i], shas[failed], "and its stored bytes");
	cJSON_Delete(reqs);
	assert_each_event_once("m", PAR_EVENTS);
	assert_history_processed_once("m", PAR_EVENTS);
	free_events(evs, PAR_EVENTS);
}

struct stopper {
	atomic_int *flag;
	int want;              /* raise the flag once this many bulk requests arrived */
};

/* Another thread, as the console's Stop key is: waits until the chunks
 * are open in the server, then raises the flag. */
static void *
stop_when_in_flight(void *arg)
{
	struct stopper *s = arg;
	int i, n = 0;
	cJSON *reqs;

	for (i = 0; i < 500 && n < s->want; i++) {
		reqs = tsb_requests(&sb);
		n = tsb_count_path(reqs, BULK_PATH);
		cJSON_Delete(reqs);
		if (n < s->want)
			usleep(10000);
	}
	atomic_store(s->flag, 1);
	return NULL;
}

/* Every idempotency key went with one body only, and every event went
 * under one key only: with the server's idempotency, that is each event
 * accepted once, however often a key was resent. */
static void
assert_one_key_per_event(const cJSON *reqs, const char *prefix, size_t nevents)
{
	const char *keys[32], *shas[32], *key_of[PAR_EVENTS];
	const cJSON *it, *ev;
	long statuses[32];
	int n = bulk_requests(reqs, keys, shas, statuses, 32), i, j;
	char id[32];
	size_t k;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(keys[i], keys[j]) == 0)
				cr_assert_str_eq(shas[i], shas[j], "a key went with two bodies");
	memset(key_of, 0, sizeof(key_of));
	cJSON_ArrayForEach(it, reqs) {
		cJSON *body;

		if (strcmp(json_str(it, "path"), BULK_PATH) != 0)
			continue;
		body = cJSON_Parse(json_str(it, "body"));
		cJSON_ArrayForEach(ev, cJSON_GetObjectItem(body, "events")) {
			const char *tx = json_str(ev, "transactionId");

			cr_assert(strncmp(tx, prefix, strlen(prefix)) == 0);
			k = (size_t)atoi(tx + strlen(prefix));
			cr_assert_lt(k, nevents);
			if (key_of[k])
				cr_assert_str_eq(key_of[k], json_str(it, "idempotencyKey"),
				                 "%s went under two keys", tx);
			key_of[k] = json_str(it, "idempotencyKey");
		}
		cJSON_Delete(body);
	}
	for (k = 0; k < nevents; k++) {
		snprintf(id, sizeof(id), "%s%03zu", prefix, k);
		cr_assert_not_null(key_of[k], "%s was never sent", id);
	}
}

static void
wait_until_answered(int want)
{
	const cJSON *it;
	cJSON *reqs;
	int i, n = 0;

	for (i = 0; i < 1000 && n < want; i++) {
		reqs = tsb_requests(&sb);
		n = 0;
		cJSON_ArrayForEach(it, reqs)
			n += cJSON_IsNumber(cJSON_GetObjectItem(it, "status")) ||
			     cJSON_IsTrue(cJSON_GetObjectItem(it, "dropped"));
		cJSON_Delete(reqs);
		if (n < want)
			usleep(10000);
	}
	cr_assert_geq(n, want, "the server never answered the stopped chunks");
}

Test(parallel, abort_with_four_in_flight_records_unknown_and_resume_sends_each_once)
{
	struct nc_event *evs = make_events(PAR_EVENTS, "x");
	struct nc_error err = NC_ERROR_INIT;
	struct par_log log;
	atomic_int flag = 0;
	struct stopper stop = { &flag, 5 };
	pthread_t th;
	int64_t run = 0;
	cJSON *reqs;

	/* Long enough that the four are surely still open when the flag rises. */
	cr_assert_eq(tsb_faults(&sb, "{\"latencyMs\":3000}"), 200);
	memset(&log, 0, sizeof(log));
	client_set_abort_flag(cl, &flag);
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, PAR_EVENTS, NULL, NULL, &run, &err),
	             NC_OK);
	cr_assert_eq(pthread_create(&th, NULL, stop_when_in_flight, &stop), 0);
	cr_assert_eq(bulkrun_send(ops("test"), run, 4, on_par_progress, &log, &err), NC_E_ABORTED);
	pthread_join(th, NULL);
	nc_error_clear(&err);
	cr_assert_eq(log.chunks_reported, 5, "the first chunk, and the four stopped in flight");
	cr_assert_eq(count_rows_with("x", "processed"), 100);
	cr_assert_eq(count_rows_with("x", HISTDB_UNKNOWN), 400, "stopped in flight: unknown");
	cr_assert_eq(count_rows_with("x", HISTDB_QUEUED), 500);

	atomic_store(&flag, 0);
	cr_assert_eq(tsb_faults(&sb, "{\"latencyMs\":0}"), 200);
	/* Until the server has answered them, the stopped chunks' keys are in
	 * use (a resend now draws 409, which this one-attempt client does not
	 * retry, as the console's would). */
	wait_until_answered(5);
	cr_assert_eq(bulkrun_send(ops("test"), run, 4, NULL, NULL, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 5 + 9, "only the unfinished nine again");
	assert_one_key_per_event(reqs, "x", PAR_EVENTS);
	cJSON_Delete(reqs);
	assert_history_processed_once("x", PAR_EVENTS);
	client_set_abort_flag(cl, NULL);
	free_events(evs, PAR_EVENTS);
}

/* 500 tokens a second, burst 550: fifteen 100-token chunks cannot all go
 * at once, and eight in flight must not run into the bucket (one attempt
 * each: a 429 would fail the run). */
static void
parallel_paced_up(void)
{
	static const char *const args[] = { "--rate-limit", "500", "--rate-window", "1", NULL };

	up_with(args, 1);
	cr_assert_eq(tsb_faults(&sb, "{\"latencyMs\":200}"), 200);
}

TestSuite(parallel_paced, .init = parallel_paced_up, .fini = sb_down, .timeout = 120);

Test(parallel_paced, eight_in_flight_stay_within_the_bucket)
{
	struct nc_event *evs = make_events(1500, "b");
	struct nc_error err = NC_ERROR_INIT;
	struct par_log log;
	const char *keys[32], *shas[32];
	long statuses[32];
	int64_t run = 0;
	int n, i, most, conns, first;
	cJSON *reqs;

	memset(&log, 0, sizeof(log));
	cr_assert_eq(bulkrun_create(ops("test"), NULL, evs, 1500, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(bulkrun_send(ops("test"), run, 8, on_par_progress, &log, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	reqs = tsb_requests(&sb);
	n = bulk_requests(reqs, keys, shas, statuses, 32);
	cr_assert_eq(n, 15, "one attempt each: no 429");
	for (i = 0; i < n; i++)
		cr_assert_eq(statuses[i], 201);
	bulk_overlap(reqs, &most, &conns, &first);
	cr_assert_geq(most, 2, "chunks still overlapped under the bucket");
	cr_assert_leq(most, 5, "never more than the 550-token burst pays for");
	cJSON_Delete(reqs);
	free_events(evs, 1500);
}

/* ---- runs read from a file, a chunk at a time ---- */

/* JSON Lines of n events with transactionIds prefix000...; the events at
 * the indices in `odd` (ending with a negative) are the line `odd_line`
 * instead. */
static char *
jsonl(size_t n, const char *prefix, const int *odd, const char *odd_line)
{
	struct textbuf b = TEXTBUF_INIT(0);
	char id[32];
	size_t i;
	int k, is_odd;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s%03zu", prefix, i);
		for (is_odd = 0, k = 0; odd && odd[k] >= 0; k++)
			is_odd |= (size_t)odd[k] == i;
		if (is_odd)
			cr_assert_eq(textbuf_puts(&b, odd_line), 0);
		else
			cr_assert_eq(textbuf_printf(&b, "{\"name\":\"welcome-onboarding\",\"to\":\"u1\","
			                            "\"transactionId\":\"%s\"}", id), 0);
		cr_assert_eq(textbuf_append(&b, "\n", 1), 0);
	}
	return textbuf_steal(&b);
}

/* bulkrun_create_from on text; the reader is opened and closed here. */
static enum nc_status
create_from_text(const char *text, const char *idem_key, int single, int64_t *run,
                 size_t *n, struct nc_error *err)
{
	struct nc_import_options opts = { NULL, 1 };
	struct nc_event_reader *r = NULL;
	enum nc_status st = event_reader_open_text(&r, text, strlen(text), &opts, err);

	if (st == NC_OK)
		st = bulkrun_create_from(ops("test"), "events.jsonl", r, idem_key, single, run, n,
		                         err);
	event_reader_close(r);
	return st;
}

static void
assert_nothing_stored_or_sent(void)
{
	struct nc_error err = NC_ERROR_INIT;
	int64_t unfinished = -1;
	size_t count = 99;
	cJSON *reqs = tsb_requests(&sb);

	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 0, "nothing was sent");
	cJSON_Delete(reqs);
	cr_assert_eq(histdb_bulk_last_unfinished(hist, NULL, NULL, &unfinished, &err), NC_OK);
	cr_assert_eq(unfinished, 0, "no run was stored");
	cr_assert_eq(histdb_count(hist, NULL, &count, &err), NC_OK);
	cr_assert_eq(count, 0, "no bulk row was stored");
}

Test(bulk, file_run_is_stored_whole_then_sent_once)
{
	char *text = jsonl(NEVENTS, "f", NULL, NULL);
	struct nc_error err = NC_ERROR_INIT;
	struct progress_log log;
	int64_t run = 0;
	size_t n = 0;
	cJSON *reqs;

	memset(&log, 0, sizeof(log));
	cr_assert_eq(create_from_text(text, NULL, 0, &run, &n, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_gt(run, 0);
	cr_assert_eq(n, NEVENTS);
	reqs = tsb_requests(&sb);
	cr_assert_eq(cJSON_GetArraySize(reqs), 0, "creating a run sends nothing");
	cJSON_Delete(reqs);
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, on_progress, &log, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(log.nchunks, 3);
	cr_assert_eq(log.first_event[2], 200);
	assert_each_event_once("f", NEVENTS);
	assert_history_processed_once("f", NEVENTS);
	free(text);
}

/* The user's IDs History has are found in every chunk, the last one too,
 * and the run is refused before anything of it is stored. */
Test(bulk, file_with_sent_user_ids_in_later_chunks_is_refused_whole)
{
	static const int odd[] = { 120, 240, -1 };
	struct nc_event *sent = make_events(2, "s");
	char *text = jsonl(NEVENTS, "g", odd,
	                   "{\"name\":\"welcome-onboarding\",\"to\":\"u1\",\"transactionId\":\"s001\"}");
	struct nc_error err = NC_ERROR_INIT;
	int64_t run = 0;
	size_t n = 0;
	cJSON *reqs;

	cr_assert_eq(bulkrun_create(ops("test"), NULL, sent, 2, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, NULL, NULL, &err), NC_OK);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 1);
	cJSON_Delete(reqs);
	cr_assert_eq(tsb_reset(&sb), 200);

	run = -1;
	cr_assert_eq(create_from_text(text, NULL, 0, &run, &n, &err), NC_E_USAGE);
	cr_assert_eq(run, 0);
	cr_assert_eq(n, NEVENTS);
	cr_assert_not_null(strstr(err.message, "2 events carry"), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "events[120] s001, events[240] s001"), "%s",
	                   err.message);
	cr_assert_not_null(strstr(err.message, "nothing was sent"), "%s", err.message);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 0, "nothing was sent");
	cJSON_Delete(reqs);
	cr_assert_eq(histdb_bulk_last_unfinished(hist, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(run, 0, "no run was stored");
	nc_error_clear(&err);
	free_events(sent, 2);
	free(text);
}

/* Bad events anywhere in the file are all named by their line, and the
 * chunks read before them are not kept. */
Test(bulk, file_with_bad_events_stores_nothing_and_names_each)
{
	static const int odd[] = { 180, 230, -1 };
	char *text = jsonl(NEVENTS, "b", odd, "{\"name\":\"welcome-onboarding\",\"too\":\"u1\"}");
	struct nc_error err = NC_ERROR_INIT;
	int64_t run = -1;
	size_t n = 0;

	cr_assert_eq(create_from_text(text, NULL, 0, &run, &n, &err), NC_E_INVALID);
	cr_assert_eq(run, 0);
	cr_assert_eq(n, NEVENTS - 2, "the good events were read");
	cr_assert_eq(err.nfields, 2, "both problems");
	cr_assert_not_null(strstr(err.fields[0].message, "\"too\""), "%s", err.fields[0].message);
	cr_assert_not_null(strstr(err.fields[0].field, "line 181"), "%s", err.fields[0].field);
	cr_assert_not_null(strstr(err.fields[1].field, "line 231"), "%s", err.fields[1].field);
	assert_nothing_stored_or_sent();
	nc_error_clear(&err);
	free(text);
}

/* One key (or one printed answer) cannot cover several requests: a file
 * that holds more stores nothing, and the count says how many. */
Test(bulk, single_request_file_of_more_events_stores_nothing)
{
	char *text = jsonl(101, "k", NULL, NULL);
	struct nc_error err = NC_ERROR_INIT;
	int64_t run = -1;
	size_t n = 0;

	cr_assert_eq(create_from_text(text, "my-key", 1, &run, &n, &err), NC_E_USAGE);
	cr_assert_eq(run, 0);
	cr_assert_eq(n, 101);
	assert_nothing_stored_or_sent();
	nc_error_clear(&err);
	free(text);
}

/* A file of one request's events takes the caller's key. */
Test(bulk, single_request_file_takes_the_key)
{
	char *text = jsonl(100, "o", NULL, NULL);
	struct nc_error err = NC_ERROR_INIT;
	int64_t run = 0;
	size_t n = 0;
	cJSON *reqs, *it;
	int with_key = 0;

	cr_assert_eq(create_from_text(text, "my-key", 1, &run, &n, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_eq(n, 100);
	cr_assert_eq(bulkrun_send(ops("test"), run, 1, NULL, NULL, &err), NC_OK);
	reqs = tsb_requests(&sb);
	cr_assert_eq(tsb_count_path(reqs, BULK_PATH), 1);
	cJSON_ArrayForEach(it, reqs)
		with_key += json_str(it, "idempotencyKey") &&
		            strcmp(json_str(it, "idempotencyKey"), "my-key") == 0;
	cr_assert_eq(with_key, 1, "the request carried the caller's key");
	cJSON_Delete(reqs);
	assert_each_event_once("o", 100);
	free(text);
}
