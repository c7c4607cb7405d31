/* bulkrun.c - any number of events as bulk requests of at most 100, several
 * in flight at once, paced by the RateLimit-* headers, recorded in history
 * and resumable.
 *
 * The run is stored before anything is sent: every event already carries its
 * transactionId and every chunk its exact body and idempotency key. It is
 * stored a chunk at a time (a file is never held whole) inside one History
 * transaction, committed after the last chunk has been checked. Sending
 * and resuming both read the chunks back from history and send the stored
 * bytes, so a chunk that went through before a crash is replayed by the
 * server (same key, same body) rather than delivered twice.
 */
#include "bulkrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "jsonutil.h"
#include "ratelimit.h"
#include "textbuf.h"
#include "clock.h"

#define BULK_COST 100           /* tokens per bulk request (CONTRACT 4.5) */
#define AWAIT_SLICE_MS 250      /* how often tokens are looked at again while
                                   chunks are in flight */
#define SUMMARY_MAX 200

/* ---- creating a run ---- */

static char *
new_chunk_key(void)
{
	char uuid[NC_ID_LEN + 1];
	struct textbuf b = TEXTBUF_INIT(0);

	id_new_uuid(uuid);
	if (textbuf_printf(&b, "nc-bulk-%s", uuid)) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}

/* Give the event its transactionId and check it with a run-wide field name
 * ("events[250].to"), so an error points at the event the user can find. */
static enum nc_status
prepare_event(struct nc_event *ev, size_t index, struct nc_error *err)
{
	char prefix[48];
	enum nc_status st = event_ensure_transaction_id(ev);

	if (st)
		return nc_error_set(err, st, NULL, "cannot make a transactionId: %s",
		                    nc_status_message(st));
	snprintf(prefix, sizeof(prefix), "events[%zu].", index);
	return event_validate(ev, NC_USE_BULK_ENTRY, prefix, err);
}

/* The byte spans of the elements of the compact {"events":[...]} body we
 * built: each event's own request, exactly as sent, for its History row. */
static size_t
event_spans(const char *body, const char **starts, size_t *lens, size_t max)
{
	const char *p = strchr(body, '[');
	size_t n = 0;
	int depth = 0, in_str = 0;

	if (!p)
		return 0;
	for (starts[0] = ++p; *p && n < max; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = 0;
		} else if (*p == '"') {
			in_str = 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if ((*p == '}' || *p == ']') && depth > 0) {
			depth--;
		} else if ((*p == ',' || *p == ']') && depth == 0) {
			lens[n] = (size_t)(p - starts[n]);
			if (++n < max)
				starts[n] = p + 1;
			if (*p == ']')
				break;
		}
	}
	return n;
}

/* One chunk on its way into History: up to 100 events (the caller's, or
 * read from a file and owned by the run being stored), whose IDs the user
 * chose, and the index of its first event in the run. */
struct chunk {
	struct nc_event *evs;
	size_t n, first;
	unsigned char user[NC_MAX_BULK_EVENTS];
};

/* A chunk as stored: its exact body and key, and what History keeps of
 * each event (pointers into the chunk's events and the body). */
struct chunk_text {
	char *body, *key;
	char *texts[NC_MAX_BULK_EVENTS], *summaries[NC_MAX_BULK_EVENTS];
	struct histdb_bulk_event rows[NC_MAX_BULK_EVENTS];
};

static void
chunk_text_free(struct chunk_text *t)
{
	size_t i;

	free(t->body);
	free(t->key);
	for (i = 0; i < NC_MAX_BULK_EVENTS; i++) {
		free(t->texts[i]);
		free(t->summaries[i]);
	}
	memset(t, 0, sizeof(*t));
}

static enum nc_status
chunk_text_make(const struct chunk *ch, const char *idem_key, struct chunk_text *t,
                struct nc_error *err)
{
	const char *starts[NC_MAX_BULK_EVENTS];
	size_t lens[NC_MAX_BULK_EVENTS], i;
	cJSON *json = request_build_bulk(ch->evs, ch->n, err);

	memset(t, 0, sizeof(*t));
	if (!json)
		return err && err->status ? err->status : NC_E_INVALID;
	t->body = json_print_compact(json);
	cJSON_Delete(json);
	t->key = idem_key ? strdup(idem_key) : new_chunk_key();
	if (!t->body || !t->key)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (event_spans(t->body, starts, lens, ch->n) != ch->n)
		return nc_error_set(err, NC_E_IO, NULL, "bulk request %zu: cannot find its %zu "
		                    "events in the body built", ch->first / NC_MAX_BULK_EVENTS,
		                    ch->n);
	for (i = 0; i < ch->n; i++) {
		t->rows[i].request_json = t->texts[i] = strndup(starts[i], lens[i]);
		t->rows[i].recipients = t->summaries[i] =
			event_recipients_summary(&ch->evs[i], SUMMARY_MAX);
		t->rows[i].workflow = ch->evs[i].workflow;
		t->rows[i].transaction_id = ch->evs[i].transaction_id;
		if (!t->texts[i])
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	return NC_OK;
}

/* A run being stored, chunk by chunk, in one History transaction. */
struct store {
	struct histdb_bulk_writer *w;
	struct textbuf refused;      /* the first few user IDs History had */
	size_t nrefused;
	int user_ids;                /* some event carries an ID the user chose */
};

/* Events of the chunk whose transactionId History had: new IDs for ours
 * (*renewed counts them), the user's noted for the refusal. */
static enum nc_status
settle_taken(struct store *s, struct chunk *ch, const size_t *taken, size_t ntaken,
             size_t *renewed)
{
	struct nc_event *ev;
	size_t i;

	*renewed = 0;
	for (i = 0; i < ntaken; i++) {
		ev = &ch->evs[taken[i]];
		if (ch->user[taken[i]]) {
			if (s->nrefused++ < 5)
				textbuf_printf(&s->refused, "%sevents[%zu] %s", s->nrefused > 1 ? ", " : "",
				               ch->first + taken[i], ev->transaction_id);
			continue;
		}
		free(ev->transaction_id);
		ev->transaction_id = NULL;
		if (event_ensure_transaction_id(ev) != NC_OK)
			return NC_E_NOMEM;
		(*renewed)++;
	}
	return NC_OK;
}

/* Check the chunk's IDs against History and store it; an ID of ours that
 * was used gets a new one and the chunk is tried again. A chunk with a
 * user's used ID is not stored: the run will be refused, and the chunks
 * after it are still checked so the refusal names every such event. */
static enum nc_status
store_chunk(struct store *s, struct chunk *ch, const char *idem_key, struct nc_error *err)
{
	struct chunk_text t;
	size_t taken[NC_MAX_BULK_EVENTS], ntaken = 0, renewed = 0, before, i;
	enum nc_status st;
	int tries;

	for (i = 0; i < ch->n; i++)
		s->user_ids |= ch->user[i];
	for (tries = 0; tries < 4; tries++) {
		st = chunk_text_make(ch, idem_key, &t, err);
		if (st == NC_OK)
			st = histdb_bulk_add_chunk(s->w, t.body, t.key, t.rows, ch->n, taken, &ntaken,
			                           err);
		chunk_text_free(&t);
		if (st != NC_OK || ntaken == 0)
			return st;
		before = s->nrefused;
		st = settle_taken(s, ch, taken, ntaken, &renewed);
		if (st != NC_OK)
			return nc_error_set(err, st, NULL, "out of memory");
		if (s->nrefused > before)
			return NC_OK;
	}
	return nc_error_set(err, NC_E_IO, NULL, "could not find unused transactionIds");
}

/* Two events of the run with one transactionId: Novu keeps the first and
 * drops the other without a word, which would then show as processed.
 * Only IDs the user chose can repeat. NC_OK when none does. */
static enum nc_status
refuse_repeated_ids(struct store *s, struct nc_error *err)
{
	char *ids[3];
	size_t n = 0, i;
	enum nc_status st;

	if (!s->user_ids)
		return NC_OK;
	st = histdb_bulk_repeated_ids(s->w, ids, 3, &n, err);
	if (st == NC_OK && n > 0)
		st = nc_error_set(err, NC_E_USAGE, "transactionId", "%s%s%s%s%s%s: more than one "
		                  "event carries %s. Novu would deliver the first and drop the "
		                  "others silently; give each event its own transactionId, or none "
		                  "to have one made. Nothing was sent", ids[0], n > 1 ? ", " : "",
		                  n > 1 ? ids[1] : "", n > 2 ? ", " : "", n > 2 ? ids[2] : "",
		                  n > 2 ? ", ..." : "", n == 1 ? "it" : "each");
	for (i = 0; i < n; i++)
		free(ids[i]);
	return st;
}

/* Commit the run, or refuse it when the user chose IDs already sent or
 * gave one ID to several events. */
static enum nc_status
store_finish(struct store *s, int64_t *run_id, struct nc_error *err)
{
	size_t n = s->nrefused;
	enum nc_status st;

	if (n == 0 && (st = refuse_repeated_ids(s, err)) != NC_OK)
		return st;
	if (n == 0) {
		st = histdb_bulk_commit(s->w, run_id, err);
		s->w = NULL;
		return st;
	}
	st = nc_error_set(err, NC_E_USAGE, "transactionId", "%zu event%s carr%s a "
	                  "transactionId that History shows as sent already (%s%s): Novu "
	                  "would drop %s silently. Remove those transactionIds to have new "
	                  "ones made; nothing was sent", n, n == 1 ? "" : "s",
	                  n == 1 ? "ies" : "y", s->refused.data ? s->refused.data : "",
	                  n > 5 ? ", ..." : "", n == 1 ? "it" : "them");
	return st;
}

static enum nc_status
store_begin(const struct nc_ops *o, const char *source, struct store *s,
            struct nc_error *err)
{
	struct nc_history_entry tmpl;

	memset(s, 0, sizeof(*s));
	s->refused = (struct textbuf)TEXTBUF_INIT(0);
	if (!o->history)
		return nc_error_set(err, NC_E_IO, NULL, "the history store is not open, so "
		                    "nothing is sent: bulk runs are recorded before they leave");
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.profile = (char *)(uintptr_t)o->profile;
	tmpl.scope = (char *)(uintptr_t)o->scope;
	return histdb_bulk_begin(o->history, &tmpl, source, &s->w, err);
}

/* What is left of a store that was not committed is rolled back. */
static void
store_end(struct store *s)
{
	histdb_bulk_abort(s->w);
	textbuf_free(&s->refused);
	memset(s, 0, sizeof(*s));
}

enum nc_status
bulkrun_create(const struct nc_ops *o, const char *source, struct nc_event *evs, size_t n,
               const unsigned char *user_txid, const char *idem_key, int64_t *run_id,
               struct nc_error *err)
{
	size_t nchunks = bulk_plan_count(n), k, i;
	struct store s;
	struct chunk ch;
	enum nc_status st;

	*run_id = 0;
	if (n == 0)
		return nc_error_set(err, NC_E_INVALID, "events", "there are no events to send");
	st = store_begin(o, source, &s, err);
	for (k = 0; st == NC_OK && k < nchunks; k++) {
		bulk_plan_range(n, k, &ch.first, &ch.n);
		ch.evs = evs + ch.first;
		for (i = 0; st == NC_OK && i < ch.n; i++) {
			ch.user[i] = user_txid && user_txid[ch.first + i];
			st = prepare_event(&ch.evs[i], ch.first + i, err);
		}
		if (st == NC_OK)
			st = store_chunk(&s, &ch, nchunks == 1 ? idem_key : NULL, err);
	}
	if (st == NC_OK)
		st = store_finish(&s, run_id, err);
	store_end(&s);
	return st;
}

/* ---- creating a run from a file ---- */

/* The file's events, read a chunk ahead by one event: whether a chunk is
 * the run's only one is known before it is stored. */
struct feed {
	struct nc_event_reader *r;
	struct nc_error *err;        /* gathers the file's problems */
	struct nc_event evs[NC_MAX_BULK_EVENTS];
	struct nc_event next;
	int has_next;
	size_t count;                /* events read */
};

static int
feed_read(struct feed *f, struct nc_event *ev)
{
	if (event_reader_next_good(f->r, ev, f->err) != NC_READ_EVENT)
		return 0;
	f->count++;
	return 1;
}

/* The next chunk into ch (ch->n 0 at the end). */
static void
feed_chunk(struct feed *f, struct chunk *ch)
{
	struct nc_event *ev;

	ch->first = f->count - (size_t)f->has_next;
	ch->evs = f->evs;
	for (ch->n = 0; ch->n < NC_MAX_BULK_EVENTS; ch->n++) {
		ev = &f->evs[ch->n];
		if (f->has_next) {
			*ev = f->next;
			event_init(&f->next);
			f->has_next = 0;
		} else if (!feed_read(f, ev)) {
			break;
		}
		ch->user[ch->n] = ev->transaction_id && *ev->transaction_id;
	}
	if (ch->n == NC_MAX_BULK_EVENTS)
		f->has_next = feed_read(f, &f->next);
}

static void
feed_clear(struct feed *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		event_clear(&f->evs[i]);
}

enum nc_status
bulkrun_create_from(const struct nc_ops *o, const char *source, struct nc_event_reader *r,
                    const char *idem_key, int single, int64_t *run_id, size_t *nevents,
                    struct nc_error *err)
{
	struct feed f;
	struct store s;
	struct chunk ch;
	enum nc_status st;
	size_t i;
	int storing = 1;

	*run_id = 0;
	*nevents = 0;
	memset(&f, 0, sizeof(f));
	f.r = r;
	f.err = err;
	event_init(&f.next);
	st = store_begin(o, source, &s, err);
	while (st == NC_OK) {
		feed_chunk(&f, &ch);
		if (ch.n == 0)
			break;
		/* A bad event, or a single request that turns out to be more, ends
		 * the storing; the rest of the file is still read, for its problems
		 * and its count. */
		if (event_reader_outcome(r, err) != NC_OK || (single && f.has_next))
			storing = 0;
		for (i = 0; storing && st == NC_OK && i < ch.n; i++)
			st = prepare_event(&ch.evs[i], ch.first + i, err);
		if (storing && st == NC_OK)
			st = store_chunk(&s, &ch, ch.first == 0 && !f.has_next ? idem_key : NULL, err);
		feed_clear(&f, ch.n);
	}
	event_clear(&f.next);
	*nevents = f.count;
	if (st == NC_OK)
		st = event_reader_outcome(r, err);
	if (st == NC_OK && single && f.count > NC_MAX_BULK_EVENTS)
		st = nc_error_set(err, NC_E_USAGE, NULL, "%zu events go out as %zu requests, "
		                  "each with its own idempotency key", f.count,
		                  bulk_plan_count(f.count));
	if (st == NC_OK)
		st = store_finish(&s, run_id, err);
	store_end(&s);
	return st;
}

/* ---- sending a run ---- */

/* The transactionIds inside a stored chunk, for slots an answer leaves
 * without one. */
struct chunk_ids {
	cJSON *root;
	const char **txids;
	size_t n;
};

static void
chunk_ids_free(struct chunk_ids *ci)
{
	cJSON_Delete(ci->root);
	free(ci->txids);
	memset(ci, 0, sizeof(*ci));
}

static enum nc_status
chunk_ids_parse(const struct nc_bulk_chunk *ch, const char *body, struct chunk_ids *ci,
                struct nc_error *err)
{
	const cJSON *list, *it;
	size_t count;

	memset(ci, 0, sizeof(*ci));
	ci->root = body ? cJSON_Parse(body) : NULL;
	list = cJSON_GetObjectItemCaseSensitive(ci->root, "events");
	count = (size_t)cJSON_GetArraySize(list);
	if (!cJSON_IsArray(list) || count == 0) {
		chunk_ids_free(ci);
		return nc_error_set(err, NC_E_IO, NULL,
		                    "bulk run %lld: stored chunk %zu is damaged (no events)",
		                    (long long)ch->run_id, ch->index);
	}
	ci->txids = calloc(count, sizeof(*ci->txids));
	if (!ci->txids) {
		chunk_ids_free(ci);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	cJSON_ArrayForEach(it, list)
		ci->txids[ci->n++] = json_str(it, "transactionId");
	return NC_OK;
}

/* A chunk on its way: what its answer is read against, then the answer
 * itself until it is committed (read_answer .. settle_answer). */
struct flight {
	const struct nc_bulk_chunk *ch;
	char *body;                  /* the chunk's stored bytes, while in flight */
	struct chunk_ids ci;
	struct nc_http_request req;
	int busy;
	/* the answer, owned here until settled */
	enum nc_status st;
	struct nc_error cerr;
	struct nc_trigger_result *results;
	struct nc_send_info info;
	int settled, unknown;
	char *why;
	struct histdb_event_result ev[NC_MAX_BULK_EVENTS];
	struct histdb_chunk_outcome out;
};

/* What one turn of the send loop commits together: the answers that came
 * back and the chunks that go next. One commit (one fsync) for all of
 * them; with several in flight, answers often come back together. */
struct turn {
	struct flight *answered[NC_BULK_PARALLEL_MAX];
	size_t nanswered;
	struct flight *leaving[NC_BULK_PARALLEL_MAX];
	size_t nleaving;
};

struct run {
	const struct nc_ops *o;
	int64_t run_id;
	nc_bulk_progress_cb cb;
	void *ctx;
	struct nc_ratelimit rl;
	size_t nchunks, events_done, events_total;
	struct nc_batch *batch;
	struct flight *flights;
	int parallel;              /* the most chunks in flight */
	int answered;              /* a chunk came back: whether limits are on is known */
	int ending;                /* a failure ends the run: no new chunk starts */
	enum nc_status first;      /* the first failure, described by first_err */
	struct nc_error first_err;
};

static void
report(struct run *r, const struct nc_bulk_chunk *ch, size_t nevents, long waiting_ms,
       enum nc_status st, int unknown, int queued, const struct nc_trigger_result *results,
       const char *body, const char *const *txids, const struct nc_error *cerr)
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
	p.chunk_unknown = unknown;
	p.chunk_queued = queued;
	p.results = results;
	p.nresults = nevents;
	p.first_event = ch->index * NC_MAX_BULK_EVENTS;
	p.response_body = body;
	p.txids = txids;
	p.error = st == NC_OK ? NULL : cerr;
	r->cb(r->ctx, &p);
}

/* The first failure is the one returned; ends_run stops new chunks (those
 * in flight still finish and are recorded). */
static void
note_failure(struct run *r, enum nc_status st, const struct nc_error *e, int ends_run)
{
	if (r->first == NC_OK) {
		r->first = st;
		nc_error_clear(&r->first_err);
		if (e)
			nc_error_copy(&r->first_err, e);
		if (!r->first_err.message)
			nc_error_set(&r->first_err, st, NULL, "%s", nc_status_message(st));
	}
	if (ends_run)
		r->ending = 1;
}

static void
note_stopped(struct run *r)
{
	struct nc_error e = NC_ERROR_INIT;

	nc_error_set(&e, NC_E_ABORTED, NULL, "stopped by the user");
	note_failure(r, NC_E_ABORTED, &e, 1);
	nc_error_clear(&e);
}

/* How long before `in_flight + 1` bulk requests are paid for, by what the
 * last answer said was left: the ones in flight may not have been counted
 * yet, so they are counted again (a wait too many beats a 429). */
static long
token_wait_ms(struct run *r, int in_flight)
{
	return ratelimit_wait_ms(&r->rl, (long)BULK_COST * (in_flight + 1), ratelimit_now_ms());
}

/* The first chunk goes alone: until an answer says whether limits are on,
 * several at once could all run into 429s on a small plan. So does one
 * after the figures went stale: how far the bucket refilled is unknown. */
static int
may_start(struct run *r, int in_flight)
{
	int cap = r->answered && !ratelimit_stale(&r->rl, ratelimit_now_ms()) ? r->parallel : 1;

	return in_flight < cap && token_wait_ms(r, in_flight) == 0;
}

/* Nothing in flight and the bucket cannot pay: wait for tokens; -1 when
 * stopped. */
static int
wait_for_tokens(struct run *r, const struct nc_bulk_chunk *ch)
{
	/* At most the client's per-wait cap: a reset further off (or a bogus
	 * one) is not waited out in one go; the chunk then goes, and a 429 it
	 * may still draw is waited and retried by the client. */
	long wait = client_cap_wait_ms(r->o->client, token_wait_ms(r, 0));

	if (wait <= 0)
		return 0;
	report(r, ch, 0, wait, NC_OK, 0, 0, NULL, NULL, NULL, NULL);
	if (client_sleep(r->o->client, wait) != 0)
		return -1;
	/* Waited what was asked (or the cap): the figures are stale. The next
	 * chunk goes alone, as the first did, and its answer says what is
	 * left. */
	ratelimit_init(&r->rl);
	r->answered = 0;
	return 0;
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

/* The outcome to commit for the chunk's answer (f->st, f->results). */
static void
outcome_make(struct flight *f)
{
	struct histdb_chunk_outcome *o = &f->out;
	const struct nc_error *cerr = &f->cerr;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->chunk_id = f->ch->id;
	o->http_status = f->info.http_status ? f->info.http_status : cerr->http_status;
	o->response_json = f->info.response_body ? f->info.response_body : cerr->raw_body;
	f->settled = f->st == NC_OK || chunk_refused_for_good(f->st, cerr->http_status);
	o->settled = f->settled;
	if (f->st == NC_OK) {
		for (i = 0; i < f->ci.n && i < NC_MAX_BULK_EVENTS; i++) {
			f->ev[i].status = f->results[i].status;
			f->ev[i].error = f->results[i].error;
			f->ev[i].transaction_id = f->results[i].transaction_id;
		}
		o->results = f->ev;
		o->nresults = i;
	} else if (f->unknown) {
		o->status = HISTDB_UNKNOWN;
		f->why = nc_asprintf("no answer (%s): it may have been accepted; resuming the run "
		                     "resends it with the same key and bytes",
		                     cerr->message ? cerr->message : "stopped");
		o->error = f->why;
	} else {
		/* The server turned it away: refused for good, or to go again. */
		o->status = f->settled ? NULL : HISTDB_QUEUED;
		o->error = cerr->message;
	}
}

/* A chunk came back (answered, refused, lost or stopped): read its answer
 * into f, ready to commit. Takes *cerr (left cleared). */
static void
read_answer(struct run *r, struct flight *f, enum nc_status sent,
            const struct nc_http_response *resp, struct nc_error *cerr)
{
	f->cerr = *cerr;
	*cerr = (struct nc_error)NC_ERROR_INIT;
	f->st = api_bulk_answer(sent, &f->req, resp, f->ci.txids, f->ci.n, &f->results,
	                        &f->info, &f->cerr);
	ratelimit_observe_lowest(&r->rl, f->info.ratelimit_limit, f->info.ratelimit_remaining,
	                         f->info.ratelimit_reset, ratelimit_now_ms());
	r->answered = 1;
	f->unknown = f->st != NC_OK && ops_answer_unknown(f->st, f->cerr.http_status);
	outcome_make(f);
	/* Noted now, not when committed: a failure that ends the run must
	 * keep the chunks of this same turn from going. */
	if (f->st != NC_OK)
		note_failure(r, f->st, &f->cerr, !f->settled);
}

static void
results_free(struct nc_trigger_result *results, size_t n)
{
	size_t i;

	for (i = 0; results && i < n; i++)
		trigger_result_clear(&results[i]);
	free(results);
}

static void
flight_clear(struct flight *f)
{
	results_free(f->results, f->ci.n);
	send_info_clear(&f->info);
	nc_error_clear(&f->cerr);
	free(f->why);
	chunk_ids_free(&f->ci);
	free(f->body);
	memset(f, 0, sizeof(*f));
}

/* After the commit: report the answer, free the flight. (A failed commit
 * is noted by the caller, once for the whole turn.) */
static void
settle_answer(struct run *r, struct flight *f)
{
	if (f->st == NC_OK)
		r->events_done += f->ci.n;
	report(r, f->ch, f->ci.n, 0, f->st, f->unknown, f->st != NC_OK && !f->unknown &&
	       !f->settled, f->results, f->info.response_body, f->ci.txids, &f->cerr);
	flight_clear(f);
}

static struct flight *
free_flight(struct run *r)
{
	int i;

	for (i = 0; i < 2 * r->parallel; i++)
		if (!r->flights[i].busy)
			return &r->flights[i];
	return NULL;
}

/* Read the chunk's stored bytes into a free flight; 0 when it can go. */
static int
flight_prepare(struct run *r, struct flight *f, const struct nc_bulk_chunk *ch)
{
	struct nc_error e = NC_ERROR_INIT;
	enum nc_status st;

	/* Read when it goes, not with the run: a run's bodies together would
	 * be the whole file again. */
	st = histdb_bulk_chunk_body(r->o->history, ch->id, &f->body, &e);
	if (st == NC_OK)
		st = chunk_ids_parse(ch, f->body, &f->ci, &e);
	if (st) {
		flight_clear(f);
		note_failure(r, st, &e, 1);
		nc_error_clear(&e);
		return -1;
	}
	f->ch = ch;
	f->busy = 1;
	f->cerr = (struct nc_error)NC_ERROR_INIT;
	return 0;
}

/* Put a chunk recorded as leaving on the wire. */
static void
flight_start(struct run *r, struct flight *f)
{
	struct nc_http_response none;
	struct nc_error e = NC_ERROR_INIT, herr = NC_ERROR_INIT;
	enum nc_status st, rst;

	f->req = api_bulk_request(f->body, f->ch->idempotency_key);
	st = client_batch_start(r->batch, &f->req, f, &e);
	if (st == NC_OK)
		return;
	/* Recorded as leaving but never left: back to queued. */
	memset(&none, 0, sizeof(none));
	http_response_clear(&none);   /* no answer: no status, no figures */
	read_answer(r, f, st, &none, &e);
	rst = histdb_bulk_record(r->o->history, &f->out, 1, NULL, 0, &herr);
	if (rst != NC_OK)   /* History that cannot be written: send nothing more */
		note_failure(r, rst, &herr, 1);
	settle_answer(r, f);
	nc_error_clear(&herr);
	nc_error_clear(&e);
}

/* Gather every answer there is: wait up to wait_ms for the first, then
 * take those that are back already. */
static void
collect_answers(struct run *r, struct turn *t, long wait_ms)
{
	struct nc_batch_done done;

	while (t->nanswered < NC_BULK_PARALLEL_MAX && client_batch_in_flight(r->batch) > 0 &&
	       client_batch_next(r->batch, wait_ms, &done)) {
		read_answer(r, done.tag, done.status, &done.resp, &done.err);
		http_response_clear(&done.resp);
		t->answered[t->nanswered++] = done.tag;
		wait_ms = 0;
	}
}

/* The next chunk that may go now, or NULL. */
static const struct nc_bulk_chunk *
next_to_start(struct run *r, const struct turn *t, const struct nc_bulk_chunk *chunks,
              size_t n, size_t *next)
{
	while (*next < n && chunks[*next].done)
		(*next)++;
	if (r->ending || *next >= n || t->nleaving >= NC_BULK_PARALLEL_MAX ||
	    !may_start(r, client_batch_in_flight(r->batch) + (int)t->nleaving))
		return NULL;
	return &chunks[*next];
}

/* Commit the turn, then report its answers and put its chunks on the
 * wire. History that cannot be written sends nothing more. */
static void
commit_turn(struct run *r, struct turn *t)
{
	struct histdb_chunk_outcome out[NC_BULK_PARALLEL_MAX];
	int64_t ids[NC_BULK_PARALLEL_MAX];
	struct nc_error herr = NC_ERROR_INIT;
	enum nc_status rst;
	size_t i;

	for (i = 0; i < t->nanswered; i++)
		out[i] = t->answered[i]->out;
	for (i = 0; i < t->nleaving; i++)
		ids[i] = t->leaving[i]->ch->id;
	rst = histdb_bulk_record(r->o->history, out, t->nanswered, ids, t->nleaving, &herr);
	if (rst != NC_OK)   /* History that cannot be written: send nothing more */
		note_failure(r, rst, &herr, 1);
	for (i = 0; i < t->nanswered; i++)
		settle_answer(r, t->answered[i]);
	for (i = 0; i < t->nleaving; i++) {
		if (rst == NC_OK)
			flight_start(r, t->leaving[i]);
		else
			flight_clear(t->leaving[i]);
	}
	nc_error_clear(&herr);
}

/* Chunks go in order, up to r->parallel at a time as the bucket allows; a
 * failure that ends the run lets those in flight finish and be recorded.
 * Each turn takes the answers that are back, picks the chunks that may go
 * next, and commits both at once before anything more leaves. */
static void
send_chunks(struct run *r, const struct nc_bulk_chunk *chunks, size_t n)
{
	const struct nc_bulk_chunk *ch;
	struct turn t;
	struct flight *f;
	size_t next = 0;

	for (;;) {
		memset(&t, 0, sizeof(t));
		while (next < n && chunks[next].done)
			next++;
		if (!r->ending && next < n && client_aborted(r->o->client))
			note_stopped(r);
		/* Wait for an answer only when nothing can go meanwhile. */
		collect_answers(r, &t, next_to_start(r, &t, chunks, n, &next) ? 0 : AWAIT_SLICE_MS);
		while ((ch = next_to_start(r, &t, chunks, n, &next)) && (f = free_flight(r))) {
			next++;
			if (flight_prepare(r, f, ch) == 0)
				t.leaving[t.nleaving++] = f;
		}
		if (t.nanswered > 0 || t.nleaving > 0)
			commit_turn(r, &t);
		else if (client_batch_in_flight(r->batch) > 0)
			continue;
		else if (r->ending || next >= n)
			return;
		else if (wait_for_tokens(r, &chunks[next]) != 0)
			note_stopped(r);
	}
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
		count = chunks[i].nevents;
		r->events_total += count;
		if (chunks[i].done)
			r->events_done += count;
	}
}

static enum nc_status
run_open(struct run *r, int parallel, struct nc_error *err)
{
	r->parallel = parallel < 1 ? NC_BULK_PARALLEL_DEFAULT
	              : parallel > NC_BULK_PARALLEL_MAX ? NC_BULK_PARALLEL_MAX : parallel;
	/* Twice as many as may be in flight: answers waiting for their commit
	 * keep theirs while the chunks going next take others. */
	r->flights = calloc(2 * (size_t)r->parallel, sizeof(*r->flights));
	if (!r->flights)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return client_batch_new(r->o->client, r->parallel, &r->batch, err);
}

static void
run_close(struct run *r)
{
	client_batch_free(r->batch);
	free(r->flights);
	nc_error_clear(&r->first_err);
}

/* Take run_id for this process; NC_E_USAGE when another one is sending it. */
static enum nc_status
claim_run(const struct nc_ops *o, int64_t run_id, struct nc_error *err)
{
	long holder = 0;
	enum nc_status st = histdb_bulk_claim(o->history, run_id, &holder, err);

	if (st || !holder)
		return st;
	return holder > 0
	       ? nc_error_set(err, NC_E_USAGE, NULL, "bulk run %lld is being sent by process "
	                      "%ld; wait for it to finish", (long long)run_id, holder)
	       : nc_error_set(err, NC_E_USAGE, NULL, "bulk run %lld is being sent by another "
	                      "process; wait for it to finish", (long long)run_id);
}

enum nc_status
bulkrun_drop(const struct nc_ops *o, int64_t run_id, size_t *dropped, size_t *unknown,
             struct nc_error *err)
{
	enum nc_status st;

	*dropped = *unknown = 0;
	if (!o->history)
		return nc_error_set(err, NC_E_IO, NULL, "the history store is not open");
	if ((st = claim_run(o, run_id, err)) != NC_OK)
		return st;
	st = histdb_bulk_drop(o->history, run_id, dropped, unknown, err);
	histdb_bulk_release(o->history, run_id);
	return st;
}

enum nc_status
bulkrun_send(const struct nc_ops *o, int64_t run_id, int parallel, nc_bulk_progress_cb cb,
             void *ctx, struct nc_error *err)
{
	struct run r;
	struct nc_bulk_chunk *chunks = NULL;
	enum nc_status st;
	size_t n = 0, i;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.run_id = run_id;
	r.cb = cb;
	r.ctx = ctx;
	r.first_err = (struct nc_error)NC_ERROR_INIT;
	ratelimit_init(&r.rl);
	if (!o->history)
		return nc_error_set(err, NC_E_IO, NULL, "the history store is not open");
	if ((st = ops_may_send(o, err)) != NC_OK)
		return st;
	if ((st = claim_run(o, run_id, err)) != NC_OK)
		return st;
	st = histdb_bulk_pending(o->history, run_id, &chunks, &n, err);
	if (st == NC_OK)
		st = run_open(&r, parallel, err);
	if (st == NC_OK) {
		run_totals(&r, chunks, n);
		send_chunks(&r, chunks, n);
		st = r.first;
		if (st && err) {
			nc_error_clear(err);
			nc_error_copy(err, &r.first_err);
		}
	}
	run_close(&r);
	for (i = 0; i < n; i++)
		bulk_chunk_clear(&chunks[i]);
	free(chunks);
	histdb_bulk_release(o->history, run_id);
	return st;
}
