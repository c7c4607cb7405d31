/* test_histdb.c - the SQLite history store: paging, filtering, durability,
 * concurrency, damaged files and resumable bulk runs. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "histdb.h"
#include "profile.h"

/* Entries only borrow strings; the store never writes through them. */
#define S(lit) ((char *)(uintptr_t)(lit))

static char tmpdir[64];
static char dbpath[256];

static void
setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/nc-history-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	/* Directories below tmpdir do not exist yet: histdb_open makes them. */
	snprintf(dbpath, sizeof dbpath, "%s/state/novu-console/history.db", tmpdir);
}

/* rm -r for the test's own temporary directory. */
static void
rm_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char sub[1024];

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	remove(path);
}

static void
teardown(void)
{
	rm_tree(tmpdir);
}

TestSuite(history, .init = setup, .fini = teardown, .timeout = 90);

static struct nc_history *
open_ok(void)
{
	struct nc_history *h;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(histdb_open(dbpath, &h, &err), NC_OK, "%s", err.message);
	cr_assert_null(err.message, "unexpected note: %s", err.message);
	return h;
}

/* An entry whose strings live in the caller's buffers (not to be cleared). */
static struct nc_history_entry
entry(const char *kind, const char *workflow, const char *recipients, const char *txid)
{
	struct nc_history_entry e;

	memset(&e, 0, sizeof e);
	e.kind = S(kind);
	e.workflow = S(workflow);
	e.recipients = S(recipients);
	e.transaction_id = S(txid);
	return e;
}

static void
append_ok(struct nc_history *h, struct nc_history_entry *e)
{
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(histdb_append(h, e, &err), NC_OK, "%s", err.message);
	cr_assert_gt(e->id, 0);
}

static size_t
count_ok(struct nc_history *h, const char *filter)
{
	struct nc_error err = NC_ERROR_INIT;
	size_t n = 0;

	cr_assert_eq(histdb_count(h, filter, &n, &err), NC_OK, "%s", err.message);
	return n;
}

static void
free_entries(struct nc_history_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		histdb_entry_clear(&v[i]);
	free(v);
}

static void
assert_str_or_null(const char *got, const char *want, const char *what)
{
	if (!want)
		cr_assert_null(got, "%s should be NULL, is '%s'", what, got);
	else
		cr_assert(got && strcmp(got, want) == 0, "%s: got '%s', want '%s'", what,
		          got ? got : "(null)", want);
}

/* ---- basic records ---- */

Test(history, append_and_get_round_trip)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry e, got;
	struct nc_error err = NC_ERROR_INIT;
	int64_t before = (int64_t)time(NULL) * 1000;

	memset(&e, 0, sizeof e);
	e.profile = S("prod");
	e.kind = S("trigger");
	e.workflow = S("order-shipped");
	e.recipients = S("alice, bob (+3)");
	e.transaction_id = S("txn-123");
	e.idempotency_key = S("idem-9f2c");
	e.http_status = 201;
	e.response_status = S("processed");
	e.error = NULL;
	e.request_json = S("{\"name\":\"order-shipped\",\"to\":[\"alice\"],\"payload\":{\"é\":\"ü\"}}");
	e.response_json = S("{\"data\":{\"acknowledged\":true}}");
	e.batch_id = S("batch-1");
	append_ok(h, &e);
	cr_assert_geq(e.time_ms, before, "time_ms 0 means now");

	cr_assert_eq(histdb_get_entry(h, e.id, &got, &err), NC_OK, "%s", err.message);
	cr_assert_eq(got.id, e.id);
	cr_assert_eq(got.time_ms, e.time_ms);
	assert_str_or_null(got.profile, e.profile, "profile");
	assert_str_or_null(got.kind, e.kind, "kind");
	assert_str_or_null(got.workflow, e.workflow, "workflow");
	assert_str_or_null(got.recipients, e.recipients, "recipients");
	assert_str_or_null(got.transaction_id, e.transaction_id, "transaction_id");
	assert_str_or_null(got.idempotency_key, e.idempotency_key, "idempotency_key");
	cr_assert_eq(got.http_status, 201);
	assert_str_or_null(got.response_status, e.response_status, "response_status");
	assert_str_or_null(got.error, NULL, "error");
	assert_str_or_null(got.cancel_outcome, NULL, "cancel_outcome");
	assert_str_or_null(got.request_json, e.request_json, "request_json");
	assert_str_or_null(got.response_json, e.response_json, "response_json");
	assert_str_or_null(got.batch_id, e.batch_id, "batch_id");
	histdb_entry_clear(&got);

	cr_assert_eq(histdb_get_entry(h, e.id + 1000, &got, &err), NC_E_USAGE);
	cr_assert_not_null(strstr(err.message, "no history entry"));
	nc_error_clear(&err);

	/* A given time is kept. */
	e.time_ms = 1700000000123;
	append_ok(h, &e);
	cr_assert_eq(histdb_get_entry(h, e.id, &got, &err), NC_OK);
	cr_assert_eq(got.time_ms, 1700000000123);
	histdb_entry_clear(&got);
	histdb_close(h);
}

Test(history, survives_reopen_and_ids_grow)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry e = entry("trigger", "w", "r", "t");
	int64_t first;

	append_ok(h, &e);
	first = e.id;
	histdb_close(h);
	h = open_ok();
	cr_assert_eq(count_ok(h, NULL), 1);
	append_ok(h, &e);
	cr_assert_gt(e.id, first);
	histdb_close(h);
}

Test(history, private_files_and_directories)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry e = entry("trigger", "w", "r", "t");
	struct stat st;
	char p[300];

	append_ok(h, &e);
	cr_assert_eq(stat(dbpath, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "db mode %o", st.st_mode & 0777);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	cr_assert_eq(stat(p, &st), 0, "WAL mode keeps a -wal file while open");
	cr_assert_eq(st.st_mode & 0777, 0600, "wal mode %o", st.st_mode & 0777);
	snprintf(p, sizeof p, "%s/state/novu-console", tmpdir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700, "dir mode %o", st.st_mode & 0777);
	snprintf(p, sizeof p, "%s/state", tmpdir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700, "dir mode %o", st.st_mode & 0777);
	histdb_close(h);
}

Test(history, default_path_follows_the_environment)
{
	char *p;

	setenv("NOVU_CONSOLE_STATE_DIR", "/state/dir", 1);
	p = histdb_default_path();
	cr_assert_str_eq(p, "/state/dir/history.db");
	free(p);
	unsetenv("NOVU_CONSOLE_STATE_DIR");
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	p = histdb_default_path();
	cr_assert_str_eq(p, "/xdg/state/novu-console/history.db");
	free(p);
	setenv("XDG_STATE_HOME", "not/absolute", 1);
	setenv("HOME", "/home/me", 1);
	p = histdb_default_path();
	cr_assert_str_eq(p, "/home/me/.local/state/novu-console/history.db");
	free(p);
}

/* ---- paging and filtering ---- */

Test(history, keyset_pages_cover_everything_once)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	int64_t ids[25], cursor = 0;
	size_t n, seen = 0, i, pages = 0;
	char wf[25][16];

	for (i = 0; i < 25; i++) {
		struct nc_history_entry e;

		snprintf(wf[i], sizeof wf[i], "%s-%zu", i % 2 ? "odd" : "even", i);
		e = entry("trigger", wf[i], "r", NULL);
		append_ok(h, &e);
		ids[i] = e.id;
	}
	for (;;) {
		cr_assert_eq(histdb_page(h, NULL, cursor, 10, &v, &n, &err), NC_OK);
		if (n == 0) {
			free(v);
			break;
		}
		cr_assert_leq(n, 10);
		for (i = 0; i < n; i++) {
			/* newest first, continuing exactly below the cursor */
			cr_assert_eq(v[i].id, ids[24 - seen], "page %zu row %zu", pages, i);
			cr_assert_str_eq(v[i].workflow, wf[24 - seen]);
			seen++;
		}
		cursor = v[n - 1].id;
		free_entries(v, n);
		pages++;
		cr_assert_leq(pages, 5, "paging does not end");
	}
	cr_assert_eq(seen, 25);
	cr_assert_eq(pages, 3);

	/* The same with a filter: only the odd ones, 4 at a time. */
	cursor = 0;
	seen = 0;
	do {
		cr_assert_eq(histdb_page(h, "ODD", cursor, 4, &v, &n, &err), NC_OK);
		for (i = 0; i < n; i++) {
			cr_assert_eq(strncmp(v[i].workflow, "odd-", 4), 0);
			cr_assert(cursor == 0 || v[i].id < cursor);
			seen++;
		}
		if (n)
			cursor = v[n - 1].id;
		free_entries(v, n);
	} while (n);
	cr_assert_eq(seen, 12);
	histdb_close(h);
}

Test(history, slices_jump_to_positions)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	int64_t ids[25];
	size_t n, i;

	for (i = 0; i < 25; i++) {
		struct nc_history_entry e = entry("trigger", i % 5 ? "common" : "fifth", "r", NULL);

		append_ok(h, &e);
		ids[i] = e.id;
	}
	cr_assert_eq(histdb_slice(h, NULL, 0, 10, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 10);
	cr_assert_eq(v[0].id, ids[24]);
	free_entries(v, n);
	cr_assert_eq(histdb_slice(h, "", 20, 10, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 5);
	for (i = 0; i < 5; i++)
		cr_assert_eq(v[i].id, ids[4 - i]);
	free_entries(v, n);
	cr_assert_eq(histdb_slice(h, NULL, 30, 10, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 0);
	free(v);
	/* position 1 among "fifth" rows (ids 20, 15, 10, 5, 0 newest first) */
	cr_assert_eq(histdb_slice(h, "fifth", 1, 2, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(v[0].id, ids[15]);
	cr_assert_eq(v[1].id, ids[10]);
	free_entries(v, n);
	histdb_close(h);
}

Test(history, filter_is_a_literal_case_insensitive_substring)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry e[4];
	struct nc_history_entry *v;
	struct nc_error err = NC_ERROR_INIT;
	size_t n, i;

	e[0] = entry("trigger", "Order-Shipped", "alice@example.com", "tx-aaa");
	e[0].profile = S("prod");
	e[0].response_status = S("processed");
	e[1] = entry("broadcast", "welcome", "(all subscribers)", "tx-bbb");
	e[1].profile = S("staging");
	e[1].response_status = S("error");
	e[1].error = S("100% broken");
	e[1].request_json = S("{\"secretish\":\"zzz\"}");
	e[2] = entry("cancel", "digest_100%", "bob", "tx-ccc");
	e[2].profile = S("prod");
	e[2].response_status = S("cancelled");
	e[3] = entry("bulk", "a_b", "carol", "TX-DDD");
	for (i = 0; i < 4; i++)
		append_ok(h, &e[i]);

	cr_assert_eq(count_ok(h, NULL), 4);
	cr_assert_eq(count_ok(h, ""), 4);
	cr_assert_eq(count_ok(h, "order"), 1);          /* workflow, any case */
	cr_assert_eq(count_ok(h, "SHIPPED"), 1);
	cr_assert_eq(count_ok(h, "alice@"), 1);         /* recipients */
	cr_assert_eq(count_ok(h, "tx-"), 4);            /* transactionId, any case */
	cr_assert_eq(count_ok(h, "ddd"), 1);
	cr_assert_eq(count_ok(h, "prod"), 2);           /* profile */
	cr_assert_eq(count_ok(h, "BROADCAST"), 1);      /* kind */
	cr_assert_eq(count_ok(h, "error"), 1);          /* response status */
	cr_assert_eq(count_ok(h, "cancel"), 1);         /* kind and status, one row */
	cr_assert_eq(count_ok(h, "broken"), 0);         /* error text is not searched */
	cr_assert_eq(count_ok(h, "zzz"), 0);            /* nor bodies */
	cr_assert_eq(count_ok(h, "%"), 1);              /* a literal percent */
	cr_assert_eq(count_ok(h, "_"), 2);              /* a literal underscore */
	cr_assert_eq(count_ok(h, "a_b"), 1);
	cr_assert_eq(count_ok(h, "a%b"), 0);
	cr_assert_eq(count_ok(h, "\\"), 0);
	cr_assert_eq(count_ok(h, "nothing like it"), 0);

	cr_assert_eq(histdb_page(h, "prod", 0, 10, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(v[0].id, e[2].id);
	cr_assert_eq(v[1].id, e[0].id);
	free_entries(v, n);
	histdb_close(h);
}

static void
assert_outcome(struct nc_history *h, int64_t id, const char *want, const char *what)
{
	struct nc_history_entry got;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(histdb_get_entry(h, id, &got, &err), NC_OK, "%s", err.message);
	assert_str_or_null(got.cancel_outcome, want, what);
	histdb_entry_clear(&got);
}

static void
cancel_ok(struct nc_history *h, const char *txid, const char *outcome, int want_own_row)
{
	struct nc_history_entry c = entry("cancel", NULL, NULL, txid);
	struct nc_error err = NC_ERROR_INIT;
	int own = -1;

	c.profile = S("prod");
	c.scope = S("prod https://api.novu.co");
	c.cancel_outcome = S(outcome);
	c.response_status = S(outcome);
	cr_assert_eq(histdb_record_cancel(h, &c, &own, &err), NC_OK, "%s", err.message);
	cr_assert_eq(own, want_own_row, "%s: own row %d", txid, own);
}

static struct nc_history_entry
scoped(const char *kind, const char *txid)
{
	struct nc_history_entry e = entry(kind, "w", "r", txid);

	e.profile = S("prod");
	e.scope = S("prod https://api.novu.co");
	e.response_status = S("processed");
	return e;
}

Test(history, cancel_outcome_lands_on_the_sends_of_the_transaction)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry a = scoped("trigger", "tx-1");
	struct nc_history_entry c = scoped("trigger", "tx-2");
	struct nc_history_entry d = scoped("bulk", "tx-1");
	struct nc_history_entry f = scoped("trigger", "tx-3");
	struct nc_history_entry other = entry("trigger", "w", "r", "tx-4");
	struct nc_error err = NC_ERROR_INIT;
	size_t before, after;

	other.profile = S("staging");
	other.scope = S("staging https://staging.example");
	append_ok(h, &a);
	append_ok(h, &c);
	append_ok(h, &d);
	append_ok(h, &f);
	append_ok(h, &other);
	before = count_ok(h, NULL);
	cancel_ok(h, "tx-1", "cancelled", 0);
	assert_outcome(h, a.id, "cancelled", "trigger of tx-1");
	assert_outcome(h, d.id, "cancelled", "bulk event of tx-1");
	assert_outcome(h, c.id, NULL, "another transaction");
	cr_assert_eq(count_ok(h, NULL), before, "a cancel of a recorded send adds no row");

	/* A second cancel finds nothing pending; the first one did cancel. */
	cancel_ok(h, "tx-1", "nothing pending", 0);
	assert_outcome(h, a.id, "cancelled", "cancelled is kept");
	/* Other outcomes are replaced by later ones. */
	cancel_ok(h, "tx-3", "failed: HTTP 503", 0);
	assert_outcome(h, f.id, "failed: HTTP 503", "first try");
	cancel_ok(h, "tx-3", "cancelled", 0);
	assert_outcome(h, f.id, "cancelled", "retry");

	/* Sent by something else (or another server): a row of its own, once. */
	cancel_ok(h, "tx-unknown", "nothing pending", 1);
	after = count_ok(h, NULL);
	cr_assert_eq(after, before + 1);
	cancel_ok(h, "tx-unknown", "cancelled", 1);
	cr_assert_eq(count_ok(h, NULL), after, "the cancel row is updated, not repeated");
	cancel_ok(h, "tx-4", "cancelled", 1);
	assert_outcome(h, other.id, NULL, "another server's send is not touched");
	{
		struct nc_history_entry none = entry("cancel", NULL, NULL, NULL);
		int own;

		cr_assert_eq(histdb_record_cancel(h, &none, &own, &err), NC_E_USAGE);
		nc_error_clear(&err);
	}
	histdb_close(h);
}

/* ---- the send ledger ---- */

static enum histdb_verdict
claim(struct nc_history *h, const char *txid, const char *key, const char *body,
      int64_t *id)
{
	struct nc_history_entry e = scoped("trigger", txid), found;
	struct nc_error err = NC_ERROR_INIT;
	enum histdb_verdict v;

	e.idempotency_key = S(key);
	e.request_json = S(body);
	e.response_status = S(HISTDB_UNKNOWN);
	cr_assert_eq(histdb_claim_send(h, &e, &v, &found, &err), NC_OK, "%s", err.message);
	*id = v == HISTDB_NEW ? e.id : found.id;
	histdb_entry_clear(&found);
	return v;
}

Test(history, claim_tells_new_retry_changed_key_and_used_id)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry done;
	struct nc_error err = NC_ERROR_INIT;
	int64_t id1, id;

	cr_assert_eq(claim(h, "t1", "k1", "{\"a\":1}", &id1), HISTDB_NEW);
	cr_assert_eq(claim(h, "t1", "k1", "{\"a\":1}", &id), HISTDB_RETRY);
	cr_assert_eq(id, id1, "the retry is of the first row");
	cr_assert_eq(claim(h, "t9", "k1", "{\"a\":2}", &id), HISTDB_KEY_CHANGED);
	cr_assert_eq(claim(h, "t1", "k2", "{\"a\":1}", &id), HISTDB_TXID_TAKEN);
	cr_assert_eq(id, id1);
	cr_assert_eq(count_ok(h, NULL), 1, "only the first claim was recorded");

	/* A send the API refused (no status kept) did not use its ID. */
	memset(&done, 0, sizeof(done));
	done.http_status = 400;
	done.error = S("payload is invalid");
	cr_assert_eq(histdb_finish_send(h, id1, &done, &err), NC_OK);
	cr_assert_eq(claim(h, "t1", "k3", "{\"a\":3}", &id), HISTDB_NEW);
	histdb_close(h);
}

Test(history, claim_is_per_server)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry e = scoped("trigger", "t1"), found;
	struct nc_error err = NC_ERROR_INIT;
	enum histdb_verdict v;
	int64_t id;

	cr_assert_eq(claim(h, "t1", "k1", "{}", &id), HISTDB_NEW);
	e.scope = S("prod https://eu.api.novu.co");
	e.idempotency_key = S("k1");
	e.request_json = S("{}");
	cr_assert_eq(histdb_claim_send(h, &e, &v, &found, &err), NC_OK);
	cr_assert_eq(v, HISTDB_NEW, "another URL is another Novu");
	histdb_close(h);
}

static struct histdb_bulk_event *
bulk_rows(size_t n)
{
	struct histdb_bulk_event *r = calloc(n, sizeof(*r));
	size_t i;

	cr_assert_not_null(r);
	for (i = 0; i < n; i++) {
		char *id = malloc(32);

		cr_assert_not_null(id);
		snprintf(id, 32, "b%u", (unsigned)i);
		r[i].workflow = "w";
		r[i].recipients = "u1";
		r[i].transaction_id = id;
		r[i].request_json = "{}";
	}
	return r;
}

static void
bulk_rows_free(struct histdb_bulk_event *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)(uintptr_t)r[i].transaction_id);
	free(r);
}

static int64_t
create_run(struct nc_history *h, const char *scope, char **bodies, char **keys,
           size_t nchunks, struct histdb_bulk_event *rows, size_t n)
{
	struct nc_history_entry tmpl;
	struct nc_error err = NC_ERROR_INIT;
	size_t *taken = NULL, ntaken = 9;
	int64_t run = 0;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.profile = S("prod");
	tmpl.scope = S(scope);
	cr_assert_eq(histdb_bulk_create(h, &tmpl, "events.jsonl", bodies, keys, nchunks, rows, n,
	                                &taken, &ntaken, &run, &err), NC_OK, "%s", err.message);
	cr_assert_eq(ntaken, 0);
	free(taken);
	return run;
}

static void
settle(struct nc_history *h, int64_t chunk_id)
{
	struct histdb_chunk_outcome o;
	struct nc_error err = NC_ERROR_INIT;

	memset(&o, 0, sizeof(o));
	o.chunk_id = chunk_id;
	o.http_status = 201;
	o.status = "processed";
	o.settled = 1;
	cr_assert_eq(histdb_bulk_record(h, &o, 1, NULL, 0, &err), NC_OK, "%s", err.message);
}

static double
seconds_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

#define BATCH 10000

/* 20,000 rows by default: enough that a page, a count or a filter that
 * walked the table instead of an index would show in the checks below,
 * small enough that the unit suite stays fast (bench/ times 100,000 and
 * 3,000,000). NC_TEST_BIG_ROWS=100000 runs it at full size; valgrind
 * (tests/valgrind.sh) sets 10,000, since memcheck runs ~30 times slower. */
static size_t
big_rows(void)
{
	const char *s = getenv("NC_TEST_BIG_ROWS");
	size_t n = s ? strtoul(s, NULL, 10) : 0;

	return n >= BATCH && n % BATCH == 0 && n % 100 == 0 ? n : 20000;
}

Test(history, many_entries)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *batch, *v;
	char (*wf)[48], (*tx)[48], (*req)[128];
	struct timespec t0;
	size_t i, b, n, cnt, big = big_rows();

	batch = calloc(BATCH, sizeof *batch);
	wf = calloc(BATCH, sizeof *wf);
	tx = calloc(BATCH, sizeof *tx);
	req = calloc(BATCH, sizeof *req);
	cr_assert(batch && wf && tx && req);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (b = 0; b < big / BATCH; b++) {
		for (i = 0; i < BATCH; i++) {
			size_t k = b * BATCH + i;

			snprintf(wf[i], sizeof wf[i], "%s-%zu", k % 100 ? "daily-digest" :
			         "password-reset", k);
			snprintf(tx[i], sizeof tx[i], "tx-%08zu", k);
			snprintf(req[i], sizeof req[i], "{\"name\":\"%s\",\"to\":[\"user-%zu\"]}",
			         wf[i], k % 977);
			batch[i] = entry(k % 7 ? "trigger" : "bulk", wf[i], "user", tx[i]);
			batch[i].profile = S("prod");
			batch[i].http_status = 201;
			batch[i].request_json = req[i];
		}
		cr_assert_eq(histdb_append_many(h, batch, BATCH, &err), NC_OK, "%s",
		             err.message);
		cr_assert_gt(batch[BATCH - 1].id, batch[0].id);
	}
	fprintf(stderr, "history: %zu entries written in %.2f s\n", big, seconds_since(&t0));
	histdb_close(h);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	h = open_ok();
	cr_assert_eq(histdb_page(h, NULL, 0, 50, &v, &n, &err), NC_OK);
	fprintf(stderr, "history: reopen + newest page in %.3f s\n", seconds_since(&t0));
	cr_assert_eq(n, 50);
	for (i = 0; i < n; i++) {
		char want[32];

		snprintf(want, sizeof want, "tx-%08zu", big - 1 - i);
		cr_assert_str_eq(v[i].transaction_id, want);
	}
	free_entries(v, n);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(count_ok(h, NULL), big);
	cnt = count_ok(h, "PASSWORD-reset");
	fprintf(stderr, "history: two counts in %.3f s\n", seconds_since(&t0));
	cr_assert_eq(cnt, big / 100);

	/* A deep keyset page and a deep filtered page. */
	cr_assert_eq(histdb_page(h, NULL, 51, 10, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 10);
	cr_assert_eq(v[0].id, 50);
	free_entries(v, n);
	cr_assert_eq(histdb_page(h, "password", 0, 20, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 20);
	{
		char newest[48], twentieth[48];

		/* Every hundredth row is a password reset: the newest is big-100. */
		snprintf(newest, sizeof newest, "tx-%08zu", big - 100);
		snprintf(twentieth, sizeof twentieth, "tx-%08zu", big - 2000);
		cr_assert_str_eq(v[0].transaction_id, newest);
		cr_assert_str_eq(v[19].transaction_id, twentieth);
	}
	free_entries(v, n);
	cr_assert_eq(histdb_slice(h, NULL, big - 10, 20, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 10);
	cr_assert_str_eq(v[9].transaction_id, "tx-00000000");
	free_entries(v, n);
	histdb_close(h);
	free(batch);
	free(wf);
	free(tx);
	free(req);
}

/* ---- several writers ---- */

/* In a child: open, append `count` rows tagged with `tag`, exit 0 on success. */
static void __attribute__((noreturn))
child_appender(const char *tag, int count)
{
	struct nc_history *h;
	struct nc_error err = NC_ERROR_INIT;
	char wf[64];
	int i;

	if (histdb_open(dbpath, &h, &err) != NC_OK) {
		fprintf(stderr, "%s: %s\n", tag, err.message);
		_exit(2);
	}
	for (i = 0; i < count; i++) {
		struct nc_history_entry e;

		snprintf(wf, sizeof wf, "%s-%d", tag, i);
		e = entry("trigger", wf, tag, NULL);
		if (histdb_append(h, &e, &err) != NC_OK) {
			fprintf(stderr, "%s: %s\n", tag, err.message);
			_exit(3);
		}
	}
	histdb_close(h);
	_exit(0);
}

static void
two_processes_append(void)
{
	pid_t a, b;
	int sa, sb;
	struct nc_history *h;

	a = fork();
	cr_assert_geq(a, 0);
	if (a == 0)
		child_appender("alpha", 500);
	b = fork();
	cr_assert_geq(b, 0);
	if (b == 0)
		child_appender("beta", 500);
	cr_assert_eq(waitpid(a, &sa, 0), a);
	cr_assert_eq(waitpid(b, &sb, 0), b);
	cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "alpha status %d", sa);
	cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "beta status %d", sb);
	h = open_ok();
	cr_assert_eq(count_ok(h, NULL), 1000);
	cr_assert_eq(count_ok(h, "alpha"), 500);
	cr_assert_eq(count_ok(h, "beta"), 500);
	histdb_close(h);
}

Test(history, two_processes_append_at_once)
{
	struct nc_history *h = open_ok();   /* existing database */

	histdb_close(h);
	two_processes_append();
}

Test(history, two_processes_create_at_once)
{
	two_processes_append();             /* both race to create it */
}

struct thread_arg {
	struct nc_history *h;
	const char *tag;
	int failures;
};

static void *
thread_appender(void *p)
{
	struct thread_arg *a = p;
	struct nc_error err = NC_ERROR_INIT;
	int i;

	for (i = 0; i < 200; i++) {
		struct nc_history_entry e = entry("trigger", a->tag, "r", NULL);

		if (histdb_append(a->h, &e, &err) != NC_OK)
			a->failures++;
	}
	nc_error_clear(&err);
	return NULL;
}

Test(history, threads_share_one_handle)
{
	struct nc_history *h = open_ok();
	struct thread_arg a = { h, "left", 0 }, b = { h, "right", 0 };
	pthread_t ta, tb;

	cr_assert_eq(pthread_create(&ta, NULL, thread_appender, &a), 0);
	cr_assert_eq(pthread_create(&tb, NULL, thread_appender, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	cr_assert_eq(a.failures + b.failures, 0);
	cr_assert_eq(count_ok(h, "left"), 200);
	cr_assert_eq(count_ok(h, "right"), 200);
	histdb_close(h);
}

/* ---- crashes and damaged files ---- */

#define CRASH_BODY "{\"name\":\"crash-test\",\"to\":[\"s-%d\"],\"payload\":{\"n\":%d}}"

Test(history, killed_writer_loses_no_committed_row)
{
	int fds[2], status, last = -1, v;
	pid_t pid;
	struct nc_history *h;
	struct nc_history_entry *rows;
	struct nc_error err = NC_ERROR_INIT;
	size_t n, i, total;

	histdb_close(open_ok());
	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct nc_history *ch;
		char wf[32], body[128];
		int k;

		close(fds[0]);
		if (histdb_open(dbpath, &ch, &err) != NC_OK)
			_exit(2);
		for (k = 0; k < 1000000; k++) {
			struct nc_history_entry e;

			snprintf(wf, sizeof wf, "crash-%d", k);
			snprintf(body, sizeof body, CRASH_BODY, k, k);
			e = entry("trigger", wf, "r", NULL);
			e.request_json = body;
			if (histdb_append(ch, &e, &err) != NC_OK)
				_exit(3);
			/* Reported only after the commit returned. */
			if (write(fds[1], &k, sizeof k) != (ssize_t)sizeof k)
				_exit(4);
		}
		_exit(0);
	}
	close(fds[1]);
	/* Let it commit a few hundred rows, then kill it mid-stride. */
	while (last < 300) {
		ssize_t r = read(fds[0], &v, sizeof v);

		cr_assert_eq(r, (ssize_t)sizeof v, "child stopped early");
		last = v;
	}
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	while (read(fds[0], &v, sizeof v) == (ssize_t)sizeof v)
		last = v;
	close(fds[0]);

	h = open_ok();
	total = count_ok(h, NULL);
	cr_assert_geq(total, (size_t)last + 1, "committed %d, found %zu", last + 1, total);
	cr_assert_leq(total, (size_t)last + 2, "at most one row beyond the last report");
	cr_assert_eq(histdb_slice(h, NULL, 0, total, &rows, &n, &err), NC_OK);
	cr_assert_eq(n, total);
	for (i = 0; i < n; i++) {
		int k = (int)(total - 1 - i);
		char wf[32], body[128];

		snprintf(wf, sizeof wf, "crash-%d", k);
		snprintf(body, sizeof body, CRASH_BODY, k, k);
		cr_assert_str_eq(rows[i].workflow, wf);
		cr_assert_str_eq(rows[i].request_json, body);
	}
	free_entries(rows, n);
	histdb_close(h);
}

/* The name of the single PATH.corrupt-* file next to the database. */
static void
find_aside(char *out, size_t outsz)
{
	char dir[256], *slash;
	DIR *d;
	struct dirent *de;
	int found = 0;

	snprintf(dir, sizeof dir, "%s", dbpath);
	slash = strrchr(dir, '/');
	*slash = '\0';
	d = opendir(dir);
	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "history.db.corrupt-", 19) == 0 &&
		    !strstr(de->d_name, "-wal") && !strstr(de->d_name, "-shm")) {
			snprintf(out, outsz, "%s/%s", dir, de->d_name);
			found++;
		}
	}
	closedir(d);
	cr_assert_eq(found, 1, "expected one moved-aside file, found %d", found);
}

static int
contains(const unsigned char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

static unsigned char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long l;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	l = ftell(f);
	rewind(f);
	buf = malloc((size_t)l + 1);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, (size_t)l, f);
	fclose(f);
	return buf;
}

/* Opening a damaged file: moved aside with a note, a fresh database works. */
static void
assert_recovers(const unsigned char *old, size_t oldlen)
{
	struct nc_history *h;
	struct nc_history_entry e = entry("trigger", "after", "r", NULL);
	struct nc_error err = NC_ERROR_INIT;
	char aside[512];
	unsigned char *kept;
	size_t keptlen;

	cr_assert_eq(histdb_open(dbpath, &h, &err), NC_OK, "%s", err.message);
	cr_assert_not_null(err.message, "a note says what happened");
	cr_assert_eq(err.status, NC_OK);
	find_aside(aside, sizeof aside);
	cr_assert_not_null(strstr(err.message, aside), "%s", err.message);
	nc_error_clear(&err);
	kept = read_all(aside, &keptlen);
	cr_assert_not_null(kept);
	cr_assert_eq(keptlen, oldlen, "the old bytes are kept as they were");
	cr_assert_eq(memcmp(kept, old, oldlen), 0);
	free(kept);
	cr_assert_eq(count_ok(h, NULL), 0);
	append_ok(h, &e);
	cr_assert_eq(count_ok(h, NULL), 1);
	histdb_close(h);
	/* and it stays healthy */
	h = open_ok();
	cr_assert_eq(count_ok(h, "after"), 1);
	histdb_close(h);
}

Test(history, garbage_file_is_moved_aside)
{
	unsigned char junk[65536];
	unsigned int seed = 12345;
	size_t i;
	FILE *f;
	char dir[256];

	snprintf(dir, sizeof dir, "%s/state", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/state/novu-console", tmpdir);
	mkdir(dir, 0700);
	for (i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(rand_r(&seed) >> 7);
	f = fopen(dbpath, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	fclose(f);
	assert_recovers(junk, sizeof junk);
}

static void
checkpoint_file(void)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

Test(history, torn_database_is_moved_aside)
{
	struct nc_history *h = open_ok();
	static char body[3000];
	unsigned char *half;
	size_t len, i;

	memset(body, 'x', sizeof body - 1);
	for (i = 0; i < 200; i++) {
		struct nc_history_entry e = entry("trigger", "torn", "r", NULL);

		e.request_json = body;
		append_ok(h, &e);
	}
	histdb_close(h);
	/* The WAL outlives the handle (keep_wal); copy it into the file as a
	 * checkpoint after a bulk run would. */
	checkpoint_file();
	half = read_all(dbpath, &len);
	cr_assert_not_null(half);
	cr_assert_gt(len, 200 * 3000, "rows were checkpointed into the main file");
	cr_assert_eq(truncate(dbpath, (off_t)(len / 2)), 0);
	assert_recovers(half, len / 2);
	free(half);
}

Test(history, newer_schema_is_left_alone)
{
	struct nc_history *h;
	struct nc_error err = NC_ERROR_INIT;
	sqlite3 *db;
	struct stat st;

	histdb_close(open_ok());
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(histdb_open(dbpath, &h, &err), NC_E_IO);
	cr_assert_null(h);
	cr_assert_not_null(strstr(err.message, "newer"), "%s", err.message);
	nc_error_clear(&err);
	cr_assert_eq(stat(dbpath, &st), 0, "still in place");
}

/* ---- the key stays out ---- */

Test(history, the_secret_key_is_never_stored)
{
	static const char fake_key[] = "sk_test_FAKEKEY_8d41c07e99ab";
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history *h;
	struct nc_history_entry e, got;
	const char *req = "{\"name\":\"welcome\",\"to\":[{\"subscriberId\":\"u-1\"}],"
	                  "\"payload\":{\"marker\":\"REQ-MARKER-77\"}}";
	const char *suffixes[] = { "", "-wal" };
	size_t i;

	cr_assert_eq(profile_parse(&p, "[secret]\nenv = NC_HISTORY_TEST_KEY\n", "t.ini", &err),
	             NC_OK);
	setenv("NC_HISTORY_TEST_KEY", fake_key, 1);
	unsetenv("NOVU_SECRET_KEY");
	unsetenv("NOVU_API_KEY");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.secret_key, fake_key);

	h = open_ok();
	e = entry("trigger", "welcome", "u-1", "tx-key-test");
	e.profile = p.name;
	e.idempotency_key = S("idem-1");
	e.request_json = S(req);
	append_ok(h, &e);
	cr_assert_eq(histdb_get_entry(h, e.id, &got, &err), NC_OK);
	cr_assert_str_eq(got.request_json, req, "the body comes back byte for byte");
	histdb_entry_clear(&got);
	profile_clear(&p);

	/* Look at the raw bytes while open (WAL holds the row) and after close. */
	for (i = 0; i < 2; i++) {
		size_t k, found = 0;

		for (k = 0; k < 2; k++) {
			char path[300];
			unsigned char *bytes;
			size_t len;

			snprintf(path, sizeof path, "%s%s", dbpath, suffixes[k]);
			bytes = read_all(path, &len);
			if (!bytes)
				continue;
			cr_assert_not(contains(bytes, len, fake_key), "the key is in %s", path);
			if (contains(bytes, len, "REQ-MARKER-77"))
				found++;
			free(bytes);
		}
		cr_assert_geq(found, 1, "the search does see stored text");
		if (i == 0)
			histdb_close(h);
	}
}

/* ---- resumable bulk runs ---- */

Test(history, bulk_run_resume_cycle)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	char *bodies[3] = { S("{\"events\":[1]}"), S("{\"events\":[2]}"), S("{\"events\":[3]}") };
	char *keys[3] = { S("idem-a"), S("idem-b"), S("idem-c") };
	struct histdb_bulk_event *rows = bulk_rows(201), *more = bulk_rows(1);
	struct nc_history_entry *evs;
	struct nc_bulk_chunk *c;
	int64_t run, run2, last, ids[3];
	size_t n, i;

	cr_assert_eq(histdb_bulk_last_unfinished(h, NULL, NULL, &last, &err), NC_OK);
	cr_assert_eq(last, 0);
	run = create_run(h, "prod x", bodies, keys, 3, rows, 201);
	cr_assert_gt(run, 0);
	cr_assert_eq(count_ok(h, NULL), 201, "a queued row per event");
	cr_assert_eq(histdb_bulk_pending(h, run, &c, &n, &err), NC_OK);
	cr_assert_eq(n, 3);
	for (i = 0; i < n; i++) {
		cr_assert_eq(c[i].run_id, run);
		cr_assert_eq(c[i].index, i);
		char *body = NULL;

		/* The body is read when the chunk goes, not with the run. */
		cr_assert_null(c[i].body);
		cr_assert_eq(histdb_bulk_chunk_body(h, c[i].id, &body, &err), NC_OK);
		cr_assert_str_eq(body, bodies[i]);
		free(body);
		cr_assert_eq(c[i].nevents, i < 2 ? 100u : 1u, "chunk %zu's event rows", i);
		cr_assert_str_eq(c[i].idempotency_key, keys[i]);
		cr_assert_eq(c[i].done, 0);
		ids[i] = c[i].id;
		bulk_chunk_clear(&c[i]);
	}
	free(c);

	cr_assert_eq(histdb_bulk_record(h, NULL, 0, &ids[1], 1, &err), NC_OK);
	settle(h, ids[1]);
	histdb_close(h);

	/* A stopped run is found again after a restart, its events as they were. */
	h = open_ok();
	cr_assert_eq(histdb_bulk_last_unfinished(h, NULL, NULL, &last, &err), NC_OK);
	cr_assert_eq(last, run);
	cr_assert_eq(histdb_bulk_run_entries(h, run, &evs, &n, &err), NC_OK);
	cr_assert_eq(n, 201);
	cr_assert_str_eq(evs[0].response_status, HISTDB_QUEUED);
	cr_assert_str_eq(evs[100].response_status, "processed");
	cr_assert_str_eq(evs[199].response_status, "processed");
	cr_assert_str_eq(evs[200].response_status, HISTDB_QUEUED);
	cr_assert_str_eq(evs[200].transaction_id, "b200");
	for (i = 0; i < n; i++)
		histdb_entry_clear(&evs[i]);
	free(evs);
	cr_assert_eq(histdb_bulk_pending(h, run, &c, &n, &err), NC_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(c[0].index, 0);
	cr_assert_eq(c[1].index, 2);
	cr_assert_eq(c[1].id, ids[2]);
	cr_assert_eq(c[1].nevents, 1);
	cr_assert_str_eq(c[1].idempotency_key, keys[2]);
	for (i = 0; i < n; i++)
		bulk_chunk_clear(&c[i]);
	free(c);

	snprintf((char *)(uintptr_t)more[0].transaction_id, 16, "other");
	run2 = create_run(h, "prod x", bodies, keys, 1, more, 1);
	cr_assert_gt(run2, run);
	cr_assert_eq(histdb_bulk_last_unfinished(h, NULL, NULL, &last, &err), NC_OK);
	cr_assert_eq(last, run2, "the newest unfinished run");
	cr_assert_eq(histdb_bulk_pending(h, run2, &c, &n, &err), NC_OK);
	settle(h, c[0].id);
	bulk_chunk_clear(&c[0]);
	free(c);
	cr_assert_eq(histdb_bulk_last_unfinished(h, NULL, NULL, &last, &err), NC_OK);
	cr_assert_eq(last, run);
	settle(h, ids[0]);
	settle(h, ids[2]);
	cr_assert_eq(histdb_bulk_last_unfinished(h, NULL, NULL, &last, &err), NC_OK);
	cr_assert_eq(last, 0);
	cr_assert_eq(histdb_bulk_pending(h, run, &c, &n, &err), NC_OK);
	cr_assert_eq(n, 0);
	free(c);

	cr_assert_eq(histdb_bulk_pending(h, run2 + 50, &c, &n, &err), NC_E_USAGE);
	nc_error_clear(&err);
	bulk_rows_free(rows, 201);
	bulk_rows_free(more, 1);
	histdb_close(h);
}

/* Dropping a stopped run: what never left is "dropped" for good, what left
 * without an answer stays "unknown", nothing of it is pending any more, and
 * an answered chunk keeps its answer. */
Test(history, a_dropped_run_sends_nothing_more_and_keeps_unknown_unknown)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	char *bodies[3] = { S("{\"events\":[1]}"), S("{\"events\":[2]}"), S("{\"events\":[3]}") };
	char *keys[3] = { S("idem-a"), S("idem-b"), S("idem-c") };
	struct histdb_bulk_event *rows = bulk_rows(250);
	struct nc_history_entry *evs;
	struct nc_bulk_chunk *c;
	size_t n, i, dropped = 9, unknown = 9;
	int64_t run, last, ids[3];
	int pending = -1;

	run = create_run(h, "prod x", bodies, keys, 3, rows, 250);
	cr_assert_eq(histdb_bulk_pending(h, run, &c, &n, &err), NC_OK);
	cr_assert_eq(n, 3);
	for (i = 0; i < n; i++) {
		ids[i] = c[i].id;
		bulk_chunk_clear(&c[i]);
	}
	free(c);
	/* Chunk 0 answered, chunk 1 left and was never answered, chunk 2 never left. */
	cr_assert_eq(histdb_bulk_record(h, NULL, 0, ids, 2, &err), NC_OK);
	settle(h, ids[0]);
	cr_assert_eq(histdb_bulk_chunk_pending(h, ids[1], &pending, &err), NC_OK);
	cr_assert_eq(pending, 1);

	cr_assert_eq(histdb_bulk_drop(h, run, &dropped, &unknown, &err), NC_OK, "%s", err.message);
	cr_assert_eq(dropped, 50, "the events of the chunk that never left");
	cr_assert_eq(unknown, 100, "the events of the chunk that left unanswered");
	cr_assert_eq(histdb_bulk_last_unfinished(h, NULL, NULL, &last, &err), NC_OK);
	cr_assert_eq(last, 0, "no resume picks a dropped run");
	cr_assert_eq(histdb_bulk_pending(h, run, &c, &n, &err), NC_OK);
	cr_assert_eq(n, 0);
	free(c);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(histdb_bulk_chunk_pending(h, ids[i], &pending, &err), NC_OK);
		cr_assert_eq(pending, 0, "chunk %zu", i);
	}
	cr_assert_eq(histdb_bulk_run_entries(h, run, &evs, &n, &err), NC_OK);
	cr_assert_eq(n, 250);
	cr_assert_str_eq(evs[0].response_status, "processed");
	cr_assert_str_eq(evs[150].response_status, HISTDB_UNKNOWN);
	cr_assert_str_eq(evs[199].response_status, HISTDB_UNKNOWN);
	cr_assert_str_eq(evs[200].response_status, HISTDB_DROPPED);
	cr_assert_str_eq(evs[249].response_status, HISTDB_DROPPED);
	cr_assert_str_eq(evs[249].error, "never sent: its bulk run 1 was given up");
	for (i = 0; i < n; i++)
		histdb_entry_clear(&evs[i]);
	free(evs);

	/* Dropping it again changes nothing; an unknown run is refused. */
	cr_assert_eq(histdb_bulk_drop(h, run, &dropped, &unknown, &err), NC_OK);
	cr_assert_eq(dropped + unknown, 0);
	cr_assert_eq(histdb_bulk_drop(h, run + 7, &dropped, &unknown, &err), NC_E_USAGE);
	nc_error_clear(&err);
	bulk_rows_free(rows, 250);
	histdb_close(h);
}

/* One record: answers and departures together, all or nothing; an answer's
 * transactionId replaces the stored one only where it differs. */
Test(history, bulk_record_commits_answers_and_departures_together)
{
	struct nc_history *h = open_ok();
	struct histdb_bulk_event *rows = bulk_rows(201);
	char *bodies[3] = { S("{\"events\":[0]}"), S("{\"events\":[1]}"), S("{\"events\":[2]}") };
	char *keys[3] = { S("k0"), S("k1"), S("k2") };
	struct histdb_event_result res[100];
	struct histdb_chunk_outcome o;
	struct nc_bulk_chunk *c;
	struct nc_history_entry *evs;
	struct nc_error err = NC_ERROR_INIT;
	int64_t run, ids[3] = { 0, 0, 0 }, leaving, bogus;
	size_t n, i;

	run = create_run(h, "prod x", bodies, keys, 3, rows, 201);
	cr_assert_eq(histdb_bulk_pending(h, run, &c, &n, &err), NC_OK);
	for (i = 0; i < n; i++) {
		ids[i] = c[i].id;
		bulk_chunk_clear(&c[i]);
	}
	free(c);
	cr_assert_eq(histdb_bulk_record(h, NULL, 0, &ids[0], 1, &err), NC_OK);
	memset(res, 0, sizeof(res));
	for (i = 0; i < 100; i++)
		res[i].status = "processed";
	res[1].transaction_id = "b1";            /* the same as stored */
	res[2].transaction_id = "replaced-by-novu";
	memset(&o, 0, sizeof(o));
	o.chunk_id = ids[0];
	o.http_status = 201;
	o.results = res;
	o.nresults = 100;
	o.settled = 1;
	/* A departure of a chunk that is not there fails the whole record. */
	bogus = ids[2] + 1000;
	o.chunk_id = bogus;
	cr_assert_neq(histdb_bulk_record(h, &o, 1, &ids[1], 1, &err), NC_OK);
	nc_error_clear(&err);
	cr_assert_eq(count_ok(h, "unknown"), 100, "chunk 0 only: chunk 1 was not marked");
	cr_assert_eq(count_ok(h, "queued"), 101);
	o.chunk_id = ids[0];
	leaving = ids[1];
	cr_assert_eq(histdb_bulk_record(h, &o, 1, &leaving, 1, &err), NC_OK, "%s", err.message);

	cr_assert_eq(histdb_bulk_run_entries(h, run, &evs, &n, &err), NC_OK);
	cr_assert_eq(n, 201);
	cr_assert_str_eq(evs[0].response_status, "processed");
	cr_assert_str_eq(evs[0].transaction_id, "b0", "no ID in the answer: kept");
	cr_assert_str_eq(evs[1].transaction_id, "b1");
	cr_assert_str_eq(evs[2].transaction_id, "replaced-by-novu");
	cr_assert_str_eq(evs[100].response_status, HISTDB_UNKNOWN, "on its way");
	cr_assert_str_eq(evs[200].response_status, HISTDB_QUEUED);
	for (i = 0; i < n; i++)
		histdb_entry_clear(&evs[i]);
	free(evs);
	cr_assert_eq(count_ok(h, "replaced-by"), 1, "the index has the new ID");
	cr_assert_eq(count_ok(h, "unknown"), 100);
	bulk_rows_free(rows, 201);
	histdb_close(h);
}

/* A run whose events carry a transactionId History has stores nothing and
 * names them. */
Test(history, bulk_run_with_a_used_transaction_id_is_not_stored)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry sent = scoped("trigger", "b1"), tmpl;
	struct nc_error err = NC_ERROR_INIT;
	char *bodies[1] = { S("{\"events\":[1,2,3]}") };
	char *keys[1] = { S("k") };
	struct histdb_bulk_event *rows = bulk_rows(3);
	size_t *taken = NULL, ntaken = 0;
	int64_t run = -1;

	append_ok(h, &sent);
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.profile = S("prod");
	tmpl.scope = S("prod https://api.novu.co");
	cr_assert_eq(histdb_bulk_create(h, &tmpl, NULL, bodies, keys, 1, rows, 3, &taken, &ntaken,
	                                &run, &err), NC_OK);
	cr_assert_eq(ntaken, 1);
	cr_assert_eq(taken[0], 1);
	cr_assert_eq(run, 0);
	cr_assert_eq(count_ok(h, NULL), 1, "nothing stored");
	free(taken);
	bulk_rows_free(rows, 3);
	histdb_close(h);
}

/* Two consoles resuming one run: the second is told who holds it; a claim
 * left by a process that died is taken over. */
Test(history, bulk_run_claim_is_exclusive_while_its_holder_lives)
{
	struct nc_history *h = open_ok(), *ch;
	struct nc_error err = NC_ERROR_INIT;
	int ready[2], go[2], status;
	long holder = -1;
	char byte = 0;
	pid_t child;

	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(go), 0);
	child = fork();
	cr_assert_neq(child, -1);
	if (child == 0) {
		long held = 0;

		if (histdb_open(dbpath, &ch, &err) != NC_OK ||
		    histdb_bulk_claim(ch, 7, &held, &err) != NC_OK || held)
			_exit(1);
		(void)!write(ready[1], "x", 1);
		(void)!read(go[0], &byte, 1);   /* hold the claim until told */
		_exit(0);                        /* dies without releasing */
	}
	cr_assert_eq(read(ready[0], &byte, 1), 1, "the child claimed run 7");
	cr_assert_eq(histdb_bulk_claim(h, 7, &holder, &err), NC_OK);
	cr_assert_eq(holder, (long)child, "the live holder is named");
	cr_assert_eq(histdb_bulk_claim(h, 8, &holder, &err), NC_OK);
	cr_assert_eq(holder, 0, "another run is free");
	cr_assert_eq(write(go[1], "x", 1), 1);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert_eq(histdb_bulk_claim(h, 7, &holder, &err), NC_OK);
	cr_assert_eq(holder, 0, "a dead holder's claim is taken over");
	histdb_bulk_release(h, 7);
	histdb_bulk_release(h, 8);
	histdb_close(h);
}

/* ---- the filter matches what a row shows ---- */

/* The ids histdb_page finds for filter, newest first, as a string "7 5 2". */
static void
page_ids(struct nc_history *h, const char *filter, char *buf, size_t size)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	size_t n, i, len = 0;

	cr_assert_eq(histdb_page(h, filter, 0, 1000, &v, &n, &err), NC_OK, "%s: %s", filter,
	             err.message);
	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%" PRId64, i ? " " : "",
		                        v[i].id);
	free_entries(v, n);
}

/* The same through plain LIKE over the stored row text, on a second
 * connection: the reference the index must agree with. */
static void
like_ids(const char *filter, char *buf, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char pat[256], *w = pat;
	size_t len = 0;
	const char *f;

	*w++ = '%';
	for (f = filter; *f; f++) {
		if (*f == '%' || *f == '_' || *f == '\\')
			*w++ = '\\';
		*w++ = *f;
	}
	*w++ = '%';
	*w = '\0';
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT rowid FROM entries_text WHERE shown"
	                                " LIKE ?1 ESCAPE '\\' ORDER BY rowid DESC", -1, &st,
	                                NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, pat, -1, SQLITE_STATIC);
	buf[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%s%lld", len ? " " : "",
		                        (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* "YYYY-MM-DD HH:MM:SS" of ms in local time, as the index holds it. */
static void
local_time(int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	cr_assert_not_null(localtime_r(&t, &tm));
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

#define T0 1796220300000LL   /* a fixed time; the test reads it back in local time */

/* Six rows, one for each way the Status column is made. */
static void
append_status_rows(struct nc_history *h, int64_t ids[6])
{
	struct nc_history_entry e[6];
	size_t i;

	e[0] = entry("trigger", "order-shipped", "alice", "11111111-aaaa");
	e[0].response_status = S("processed");
	e[0].http_status = 201;
	e[1] = entry("trigger", "welcome", "bob", "22222222-bbbb");
	e[1].http_status = 422;                          /* refused: "HTTP 422" */
	e[1].error = S("workflow_not_found");
	e[2] = entry("bulk", "digest", "carol", "33333333-cccc");
	e[2].response_status = S(HISTDB_UNKNOWN);
	e[3] = entry("broadcast", "outage", "(all subscribers)", "44444444-dddd");
	e[3].response_status = S("processed");
	e[3].cancel_outcome = S("nothing pending");     /* the outcome wins */
	e[4] = entry("trigger", "reset", "dave", "55555555-eeee");
	e[4].error = S("connection refused");           /* no answer: "failed" */
	e[5] = entry("bulk", "digest", "erin", "66666666-ffff");
	e[5].response_status = S(HISTDB_QUEUED);
	for (i = 0; i < 6; i++) {
		e[i].profile = S(i % 2 ? "staging" : "prod");
		e[i].time_ms = T0 + (int64_t)i * 3600 * 1000;   /* an hour apart */
		append_ok(h, &e[i]);
		ids[i] = e[i].id;
	}
}

Test(history, filter_finds_rows_by_every_field_they_show)
{
	static const char *const shown[6] = {
		"processed", "HTTP 422", HISTDB_UNKNOWN, "nothing pending", "failed", HISTDB_QUEUED,
	};
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	char when[32], hhmm[8], want[32], got[256];
	int64_t ids[6];
	size_t n, i;

	append_status_rows(h, ids);
	/* The Status column comes back with each row, as the filter sees it. */
	cr_assert_eq(histdb_page(h, NULL, 0, 10, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 6);
	for (i = 0; i < 6; i++)
		assert_str_or_null(v[i].shown_status, shown[5 - i], "shown_status");
	free_entries(v, n);

	for (i = 0; i < 6; i++) {
		snprintf(want, sizeof want, "%" PRId64, ids[i]);
		page_ids(h, shown[i], got, sizeof got);
		if (i == 1)   /* "HTTP 422" */
			cr_assert_str_eq(got, want);
		page_ids(h, i == 1 ? "422" : shown[i], got, sizeof got);
		cr_assert(strstr(got, want), "status '%s' finds row %s (got '%s')", shown[i],
		          want, got);
	}
	page_ids(h, "unknown", got, sizeof got);       /* shown status, not kind/workflow */
	snprintf(want, sizeof want, "%" PRId64, ids[2]);
	cr_assert_str_eq(got, want);
	page_ids(h, "201", got, sizeof got);           /* the HTTP code the detail shows */
	snprintf(want, sizeof want, "%" PRId64, ids[0]);
	cr_assert_str_eq(got, want);
	page_ids(h, "nothing pend", got, sizeof got);  /* the cancel outcome */
	snprintf(want, sizeof want, "%" PRId64, ids[3]);
	cr_assert_str_eq(got, want);

	/* Time: the full local time, the screen's "HH:MM:SS" and "MM-DD HH:MM". */
	local_time(T0 + 4 * 3600 * 1000, when, sizeof when);
	snprintf(want, sizeof want, "%" PRId64, ids[4]);
	page_ids(h, when, got, sizeof got);
	cr_assert_str_eq(got, want, "full time '%s'", when);
	page_ids(h, when + 11, got, sizeof got);       /* HH:MM:SS */
	cr_assert_str_eq(got, want, "time of day '%s'", when + 11);
	page_ids(h, when + 5, got, sizeof got);        /* MM-DD HH:MM:SS */
	cr_assert_str_eq(got, want);
	snprintf(hhmm, sizeof hhmm, "%.5s", when + 11);
	page_ids(h, hhmm, got, sizeof got);            /* "14:05" */
	cr_assert(strstr(got, want), "'%s' finds row %s (got '%s')", hhmm, want, got);
	cr_assert_eq(count_ok(h, "2020-01-01"), 0);

	cr_assert_eq(count_ok(h, "broadcast"), 1);     /* kind */
	cr_assert_eq(count_ok(h, "DIGEST"), 2);        /* workflow, any case */
	cr_assert_eq(count_ok(h, "(all sub"), 1);      /* recipients */
	cr_assert_eq(count_ok(h, "aaaa"), 1);          /* transactionId */
	cr_assert_eq(count_ok(h, "staging"), 3);       /* profile */
	cr_assert_eq(count_ok(h, "workflow_not_found"), 0);   /* error text is not shown */
	histdb_close(h);
}

Test(history, a_row_answered_after_insert_is_found_by_its_new_status)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry done, c = scoped("cancel", NULL);
	struct nc_error err = NC_ERROR_INIT;
	int64_t id;
	int own;

	cr_assert_eq(claim(h, "t-answer", "k1", "{}", &id), HISTDB_NEW);
	cr_assert_eq(count_ok(h, "unknown"), 1);
	memset(&done, 0, sizeof done);
	done.http_status = 201;
	done.response_status = S("processed");
	cr_assert_eq(histdb_finish_send(h, id, &done, &err), NC_OK, "%s", err.message);
	cr_assert_eq(count_ok(h, "unknown"), 0, "the old status is gone from the index");
	cr_assert_eq(count_ok(h, "processed"), 1);
	cr_assert_eq(count_ok(h, "HTTP 201"), 1);

	/* A cancel's outcome lands on the row (an UPDATE too). */
	c.transaction_id = S("t-answer");
	c.cancel_outcome = S("cancelled");
	cr_assert_eq(histdb_record_cancel(h, &c, &own, &err), NC_OK, "%s", err.message);
	cr_assert_eq(own, 0);
	cr_assert_eq(count_ok(h, "cancelled"), 1);
	cr_assert_eq(count_ok(h, NULL), 1);
	histdb_close(h);
}

/* Turn the file back into what schema 2 left: no index, no stored total. */
static void
downgrade_to_schema_2(void)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "DROP TRIGGER entries_text_insert;"
	                          "DROP TRIGGER entries_text_update;"
	                          "DROP TRIGGER entries_text_delete;"
	                          "DROP TABLE entries_text; DROP TABLE entries_total;"
	                          "DROP TABLE entries_text_stale; DROP TABLE entries_text_mark;"
	                          "PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK,
	             "%s", sqlite3_errmsg(db));
	/* Rows written by the older version, straight into the table. */
	cr_assert_eq(sqlite3_exec(db, "INSERT INTO entries (time_ms, profile, kind, workflow,"
	                          " recipients, transaction_id, http_status, response_status)"
	                          " VALUES (1796220300000, 'old', 'trigger', 'legacy-flow', 'zed',"
	                          " 'old-tx-1', 0, 'unknown'), (1796220360000, 'old', 'trigger',"
	                          " 'legacy-flow', 'yan', 'old-tx-2', 422, NULL)",
	                          NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* The index is brought up to date when a filter reads it, whoever wrote
 * the rows: here another program (sqlite3) inserts, updates and deletes
 * behind the open handle's back. */
Test(history, filter_sees_rows_another_program_changed)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry a = entry("trigger", "flow-one", "amy", "tx-one");
	struct nc_history_entry b = entry("trigger", "flow-two", "bob", "tx-two");
	struct nc_history_entry *v;
	struct nc_error err = NC_ERROR_INIT;
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t n;

	append_ok(h, &a);
	append_ok(h, &b);
	cr_assert_eq(count_ok(h, "flow-"), 2);
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE entries SET workflow = 'renamed-flow' WHERE"
	                          " transaction_id = 'tx-one';"
	                          "DELETE FROM entries WHERE transaction_id = 'tx-two';"
	                          "INSERT INTO entries (time_ms, kind, workflow, recipients,"
	                          " transaction_id, http_status) VALUES (1796220300000,"
	                          " 'trigger', 'side-flow', 'cy', 'tx-three', 0);",
	                          NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(count_ok(h, "flow-"), 0, "neither old name is found any more");
	cr_assert_eq(count_ok(h, "renamed"), 1);
	cr_assert_eq(count_ok(h, "bob"), 0, "the deleted row is gone from the index");
	cr_assert_eq(count_ok(h, NULL), 2);
	cr_assert_eq(histdb_page(h, "side-fl", 0, 10, &v, &n, &err), NC_OK, "%s", err.message);
	cr_assert_eq(n, 1);
	assert_str_or_null(v[0].transaction_id, "tx-three", "the new row");
	free_entries(v, n);
	/* Short filters read the same text (LIKE over the index's content). */
	cr_assert_eq(count_ok(h, "cy"), 1);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM entries_text_stale", -1, &st,
	                                NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 0, "nothing is left to re-enter");
	sqlite3_finalize(st);
	sqlite3_close(db);
	histdb_close(h);
}

Test(history, migration_from_schema_2_indexes_the_old_rows)
{
	struct nc_history *h = open_ok();
	struct nc_history_entry e = entry("trigger", "kept-flow", "amy", "new-tx");
	sqlite3 *db;
	sqlite3_stmt *st;

	append_ok(h, &e);
	histdb_close(h);
	downgrade_to_schema_2();

	h = open_ok();
	cr_assert_eq(count_ok(h, NULL), 3, "the stored total counts the old rows");
	cr_assert_eq(count_ok(h, "legacy"), 2);
	cr_assert_eq(count_ok(h, "kept-flow"), 1);
	cr_assert_eq(count_ok(h, "unknown"), 1);
	cr_assert_eq(count_ok(h, "HTTP 422"), 1);
	cr_assert_eq(count_ok(h, "ya"), 1, "short filters read the same text");
	histdb_close(h);

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 4);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

Test(history, index_and_like_find_the_same_rows)
{
	static const char *const filters[] = {
		"processed", "PROCESSED", "422", "HTTP 4", "tx-", "digest", "all sub", "(all",
		"a_b", "100%", "%", "_", "\\", "\"q\"", "q\"", "ing", "--", "  ", "pend", "e",
		"zz", "staging", "nothing matches this", "-4000-", ":", "2020-01-01",
	};
	struct nc_history *h = open_ok();
	struct nc_history_entry e[5];
	char a[512], b[512];
	int64_t ids[6];
	size_t i, found = 0;

	append_status_rows(h, ids);
	e[0] = entry("trigger", "a_b", "x", "tx-1");
	e[1] = entry("trigger", "digest_100%", "y", "tx-2");
	e[2] = entry("trigger", "say \"q\"", "back\\slash", "tx-3");
	e[3] = entry("trigger", "wide   space", "z", "00000001-0000-4000-8000");
	e[4] = entry("cancel", NULL, NULL, "tx-5");
	for (i = 0; i < 5; i++)
		append_ok(h, &e[i]);
	for (i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		page_ids(h, filters[i], a, sizeof a);
		like_ids(filters[i], b, sizeof b);
		cr_assert_str_eq(a, b, "filter '%s': index '%s', LIKE '%s'", filters[i], a, b);
		found += *a != '\0';
	}
	cr_assert_eq(found, sizeof filters / sizeof filters[0] - 4,
	             "all but --, zz, nothing... and 2020-01-01 find rows");
	histdb_close(h);
}

Test(history, newer_pages_and_capped_counts)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	int64_t ids[30];
	size_t n, i, c;

	for (i = 0; i < 30; i++) {
		struct nc_history_entry e = entry("trigger", i % 3 ? "other" : "third", "r", NULL);

		append_ok(h, &e);
		ids[i] = e.id;
	}
	/* The 4 rows just above ids[10], newest first; after 0: the oldest. */
	cr_assert_eq(histdb_page_newer(h, NULL, ids[10], 4, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 4);
	for (i = 0; i < 4; i++)
		cr_assert_eq(v[i].id, ids[14 - i]);
	free_entries(v, n);
	cr_assert_eq(histdb_page_newer(h, "third", 0, 3, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[0].id, ids[6]);
	cr_assert_eq(v[2].id, ids[0]);
	free_entries(v, n);
	cr_assert_eq(histdb_page_newer(h, "third", ids[27], 5, &v, &n, &err), NC_OK);
	cr_assert_eq(n, 0);
	free(v);

	cr_assert_eq(histdb_count_upto(h, "third", 4, &c, &err), NC_OK);
	cr_assert_eq(c, 4, "stops at the cap");
	cr_assert_eq(histdb_count_upto(h, "third", 100, &c, &err), NC_OK);
	cr_assert_eq(c, 10);
	cr_assert_eq(histdb_count_upto(h, "th", 4, &c, &err), NC_OK);   /* LIKE */
	cr_assert_eq(c, 4);
	cr_assert_eq(histdb_count_upto(h, NULL, 4, &c, &err), NC_OK);
	cr_assert_eq(c, 30, "without a filter the count is exact");
	histdb_close(h);
}

/* The screen's first look at a filter: one call, the same count and rows
 * as histdb_count_upto and histdb_page give separately, for the index,
 * the row-by-row (short) filter and no filter; and the rows of another
 * program's change are in both (the index is caught up first). */
static void
first_agrees(struct nc_history *h, const char *filter, size_t cap, size_t limit)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *a, *b;
	size_t na, nb, ca, cb, i;

	cr_assert_eq(histdb_filter_first(h, filter, cap, limit, &ca, &a, &na, &err), NC_OK,
	             "%s", err.message);
	cr_assert_eq(histdb_count_upto(h, filter, cap, &cb, &err), NC_OK);
	cr_assert_eq(histdb_page(h, filter, 0, limit, &b, &nb, &err), NC_OK);
	cr_assert_eq(ca, cb, "filter '%s' cap %zu: count %zu, count_upto %zu",
	             filter ? filter : "(none)", cap, ca, cb);
	cr_assert_eq(na, nb, "filter '%s': %zu rows, histdb_page %zu", filter ? filter : "", na, nb);
	for (i = 0; i < na; i++) {
		cr_assert_eq(a[i].id, b[i].id);
		cr_assert_str_eq(a[i].shown_status, b[i].shown_status);
		cr_assert_eq(a[i].workflow == NULL, b[i].workflow == NULL);
	}
	free_entries(a, na);
	free_entries(b, nb);
}

Test(history, filter_first_is_the_count_and_the_first_page)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	size_t i, n, c;
	sqlite3 *db;

	for (i = 0; i < 40; i++) {
		struct nc_history_entry e = entry("trigger", i % 4 ? "other" : "fourth", "r", NULL);

		append_ok(h, &e);
	}
	first_agrees(h, "fourth", 1000, 5);   /* index, fewer than the cap */
	first_agrees(h, "fourth", 6, 5);      /* index, cap reached */
	first_agrees(h, "fo", 1000, 20);      /* row by row */
	first_agrees(h, "fo", 7, 3);
	first_agrees(h, NULL, 1000, 5);       /* no filter: the stored total */
	first_agrees(h, "nothing like it", 1000, 5);

	cr_assert_eq(histdb_filter_first(h, "fourth", 1000, 3, &c, &v, &n, &err), NC_OK);
	cr_assert_eq(c, 10);
	cr_assert_eq(n, 3);
	cr_assert_gt(v[0].id, v[1].id, "newest first");
	free_entries(v, n);

	/* Another program renames a row's workflow behind the open handle. */
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE entries SET workflow = 'renamed-fourth'"
	                          " WHERE id = (SELECT min(id) FROM entries)", NULL, NULL, NULL),
	             SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(histdb_filter_first(h, "renamed", 1000, 5, &c, &v, &n, &err), NC_OK);
	cr_assert_eq(c, 1);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].workflow, "renamed-fourth");
	free_entries(v, n);
	first_agrees(h, "fourth", 1000, 20);
	histdb_close(h);
}

/* What the History screen polls: the data version moves when another
 * program commits, not for this handle's own writes; and the count of rows
 * newer than one is that row's position, newest first. */
Test(history, data_version_moves_for_other_writers_only)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	int64_t v0, v1, v2, ids[12];
	size_t i, c;
	sqlite3 *db;

	for (i = 0; i < 12; i++) {
		struct nc_history_entry e = entry("trigger", i % 2 ? "odd" : "even", "r", NULL);

		append_ok(h, &e);
		ids[i] = e.id;
	}
	cr_assert_eq(histdb_data_version(h, &v0, &err), NC_OK);
	{
		struct nc_history_entry e = entry("trigger", "own", "r", NULL);

		append_ok(h, &e);
	}
	cr_assert_eq(histdb_data_version(h, &v1, &err), NC_OK);
	cr_assert_eq(v1, v0, "this handle's own write does not move it");
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE entries SET workflow = 'other' WHERE id = 1",
	                          NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(histdb_data_version(h, &v2, &err), NC_OK);
	cr_assert_neq(v2, v1, "another program's commit moves it");

	cr_assert_eq(histdb_count_newer(h, NULL, ids[9], 0, &c, &err), NC_OK);
	cr_assert_eq(c, 3, "ids[10], ids[11] and the 'own' row");
	cr_assert_eq(histdb_count_newer(h, "odd", ids[5], 0, &c, &err), NC_OK);
	cr_assert_eq(c, 3, "ids[7], [9], [11]");
	cr_assert_eq(histdb_count_newer(h, "od", ids[5], 2, &c, &err), NC_OK);
	cr_assert_eq(c, 2, "row by row, stopped at the cap");
	histdb_close(h);
}
