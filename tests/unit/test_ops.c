/* test_ops.c - the send, cancel and resend use cases against History, with
 * the network replaced by a scripted transport (http.h client_set_transport)
 * and a fake clock, so every rule of ops.h is checked without a server and
 * without real waits: at most once per transactionId, recorded before it
 * leaves, "unknown" never "failed", retries byte for byte. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulkrun.h"
#include "clock.h"
#include "histdb.h"
#include "jsonutil.h"
#include "ops.h"

#define S(lit) ((char *)(uintptr_t)(lit))
#define MAX_SEEN 64

/* ---- the scripted network ---- */

enum answer { ANSWER_OK, ANSWER_NONE, ANSWER_400, ANSWER_503 };

struct seen {
	char *path, *body, *key;
	int rows_when_sent;         /* History rows of its transactionId then */
	char *status_when_sent;     /* that row's status then */
};

static struct {
	enum answer script[MAX_SEEN];
	size_t nscript;
	struct seen seen[MAX_SEEN];
	size_t nseen;
} net;

static struct nc_client *cl;
static struct nc_history *hist;
static char dir[64], dbpath[128];
static struct nc_ops o;

static enum answer
next_answer(void)
{
	return net.nseen <= net.nscript ? net.script[net.nseen - 1] : ANSWER_OK;
}

/* What History holds for txid at this moment (the request is leaving). */
static void
note_history(struct seen *s, const char *txid)
{
	struct nc_history_entry *rows = NULL;
	struct nc_error err = NC_ERROR_INIT;
	size_t n = 0, i;

	if (!txid || histdb_page(hist, txid, 0, 50, &rows, &n, &err) != NC_OK)
		return;
	for (i = 0; i < n; i++) {
		if (rows[i].transaction_id && strcmp(rows[i].transaction_id, txid) == 0) {
			s->rows_when_sent++;
			if (!s->status_when_sent && rows[i].response_status)
				s->status_when_sent = strdup(rows[i].response_status);
		}
		histdb_entry_clear(&rows[i]);
	}
	free(rows);
}

static char *
trigger_answer(const cJSON *event)
{
	return nc_asprintf("{\"data\":{\"acknowledged\":true,\"status\":\"processed\","
	                   "\"transactionId\":\"%s\"}}", json_str(event, "transactionId"));
}

static char *
bulk_answer(const cJSON *events)
{
	struct textbuf b = TEXTBUF_INIT(0);
	const cJSON *it;
	int first = 1;

	textbuf_puts(&b, "{\"data\":[");
	cJSON_ArrayForEach(it, events) {
		textbuf_printf(&b, "%s{\"acknowledged\":true,\"status\":\"processed\","
		               "\"transactionId\":\"%s\"}", first ? "" : ",",
		               json_str(it, "transactionId"));
		first = 0;
	}
	textbuf_puts(&b, "]}");
	return textbuf_steal(&b);
}

static int
fake_transport(void *ctx, const struct nc_http_request *req, struct nc_http_response *resp)
{
	struct seen *s = &net.seen[net.nseen < MAX_SEEN ? net.nseen : MAX_SEEN - 1];
	cJSON *body = req->body ? cJSON_Parse(req->body) : NULL;
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(body, "events");
	enum answer a;

	(void)ctx;
	memset(s, 0, sizeof(*s));
	s->path = strdup(req->path);
	s->body = req->body ? strdup(req->body) : NULL;
	s->key = req->idempotency_key ? strdup(req->idempotency_key) : NULL;
	note_history(s, json_str(events ? cJSON_GetArrayItem(events, 0) : body,
	                         "transactionId"));
	net.nseen++;
	a = next_answer();
	if (a == ANSWER_NONE) {
		cJSON_Delete(body);
		return -1;
	}
	if (a == ANSWER_400 || a == ANSWER_503) {
		resp->status = a == ANSWER_400 ? 400 : 503;
		resp->body = strdup(a == ANSWER_400 ? "{\"statusCode\":400,\"message\":\"bad\"}"
		                                    : "{\"statusCode\":503,\"message\":\"busy\"}");
	} else if (strncmp(req->path, "/v1/events/trigger/", 19) == 0 && !body) {
		resp->status = 200;
		resp->body = strdup("{\"data\":true}");
	} else {
		resp->status = 201;
		resp->body = events ? bulk_answer(events) : trigger_answer(body);
	}
	cJSON_Delete(body);
	return 0;
}

static void
script(size_t n, const enum answer *answers)
{
	memcpy(net.script, answers, n * sizeof(*answers));
	net.nscript = n;
}

static void
setup(void)
{
	struct nc_client_config cfg;
	struct nc_error err = NC_ERROR_INIT;

	memset(&net, 0, sizeof(net));
	clock_fake_start(1000000);
	strcpy(dir, "/tmp/nc-ops-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/history.db", dir);
	cr_assert_eq(histdb_open(dbpath, &hist, &err), NC_OK, "%s", err.message);
	client_config_defaults(&cfg);
	cfg.base_url = "http://127.0.0.1:9";
	cfg.secret_key = "sk_test_0123456789";
	cfg.retry.max_attempts = 3;
	cr_assert_eq(client_new(&cfg, &cl, &err), NC_OK, "%s", err.message);
	client_set_transport(cl, fake_transport, NULL);
	o.client = cl;
	o.history = hist;
	o.profile = "prod";
	o.scope = "prod https://api.novu.co";
}

static void
teardown(void)
{
	size_t i;

	client_free(cl);
	histdb_close(hist);
	for (i = 0; i < net.nseen && i < MAX_SEEN; i++) {
		free(net.seen[i].path);
		free(net.seen[i].body);
		free(net.seen[i].key);
		free(net.seen[i].status_when_sent);
	}
	clock_fake_stop();
	unlink(dbpath);
	{
		char p[200];

		snprintf(p, sizeof p, "%s-wal", dbpath);
		unlink(p);
		snprintf(p, sizeof p, "%s-shm", dbpath);
		unlink(p);
	}
	rmdir(dir);
}

TestSuite(ops, .init = setup, .fini = teardown, .timeout = 30);

/* ---- helpers ---- */

static void
event_for(struct nc_event *ev, const char *workflow, const char *to, const char *txid,
          const char *payload)
{
	struct nc_recipient r;

	event_init(ev);
	memset(&r, 0, sizeof(r));
	r.kind = NC_RCPT_SUBSCRIBER_ID;
	r.id = S(to);
	cr_assert_eq(nc_strset(&ev->workflow, workflow), 0);
	cr_assert_eq(event_add_recipient(ev, &r), NC_OK);
	cr_assert_eq(nc_strset(&ev->transaction_id, txid), 0);
	cr_assert_eq(nc_strset(&ev->payload_json, payload), 0);
}

static enum nc_status
send(struct nc_event *ev, enum nc_id_origin txo, const char *key, enum nc_id_origin keyo,
     struct nc_send_outcome *out, struct nc_error *err)
{
	struct nc_send_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.kind = NC_SEND_TRIGGER;
	rq.ev = ev;
	rq.txid_origin = txo;
	rq.idempotency_key = key;
	rq.key_origin = keyo;
	return ops_send_event(&o, &rq, out, err);
}

static size_t
rows_of(const char *txid, struct nc_history_entry *last)
{
	struct nc_history_entry *rows = NULL;
	struct nc_error err = NC_ERROR_INIT;
	size_t n = 0, i, k = 0;

	cr_assert_eq(histdb_page(hist, NULL, 0, 1000, &rows, &n, &err), NC_OK);
	for (i = 0; i < n; i++) {
		if (rows[i].transaction_id && strcmp(rows[i].transaction_id, txid) == 0) {
			if (k++ == 0 && last) {
				*last = rows[i];
				continue;
			}
		}
		histdb_entry_clear(&rows[i]);
	}
	free(rows);
	return k;
}

static size_t
all_rows(void)
{
	struct nc_error err = NC_ERROR_INIT;
	size_t n = 0;

	cr_assert_eq(histdb_count(hist, NULL, &n, &err), NC_OK);
	return n;
}

static struct nc_event *bulk_events(size_t n, const char *prefix);
static void free_bulk(struct nc_event *evs, size_t n);

/* ---- single sends ---- */

Test(ops, a_send_is_recorded_before_it_leaves_and_completed_after)
{
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry row;
	struct nc_event ev;

	event_for(&ev, "welcome", "u1", "tx-1", "{\"n\":12345678901234567890}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK, "%s",
	             err.message);
	cr_assert_eq(out.result, NC_SEND_PROCESSED);
	cr_assert_eq(net.nseen, 1);
	cr_assert_eq(net.seen[0].rows_when_sent, 1, "the row existed when the request left");
	cr_assert_str_eq(net.seen[0].status_when_sent, HISTDB_UNKNOWN);
	cr_assert_eq(rows_of("tx-1", &row), 1);
	cr_assert_str_eq(row.response_status, "processed");
	cr_assert_str_eq(row.kind, "trigger");
	cr_assert_str_eq(row.scope, "prod https://api.novu.co");
	cr_assert_str_eq(row.request_json, net.seen[0].body, "History keeps the exact bytes");
	cr_assert_str_eq(row.idempotency_key, net.seen[0].key);
	cr_assert_eq(row.http_status, 201);
	cr_assert_null(row.error);
	histdb_entry_clear(&row);
	send_outcome_clear(&out);
	event_clear(&ev);
}

/* What a confirmation is told before a send of the form's transactionId:
 * nothing after no send or an answered one; after an unanswered one, that
 * the same request is a retry and a changed one a second notification. */
Test(ops, prior_send_tells_a_retry_from_a_second_notification)
{
	static const enum answer none3[] = { ANSWER_NONE, ANSWER_NONE, ANSWER_NONE };
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;
	int64_t when = -1;

	script(3, none3);
	event_for(&ev, "welcome", "u1", "tx-p", "{\"a\":1}");
	cr_assert_eq(ops_prior_send(&o, NC_SEND_TRIGGER, &ev, &when), NC_PRIOR_NONE);
	cr_assert_eq(when, 0);
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_E_NETWORK);
	send_outcome_clear(&out);
	nc_error_clear(&err);
	cr_assert_eq(ops_prior_send(&o, NC_SEND_TRIGGER, &ev, &when), NC_PRIOR_RETRY);
	cr_assert_gt(when, 0, "the earlier send's time");
	cr_assert_eq(ops_prior_send(&o, NC_SEND_BROADCAST, &ev, &when), NC_PRIOR_DIFFERENT,
	             "a broadcast of it is another request");
	free(ev.payload_json);
	ev.payload_json = strdup("{\"a\":2}");
	cr_assert_eq(ops_prior_send(&o, NC_SEND_TRIGGER, &ev, &when), NC_PRIOR_DIFFERENT);
	cr_assert_eq(net.nseen, 3, "asking sends nothing");

	/* Answered now (the retry): nothing to warn of. */
	free(ev.payload_json);
	ev.payload_json = strdup("{\"a\":1}");
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_OK, "%s",
	             err.message);
	cr_assert(out.retry_of_row, "the same request went as a retry");
	cr_assert_eq(ops_prior_send(&o, NC_SEND_TRIGGER, &ev, &when), NC_PRIOR_NONE);
	send_outcome_clear(&out);
	event_clear(&ev);
}

Test(ops, no_answer_is_unknown_never_failed_and_a_resend_replays_it)
{
	static const enum answer none3[] = { ANSWER_NONE, ANSWER_NONE, ANSWER_NONE };
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry row;
	struct nc_event ev;
	int64_t t0 = clock_mono_ms();

	script(3, none3);
	event_for(&ev, "welcome", "u1", "tx-2", "{}");
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_E_NETWORK);
	cr_assert_eq(out.result, NC_SEND_UNKNOWN);
	cr_assert_eq(net.nseen, 3, "retried, with the same key each time");
	cr_assert_str_eq(net.seen[0].key, net.seen[2].key);
	cr_assert_str_eq(net.seen[0].body, net.seen[2].body);
	cr_assert_gt(clock_mono_ms() - t0, 0, "the back-off ran on the fake clock");
	cr_assert_eq(rows_of("tx-2", &row), 1);
	cr_assert_str_eq(row.response_status, HISTDB_UNKNOWN, "never 'failed'");
	cr_assert_not_null(strstr(row.error, "may have been accepted"), "%s", row.error);
	send_outcome_clear(&out);
	nc_error_clear(&err);

	/* Resend: the very same request, same row. */
	cr_assert_eq(ops_resend(&o, row.id, NULL, NULL, &out, &err), NC_OK, "%s", err.message);
	cr_assert_eq(out.result, NC_SEND_PROCESSED);
	cr_assert_eq(out.history_id, row.id);
	cr_assert_str_eq(net.seen[3].key, net.seen[0].key);
	cr_assert_str_eq(net.seen[3].body, net.seen[0].body);
	histdb_entry_clear(&row);
	cr_assert_eq(rows_of("tx-2", &row), 1, "a retry adds no row");
	cr_assert_str_eq(row.response_status, "processed");
	histdb_entry_clear(&row);
	send_outcome_clear(&out);
	event_clear(&ev);
}

/* The console killed while a send was out: the form comes back with the
 * transactionId and bytes but without its generated key. ^S must retry that
 * row under its own key, not send a second notification under a new ID. */
Test(ops, an_unknown_send_restored_without_its_key_is_retried_under_it)
{
	static const enum answer none3[] = { ANSWER_NONE, ANSWER_NONE, ANSWER_NONE };
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry row;
	struct nc_event ev;

	script(3, none3);
	event_for(&ev, "welcome", "u1", "tx-k", "{\"a\":1}");
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_E_NETWORK);
	cr_assert_eq(out.result, NC_SEND_UNKNOWN);
	cr_assert_eq(rows_of("tx-k", &row), 1);
	send_outcome_clear(&out);
	nc_error_clear(&err);

	/* No key given: one is made up, as for the restored form. */
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_OK, "%s",
	             err.message);
	cr_assert_eq(out.result, NC_SEND_PROCESSED);
	cr_assert(out.retry_of_row);
	cr_assert_eq(out.history_id, row.id);
	cr_assert_null(out.replaced_txid, "the transactionId was kept");
	cr_assert_str_eq(ev.transaction_id, "tx-k");
	cr_assert_eq(net.nseen, 4);
	cr_assert_str_eq(net.seen[3].key, row.idempotency_key, "the unknown send's own key");
	cr_assert_str_eq(net.seen[3].body, net.seen[0].body);
	histdb_entry_clear(&row);
	cr_assert_eq(rows_of("tx-k", &row), 1, "a retry adds no row");
	cr_assert_str_eq(row.response_status, "processed");
	histdb_entry_clear(&row);
	send_outcome_clear(&out);

	/* Answered now: the same form again is a new notification, new ID. */
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	cr_assert_str_eq(out.replaced_txid, "tx-k");
	cr_assert_not(out.retry_of_row);
	cr_assert_str_neq(net.seen[4].key, net.seen[3].key);
	send_outcome_clear(&out);
	event_clear(&ev);
}

/* Changed after the unknown send, or sent under a key the user typed: not
 * that request, so not its retry. */
Test(ops, an_unknown_send_is_retried_only_with_the_same_bytes_and_our_key)
{
	static const enum answer none6[] = { ANSWER_NONE, ANSWER_NONE, ANSWER_NONE,
	                                     ANSWER_NONE, ANSWER_NONE, ANSWER_NONE };
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;

	script(6, none6);
	event_for(&ev, "welcome", "u1", "tx-m", "{\"a\":1}");
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_E_NETWORK);
	send_outcome_clear(&out);
	nc_error_clear(&err);
	cr_assert_eq(send(&ev, NC_ID_USER, "user-key-1", NC_ID_USER, &out, &err), NC_E_USAGE,
	             "a typed key on a used, typed ID is refused, not rerouted");
	cr_assert_eq(net.nseen, 3, "nothing was sent");
	send_outcome_clear(&out);
	nc_error_clear(&err);
	cr_assert_eq(nc_strset(&ev.payload_json, "{\"a\":2}"), 0);
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_E_NETWORK);
	cr_assert_str_eq(out.replaced_txid, "tx-m", "other bytes: a new notification");
	cr_assert_not(out.retry_of_row);
	cr_assert_str_neq(net.seen[3].key, net.seen[0].key);
	send_outcome_clear(&out);
	nc_error_clear(&err);
	event_clear(&ev);
}

Test(ops, a_refusal_is_failed_and_its_id_stays_usable)
{
	static const enum answer refuse[] = { ANSWER_400 };
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry row;
	struct nc_event ev;

	script(1, refuse);
	event_for(&ev, "welcome", "u1", "tx-3", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_E_API);
	cr_assert_eq(out.result, NC_SEND_FAILED);
	cr_assert_eq(rows_of("tx-3", &row), 1);
	cr_assert_null(row.response_status);
	cr_assert_eq(row.http_status, 400);
	histdb_entry_clear(&row);
	send_outcome_clear(&out);
	nc_error_clear(&err);
	/* Fixed and sent again: the ID was never used by Novu. */
	cr_assert_eq(nc_strset(&ev.payload_json, "{\"ok\":1}"), 0);
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK, "%s",
	             err.message);
	cr_assert_str_eq(ev.transaction_id, "tx-3");
	send_outcome_clear(&out);
	event_clear(&ev);
}

Test(ops, our_used_id_is_replaced_the_users_is_refused)
{
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;

	event_for(&ev, "welcome", "u1", "tx-4", "{}");
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);

	/* ^S again on the same form: our ID is swapped, never sent twice. */
	cr_assert_eq(send(&ev, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_OK, "%s",
	             err.message);
	cr_assert_str_eq(out.replaced_txid, "tx-4");
	cr_assert_str_neq(ev.transaction_id, "tx-4");
	cr_assert_eq(net.nseen, 2);
	cr_assert_null(strstr(net.seen[1].body, "tx-4"), "%s", net.seen[1].body);
	send_outcome_clear(&out);

	/* A typed ID that was used: refused before anything leaves. */
	cr_assert_eq(nc_strset(&ev.transaction_id, "tx-4"), 0);
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_E_USAGE);
	cr_assert_eq(nc_status_exit_code(NC_E_USAGE), 2);
	cr_assert_not_null(strstr(err.message, "tx-4 was already sent"), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "drop"), "%s", err.message);
	cr_assert_eq(net.nseen, 2, "nothing was sent");
	cr_assert_eq(out.result, NC_SEND_REFUSED_HERE);
	send_outcome_clear(&out);
	nc_error_clear(&err);
	event_clear(&ev);
}

Test(ops, a_users_key_reruns_byte_for_byte_and_refuses_other_bytes)
{
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;
	char first_txid[64];

	event_for(&ev, "welcome", "u1", NULL, "{\"a\":1}");
	cr_assert_eq(send(&ev, NC_ID_AUTO, "order-77", NC_ID_USER, &out, &err), NC_OK, "%s",
	             err.message);
	snprintf(first_txid, sizeof first_txid, "%s", ev.transaction_id);
	send_outcome_clear(&out);
	event_clear(&ev);

	/* The same command again, in a new "process": same ID, same bytes. */
	event_for(&ev, "welcome", "u1", NULL, "{\"a\":1}");
	cr_assert_eq(send(&ev, NC_ID_AUTO, "order-77", NC_ID_USER, &out, &err), NC_OK, "%s",
	             err.message);
	cr_assert_str_eq(ev.transaction_id, first_txid, "derived from the key");
	cr_assert(out.retry_of_row);
	cr_assert_str_eq(net.seen[0].body, net.seen[1].body);
	cr_assert_str_eq(net.seen[1].key, "order-77");
	cr_assert_eq(all_rows(), 1);
	send_outcome_clear(&out);
	event_clear(&ev);

	/* Same key, another payload: refused here, naming what differs. */
	event_for(&ev, "welcome", "u1", NULL, "{\"a\":2}");
	cr_assert_eq(send(&ev, NC_ID_AUTO, "order-77", NC_ID_USER, &out, &err), NC_E_USAGE);
	cr_assert_not_null(strstr(err.message, "payload differs"), "%s", err.message);
	cr_assert_eq(net.nseen, 2);
	nc_error_clear(&err);
	send_outcome_clear(&out);
	event_clear(&ev);
}

Test(ops, our_key_with_new_bytes_is_replaced)
{
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;

	event_for(&ev, "welcome", "u1", "tx-5", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, "nc-auto-1", NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);
	event_clear(&ev);
	event_for(&ev, "welcome", "u2", "tx-6", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, "nc-auto-1", NC_ID_AUTO, &out, &err), NC_OK, "%s",
	             err.message);
	cr_assert_str_eq(out.replaced_key, "nc-auto-1");
	cr_assert_str_neq(net.seen[1].key, "nc-auto-1");
	send_outcome_clear(&out);
	event_clear(&ev);
}

Test(ops, two_consoles_on_one_history_never_send_one_id_twice)
{
	struct nc_history *h2;
	struct nc_ops o2;
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event a, b;

	cr_assert_eq(histdb_open(dbpath, &h2, &err), NC_OK);
	o2 = o;
	o2.history = h2;
	/* Both drafts hold the same transactionId (a shared state directory). */
	event_for(&a, "welcome", "u1", "draft-tx", "{}");
	event_for(&b, "welcome", "u1", "draft-tx", "{}");
	cr_assert_eq(send(&a, NC_ID_AUTO, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);
	{
		struct nc_send_request rq = { NC_SEND_TRIGGER, &b, NC_ID_AUTO, NULL, NC_ID_AUTO,
		                              NULL, NULL };

		cr_assert_eq(ops_send_event(&o2, &rq, &out, &err), NC_OK);
	}
	cr_assert_str_eq(out.replaced_txid, "draft-tx");
	cr_assert_eq(rows_of("draft-tx", NULL), 1);
	send_outcome_clear(&out);
	event_clear(&a);
	event_clear(&b);
	histdb_close(h2);
}

Test(ops, broadcast_is_recorded_for_all_subscribers)
{
	struct nc_send_request rq;
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry row;
	struct nc_event ev;

	event_init(&ev);
	cr_assert_eq(nc_strset(&ev.workflow, "news"), 0);
	cr_assert_eq(nc_strset(&ev.transaction_id, "bc-1"), 0);
	memset(&rq, 0, sizeof(rq));
	rq.kind = NC_SEND_BROADCAST;
	rq.ev = &ev;
	cr_assert_eq(ops_send_event(&o, &rq, &out, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(net.seen[0].path, "/v1/events/trigger/broadcast");
	cr_assert_eq(rows_of("bc-1", &row), 1);
	cr_assert_str_eq(row.kind, "broadcast");
	cr_assert_str_eq(row.recipients, "(all subscribers)");
	histdb_entry_clear(&row);
	send_outcome_clear(&out);
	event_clear(&ev);
}

Test(ops, without_history_nothing_is_sent)
{
	struct nc_ops none = o;
	struct nc_send_request rq;
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;

	none.history = NULL;
	event_for(&ev, "welcome", "u1", NULL, "{}");
	memset(&rq, 0, sizeof(rq));
	rq.ev = &ev;
	cr_assert_eq(ops_send_event(&none, &rq, &out, &err), NC_E_IO);
	cr_assert_eq(net.nseen, 0);
	nc_error_clear(&err);
	send_outcome_clear(&out);
	event_clear(&ev);
}

/* A read-only profile never sends, whichever way is asked: a send, a
 * resend of a row, a bulk run (stored before, resumed from a read-only
 * console); it may still cancel. Nothing reaches the server and History
 * gains no row for the refused sends. */
Test(ops, a_read_only_profile_never_sends_but_cancels)
{
	struct nc_ops ro = o;
	struct nc_send_request rq;
	struct nc_send_outcome out;
	struct nc_cancel_outcome co;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev, *evs = bulk_events(3, "b");
	struct nc_history_entry row;
	int64_t run = 0;

	event_for(&ev, "welcome", "u1", "tx-ro", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);
	cr_assert_eq(bulkrun_create(&o, "f", evs, 3, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(net.nseen, 1);
	ro.read_only = 1;

	memset(&rq, 0, sizeof(rq));
	rq.ev = &ev;
	cr_assert_eq(ops_send_event(&ro, &rq, &out, &err), NC_E_USAGE);
	cr_assert_eq(out.result, NC_SEND_REFUSED_HERE);
	cr_assert_not_null(strstr(err.message, "read-only"), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "prod"), "names the profile: %s", err.message);
	nc_error_clear(&err);
	send_outcome_clear(&out);
	cr_assert_eq(rows_of("tx-ro", &row), 1);
	cr_assert_eq(ops_resend(&ro, row.id, NULL, NULL, &out, &err), NC_E_USAGE);
	nc_error_clear(&err);
	send_outcome_clear(&out);
	cr_assert_eq(bulkrun_send(&ro, run, 1, NULL, NULL, &err), NC_E_USAGE);
	nc_error_clear(&err);
	cr_assert_eq(net.nseen, 1, "nothing more reached the server");
	cr_assert_eq(all_rows(), 4, "the first send and the stored run only");

	cr_assert_eq(ops_cancel(&ro, "tx-ro", &co, &err), NC_OK, "%s", err.message);
	cr_assert_eq(net.nseen, 2, "the cancel went");
	cancel_outcome_clear(&co);
	histdb_entry_clear(&row);
	event_clear(&ev);
	free_bulk(evs, 3);
}

Test(ops, resending_an_answered_row_is_a_new_send_with_new_ids)
{
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry row;
	struct nc_event ev;

	event_for(&ev, "welcome", "u1", "tx-r", "{\"n\":12345678901234567890}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);
	cr_assert_eq(rows_of("tx-r", &row), 1);
	cr_assert_eq(ops_resend(&o, row.id, NULL, NULL, &out, &err), NC_OK, "%s", err.message);
	cr_assert_eq(out.result, NC_SEND_PROCESSED);
	cr_assert_eq(net.nseen, 2);
	cr_assert_str_neq(net.seen[1].key, net.seen[0].key);
	cr_assert_null(strstr(net.seen[1].body, "tx-r"), "%s", net.seen[1].body);
	cr_assert_not_null(strstr(net.seen[1].body, "12345678901234567890"),
	                   "the payload goes out as it was typed: %s", net.seen[1].body);
	cr_assert_eq(all_rows(), 2);
	histdb_entry_clear(&row);
	send_outcome_clear(&out);
	event_clear(&ev);
}

Test(ops, an_unfinished_bulk_event_is_resumed_not_resent)
{
	static const enum answer none3[] = { ANSWER_NONE, ANSWER_NONE, ANSWER_NONE };
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event *evs = bulk_events(1, "u");
	struct nc_history_entry row;
	int64_t run = 0;

	script(3, none3);
	cr_assert_eq(bulkrun_create(&o, "f", evs, 1, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(bulkrun_send(&o, run, 1, NULL, NULL, &err), NC_E_NETWORK);
	nc_error_clear(&err);
	cr_assert_eq(rows_of("u0", &row), 1);
	cr_assert_eq(ops_resend(&o, row.id, NULL, NULL, &out, &err), NC_E_USAGE);
	cr_assert_not_null(strstr(err.message, "resume"), "%s", err.message);
	cr_assert_eq(net.nseen, 3, "nothing more was sent");
	nc_error_clear(&err);
	histdb_entry_clear(&row);
	send_outcome_clear(&out);
	free_bulk(evs, 1);
}

/* ---- cancel ---- */

Test(ops, cancel_marks_the_send_or_adds_a_row_of_its_own)
{
	struct nc_cancel_outcome c;
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry row;
	struct nc_event ev;

	event_for(&ev, "digest", "u1", "tx-c", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);
	cr_assert_eq(ops_cancel(&o, "tx-c", &c, &err), NC_OK, "%s", err.message);
	cr_assert(c.cancelled);
	cr_assert_eq(c.own_row, 0);
	cr_assert_eq(rows_of("tx-c", &row), 1, "no extra row for a recorded send");
	cr_assert_str_eq(row.cancel_outcome, "cancelled");
	histdb_entry_clear(&row);
	cancel_outcome_clear(&c);

	cr_assert_eq(ops_cancel(&o, "from-the-backend", &c, &err), NC_OK);
	cr_assert_eq(c.own_row, 1);
	cr_assert_eq(rows_of("from-the-backend", &row), 1);
	cr_assert_str_eq(row.kind, "cancel");
	histdb_entry_clear(&row);
	cancel_outcome_clear(&c);
	event_clear(&ev);
}

/* History shows every profile's sends; a cancel asks this profile's server.
 * One sent only to another server is refused before anything leaves: that
 * server would answer "nothing pending" for it. Another profile on the same
 * server (the support desk's read-only one) cancels it. */
Test(ops, a_cancel_goes_only_where_the_transaction_was_sent)
{
	struct nc_ops dev = o;
	struct nc_cancel_outcome c;
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;
	size_t before;

	dev.profile = "dev";
	dev.scope = "dev https://eu.api.novu.co";
	event_for(&ev, "digest", "u1", "tx-p", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);
	before = net.nseen;

	cr_assert_eq(ops_cancel(&dev, "tx-p", &c, &err), NC_E_USAGE);
	cr_assert_eq(net.nseen, before, "nothing was sent");
	cr_assert_not_null(strstr(err.message, "sent to https://api.novu.co (profile prod)"),
	                   "%s", err.message);
	cr_assert_not_null(strstr(err.message, "cancel it with --profile prod"), "%s", err.message);
	cr_assert_eq(err.nfields, 1);
	cr_assert_str_eq(err.fields[0].field, "transactionId");
	cr_assert_eq(rows_of("tx-p", NULL), 1, "no cancel row recorded");
	cancel_outcome_clear(&c);
	nc_error_clear(&err);

	/* Where it was sent: asked. Unknown to History (the backend's, typed):
	 * asked wherever, as before. */
	cr_assert_eq(ops_cancel(&o, "tx-p", &c, &err), NC_OK, "%s", err.message);
	cr_assert(c.cancelled);
	cancel_outcome_clear(&c);
	cr_assert_eq(ops_cancel(&dev, "never-seen", &c, &err), NC_OK, "%s", err.message);
	cr_assert_eq(net.nseen, before + 2);
	cancel_outcome_clear(&c);

	/* Another profile on the server it went to: asked. */
	{
		struct nc_ops desk = o;

		desk.profile = "support";
		desk.scope = "support https://api.novu.co";
		cr_assert_eq(ops_cancel(&desk, "tx-p", &c, &err), NC_OK, "%s", err.message);
		cancel_outcome_clear(&c);
	}

	/* Sent to both: each profile cancels its own. */
	cr_assert_eq(nc_strset(&ev.payload_json, "{\"b\":1}"), 0);
	{
		struct nc_send_request rq = { .kind = NC_SEND_TRIGGER, .ev = &ev,
		                              .txid_origin = NC_ID_USER, .key_origin = NC_ID_AUTO };

		cr_assert_eq(ops_send_event(&dev, &rq, &out, &err), NC_OK, "%s", err.message);
		send_outcome_clear(&out);
	}
	cr_assert_eq(ops_cancel(&dev, "tx-p", &c, &err), NC_OK, "%s", err.message);
	cancel_outcome_clear(&c);
	cr_assert_eq(net.nseen, before + 5, "every cancel but the first went out");
	event_clear(&ev);
}

/* Novu keeps transactionIds per environment, and the console knows an
 * environment by its key and URL (session_run_scope). A second profile
 * with the same key sees the first one's IDs as used, single sends and
 * bulk runs alike: sent again, Novu would drop them and they would show as
 * processed. Another key on the same URL (development and production on
 * api.novu.co) is another environment, free to use them. Rows stored by
 * older versions, scoped "PROFILE URL", still count for their profile. */
Test(ops, ids_are_checked_per_environment_not_per_profile)
{
	struct nc_ops twin = o, dev = o;
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry old;
	struct nc_event ev, *evs = bulk_events(3, "e");
	unsigned char user[3] = { 0, 1, 0 };
	int64_t run = 0;
	size_t before;

	o.scope = "key:0123456789ab https://api.novu.co";
	twin.profile = "prod-copy";
	twin.scope = o.scope;
	dev.profile = "dev";
	dev.scope = "key:ba9876543210 https://api.novu.co";
	event_for(&ev, "welcome", "u1", "e1", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK, "%s",
	             err.message);
	send_outcome_clear(&out);
	before = net.nseen;

	{
		struct nc_send_request rq = { .kind = NC_SEND_TRIGGER, .ev = &ev,
		                              .txid_origin = NC_ID_USER, .key_origin = NC_ID_AUTO };

		cr_assert_eq(ops_send_event(&twin, &rq, &out, &err), NC_E_USAGE);
		cr_assert_not_null(strstr(err.message, "e1 was already sent"), "%s", err.message);
		send_outcome_clear(&out);
		nc_error_clear(&err);
		cr_assert_eq(bulkrun_create(&twin, "f", evs, 3, user, NULL, &run, &err), NC_E_USAGE);
		cr_assert_not_null(strstr(err.message, "events[1] e1"), "%s", err.message);
		cr_assert_eq(run, 0);
		nc_error_clear(&err);
		cr_assert_eq(net.nseen, before, "nothing was sent");

		cr_assert_eq(ops_send_event(&dev, &rq, &out, &err), NC_OK, "%s", err.message);
		cr_assert_eq(out.result, NC_SEND_PROCESSED, "another environment: sent");
		send_outcome_clear(&out);
	}

	/* A row of an older version: "prod https://api.novu.co". */
	memset(&old, 0, sizeof old);
	old.kind = S("trigger");
	old.workflow = S("welcome");
	old.transaction_id = S("e-old");
	old.profile = S("prod");
	old.scope = S("prod https://api.novu.co");
	old.response_status = S("processed");
	cr_assert_eq(histdb_append(hist, &old, &err), NC_OK, "%s", err.message);
	cr_assert_eq(nc_strset(&ev.transaction_id, "e-old"), 0);
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_E_USAGE);
	cr_assert_not_null(strstr(err.message, "e-old was already sent"), "%s", err.message);
	send_outcome_clear(&out);
	nc_error_clear(&err);
	{
		struct nc_send_request rq = { .kind = NC_SEND_TRIGGER, .ev = &ev,
		                              .txid_origin = NC_ID_USER, .key_origin = NC_ID_AUTO };

		cr_assert_eq(ops_send_event(&dev, &rq, &out, &err), NC_OK, "%s", err.message);
		send_outcome_clear(&out);
	}
	free_bulk(evs, 3);
	event_clear(&ev);
}

/* One URL, two keys: two Novu environments (development and production on
 * api.novu.co). A cancel from the other environment would hear "nothing
 * pending" for a digest still waiting in this one: refused, naming the
 * profile. Another profile with the same key cancels it. */
Test(ops, a_cancel_goes_to_the_environment_the_transaction_was_sent_to)
{
	struct nc_ops dev = o, desk = o;
	struct nc_cancel_outcome c;
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event ev;
	size_t before;

	o.scope = "key:0123456789ab https://api.novu.co";
	dev.profile = "dev";
	dev.scope = "key:ba9876543210 https://api.novu.co";
	desk.profile = "support";
	desk.scope = o.scope;
	event_for(&ev, "digest", "u1", "tx-env", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);
	before = net.nseen;

	cr_assert_eq(ops_cancel(&dev, "tx-env", &c, &err), NC_E_USAGE);
	cr_assert_eq(net.nseen, before, "nothing was sent");
	cr_assert_not_null(strstr(err.message, "sent to https://api.novu.co with another key "
	                          "(profile prod), so cancel it with --profile prod"),
	                   "%s", err.message);
	cr_assert_not_null(strstr(err.message, "in another Novu environment"), "%s", err.message);
	cancel_outcome_clear(&c);
	nc_error_clear(&err);

	cr_assert_eq(ops_cancel(&desk, "tx-env", &c, &err), NC_OK, "%s", err.message);
	cr_assert(c.cancelled);
	cr_assert_eq(net.nseen, before + 1);
	cancel_outcome_clear(&c);
	event_clear(&ev);
}

/* ---- bulk runs ---- */

static struct nc_event *
bulk_events(size_t n, const char *prefix)
{
	struct nc_event *evs = calloc(n, sizeof(*evs));
	char id[32];
	size_t i;

	cr_assert_not_null(evs);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof id, "%s%zu", prefix, i);
		event_for(&evs[i], "welcome", "u1", id, "{}");
	}
	return evs;
}

static void
free_bulk(struct nc_event *evs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		event_clear(&evs[i]);
	free(evs);
}

static size_t
count_status(const char *status)
{
	struct nc_history_entry *rows = NULL;
	struct nc_error err = NC_ERROR_INIT;
	size_t n = 0, i, k = 0;

	cr_assert_eq(histdb_page(hist, NULL, 0, 100000, &rows, &n, &err), NC_OK);
	for (i = 0; i < n; i++) {
		k += rows[i].response_status && strcmp(rows[i].response_status, status) == 0;
		histdb_entry_clear(&rows[i]);
	}
	free(rows);
	return k;
}

Test(ops, bulk_chunk_without_answer_is_unknown_then_resumed_once)
{
	static const enum answer script1[] = { ANSWER_OK, ANSWER_NONE, ANSWER_NONE, ANSWER_NONE };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event *evs = bulk_events(250, "e");
	int64_t run = 0;

	script(4, script1);
	cr_assert_eq(bulkrun_create(&o, "f", evs, 250, NULL, NULL, &run, &err), NC_OK, "%s",
	             err.message);
	cr_assert_eq(count_status(HISTDB_QUEUED), 250, "stored, nothing sent");
	cr_assert_eq(net.nseen, 0);
	cr_assert_eq(bulkrun_send(&o, run, 1, NULL, NULL, &err), NC_E_NETWORK);
	cr_assert_eq(count_status("processed"), 100);
	cr_assert_eq(count_status(HISTDB_UNKNOWN), 100, "no answer: unknown, not failed");
	cr_assert_eq(count_status(HISTDB_QUEUED), 50);
	cr_assert_str_eq(net.seen[1].status_when_sent, HISTDB_UNKNOWN,
	                 "a chunk is recorded as on its way before it leaves");
	nc_error_clear(&err);

	cr_assert_eq(bulkrun_send(&o, run, 1, NULL, NULL, &err), NC_OK, "%s", err.message);
	cr_assert_eq(count_status("processed"), 250);
	cr_assert_eq(all_rows(), 250, "one row per event, whatever happened");
	cr_assert_str_eq(net.seen[4].key, net.seen[1].key, "resumed with its stored key");
	cr_assert_str_eq(net.seen[4].body, net.seen[1].body, "and its stored bytes");
	free_bulk(evs, 250);
}

/* A stopped run given up: nothing of it goes again, its unanswered events
 * are not resent one by one either (Novu may have them), and an event that
 * never left may go later as a new send. */
Test(ops, a_dropped_run_sends_nothing_more)
{
	static const enum answer script1[] = { ANSWER_OK, ANSWER_NONE, ANSWER_NONE, ANSWER_NONE,
	                                       ANSWER_OK };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event *evs = bulk_events(250, "e");
	struct nc_send_outcome out;
	struct nc_history_entry row;
	size_t dropped = 0, unknown = 0, seen;
	int64_t run = 0;

	script(5, script1);
	cr_assert_eq(bulkrun_create(&o, "f", evs, 250, NULL, NULL, &run, &err), NC_OK, "%s",
	             err.message);
	cr_assert_eq(bulkrun_send(&o, run, 1, NULL, NULL, &err), NC_E_NETWORK);
	nc_error_clear(&err);
	seen = net.nseen;
	cr_assert_eq(bulkrun_drop(&o, run, &dropped, &unknown, &err), NC_OK, "%s", err.message);
	cr_assert_eq(dropped, 50);
	cr_assert_eq(unknown, 100);
	cr_assert_eq(count_status(HISTDB_DROPPED), 50);
	cr_assert_eq(count_status(HISTDB_UNKNOWN), 100);
	cr_assert_eq(count_status("processed"), 100);
	cr_assert_eq(bulkrun_send(&o, run, 1, NULL, NULL, &err), NC_OK, "%s", err.message);
	cr_assert_eq(net.nseen, seen, "a dropped run sends nothing");

	cr_assert_eq(rows_of("e150", &row), 1);
	cr_assert_eq(ops_resend(&o, row.id, NULL, NULL, &out, &err), NC_E_USAGE);
	cr_assert_not_null(strstr(err.message, "dropped"), "%s", err.message);
	cr_assert_eq(net.nseen, seen, "an unanswered event is not resent on its own");
	nc_error_clear(&err);
	histdb_entry_clear(&row);
	send_outcome_clear(&out);

	cr_assert_eq(rows_of("e249", &row), 1);
	cr_assert_str_eq(row.response_status, HISTDB_DROPPED);
	cr_assert_eq(ops_resend(&o, row.id, NULL, NULL, &out, &err), NC_OK, "%s", err.message);
	cr_assert_eq(net.nseen, seen + 1, "a dropped event goes as a new send");
	cr_assert_null(strstr(net.seen[seen].body, "e249"), "with a new transactionId: %s",
	               net.seen[seen].body);
	histdb_entry_clear(&row);
	send_outcome_clear(&out);
	free_bulk(evs, 250);
}

Test(ops, bulk_refused_for_good_is_failed_server_busy_is_queued)
{
	static const enum answer script1[] = { ANSWER_400, ANSWER_503, ANSWER_503, ANSWER_503 };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event *evs = bulk_events(150, "f");
	int64_t run = 0;

	script(4, script1);
	cr_assert_eq(bulkrun_create(&o, "f", evs, 150, NULL, NULL, &run, &err), NC_OK);
	cr_assert_eq(bulkrun_send(&o, run, 1, NULL, NULL, &err), NC_E_API);
	cr_assert_eq(count_status(HISTDB_QUEUED), 50, "turned away: to go again");
	cr_assert_eq(count_status(HISTDB_UNKNOWN), 0);
	nc_error_clear(&err);
	free_bulk(evs, 150);
}

Test(ops, bulk_ids_already_used_are_ours_to_replace_or_the_users_to_fix)
{
	struct nc_send_outcome out;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event *evs = bulk_events(3, "g"), ev;
	unsigned char user[3] = { 0, 1, 0 };
	int64_t run = 0;

	event_for(&ev, "welcome", "u1", "g1", "{}");
	cr_assert_eq(send(&ev, NC_ID_USER, NULL, NC_ID_AUTO, &out, &err), NC_OK);
	send_outcome_clear(&out);
	cr_assert_eq(bulkrun_create(&o, "f", evs, 3, user, NULL, &run, &err), NC_E_USAGE);
	cr_assert_not_null(strstr(err.message, "events[1] g1"), "%s", err.message);
	cr_assert_eq(run, 0);
	nc_error_clear(&err);
	user[1] = 0;
	cr_assert_eq(bulkrun_create(&o, "f", evs, 3, user, NULL, &run, &err), NC_OK, "%s",
	             err.message);
	cr_assert_str_neq(evs[1].transaction_id, "g1");
	cr_assert_str_eq(evs[0].transaction_id, "g0");
	free_bulk(evs, 3);
	event_clear(&ev);
}

/* One transactionId on two events of a run (in one request or in two):
 * Novu would drop the second without a word and it would show as
 * processed. Refused before anything is stored or sent. */
Test(ops, bulk_one_id_on_two_events_is_refused)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event *evs = bulk_events(150, "r");
	unsigned char user[150];
	int64_t run = 0;
	size_t before = all_rows();

	memset(user, 1, sizeof user);
	cr_assert_eq(nc_strset(&evs[7].transaction_id, "r3"), 0);   /* same request */
	cr_assert_eq(bulkrun_create(&o, "f", evs, 150, user, NULL, &run, &err), NC_E_USAGE);
	cr_assert_not_null(strstr(err.message, "r3: more than one event carries it"), "%s",
	                   err.message);
	cr_assert_eq(run, 0);
	cr_assert_eq(all_rows(), before, "nothing stored");
	cr_assert_eq(net.nseen, 0, "nothing sent");
	nc_error_clear(&err);

	cr_assert_eq(nc_strset(&evs[7].transaction_id, "r7"), 0);
	cr_assert_eq(nc_strset(&evs[120].transaction_id, "r5"), 0);  /* another request */
	cr_assert_eq(bulkrun_create(&o, "f", evs, 150, user, NULL, &run, &err), NC_E_USAGE);
	cr_assert_not_null(strstr(err.message, "r5"), "%s", err.message);
	nc_error_clear(&err);

	cr_assert_eq(nc_strset(&evs[120].transaction_id, "r120"), 0);
	cr_assert_eq(bulkrun_create(&o, "f", evs, 150, user, NULL, &run, &err), NC_OK, "%s",
	             err.message);
	cr_assert_gt(run, 0);
	free_bulk(evs, 150);
}

Test(ops, bulk_of_one_request_uses_the_users_key)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event *evs = bulk_events(2, "h");
	int64_t run = 0;

	cr_assert_eq(bulkrun_create(&o, "f", evs, 2, NULL, "my-key", &run, &err), NC_OK);
	cr_assert_eq(bulkrun_send(&o, run, 1, NULL, NULL, &err), NC_OK);
	cr_assert_str_eq(net.seen[0].key, "my-key");
	free_bulk(evs, 2);
}

/* ---- the clock and IDs ---- */

Test(clock, name_based_ids_are_stable_and_distinct)
{
	char a[NC_ID_LEN + 1], b[NC_ID_LEN + 1], c[NC_ID_LEN + 1];

	cr_assert_eq(id_uuid_from_name("order-77", a), 0);
	cr_assert_eq(id_uuid_from_name("order-77", b), 0);
	cr_assert_eq(id_uuid_from_name("order-78", c), 0);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
	cr_assert_eq(a[14], '8', "version 8: %s", a);
	cr_assert(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
}

Test(clock, test_seed_and_time_fix_ids_and_wall_clock)
{
	char a[NC_ID_LEN + 1], b[NC_ID_LEN + 1];

	setenv("NOVU_CONSOLE_TEST_SEED", "7", 1);
	setenv("NOVU_CONSOLE_TEST_TIME", "1700000000", 1);
	id_new_uuid(a);
	id_new_uuid(b);
	cr_assert_str_neq(a, b);
	cr_assert_str_eq(a + 8, "-0000-4000-8000-000000000007");
	cr_assert_eq(clock_wall_ms(), 1700000000000LL);
	unsetenv("NOVU_CONSOLE_TEST_SEED");
	unsetenv("NOVU_CONSOLE_TEST_TIME");
	id_new_uuid(a);
	cr_assert_neq(strcmp(a + 8, "-0000-4000-8000-000000000007"), 0);
}

Test(clock, fake_clock_moves_only_when_sleeping)
{
	clock_fake_start(5000);
	cr_assert_eq(clock_mono_ms(), 5000);
	clock_sleep_ms(30000);
	cr_assert_eq(clock_mono_ms(), 35000);
	clock_fake_stop();
	cr_assert_neq(clock_mono_ms(), 35000);
}
