/* bench_histdb.c - the history store at 100,000 entries: our SQLite store
 * (src/history.h) against the obvious hand-written one, an append-only JSON
 * Lines file read and parsed in full (cJSON) for every screen.
 *
 * Both stores get the same records, on the same disk, with the same
 * durability (ours: WAL + synchronous=FULL, one fsync per commit; the peer:
 * fflush + fsync per write). Reads are measured with warm page caches for
 * both, which is the console's normal case and the one kindest to the peer.
 *
 * The History screen's keys are measured too, at 100,000 entries and at a
 * big store (3,000,000 by default): what the screen asks the store for one
 * key (scroll one row, page down, jump to the end: a keyset window of
 * SCREEN_ROWS rows) and for a filter's first page (a count capped as the
 * screen caps it, then the page). The big stores are made once in
 * --big-dir and reused by later runs.
 *
 * usage: bench_history [--dir DIR] [--entries N] [--reps N]
 *                      [--big N] [--big-dir DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "bench_util.h"
#include "histdb.h"
#include "jsonutil.h"

#define PAGE            50
#define BULK            100     /* entries per histdb_append_many / peer fsync */
#define FILL_BLOCKS     10
#define SINGLE_BLOCKS   10
#define SINGLE_PER_BLOCK 200
#define FILTER_WORD     "overdue"   /* only in the 1% "invoice-overdue" workflow */
#define MIN_REP_SECONDS 0.05
#define MAX_ITERS       2000
#define SCREEN_ROWS     20      /* the rows an 80x24 terminal shows */
#define SCREEN_COUNT_CAP 1000   /* the screen's first count of a filter */
#define RARE_FILTER     "user-04242"   /* recipients of ~2 rows in 100,000 */

struct options {
	const char *dir;
	size_t entries;
	int reps_ours, reps_peer;
	size_t big;                /* 0: no big store */
	const char *big_dir;       /* where the big store is kept between runs */
};

/* ---- the records both stores receive ---- */

struct record {
	char profile[16], kind[16], workflow[32], recipients[64], txid[40], idem[48];
	char status[16], error[64], request[768], response[200], batch[48];
	struct nc_history_entry e;
};

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Record number i, the same every run. Strings point into r. The filter word
 * occurs only in workflow "invoice-overdue", one record in a hundred; the
 * other searchable fields (hex transactionIds, user-NNNNN, kinds, profiles,
 * statuses) cannot contain it. */
static void
make_record(size_t i, struct record *r)
{
	static const char *const workflows[] = {
		"order-shipped", "welcome-onboarding", "comment-digest",
		"payment-reminder", "maintenance-notice"
	};
	uint64_t a = mix64(i), b = mix64(a);
	int failed = i % 33 == 0;

	snprintf(r->profile, sizeof r->profile, "%s", i % 10 == 0 ? "staging" : "default");
	snprintf(r->kind, sizeof r->kind, "%s", i % 20 == 0 ? "bulk" : "trigger");
	snprintf(r->workflow, sizeof r->workflow, "%s",
	         i % 100 == 42 ? "invoice-overdue" : workflows[i % 5]);
	snprintf(r->recipients, sizeof r->recipients, "user-%05zu, user-%05zu +2",
	         i % 99991, (i * 7) % 99991);
	snprintf(r->txid, sizeof r->txid, "%08" PRIx32 "-%04" PRIx32 "-4%03" PRIx32
	         "-8%03" PRIx32 "-%012" PRIx64, (uint32_t)a, (uint32_t)(a >> 32) & 0xffff,
	         (uint32_t)(a >> 48) & 0xfff, (uint32_t)b & 0xfff, b >> 16);
	snprintf(r->idem, sizeof r->idem, "nc-%s", r->txid);
	snprintf(r->status, sizeof r->status, "%s", failed ? "error" : "processed");
	snprintf(r->error, sizeof r->error, "workflow_not_found");
	snprintf(r->batch, sizeof r->batch, "batch-%zu", i / BULK);
	snprintf(r->request, sizeof r->request,
	         "{\"name\":\"%s\",\"to\":[\"user-%05zu\",{\"subscriberId\":\"user-%05zu\","
	         "\"email\":\"jane@example.com\",\"firstName\":\"Jane\"},{\"type\":\"Topic\","
	         "\"topicKey\":\"ops-team\"}],\"payload\":{\"order\":{\"id\":\"A-%zu\","
	         "\"carrier\":\"UPS\",\"items\":[1,2,3]},\"trackingUrl\":"
	         "\"https://example.com/track/A-%zu\"},\"transactionId\":\"%s\"}",
	         r->workflow, i % 99991, (i * 7) % 99991, i, i, r->txid);
	snprintf(r->response, sizeof r->response,
	         "{\"data\":{\"acknowledged\":true,\"status\":\"%s\",\"transactionId\":\"%s\"}}",
	         r->status, r->txid);
	memset(&r->e, 0, sizeof r->e);
	r->e.time_ms = 1750000000000LL + (int64_t)i * 1000;
	r->e.profile = r->profile;
	r->e.kind = r->kind;
	r->e.workflow = r->workflow;
	r->e.recipients = r->recipients;
	r->e.transaction_id = r->txid;
	r->e.idempotency_key = r->idem;
	r->e.http_status = 201;
	r->e.response_status = r->status;
	r->e.error = failed ? r->error : NULL;
	r->e.request_json = r->request;
	r->e.response_json = r->response;
	r->e.batch_id = i % 20 == 0 ? r->batch : NULL;
}

/* ---- the peer: JSON Lines, parsed in full ---- */

struct peer {
	FILE *f;
	int64_t next_id;
};

static int
peer_open(struct peer *p, const char *path, int64_t next_id)
{
	p->f = fopen(path, "a");
	p->next_id = next_id;
	return p->f ? 0 : -1;
}

static void
add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
}

/* Write one entry as one line (not yet flushed). */
static int
peer_write(struct peer *p, const struct nc_history_entry *e)
{
	cJSON *o = cJSON_CreateObject();
	char *line;
	int rc;

	if (!o)
		return -1;
	cJSON_AddNumberToObject(o, "id", (double)p->next_id++);
	cJSON_AddNumberToObject(o, "time_ms", (double)e->time_ms);
	add_str(o, "profile", e->profile);
	add_str(o, "kind", e->kind);
	add_str(o, "workflow", e->workflow);
	add_str(o, "recipients", e->recipients);
	add_str(o, "transaction_id", e->transaction_id);
	add_str(o, "idempotency_key", e->idempotency_key);
	cJSON_AddNumberToObject(o, "http_status", (double)e->http_status);
	add_str(o, "response_status", e->response_status);
	add_str(o, "error", e->error);
	add_str(o, "cancel_outcome", e->cancel_outcome);
	add_str(o, "request_json", e->request_json);
	add_str(o, "response_json", e->response_json);
	add_str(o, "batch_id", e->batch_id);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!line)
		return -1;
	rc = fputs(line, p->f) < 0 || fputc('\n', p->f) == EOF ? -1 : 0;
	free(line);
	return rc;
}

/* What a crash-safe append-only file does after each write. */
static int
peer_sync(struct peer *p)
{
	if (fflush(p->f) != 0)
		return -1;
	return fsync(fileno(p->f));
}

static int
peer_close(struct peer *p)
{
	int rc = fclose(p->f);

	p->f = NULL;
	return rc;
}

static int
ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (!hay)
		return 0;
	for (; *hay; hay++) {
		for (i = 0; i < n; i++) {
			unsigned char h = (unsigned char)hay[i], c = (unsigned char)needle[i];

			if (!h)
				return 0;
			if ((h | 0x20) != (c | 0x20) && h != c)
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

/* The same fields history.h searches. */
static int
peer_matches(const cJSON *o, const char *filter)
{
	static const char *const keys[] = {
		"workflow", "recipients", "transaction_id", "kind", "profile",
		"response_status"
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (ci_contains(json_str(o, keys[i]), filter))
			return 1;
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
peer_entry(const cJSON *o, struct nc_history_entry *e)
{
	memset(e, 0, sizeof *e);
	e->id = (int64_t)json_num(o, "id", 0);
	e->time_ms = (int64_t)json_num(o, "time_ms", 0);
	e->profile = dup_or_null(json_str(o, "profile"));
	e->kind = dup_or_null(json_str(o, "kind"));
	e->workflow = dup_or_null(json_str(o, "workflow"));
	e->recipients = dup_or_null(json_str(o, "recipients"));
	e->transaction_id = dup_or_null(json_str(o, "transaction_id"));
	e->idempotency_key = dup_or_null(json_str(o, "idempotency_key"));
	e->http_status = (long)json_num(o, "http_status", 0);
	e->response_status = dup_or_null(json_str(o, "response_status"));
	e->error = dup_or_null(json_str(o, "error"));
	e->cancel_outcome = dup_or_null(json_str(o, "cancel_outcome"));
	e->request_json = dup_or_null(json_str(o, "request_json"));
	e->response_json = dup_or_null(json_str(o, "response_json"));
	e->batch_id = dup_or_null(json_str(o, "batch_id"));
}

static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

struct span { size_t off, len; };

struct peer_result {
	size_t total;                 /* matching lines */
	struct nc_history_entry *v;   /* the [offset, offset+limit) of them, newest first */
	size_t n;
};

static void
peer_result_clear(struct peer_result *r)
{
	while (r->n > 0)
		histdb_entry_clear(&r->v[--r->n]);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* Read the whole file, parse every line, keep where the matching ones are,
 * then turn the wanted rows (newest first) into entries. This peer is frugal:
 * it does not keep 100,000 parsed trees, only their positions. */
static int
peer_query(const char *path, const char *filter, size_t offset, size_t limit,
           struct peer_result *r)
{
	struct span *spans = NULL, *ns;
	size_t len, nspans = 0, cap = 0, k;
	char *buf = read_file(path, &len), *p, *end, *nl;
	int rc = 0;

	memset(r, 0, sizeof *r);
	if (!buf)
		return -1;
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		cJSON *o;
		int keep;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl == p)
			continue;
		o = cJSON_ParseWithLength(p, (size_t)(nl - p));
		if (!o)
			continue;   /* a torn last line after a crash: skip it */
		keep = !filter || peer_matches(o, filter);
		cJSON_Delete(o);
		if (!keep)
			continue;
		if (nspans == cap) {
			cap = cap ? cap * 2 : 1024;
			ns = realloc(spans, cap * sizeof *spans);
			if (!ns) {
				rc = -1;
				break;
			}
			spans = ns;
		}
		spans[nspans].off = (size_t)(p - buf);
		spans[nspans++].len = (size_t)(nl - p);
	}
	r->total = nspans;
	if (rc == 0 && limit > 0 && offset < nspans) {
		size_t want = nspans - offset < limit ? nspans - offset : limit;

		r->v = calloc(want, sizeof *r->v);
		for (k = 0; r->v && k < want; k++) {
			const struct span *s = &spans[nspans - 1 - offset - k];
			cJSON *o = cJSON_ParseWithLength(buf + s->off, s->len);

			if (!o)
				break;
			peer_entry(o, &r->v[r->n++]);
			cJSON_Delete(o);
		}
		if (!r->v || r->n != want)
			rc = -1;
	}
	free(spans);
	free(buf);
	return rc;
}

/* ---- timing ---- */

struct ctx {
	const char *db_path, *peer_path;
	struct nc_history *h;
	const char *filter;
	size_t offset, limit;
	int64_t before_id;               /* the screen's key: the row next to the window */
	size_t last_n, last_total;       /* what the last call saw */
	char first_txid[40];             /* transactionId of the first row returned */
};

typedef int (*op_fn)(struct ctx *c);

static void
note_first(struct ctx *c, const struct nc_history_entry *v, size_t n)
{
	snprintf(c->first_txid, sizeof c->first_txid, "%s",
	         n && v[0].transaction_id ? v[0].transaction_id : "");
}

static void
free_entries(struct nc_history_entry *v, size_t n)
{
	while (n > 0)
		histdb_entry_clear(&v[--n]);
	free(v);
}

static int
ours_open_page(struct ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history *h;
	struct nc_history_entry *v;
	size_t n;
	int rc = -1;

	if (histdb_open(c->db_path, &h, &err) == NC_OK) {
		if (histdb_page(h, NULL, 0, PAGE, &v, &n, &err) == NC_OK) {
			c->last_n = n;
			note_first(c, v, n);
			free_entries(v, n);
			rc = 0;
		}
		histdb_close(h);
	}
	nc_error_clear(&err);
	return rc;
}

static int
ours_page(struct ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	size_t n;
	int rc = -1;

	if (histdb_page(c->h, c->filter, 0, c->limit, &v, &n, &err) == NC_OK) {
		c->last_n = n;
		note_first(c, v, n);
		free_entries(v, n);
		rc = 0;
	}
	nc_error_clear(&err);
	return rc;
}

static int
ours_slice(struct ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	size_t n;
	int rc = -1;

	if (histdb_slice(c->h, c->filter, c->offset, c->limit, &v, &n, &err) == NC_OK) {
		c->last_n = n;
		note_first(c, v, n);
		free_entries(v, n);
		rc = 0;
	}
	nc_error_clear(&err);
	return rc;
}

static int
ours_count(struct ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	size_t n;
	int rc = histdb_count(c->h, c->filter, &n, &err) == NC_OK ? 0 : -1;

	c->last_total = n;
	nc_error_clear(&err);
	return rc;
}

/* One key on the History screen: the window re-read below the row next to
 * it (scroll one row, page down). */
static int
ours_key_page(struct ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	size_t n;
	int rc = -1;

	if (histdb_page(c->h, c->filter, c->before_id, c->limit, &v, &n, &err) == NC_OK) {
		c->last_n = n;
		note_first(c, v, n);
		free_entries(v, n);
		rc = 0;
	}
	nc_error_clear(&err);
	return rc;
}

/* End: the total (stored, without a filter) and the oldest window. */
static int
ours_key_end(struct ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	size_t n, total;
	int rc = -1;

	if (histdb_count(c->h, c->filter, &total, &err) == NC_OK &&
	    histdb_page_newer(c->h, c->filter, 0, c->limit, &v, &n, &err) == NC_OK) {
		c->last_n = n;
		note_first(c, v, n);
		free_entries(v, n);
		rc = 0;
	}
	nc_error_clear(&err);
	return rc;
}

/* A filter typed and Enter: the capped count and the first window, as the
 * screen asks for them (one call). */
static int
ours_filter_first(struct ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry *v;
	size_t n, total;
	int rc = -1;

	if (histdb_filter_first(c->h, c->filter, SCREEN_COUNT_CAP, c->limit, &total, &v, &n,
	                        &err) == NC_OK) {
		c->last_n = n;
		note_first(c, v, n);
		free_entries(v, n);
		rc = 0;
	}
	nc_error_clear(&err);
	return rc;
}

static int
peer_op(struct ctx *c)
{
	struct peer_result r;
	int rc = peer_query(c->peer_path, c->filter, c->offset, c->limit, &r);

	c->last_n = r.n;
	c->last_total = r.total;
	note_first(c, r.v, r.n);
	peer_result_clear(&r);
	return rc;
}

/* How many calls make one repetition last MIN_REP_SECONDS (at most
 * MAX_ITERS); the calibrating call is also the warm-up. 0 on error. */
static long
calibrate(op_fn fn, struct ctx *c)
{
	int64_t t0 = bench_now_ns();
	double once;
	long iters;

	if (fn(c) != 0)
		return 0;
	once = (double)(bench_now_ns() - t0) / 1e9;
	iters = once > 0 ? (long)(MIN_REP_SECONDS / once) : MAX_ITERS;
	return iters < 1 ? 1 : iters > MAX_ITERS ? MAX_ITERS : iters;
}

/* Seconds per call over one repetition of iters calls; -1 on error. */
static double
one_rep(op_fn fn, struct ctx *c, long iters)
{
	int64_t t0 = bench_now_ns();
	long k;

	for (k = 0; k < iters; k++)
		if (fn(c) != 0)
			return -1;
	return (double)(bench_now_ns() - t0) / 1e9 / (double)iters;
}

/* ---- filling ---- */

/* Fill both stores with `entries` records in bulks of BULK (ours: one
 * histdb_append_many transaction; peer: BULK lines then one fflush+fsync),
 * interleaved block by block so both see the same disk conditions.
 * Medians of the per-bulk times go to *ours_s / *peer_s. */
static int
fill(const struct options *o, struct nc_history *h, struct peer *p,
     double *ours_s, double *peer_s, double *ours_total, double *peer_total)
{
	struct nc_error err = NC_ERROR_INIT;
	struct record *recs = calloc(BULK, sizeof *recs);
	struct nc_history_entry *es = calloc(BULK, sizeof *es);
	double vo[FILL_BLOCKS], vp[FILL_BLOCKS];
	size_t per_block = o->entries / FILL_BLOCKS, b, i, j, base, nb;
	int64_t t0;
	int rc = 0;

	*ours_total = *peer_total = 0;
	if (!recs || !es || per_block < BULK)
		rc = -1;
	for (b = 0; rc == 0 && b < FILL_BLOCKS; b++) {
		double to = 0, tp = 0;

		nb = 0;
		for (base = b * per_block; rc == 0 && base < (b + 1) * per_block; base += BULK) {
			for (j = 0; j < BULK; j++) {
				make_record(base + j, &recs[j]);
				es[j] = recs[j].e;
			}
			t0 = bench_now_ns();
			if (histdb_append_many(h, es, BULK, &err) != NC_OK)
				rc = -1;
			to += (double)(bench_now_ns() - t0) / 1e9;
			t0 = bench_now_ns();
			for (i = 0; rc == 0 && i < BULK; i++)
				rc = peer_write(p, &recs[i].e);
			if (rc == 0)
				rc = peer_sync(p);
			tp += (double)(bench_now_ns() - t0) / 1e9;
			nb++;
		}
		vo[b] = to / (double)nb;
		vp[b] = tp / (double)nb;
		*ours_total += to;
		*peer_total += tp;
	}
	if (rc != 0 && err.message)
		bench_progress("history: fill failed: %s", err.message);
	*ours_s = bench_median(vo, FILL_BLOCKS);
	*peer_s = bench_median(vp, FILL_BLOCKS);
	nc_error_clear(&err);
	free(recs);
	free(es);
	return rc;
}

/* Append SINGLE_BLOCKS x SINGLE_PER_BLOCK more records one at a time, each
 * durable on its own (ours: histdb_append; peer: fflush + fsync). */
static int
append_singles(struct nc_history *h, struct peer *p, size_t first,
               double *ours_s, double *peer_s)
{
	struct nc_error err = NC_ERROR_INIT;
	struct record r;
	double vo[SINGLE_BLOCKS], vp[SINGLE_BLOCKS];
	size_t b, i, n = first;
	int64_t t0;
	int rc = 0;

	for (b = 0; rc == 0 && b < SINGLE_BLOCKS; b++) {
		double to = 0, tp = 0;

		for (i = 0; rc == 0 && i < SINGLE_PER_BLOCK; i++, n++) {
			make_record(n, &r);
			t0 = bench_now_ns();
			if (histdb_append(h, &r.e, &err) != NC_OK)
				rc = -1;
			to += (double)(bench_now_ns() - t0) / 1e9;
			t0 = bench_now_ns();
			if (rc == 0)
				rc = peer_write(p, &r.e);
			if (rc == 0)
				rc = peer_sync(p);
			tp += (double)(bench_now_ns() - t0) / 1e9;
		}
		vo[b] = to / SINGLE_PER_BLOCK;
		vp[b] = tp / SINGLE_PER_BLOCK;
	}
	if (rc != 0 && err.message)
		bench_progress("history: append failed: %s", err.message);
	*ours_s = bench_median(vo, SINGLE_BLOCKS);
	*peer_s = bench_median(vp, SINGLE_BLOCKS);
	nc_error_clear(&err);
	return rc;
}

/* ---- the read benchmarks ---- */

static const char PEER_NAME[] = "JSON Lines + cJSON";

/* Time one read on both stores and check they returned the same rows. */
/* Time one read on both stores, their repetitions alternating so both see
 * the same load on the machine, and check they returned the same rows.
 * Each side's figure is its median seconds per call. */
static int
compare_read(const char *label, op_fn ours, struct ctx *c, const struct options *o)
{
	double vo[64], vp[64];
	long io, ip;
	size_t on, ototal;
	char otx[40];
	int r, reps = o->reps_ours > o->reps_peer ? o->reps_ours : o->reps_peer;

	io = calibrate(ours, c);
	on = c->last_n;
	ototal = c->last_total;
	memcpy(otx, c->first_txid, sizeof otx);
	ip = calibrate(peer_op, c);
	if (!io || !ip) {
		bench_progress("history: %s failed", label);
		return -1;
	}
	if (ours == ours_count ? ototal != c->last_total
	                       : on != c->last_n || strcmp(otx, c->first_txid) != 0) {
		bench_progress("history: %s: the stores disagree (ours %zu rows/%zu, first %s;"
		               " peer %zu/%zu, first %s)", label, on, ototal, otx,
		               c->last_n, c->last_total, c->first_txid);
		return -1;
	}
	for (r = 0; r < reps && r < 64; r++) {
		if (r < o->reps_ours && (vo[r] = one_rep(ours, c, io)) < 0)
			return -1;
		if (r < o->reps_peer && (vp[r] = one_rep(peer_op, c, ip)) < 0)
			return -1;
	}
	bench_row_time(label, bench_median(vo, (size_t)o->reps_ours), PEER_NAME,
	               bench_median(vp, (size_t)o->reps_peer));
	return 0;
}

static int
read_benchmarks(struct ctx *c, const struct options *o, size_t n)
{
	char label[160], count[32], off[32];
	struct nc_error err = NC_ERROR_INIT;
	int rc = 0;

	snprintf(label, sizeof label, "History, %s entries: open + newest page of %d",
	         bench_count(n, count, sizeof count), PAGE);
	c->filter = NULL;
	c->offset = 0;
	c->limit = PAGE;
	rc |= compare_read(label, ours_open_page, c, o);

	if (histdb_open(c->db_path, &c->h, &err) != NC_OK) {
		bench_progress("history: open: %s", err.message ? err.message : "?");
		nc_error_clear(&err);
		return -1;
	}
	c->filter = FILTER_WORD;
	c->limit = 0;
	snprintf(label, sizeof label, "History: count of a filter matching 1%%");
	rc |= compare_read(label, ours_count, c, o);
	if (rc == 0)
		bench_note("The filter \"%s\" matched %s of %s entries in both stores.",
		           FILTER_WORD, bench_count(c->last_total, off, sizeof off), count);

	c->limit = PAGE;
	snprintf(label, sizeof label, "History: newest page of %d, filter matching 1%%", PAGE);
	rc |= compare_read(label, ours_page, c, o);

	c->filter = NULL;
	c->offset = n / 2;
	snprintf(label, sizeof label, "History: page of %d at offset %s (slice)", PAGE,
	         bench_count(n / 2, off, sizeof off));
	rc |= compare_read(label, ours_slice, c, o);

	histdb_close(c->h);
	c->h = NULL;
	return rc;
}

static long long file_size(const char *path);

/* At the big size each of the peer's answers is one full read and parse
 * of its file, seconds long whatever was asked: it is timed once, on the
 * first key, checked against ours, and that time stands for it on every
 * row. Ours is checked against the records themselves. */
static double big_peer_s;

static int
time_peer_once(op_fn ours, struct ctx *c)
{
	char otx[40];
	size_t on;
	int64_t t0;

	if (ours(c) != 0)
		return -1;
	on = c->last_n;
	memcpy(otx, c->first_txid, sizeof otx);
	t0 = bench_now_ns();
	if (peer_op(c) != 0)
		return -1;
	big_peer_s = (double)(bench_now_ns() - t0) / 1e9;
	if (on != c->last_n || strcmp(otx, c->first_txid) != 0) {
		bench_progress("history: the stores disagree at the big size");
		return -1;
	}
	return 0;
}

static int
time_ours_only(const char *label, op_fn ours, struct ctx *c, const struct options *o,
               size_t n)
{
	double vo[64];
	struct record want;
	long io = calibrate(ours, c);
	int r;

	if (!io)
		return -1;
	make_record(n - 1 - c->offset, &want);
	if (!c->filter && strcmp(c->first_txid, want.txid) != 0) {
		bench_progress("history: %s: row %zu is not the expected one", label, c->offset);
		return -1;
	}
	for (r = 0; r < o->reps_ours && r < 64; r++)
		if ((vo[r] = one_rep(ours, c, io)) < 0)
			return -1;
	bench_row_time(label, bench_median(vo, (size_t)o->reps_ours),
	               "JSON Lines + cJSON, one full read", big_peer_s);
	return 0;
}

/* One key: against the peer in the same run, or (big) against its one read. */
static int
time_key(const char *label, op_fn ours, struct ctx *c, const struct options *o, size_t n,
         int peer_once)
{
	return peer_once ? time_ours_only(label, ours, c, o, n) : compare_read(label, ours, c, o);
}

/* The History screen at n entries (ids 1..n, newest = n): one key each. */
static int
screen_benchmarks(struct ctx *c, const struct options *o, size_t n, int peer_once)
{
	char label[200], count[32];
	struct nc_error err = NC_ERROR_INIT;
	size_t mid = n / 2;
	int rc = 0;

	if (histdb_open(c->db_path, &c->h, &err) != NC_OK) {
		bench_progress("history: open: %s", err.message ? err.message : "?");
		nc_error_clear(&err);
		return -1;
	}
	bench_count(n, count, sizeof count);
	c->filter = NULL;
	c->limit = SCREEN_ROWS;
	/* The window shows [mid, mid + 20); Down at its last row reads below mid. */
	c->before_id = (int64_t)(n - mid);
	c->offset = mid + 1;
	if (peer_once && time_peer_once(ours_key_page, c) != 0) {
		histdb_close(c->h);
		c->h = NULL;
		return -1;
	}
	snprintf(label, sizeof label, "History key at %s entries: scroll one row (mid-list)",
	         count);
	rc |= time_key(label, ours_key_page, c, o, n, peer_once);
	c->before_id = (int64_t)(n - (mid + SCREEN_ROWS - 2));
	c->offset = mid + SCREEN_ROWS - 1;
	snprintf(label, sizeof label, "History key at %s entries: page down (mid-list)", count);
	rc |= time_key(label, ours_key_page, c, o, n, peer_once);
	c->offset = n - SCREEN_ROWS;
	snprintf(label, sizeof label, "History key at %s entries: jump to the end", count);
	rc |= time_key(label, ours_key_end, c, o, n, peer_once);

	c->offset = 0;
	c->filter = FILTER_WORD;
	snprintf(label, sizeof label, "History filter at %s entries: first page, \"%s\" (1%%)",
	         count, FILTER_WORD);
	rc |= time_key(label, ours_filter_first, c, o, n, peer_once);
	c->filter = RARE_FILTER;
	snprintf(label, sizeof label, "History filter at %s entries: first page, \"%s\" (rare)",
	         count, RARE_FILTER);
	rc |= time_key(label, ours_filter_first, c, o, n, peer_once);
	histdb_close(c->h);
	c->h = NULL;
	c->filter = NULL;
	return rc;
}

/* Bind record r as the INSERT below expects. */
static void
bind_record(sqlite3_stmt *st, const struct nc_history_entry *e)
{
	const char *text[] = { e->profile, e->kind, e->workflow, e->recipients,
		e->transaction_id, e->idempotency_key, e->response_status, e->error,
		e->request_json, e->response_json, e->batch_id };
	int i;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, e->time_ms);
	sqlite3_bind_int64(st, 2, e->http_status);
	for (i = 0; i < 11; i++)
		if (text[i])
			sqlite3_bind_text(st, 3 + i, text[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3 + i);
}

/* Move the staged rows into entries with one statement: the triggers index
 * them as they index the console's own writes, but SQLite 3.40's FTS5
 * writes its pending index out at every statement savepoint, i.e. once
 * per INSERT statement in a transaction; one statement per STAGE rows lets
 * it build large segments instead of millions of one-row ones. */
#define STAGE 100000

static int
unstage(sqlite3 *db)
{
	return sqlite3_exec(db, "INSERT INTO entries (time_ms, http_status, profile, kind,"
	                    " workflow, recipients, transaction_id, idempotency_key,"
	                    " response_status, error, request_json, response_json, batch_id)"
	                    " SELECT * FROM stage ORDER BY rowid; DELETE FROM stage",
	                    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Write records [0, n) to both stores. Ours: the schema from histdb_open,
 * then every row in one transaction without a journal or fsync, through a
 * staging table (unstage), then back to WAL; the peer: lines, one fsync at
 * the end. Only the making is fast this way; the reads are measured on the
 * usual file. */
static int
make_big_stores(const char *db_path, const char *peer_path, size_t n)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history *h = NULL;
	struct peer p = { NULL, 1 };
	struct record r;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = histdb_open(db_path, &h, &err) == NC_OK ? 0 : -1;

	histdb_close(h);
	nc_error_clear(&err);
	if (rc == 0 && (sqlite3_open(db_path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF;"
	                 " PRAGMA cache_size = -262144; CREATE TEMP TABLE stage (time_ms,"
	                 " http_status, profile, kind, workflow, recipients, transaction_id,"
	                 " idempotency_key, response_status, error, request_json,"
	                 " response_json, batch_id); BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO stage VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
	                       -1, &st, NULL) != SQLITE_OK ||
	    peer_open(&p, peer_path, 1) != 0))
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++) {
		make_record(i, &r);
		bind_record(st, &r.e);
		if (sqlite3_step(st) != SQLITE_DONE || peer_write(&p, &r.e) != 0)
			rc = -1;
		if (rc == 0 && (i + 1) % STAGE == 0)
			rc = unstage(db);
		if (i % 250000 == 0)
			bench_progress("history: big store: %zu of %zu...", i, n);
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = unstage(db);
	if (rc == 0 && sqlite3_exec(db, "COMMIT; PRAGMA journal_mode = WAL", NULL, NULL,
	                            NULL) != SQLITE_OK)
		rc = -1;
	if (rc != 0)
		bench_progress("history: making the big store failed: %s",
		               db ? sqlite3_errmsg(db) : "cannot open it");
	sqlite3_close(db);
	if (rc == 0)
		rc = peer_sync(&p);
	if (p.f && peer_close(&p) != 0)
		rc = -1;
	return rc;
}

/* A half-made database and its companions. */
static void
remove_db(const char *path)
{
	static const char *const tails[] = { "", "-wal", "-shm" };
	char name[4096];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "%s%s", path, tails[i]);
		unlink(name);
	}
}

/* The big stores in o->big_dir, made once: a marker file says they are
 * complete, so a run stopped half way starts them over. */
static int
big_stores(const struct options *o, char *db_path, char *peer_path, size_t cap,
           double *made_s)
{
	char done[4096];
	struct stat st;
	int64_t t0;
	FILE *f;

	*made_s = 0;
	snprintf(db_path, cap, "%s/history-%zu.db", o->big_dir, o->big);
	snprintf(peer_path, cap, "%s/history-%zu.jsonl", o->big_dir, o->big);
	snprintf(done, sizeof done, "%s/history-%zu.done", o->big_dir, o->big);
	if (stat(done, &st) == 0)
		return 0;
	if (mkdir(o->big_dir, 0700) != 0 && errno != EEXIST)
		return -1;
	remove_db(db_path);
	unlink(peer_path);
	t0 = bench_now_ns();
	if (make_big_stores(db_path, peer_path, o->big) != 0)
		return -1;
	*made_s = (double)(bench_now_ns() - t0) / 1e9;
	f = fopen(done, "w");
	return f && fclose(f) == 0 ? 0 : -1;
}

static int
big_benchmarks(const struct options *o)
{
	char db_path[4096], peer_path[4096], count[32];
	struct ctx c;
	double made_s;

	if (!o->big || !o->big_dir)
		return 0;
	memset(&c, 0, sizeof c);
	bench_count(o->big, count, sizeof count);
	bench_progress("history: the %s-entry stores in %s...", count, o->big_dir);
	if (big_stores(o, db_path, peer_path, sizeof db_path, &made_s) != 0) {
		bench_progress("history: cannot make the %s-entry stores", count);
		return -1;
	}
	if (made_s > 0)
		bench_note("The %s-entry stores were made in this run (%.0f s, both) and are "
		           "kept for later runs.", count, made_s);
	else
		bench_note("The %s-entry stores were made by an earlier run and reused.", count);
	bench_note("Sizes at %s entries: SQLite %.1f MB (with the filter index), JSON Lines "
	           "%.1f MB.", count, (double)file_size(db_path) / 1e6,
	           (double)file_size(peer_path) / 1e6);
	c.db_path = db_path;
	c.peer_path = peer_path;
	if (screen_benchmarks(&c, o, o->big, 1) != 0)
		return -1;
	bench_note("At %s entries the peer was timed once (%.1f s, one read and parse of its "
	           "whole file, checked against ours); every request it answers costs that "
	           "read, so that one time is its figure on each of those rows. Ours was "
	           "checked against the records themselves.", count, big_peer_s);
	return 0;
}

static long long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	int i;

	o->dir = NULL;
	o->entries = 100000;
	o->reps_ours = 7;
	o->reps_peer = 5;
	o->big = 3000000;
	o->big_dir = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			o->dir = argv[++i];
		else if (strcmp(argv[i], "--entries") == 0 && i + 1 < argc)
			o->entries = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			o->reps_ours = o->reps_peer = atoi(argv[++i]);
		else if (strcmp(argv[i], "--big") == 0 && i + 1 < argc)
			o->big = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--big-dir") == 0 && i + 1 < argc)
			o->big_dir = argv[++i];
		else {
			fprintf(stderr, "usage: bench_history [--dir DIR] [--entries N] [--reps N]"
			        " [--big N] [--big-dir DIR]\n");
			return -1;
		}
	}
	if (o->entries < FILL_BLOCKS * BULK || o->entries % (FILL_BLOCKS * BULK) ||
	    o->reps_ours < 1 || o->reps_ours > 64 || o->reps_peer < 1 || o->reps_peer > 64 ||
	    (o->big && o->big < 2 * SCREEN_ROWS)) {
		fprintf(stderr, "bench_history: --entries must be a multiple of %d and "
		        "--reps 1..64\n", FILL_BLOCKS * BULK);
		return -1;
	}
	return 0;
}

static int
run(const struct options *o, const char *dir)
{
	char db_path[4096], peer_path[4096], count[32];
	struct nc_error err = NC_ERROR_INIT;
	struct ctx c;
	struct peer p;
	double fo, fp, fo_total, fp_total, so, sp;
	int rc;

	memset(&c, 0, sizeof c);
	snprintf(db_path, sizeof db_path, "%s/history.db", dir);
	snprintf(peer_path, sizeof peer_path, "%s/history.jsonl", dir);
	c.db_path = db_path;
	c.peer_path = peer_path;

	if (histdb_open(db_path, &c.h, &err) != NC_OK || peer_open(&p, peer_path, 1) != 0) {
		bench_progress("history: cannot open the stores in %s: %s", dir,
		               err.message ? err.message : strerror(errno));
		nc_error_clear(&err);
		histdb_close(c.h);
		return -1;
	}
	bench_progress("history: filling both stores with %zu entries...", o->entries);
	rc = fill(o, c.h, &p, &fo, &fp, &fo_total, &fp_total);
	histdb_close(c.h);
	c.h = NULL;
	if (rc == 0)
		rc = peer_close(&p);
	else
		peer_close(&p);
	if (rc != 0)
		return -1;
	bench_row_time("History: append a bulk of 100 entries, durable (one fsync per bulk)",
	               fo, "JSON Lines, fflush + fsync per bulk", fp);
	bench_count(o->entries, count, sizeof count);
	bench_note("Filling %s entries in bulks of %d took %.2f s for ours and %.2f s for the "
	           "peer.", count, BULK, fo_total, fp_total);
	bench_note("Sizes at %s entries: SQLite %.1f MB, JSON Lines %.1f MB.", count,
	           (double)file_size(db_path) / 1e6, (double)file_size(peer_path) / 1e6);

	bench_progress("history: reading...");
	if (read_benchmarks(&c, o, o->entries) != 0)
		return -1;

	bench_progress("history: the screen's keys...");
	if (screen_benchmarks(&c, o, o->entries, 0) != 0)
		return -1;

	bench_progress("history: single durable appends...");
	if (histdb_open(db_path, &c.h, &err) != NC_OK || peer_open(&p, peer_path,
	    (int64_t)o->entries + 1) != 0) {
		nc_error_clear(&err);
		histdb_close(c.h);
		return -1;
	}
	rc = append_singles(c.h, &p, o->entries, &so, &sp);
	histdb_close(c.h);
	peer_close(&p);
	if (rc != 0)
		return -1;
	bench_row_time("History: append one entry, durable (one fsync per entry)", so,
	               "JSON Lines, fflush + fsync", sp);
	bench_note("Single appends: %d blocks of %d entries appended to the %s-entry stores, "
	           "ours with histdb_append, the peer with one write + fflush + fsync each.",
	           SINGLE_BLOCKS, SINGLE_PER_BLOCK, count);
	return 0;
}

int
main(int argc, char **argv)
{
	struct options o;
	char *dir;
	int rc;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	dir = bench_make_tmpdir(o.dir, "bench-history");
	if (!dir) {
		fprintf(stderr, "bench_history: cannot create a directory: %s\n", strerror(errno));
		return 1;
	}
	rc = run(&o, dir);
	if (rc == 0)
		rc = big_benchmarks(&o);
	bench_note("Durability is the same on both sides: ours commits each append (or each "
	           "bulk) as one SQLite transaction in WAL mode with synchronous=FULL, i.e. one "
	           "fsync; the peer calls fflush + fsync after each record (or bulk).");
	bench_note("Reads: ours is histdb_open/histdb_page/histdb_count/histdb_slice on the "
	           "SQLite file; the peer reads the whole JSON Lines file and parses every line "
	           "with cJSON each time (keeping only where matching lines are, not the parsed "
	           "trees). Both returned the same rows (checked). Page caches were warm.");
	bench_note("Screen keys: what the History screen asks the store for on one key, "
	           "a window of %d rows read by key from the row next to it (scroll one row, "
	           "page down), or the total and the oldest window (End); a filter's first "
	           "page is the count capped at %d and the first window, read in one pass "
	           "over the index. The peer answers each by reading and parsing its whole "
	           "file.", SCREEN_ROWS, SCREEN_COUNT_CAP);
	bench_note("Timing: reads are the median of %d repetitions for ours (each of as many calls as last "
	           ">= %.0f ms) and %d for the peer, alternating between the two; appends: "
	           "median of %d blocks, also alternating.", o.reps_ours,
	           MIN_REP_SECONDS * 1e3, o.reps_peer, FILL_BLOCKS);
	bench_rmtree(dir);
	free(dir);
	return rc == 0 ? 0 : 1;
}
