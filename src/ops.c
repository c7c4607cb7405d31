/* ops.c - the send, cancel and resend use cases (see ops.h for the rules). */
#include "ops.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "import.h"
#include "jsonutil.h"
#include "textbuf.h"

#define RECIPIENTS_MAX 200
#define CLAIM_TRIES 4   /* a made-up ID colliding 3 times running is a bug */
#define BROADCAST_RECIPIENTS "(all subscribers)"

void
send_outcome_clear(struct nc_send_outcome *o)
{
	trigger_result_clear(&o->res);
	send_info_clear(&o->info);
	free(o->replaced_txid);
	free(o->replaced_key);
	memset(o, 0, sizeof(*o));
}

const char *
send_result_name(enum nc_send_result r)
{
	switch (r) {
	case NC_SEND_PROCESSED: return "processed";
	case NC_SEND_NOT_PROCESSED: return "not processed";
	case NC_SEND_FAILED: return "failed";
	case NC_SEND_UNKNOWN: return HISTDB_UNKNOWN;
	case NC_SEND_REFUSED_HERE: return "not sent";
	}
	return "?";
}

int
ops_answer_unknown(enum nc_status st, long http_status)
{
	/* No answer at all, or a gateway that stopped waiting for Novu: the
	 * request may have arrived and been accepted. */
	return st == NC_E_NETWORK || st == NC_E_ABORTED ||
	       (st == NC_E_SERVER && (http_status == 502 || http_status == 504));
}

static enum nc_status
no_history(const struct nc_ops *o, struct nc_error *err)
{
	(void)o;
	return nc_error_set(err, NC_E_IO, NULL, "the history store is not open, so nothing is "
	                    "sent: History is what guarantees a notification goes out once "
	                    "(check the state directory, see novu-console --help)");
}

enum nc_status
ops_may_send(const struct nc_ops *o, struct nc_error *err)
{
	if (!o->read_only)
		return NC_OK;
	return nc_error_set(err, NC_E_USAGE, NULL, "profile %s is read-only: it can read "
	                    "and cancel, never send (set read_only = false in its profile "
	                    "to allow sending)", o->profile ? o->profile : "(unnamed)");
}

/* "2026-12-02 17:40" of a row, local time. */
static void
row_time(const struct nc_history_entry *e, char *buf, size_t size)
{
	time_t t = (time_t)(e->time_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, size, "?");
}

/* Which top-level members of two request bodies differ ("payload, to"). */
static char *
body_difference(const char *old_body, const char *new_body)
{
	cJSON *a = old_body ? cJSON_Parse(old_body) : NULL;
	cJSON *b = new_body ? cJSON_Parse(new_body) : NULL;
	struct textbuf t = TEXTBUF_INIT(0);
	const cJSON *it;

	cJSON_ArrayForEach(it, b) {
		const cJSON *other = cJSON_GetObjectItemCaseSensitive(a, it->string);

		if (!other || !cJSON_Compare(it, other, 1))
			textbuf_printf(&t, "%s%s", t.len ? ", " : "", it->string);
	}
	cJSON_ArrayForEach(it, a)
		if (!cJSON_GetObjectItemCaseSensitive(b, it->string))
			textbuf_printf(&t, "%s%s (dropped)", t.len ? ", " : "", it->string);
	cJSON_Delete(a);
	cJSON_Delete(b);
	if (!t.len)
		textbuf_puts(&t, "the formatting");
	return textbuf_steal(&t);
}

static enum nc_status
refuse_key_reuse(const struct nc_history_entry *found, const char *body, struct nc_error *err)
{
	char when[32], *diff = body_difference(found->request_json, body);
	enum nc_status st;

	row_time(found, when, sizeof(when));
	st = nc_error_set(err, NC_E_USAGE, "idempotency-key",
	                  "Idempotency-Key %s was used on %s (History #%lld) for a different "
	                  "request (%s differ%s): Novu would refuse this one. Send the same "
	                  "request to retry it, or use a new key", found->idempotency_key, when,
	                  (long long)found->id, diff ? diff : "the bytes",
	                  diff && !strchr(diff, ',') ? "s" : "");
	free(diff);
	return st;
}

static enum nc_status
refuse_txid_reuse(const struct nc_history_entry *found, struct nc_error *err)
{
	char when[32];

	row_time(found, when, sizeof(when));
	return nc_error_set(err, NC_E_USAGE, "transactionId",
	                    "transactionId %s was already sent on %s (History #%lld, %s): Novu "
	                    "would drop this send without a word. Leave the transactionId empty "
	                    "to have a new one made", found->transaction_id, when,
	                    (long long)found->id,
	                    found->response_status ? found->response_status : "?");
}

static char *
recipients_of(enum nc_send_kind kind, const struct nc_event *ev)
{
	return kind == NC_SEND_BROADCAST ? strdup(BROADCAST_RECIPIENTS)
	                                 : event_recipients_summary(ev, RECIPIENTS_MAX);
}

/* The row a send is recorded as before it leaves. Borrows from its args. */
static void
pending_row(const struct nc_ops *o, enum nc_send_kind kind, const struct nc_event *ev,
            const struct nc_prepared *p, char *recipients, struct nc_history_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->profile = (char *)(uintptr_t)o->profile;
	e->scope = (char *)(uintptr_t)o->scope;
	e->kind = (char *)(uintptr_t)(kind == NC_SEND_BROADCAST ? "broadcast" : "trigger");
	e->workflow = ev->workflow;
	e->recipients = recipients;
	e->transaction_id = ev->transaction_id;
	e->idempotency_key = p->idempotency_key;
	e->response_status = (char *)(uintptr_t)HISTDB_UNKNOWN;
	e->error = (char *)(uintptr_t)HISTDB_UNKNOWN_WHY;
	e->request_json = p->body;
}

static enum nc_status
prepare(enum nc_send_kind kind, struct nc_event *ev, const char *key, struct nc_prepared *p,
        struct nc_error *err)
{
	return kind == NC_SEND_BROADCAST ? api_prepare_broadcast(ev, key, p, err)
	                                 : api_prepare_trigger(ev, key, p, err);
}

/* A user's key with no transactionId of the user's: derive the ID from the
 * key, so the rerun of a script builds the very same bytes. */
static enum nc_status
derive_txid(struct nc_send_request *rq)
{
	char id[NC_ID_LEN + 1];

	if (rq->key_origin != NC_ID_USER || !rq->idempotency_key || !*rq->idempotency_key ||
	    rq->txid_origin == NC_ID_USER)
		return NC_OK;
	if (id_uuid_from_name(rq->idempotency_key, id) != 0 ||
	    nc_strset(&rq->ev->transaction_id, id) != 0)
		return NC_E_NOMEM;
	rq->txid_origin = NC_ID_USER;   /* as good as typed: never swapped */
	return NC_OK;
}

static int
is_status(const char *s, const char *want)
{
	return s && strcmp(s, want) == 0;
}

/* The row is this very request, sent with no answer kept: the console was
 * stopped, killed or cut off while it was out. A form brought back after a
 * restart has its transactionId and bytes but not its generated key. */
static int
unanswered_same(const struct nc_history_entry *found, const char *body)
{
	return found->response_status && strcmp(found->response_status, HISTDB_UNKNOWN) == 0 &&
	       found->request_json && body && strcmp(found->request_json, body) == 0 &&
	       found->idempotency_key && *found->idempotency_key;
}

/* Send it again under that send's own key, as a retry of its row: Novu
 * answers the first one's result instead of delivering a second time. A new
 * key would have made it a second notification. */
static enum nc_status
retry_under_key(struct nc_prepared *p, const struct nc_history_entry *found,
                struct nc_send_outcome *out)
{
	char *key = strdup(found->idempotency_key);

	if (!key)
		return NC_E_NOMEM;
	free(p->idempotency_key);
	p->idempotency_key = key;
	out->history_id = found->id;
	out->retry_of_row = 1;
	return NC_OK;
}

enum nc_prior
ops_prior_send(const struct nc_ops *o, enum nc_send_kind kind, struct nc_event *ev,
               int64_t *when_ms)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_history_entry found;
	struct nc_prepared p = { 0 };
	const char *txid = ev->transaction_id;
	enum nc_prior prior = NC_PRIOR_NONE;

	*when_ms = 0;
	memset(&found, 0, sizeof(found));
	if (!o->history || !txid || !*txid ||
	    histdb_latest_sends(o->history, o->scope, o->profile, &txid, 1, &found, &err) != NC_OK ||
	    !is_status(found.response_status, HISTDB_UNKNOWN))
		goto out;
	*when_ms = found.time_ms;
	/* The body holds the transactionId, never the key. */
	prior = prepare(kind, ev, NULL, &p, &err) == NC_OK && unanswered_same(&found, p.body)
	        ? NC_PRIOR_RETRY : NC_PRIOR_DIFFERENT;
out:
	prepared_clear(&p);
	histdb_entry_clear(&found);
	nc_error_clear(&err);
	return prior;
}

/* Settle what History says about this send: NC_OK with the row to use
 * (out->history_id) and the prepared request in *p, or a refusal. */
static enum nc_status
claim(const struct nc_ops *o, struct nc_send_request *rq, struct nc_prepared *p,
      struct nc_send_outcome *out, struct nc_error *err)
{
	const char *key = rq->idempotency_key && *rq->idempotency_key ? rq->idempotency_key : NULL;
	struct nc_history_entry row, found;
	enum histdb_verdict v = HISTDB_NEW;
	enum nc_status st = derive_txid(rq);
	char *recipients = NULL, *own_key = NULL;
	int tries;

	for (tries = 0; st == NC_OK && tries < CLAIM_TRIES; tries++) {
		prepared_clear(p);
		free(recipients);
		recipients = recipients_of(rq->kind, rq->ev);
		st = prepare(rq->kind, rq->ev, own_key ? own_key : key, p, err);
		if (st)
			break;
		pending_row(o, rq->kind, rq->ev, p, recipients, &row);
		st = histdb_claim_send(o->history, &row, &v, &found, err);
		if (st)
			break;
		if (v == HISTDB_NEW || v == HISTDB_RETRY) {
			out->history_id = v == HISTDB_NEW ? row.id : found.id;
			out->retry_of_row = v == HISTDB_RETRY;
		} else if (v == HISTDB_TXID_TAKEN && rq->key_origin != NC_ID_USER &&
		           unanswered_same(&found, p->body)) {
			st = retry_under_key(p, &found, out);
		} else if (v == HISTDB_KEY_CHANGED && rq->key_origin == NC_ID_USER) {
			st = refuse_key_reuse(&found, p->body, err);
		} else if (v == HISTDB_TXID_TAKEN && rq->txid_origin == NC_ID_USER) {
			st = refuse_txid_reuse(&found, err);
		} else if (v == HISTDB_KEY_CHANGED) {
			free(out->replaced_key);
			out->replaced_key = strdup(p->idempotency_key);
			free(own_key);
			own_key = id_new_idempotency_key();
			if (!own_key)
				st = NC_E_NOMEM;
		} else {
			free(out->replaced_txid);
			out->replaced_txid = rq->ev->transaction_id;
			rq->ev->transaction_id = NULL;   /* prepare() makes a new one */
		}
		histdb_entry_clear(&found);
		if (st || out->history_id)
			break;
	}
	if (st == NC_OK && !out->history_id)
		st = nc_error_set(err, NC_E_IO, NULL, "could not find an unused transactionId "
		                  "in %d tries", CLAIM_TRIES);
	free(recipients);
	free(own_key);
	return st;
}

/* Complete the row with what came back. A failure to write it is reported
 * in err only when the send itself went well (the send's own error wins). */
static void
finish(const struct nc_ops *o, enum nc_status st, const struct nc_error *serr,
       struct nc_send_outcome *out, struct nc_error *err)
{
	struct nc_history_entry r;
	struct nc_error herr = NC_ERROR_INIT;
	char *why = NULL;

	memset(&r, 0, sizeof(r));
	r.http_status = out->info.http_status ? out->info.http_status : serr->http_status;
	r.response_json = out->info.response_body ? out->info.response_body : serr->raw_body;
	if (st == NC_OK) {
		out->result = trigger_result_ok(&out->res) ? NC_SEND_PROCESSED : NC_SEND_NOT_PROCESSED;
		r.response_status = out->res.status;
		r.error = out->res.error;
		r.transaction_id = out->res.transaction_id;
	} else if (ops_answer_unknown(st, serr->http_status)) {
		out->result = NC_SEND_UNKNOWN;
		r.response_status = (char *)(uintptr_t)HISTDB_UNKNOWN;
		why = nc_asprintf("no answer (%s): it may have been accepted; a resend uses the "
		                  "same key and bytes", serr->message ? serr->message : "stopped");
		r.error = why;
	} else {
		out->result = NC_SEND_FAILED;
		r.error = serr->message;
	}
	r.time_ms = clock_wall_ms();
	if (histdb_finish_send(o->history, out->history_id, &r, &herr) != NC_OK && st == NC_OK)
		nc_error_set(err, NC_E_IO, NULL, "sent, but the answer was not recorded in "
		             "History: %s", herr.message ? herr.message : "?");
	free(why);
	nc_error_clear(&herr);
}

static enum nc_status
send_claimed(const struct nc_ops *o, enum nc_send_kind kind, const struct nc_prepared *p,
             const char *txid, nc_send_leaving_cb leaving, void *ctx,
             struct nc_send_outcome *out, struct nc_error *err)
{
	struct nc_error serr = NC_ERROR_INIT;
	enum nc_status st;

	if (leaving)
		leaving(ctx, txid);
	st = api_event_raw(o->client, kind == NC_SEND_BROADCAST, p->body, p->idempotency_key,
	                   txid, &out->res, &out->info, &serr);
	finish(o, st, &serr, out, err);
	if (st) {
		nc_error_clear(err);
		nc_error_copy(err, &serr);
	}
	nc_error_clear(&serr);
	return st;
}

enum nc_status
ops_prepare(struct nc_send_request *rq, struct nc_prepared *p, struct nc_error *err)
{
	const char *key = rq->idempotency_key && *rq->idempotency_key ? rq->idempotency_key : NULL;
	enum nc_status st = derive_txid(rq);

	memset(p, 0, sizeof(*p));
	return st ? nc_error_set(err, st, NULL, "out of memory")
	          : prepare(rq->kind, rq->ev, key, p, err);
}

enum nc_status
ops_send_event(const struct nc_ops *o, struct nc_send_request *rq,
               struct nc_send_outcome *out, struct nc_error *err)
{
	struct nc_prepared p;
	enum nc_status st;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	out->result = NC_SEND_REFUSED_HERE;
	if (!o->history)
		return no_history(o, err);
	if ((st = ops_may_send(o, err)) != NC_OK)
		return st;
	st = claim(o, rq, &p, out, err);
	if (st == NC_OK)
		st = send_claimed(o, rq->kind, &p, rq->ev->transaction_id, rq->leaving, rq->ctx,
		                  out, err);
	prepared_clear(&p);
	return st;
}

/* ---- resend ---- */

/* The stored request again, same key and bytes, as a retry of its row. */
static enum nc_status
resend_same(const struct nc_ops *o, const struct nc_history_entry *e,
            nc_send_leaving_cb leaving, void *ctx, struct nc_send_outcome *out,
            struct nc_error *err)
{
	struct nc_prepared p = { 0 };
	enum nc_send_kind kind = is_status(e->kind, "broadcast") ? NC_SEND_BROADCAST
	                                                          : NC_SEND_TRIGGER;
	enum nc_status st;

	if (!e->request_json || !e->idempotency_key)
		return nc_error_set(err, NC_E_USAGE, NULL, "History #%lld kept no request to "
		                    "resend", (long long)e->id);
	p.body = e->request_json;
	p.idempotency_key = e->idempotency_key;
	out->history_id = e->id;
	out->retry_of_row = 1;
	st = send_claimed(o, kind, &p, e->transaction_id, leaving, ctx, out, err);
	return st;
}

enum nc_status
ops_event_from_row(const struct nc_history_entry *e, struct nc_event *ev, struct nc_error *err)
{
	struct nc_import_options opts = { NULL, 0 };
	struct nc_event *evs = NULL;
	enum nc_status st;
	size_t n = 0, i, pick = 0;

	event_init(ev);
	if (!e->request_json || !*e->request_json)
		return nc_error_set(err, NC_E_USAGE, NULL, "History #%lld kept no request",
		                    (long long)e->id);
	/* The events reader keeps numbers and key order as they were sent. */
	st = import_events_text(e->request_json, strlen(e->request_json), &opts, &evs, &n, err);
	if (st)
		return st;
	for (i = 0; i < n; i++)   /* an old row may hold its whole bulk request */
		if (e->transaction_id && evs[i].transaction_id &&
		    strcmp(evs[i].transaction_id, e->transaction_id) == 0)
			pick = i;
	*ev = evs[pick];
	for (i = 0; i < n; i++)
		if (i != pick)
			event_clear(&evs[i]);
	free(evs);
	return NC_OK;
}

/* The stored request as a new send: new transactionId, new key. */
static enum nc_status
resend_new(const struct nc_ops *o, const struct nc_history_entry *e,
           nc_send_leaving_cb leaving, void *ctx, struct nc_send_outcome *out,
           struct nc_error *err)
{
	struct nc_send_request rq = { 0 };
	struct nc_event ev;
	enum nc_status st = ops_event_from_row(e, &ev, err);

	if (st)
		return st;
	/* The old ID must not travel with the copy. */
	free(ev.transaction_id);
	ev.transaction_id = NULL;
	rq.kind = is_status(e->kind, "broadcast") ? NC_SEND_BROADCAST : NC_SEND_TRIGGER;
	rq.ev = &ev;
	rq.leaving = leaving;
	rq.ctx = ctx;
	st = ops_send_event(o, &rq, out, err);
	event_clear(&ev);
	return st;
}

/* A bulk event not answered yet goes again only with its whole request:
 * its key is the request's, for 100 events. */
static enum nc_status
refuse_bulk_resend(const struct nc_ops *o, const struct nc_history_entry *e,
                   struct nc_error *err)
{
	int pending = 1;
	enum nc_status st = histdb_bulk_chunk_pending(o->history, e->chunk_id, &pending, err);

	if (st)
		return st;
	if (pending)
		return nc_error_set(err, NC_E_USAGE, NULL, "this event belongs to a bulk run "
		                    "that has not finished: resume the run (R on the Bulk screen, "
		                    "or novu-console bulk --resume), which resends it with its "
		                    "own key and bytes");
	/* A resend of its own could deliver it twice. */
	return nc_error_set(err, NC_E_USAGE, NULL, "this event's request left unanswered and "
	                    "its bulk run was dropped: u asks Novu whether it arrived");
}

enum nc_status
ops_resend_check(const struct nc_ops *o, const struct nc_history_entry *e,
                 struct nc_error *err)
{
	if (is_status(e->kind, "cancel"))
		return nc_error_set(err, NC_E_USAGE, NULL, "History #%lld is a cancel, not a send",
		                    (long long)e->id);
	if (is_status(e->kind, "bulk") && (is_status(e->response_status, HISTDB_UNKNOWN) ||
	                                   is_status(e->response_status, HISTDB_QUEUED)))
		return refuse_bulk_resend(o, e, err);
	return NC_OK;
}

enum nc_status
ops_resend(const struct nc_ops *o, int64_t id, nc_send_leaving_cb leaving, void *ctx,
           struct nc_send_outcome *out, struct nc_error *err)
{
	struct nc_history_entry e;
	enum nc_status st;
	int unknown;

	memset(out, 0, sizeof(*out));
	out->result = NC_SEND_REFUSED_HERE;
	if (!o->history)
		return no_history(o, err);
	if ((st = ops_may_send(o, err)) != NC_OK)
		return st;
	st = histdb_get_entry(o->history, id, &e, err);
	if (st)
		return st;
	unknown = is_status(e.response_status, HISTDB_UNKNOWN);
	if ((st = ops_resend_check(o, &e, err)) != NC_OK)
		;
	else if (unknown)
		st = resend_same(o, &e, leaving, ctx, out, err);
	else
		st = resend_new(o, &e, leaving, ctx, out, err);
	histdb_entry_clear(&e);
	return st;
}

/* ---- cancel ---- */

void
cancel_outcome_clear(struct nc_cancel_outcome *c)
{
	send_info_clear(&c->info);
	free(c->outcome);
	memset(c, 0, sizeof(*c));
}

/* The server part of a scope: "environment url" (session_run_scope), or
 * "profile url" in rows of older versions; the url is "(local)" for the
 * sandbox. Neither an environment nor a profile name holds a space. */
static const char *
scope_url(const char *scope)
{
	const char *space = scope ? strchr(scope, ' ') : NULL;

	return !scope ? "?" : space ? space + 1 : scope;
}

/* A transaction History saw sent only to another server, or with another
 * key (another Novu environment) to this one, is cancelled there: asked
 * here, an environment that never had it answers "nothing pending", a false
 * all-clear for one that may still be waiting. Another profile with the
 * same key and URL (a read-only support profile) may cancel it. */
static enum nc_status
cancel_here(const struct nc_ops *o, const char *transaction_id, struct nc_error *err)
{
	struct nc_history_entry e;
	struct nc_error herr = NC_ERROR_INIT;
	enum nc_status st;
	const char *name;
	int same_url;

	if (!o->history || !o->scope)
		return NC_OK;
	if (histdb_sent_elsewhere(o->history, transaction_id, o->scope, o->profile, &e,
	                          &herr) != NC_OK) {
		nc_error_clear(&herr);
		return NC_OK;   /* History unreadable: the server's answer stands alone */
	}
	if (!e.id)
		return NC_OK;
	name = e.profile ? e.profile : "?";
	same_url = strcmp(scope_url(e.scope), scope_url(o->scope)) == 0;
	/* The fix early: status lines cut the end. "(environment)", "(no key)":
	 * not names --profile takes. */
	st = nc_error_set(err, NC_E_USAGE, "transactionId", "not cancelled: sent to %s%s "
	                  "(profile %s), so cancel it %s%s (this profile asks %s%s; History "
	                  "#%lld, %s). Nothing was sent", scope_url(e.scope),
	                  same_url ? " with another key" : "", name,
	                  name[0] == '(' ? "with that key and URL" : "with --profile ",
	                  name[0] == '(' ? "" : name, scope_url(o->scope),
	                  same_url ? " in another Novu environment" : "",
	                  (long long)e.id, transaction_id);
	histdb_entry_clear(&e);
	return st;
}

enum nc_status
ops_cancel(const struct nc_ops *o, const char *transaction_id, struct nc_cancel_outcome *out,
           struct nc_error *err)
{
	struct nc_history_entry c;
	struct nc_error herr = NC_ERROR_INIT;
	enum nc_status st;

	memset(out, 0, sizeof(*out));
	if ((st = cancel_here(o, transaction_id, err)) != NC_OK)
		return st;
	st = api_cancel(o->client, transaction_id, &out->cancelled, &out->info, err);
	if (st == NC_E_INVALID || st == NC_E_NOMEM)
		return st;    /* nothing left us */
	out->outcome = st ? nc_asprintf("failed: %s", err->message ? err->message
	                                                             : nc_status_message(st))
	                  : strdup(out->cancelled ? "cancelled" : "nothing pending");
	if (!o->history || !out->outcome)
		return st;
	memset(&c, 0, sizeof(c));
	c.profile = (char *)(uintptr_t)o->profile;
	c.scope = (char *)(uintptr_t)o->scope;
	c.kind = (char *)(uintptr_t)"cancel";
	c.transaction_id = (char *)(uintptr_t)transaction_id;
	c.http_status = out->info.http_status ? out->info.http_status : err->http_status;
	c.response_status = out->outcome;
	c.cancel_outcome = out->outcome;
	c.error = st ? err->message : NULL;
	c.response_json = out->info.response_body;
	if (histdb_record_cancel(o->history, &c, &out->own_row, &herr) != NC_OK && st == NC_OK)
		st = nc_error_set(err, NC_E_IO, NULL, "%s, but not recorded in History: %s",
		                  out->outcome, herr.message ? herr.message : "?");
	nc_error_clear(&herr);
	return st;
}

size_t
ops_cancel_many(const struct nc_ops *o, const char *const *transaction_ids, size_t n,
                struct nc_cancel_outcome *outs, enum nc_status *sts, struct nc_error *errs,
                nc_cancel_progress_cb progress, void *ctx)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (client_aborted(o->client))
			break;
		sts[i] = ops_cancel(o, transaction_ids[i], &outs[i], &errs[i]);
		if (progress)
			progress(ctx, i + 1, n);
	}
	return i;
}

enum nc_status
ops_delivery_status(const struct nc_ops *o, const char *transaction_id,
                    struct nc_delivery *out, struct nc_error *err)
{
	return api_notifications(o->client, transaction_id, out, err);
}
