/* commands.c - the headless subcommands: trigger, broadcast, bulk, cancel,
 * history, and the read-only lists. Each returns the process exit code. */
#include "commands.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulkrun.h"
#include "import.h"
#include "jsonutil.h"
#include "termsafe.h"

#define HISTORY_DEFAULT_LIMIT 20
#define LIST_DEFAULT_LIMIT 50

int
cli_open_session(struct cli_ctx *c, int offline)
{
	struct nc_session_options so = { 0 };
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st;
	int rc = 0;

	so.profile = c->profile;
	so.api_url = c->api_url;
	so.offline = offline;
	so.max_wait_ms = c->max_wait_ms;
	st = session_open(&c->session, &so, &err);
	if (st) {
		rc = cli_report_error(c, st, &err);
		session_close(&c->session);
	} else {
		c->session_open = 1;
		if (c->session.client && !c->tui)
			client_set_retry_callback(c->session.client, cli_print_retry, c);
		/* A script must be able to tell that nothing reached Novu. */
		if (c->session.sandbox && !c->tui)
			fprintf(c->err, "novu-console: note: no key is configured, so this runs "
			                "against the local sandbox at %s; nothing reaches Novu "
			                "(set NOVU_SECRET_KEY or a profile)\n",
			        c->session.profile.api_url);
		if (c->session.history_note)
			fprintf(c->err, "novu-console: note: %s\n", c->session.history_note);
	}
	nc_error_clear(&err);
	return rc;
}

/* ---- trigger and broadcast ---- */

static int
set_json_field(struct cli_ctx *c, char **slot, const char *arg, const char *field)
{
	struct nc_error err = NC_ERROR_INIT;
	char *text;
	int rc = 0;

	if (!arg)
		return 0;
	text = cli_read_arg_text(arg, field, &err);
	if (!text)
		rc = cli_report_error(c, NC_E_USAGE, &err);
	free(*slot);
	*slot = text;
	nc_error_clear(&err);
	return rc;
}

static int
fill_event(struct cli_ctx *c)
{
	int rc;

	if (nc_strset(&c->ev.workflow, c->args[0]))
		return 1;
	rc = set_json_field(c, &c->ev.payload_json, c->payload, "--payload");
	if (!rc)
		rc = set_json_field(c, &c->ev.overrides_json, c->overrides, "--overrides");
	if (!rc)
		rc = set_json_field(c, &c->ev.context_json, c->context, "--context");
	return rc;
}

/* Client-side checks; nothing is sent (and no sandbox started) on failure. */
static int
precheck_event(struct cli_ctx *c, enum nc_event_use use)
{
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st = event_validate(&c->ev, use, NULL, &err);
	int rc = 0;

	if (!st)
		st = idempotency_key_validate(c->idempotency_key, &err);
	if (st)
		rc = cli_report_error(c, st, &err);
	nc_error_clear(&err);
	return rc;
}

static int
print_dry_run(struct cli_ctx *c, enum nc_status st, struct nc_prepared *p,
              struct nc_error *err)
{
	struct nc_http_request req;
	char *dump;

	if (st)
		return cli_report_error(c, st, err);
	if (!c->session.profile.secret_key)
		fprintf(c->err, "novu-console: note: no key is configured, so a real send would "
		                "go to the local sandbox, not to the URL below\n");
	req = prepared_request(p);
	dump = client_dump_request(c->session.client, &req);
	if (!dump)
		return 1;
	fputs(dump, c->out);
	free(dump);
	return 0;
}

static int
refuse_read_only(struct cli_ctx *c)
{
	if (!c->session.profile.read_only)
		return 0;
	fprintf(c->err, "novu-console: profile '%s' is read-only: it can read and cancel but "
	                "never send (set read_only = false in %s to allow sending)\n",
	        c->session.profile.name,
	        c->session.profile.path ? c->session.profile.path : "its file");
	return nc_status_exit_code(NC_E_READONLY);
}

/* JSON text printed for --json: still valid JSON, terminal-safe. */
static void
print_json_text(struct cli_ctx *c, char *printed)
{
	char *safe = term_safe_json(printed);

	if (safe)
		fprintf(c->out, "%s\n", safe);
	free(safe);
	free(printed);
}

static void
print_json_body(struct cli_ctx *c, const char *body)
{
	cJSON *root = body ? cJSON_Parse(body) : NULL;
	char *text = root ? cJSON_Print(json_unwrap_data(root)) : NULL;

	if (text)
		print_json_text(c, text);
	else if (body)   /* not JSON: shown as text, defused */
		term_printf(c->out, "%s\n", body);
	cJSON_Delete(root);
}

/* Before the request leaves: the ID first, flushed, so even a killed
 * process has told the user what to check or cancel. */
static void
print_leaving_txid(void *ctx, const char *txid)
{
	struct cli_ctx *c = ctx;

	if (c->json)
		term_printf(c->err, "novu-console: sending transactionId %s\n", txid);
	else
		term_printf(c->out, "%s\n", txid);
	fflush(c->out);
	fflush(c->err);
}

static void
send_request_init(struct cli_ctx *c, int broadcast, struct nc_send_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->kind = broadcast ? NC_SEND_BROADCAST : NC_SEND_TRIGGER;
	rq->ev = &c->ev;
	rq->txid_origin = c->ev.transaction_id && *c->ev.transaction_id ? NC_ID_USER : NC_ID_AUTO;
	rq->idempotency_key = c->idempotency_key;
	rq->key_origin = NC_ID_USER;
	rq->leaving = print_leaving_txid;
	rq->ctx = c;
}

static int
report_send(struct cli_ctx *c, enum nc_status st, const struct nc_send_outcome *out,
            struct nc_error *err)
{
	if (out->replaced_txid)
		term_printf(c->err, "novu-console: note: transactionId %s was sent before; this send "
		        "uses %s\n", out->replaced_txid, c->ev.transaction_id);
	if (out->retry_of_row)
		term_printf(c->err, "novu-console: note: the same request with the same key is in "
		        "History (#%lld): sent again as a retry, so Novu replays it rather than "
		        "delivering twice\n", (long long)out->history_id);
	if (st == NC_OK && c->json) {
		print_json_body(c, out->info.response_body);
	} else if (st == NC_OK) {
		term_printf(c->out, "status: %s\n", out->res.status ? out->res.status : "(none)");
	} else {
		if (out->result == NC_SEND_UNKNOWN)
			term_printf(c->err, "novu-console: no answer for transactionId %s: it may have "
			        "been accepted; run the same command again to retry it safely, or "
			        "check with: novu-console status %s\n", c->ev.transaction_id,
			        c->ev.transaction_id);
		return cli_report_error(c, st, err);
	}
	if (err->message)   /* sent, but History could not keep the answer */
		term_printf(c->err, "novu-console: warning: %s\n", err->message);
	if (out->result == NC_SEND_PROCESSED)
		return 0;
	term_printf(c->err, "novu-console: the API accepted the request but did not process it: "
	                "status %s%s%s\n", out->res.status ? out->res.status : "(none)",
	        out->res.error ? ": " : "", out->res.error ? out->res.error : "");
	return nc_status_exit_code(NC_E_API);
}

static int
send_event(struct cli_ctx *c, int broadcast)
{
	struct nc_send_outcome out;
	struct nc_send_request rq;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_prepared prep = { 0 };
	struct nc_ops ops;
	enum nc_status st;
	int rc;

	rc = precheck_event(c, broadcast ? NC_USE_BROADCAST : NC_USE_TRIGGER);
	if (!rc)
		rc = cli_open_session(c, c->dry_run);
	if (rc)
		return rc;
	send_request_init(c, broadcast, &rq);
	if (c->dry_run) {
		rc = print_dry_run(c, ops_prepare(&rq, &prep, &err), &prep, &err);
		prepared_clear(&prep);
		nc_error_clear(&err);
		return rc;
	}
	rc = refuse_read_only(c);
	if (rc)
		return rc;
	session_ops(&c->session, &ops);
	st = ops_send_event(&ops, &rq, &out, &err);
	rc = report_send(c, st, &out, &err);
	send_outcome_clear(&out);
	nc_error_clear(&err);
	return rc;
}

int
cmd_trigger(struct cli_ctx *c)
{
	int rc = fill_event(c);

	if (!rc && c->check)
		return cli_check_payload(c);
	return rc ? rc : send_event(c, 0);
}

int
cmd_broadcast(struct cli_ctx *c)
{
	int rc = fill_event(c);

	if (rc)
		return rc;
	if (c->ev.nto) {
		fprintf(c->err, "novu-console: broadcast sends to every subscriber; it takes no "
		                "--to or --topic (use trigger for chosen recipients)\n");
		return 2;
	}
	if (!c->yes && !c->dry_run) {
		fprintf(c->err, "novu-console: broadcast reaches every subscriber of the "
		                "environment; add --yes to send it (or --dry-run to see the request)\n");
		return 2;
	}
	return send_event(c, 1);
}

/* ---- bulk ---- */

/* bulk --dry-run prints every request, so it holds the file's events; a
 * real run streams them (bulk_store). */
struct bulk_events {
	struct nc_event *evs;
	size_t n;
};

static void
bulk_events_free(struct bulk_events *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		event_clear(&b->evs[i]);
	free(b->evs);
	memset(b, 0, sizeof(*b));
}

/* One key or one printed answer cannot cover several requests. */
static enum nc_status
refuse_several_requests(struct cli_ctx *c, size_t n, struct nc_error *err)
{
	nc_error_clear(err);
	return nc_error_set(err, NC_E_USAGE, NULL,
	                    "%zu events go out as %zu requests, each with its own "
	                    "idempotency key and printed line by line: drop %s",
	                    n, bulk_plan_count(n),
	                    c->idempotency_key ? "--idempotency-key" : "--json");
}

static enum nc_status
bulk_check(struct cli_ctx *c, struct bulk_events *b, struct nc_error *err)
{
	if (b->n > NC_MAX_BULK_EVENTS && (c->idempotency_key || c->json))
		return refuse_several_requests(c, b->n, err);
	return idempotency_key_validate(c->idempotency_key, err);
}

/* A file that cannot be read is the user's to fix: exit 2. */
static int
bulk_report(struct cli_ctx *c, enum nc_status st, struct nc_error *err)
{
	int rc = cli_report_error(c, st == NC_E_IO ? NC_E_USAGE : st, err);

	nc_error_clear(err);
	return rc;
}

static int
bulk_load(struct cli_ctx *c, struct bulk_events *b)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_import_options opts = { NULL, 1 };   /* every event validated */
	enum nc_status st = import_events_file(c->args[0], &opts, &b->evs, &b->n, &err);

	if (!st)
		st = bulk_check(c, b, &err);
	return st ? bulk_report(c, st, &err) : 0;
}

static int
bulk_dry_run(struct cli_ctx *c, struct bulk_events *b)
{
	size_t k, nreq = bulk_plan_count(b->n), start, count;
	struct nc_prepared prep;
	struct nc_error err = NC_ERROR_INIT;
	int rc = 0;

	fprintf(c->out, "# %zu events in %zu request%s of at most %d\n", b->n, nreq,
	        nreq == 1 ? "" : "s", NC_MAX_BULK_EVENTS);
	for (k = 0; k < nreq && !rc; k++) {
		bulk_plan_range(b->n, k, &start, &count);
		memset(&prep, 0, sizeof(prep));
		fprintf(c->out, "# request %zu/%zu: events %zu-%zu\n", k + 1, nreq, start,
		        start + count - 1);
		rc = print_dry_run(c, api_prepare_bulk(b->evs + start, count,
		                                       nreq == 1 ? c->idempotency_key : NULL,
		                                       &prep, &err),
		                   &prep, &err);
		prepared_clear(&prep);
		nc_error_clear(&err);
	}
	return rc;
}

static void
print_bulk_line(struct cli_ctx *c, size_t index, const char *status, const char *txid,
                const char *error)
{
	fprintf(c->out, "%zu\t", index);
	term_put_field(status ? status : "(none)", c->out);
	fputc('\t', c->out);
	term_put_field(txid ? txid : "-", c->out);
	if (error) {
		fputc('\t', c->out);
		term_put_field(error, c->out);
	}
	fputc('\n', c->out);
}

struct bulk_progress_ctx {
	struct cli_ctx *c;
	size_t failed, unknown, queued;
};

/* One line per event of the chunk, answered or not. A request turned away
 * for now leaves its events "queued" (bulk --resume sends them), never
 * "failed": a script must not send those again itself. */
static void
print_chunk_lines(struct bulk_progress_ctx *bp, const struct nc_bulk_progress *p)
{
	const char *status = p->chunk_unknown ? HISTDB_UNKNOWN :
	                     p->chunk_queued ? HISTDB_QUEUED : "failed";
	const char *why = p->error && p->error->message ? p->error->message : NULL;
	size_t i;

	for (i = 0; i < p->nresults; i++) {
		const struct nc_trigger_result *r = p->results ? &p->results[i] : NULL;
		const char *tx = r && r->transaction_id ? r->transaction_id
		                 : p->txids ? p->txids[i] : NULL;

		if (!bp->c->json)   /* --json prints the answer instead */
			print_bulk_line(bp->c, p->first_event + i, r ? r->status : status, tx,
			                r ? r->error : why);
		if (r && trigger_result_ok(r))
			continue;
		if (!r && p->chunk_unknown)
			bp->unknown++;
		else if (!r && p->chunk_queued)
			bp->queued++;
		else
			bp->failed++;
	}
}

static void
bulk_progress(void *ctx, const struct nc_bulk_progress *p)
{
	struct bulk_progress_ctx *bp = ctx;

	if (p->waiting_ms > 0) {
		fprintf(bp->c->err, "novu-console: waiting %.1f s for rate-limit tokens\n",
		        (double)p->waiting_ms / 1000.0);
		return;
	}
	print_chunk_lines(bp, p);
	if (bp->c->json && p->chunk_status == NC_OK)
		print_json_body(bp->c, p->response_body);
	fflush(bp->c->out);
	fprintf(bp->c->err, "novu-console: request %zu/%zu %s (%zu/%zu events)\n", p->chunk + 1,
	        p->nchunks, p->chunk_status == NC_OK ? "sent" : p->chunk_unknown ?
	        "got no answer" : p->chunk_queued ? "turned away for now (queued)" : "failed",
	        p->events_done, p->events_total);
}

/* The file into a stored run, read and checked a chunk at a time: a file
 * of any size costs one chunk's memory, and nothing leaves before all of
 * it is stored. */
static int
bulk_store(struct cli_ctx *c, const struct nc_ops *ops, int64_t *run_id)
{
	struct nc_import_options opts = { NULL, 1 };   /* every event validated */
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event_reader *r = NULL;
	int single = c->idempotency_key || c->json;
	enum nc_status st = idempotency_key_validate(c->idempotency_key, &err);
	size_t n = 0;
	int rc;

	if (!st)
		st = event_reader_open_file(&r, c->args[0], &opts, &err);
	if (st)
		return bulk_report(c, st, &err);
	st = bulkrun_create_from(ops, c->args[0], r, c->idempotency_key, single, run_id, &n,
	                         &err);
	event_reader_close(r);
	if (st == NC_E_USAGE && single && n > NC_MAX_BULK_EVENTS)
		st = refuse_several_requests(c, n, &err);
	if (!st)
		return 0;
	rc = cli_report_error(c, st, &err);
	nc_error_clear(&err);
	return rc;
}

static int
bulk_run(struct cli_ctx *c, int64_t run_id)
{
	struct bulk_progress_ctx bp = { c, 0, 0, 0 };
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st = NC_OK;
	struct nc_ops ops;
	int rc;

	session_ops(&c->session, &ops);
	if (!run_id && (rc = bulk_store(c, &ops, &run_id)) != 0)
		return rc;
	st = bulkrun_send(&ops, run_id, c->parallel, bulk_progress, &bp, &err);
	if (st) {
		rc = cli_report_error(c, st, &err);
		fprintf(c->err, "novu-console: bulk run %lld stopped; events already sent are "
		        "not sent again by: novu-console bulk --resume\n", (long long)run_id);
	} else {
		rc = bp.failed ? nc_status_exit_code(NC_E_API) : 0;
		if (bp.failed)
			fprintf(c->err, "novu-console: %zu events were not processed\n", bp.failed);
	}
	nc_error_clear(&err);
	return rc;
}

/* The newest unfinished run of this environment (*run_id), or an exit
 * code: 2 when there is none to `what` ("resume", "drop"). */
static int
last_unfinished_run(struct cli_ctx *c, const char *what, int64_t *run_id)
{
	struct nc_error err = NC_ERROR_INIT;
	char *scope;
	int rc = cli_open_session(c, 0);

	*run_id = 0;
	if (rc)
		return rc;
	if (!c->session.history) {
		fprintf(c->err, "novu-console: the history store could not be opened\n");
		return 1;
	}
	scope = session_run_scope(&c->session);
	if (!scope) {
		rc = 1;
	} else if (histdb_bulk_last_unfinished(c->session.history, scope,
	                                       c->session.profile.name, run_id, &err) != NC_OK) {
		rc = cli_report_error(c, NC_E_IO, &err);
	} else if (!*run_id) {
		fprintf(c->err, "novu-console: there is no unfinished bulk run of profile '%s' (%s) "
		                "to %s\n", c->session.profile.name, c->session.profile.api_url, what);
		rc = 2;
	}
	free(scope);
	nc_error_clear(&err);
	return rc;
}

static int
bulk_resume(struct cli_ctx *c)
{
	int64_t run_id;
	int rc = last_unfinished_run(c, "resume", &run_id);

	return rc ? rc : bulk_run(c, run_id);
}

/* Give up the last stopped run: what never left is never sent. */
static int
bulk_drop(struct cli_ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_ops ops;
	size_t dropped = 0, unknown = 0;
	enum nc_status st;
	int64_t run_id;
	int rc = last_unfinished_run(c, "drop", &run_id);

	if (rc)
		return rc;
	session_ops(&c->session, &ops);
	st = bulkrun_drop(&ops, run_id, &dropped, &unknown, &err);
	if (st != NC_OK) {
		rc = cli_report_error(c, st, &err);
		nc_error_clear(&err);
		return rc;
	}
	fprintf(c->out, "bulk run %lld dropped: %zu events never sent are recorded as dropped "
	        "and will not be sent\n", (long long)run_id, dropped);
	if (unknown)
		fprintf(c->out, "%zu events whose request left without an answer stay unknown: "
		        "Novu may have them (novu-console status TRANSACTION_ID asks)\n", unknown);
	return 0;
}

int
cmd_bulk(struct cli_ctx *c)
{
	struct bulk_events b = { NULL, 0 };
	int rc;

	if (c->drop) {
		if (c->nargs || c->resume) {
			fprintf(c->err, "novu-console: --drop gives up the last unfinished run; "
			                "it takes no FILE and no --resume\n");
			return 2;
		}
		return bulk_drop(c);
	}
	if (c->resume) {
		if (c->nargs)
			fprintf(c->err, "novu-console: --resume continues the last unfinished run; "
			                "ignoring %s\n", c->args[0]);
		return bulk_resume(c);
	}
	if (c->nargs != 1) {
		fprintf(c->err, "novu-console: bulk needs a FILE (or - for standard input)\n"
		                "usage: novu-console bulk FILE|- [--dry-run] [--json] [--parallel N]\n"
		                "       novu-console bulk --resume [--parallel N] | bulk --drop\n");
		return 2;
	}
	if (c->dry_run) {
		rc = bulk_load(c, &b);
		if (!rc)
			rc = cli_open_session(c, 1);
		if (!rc)
			rc = bulk_dry_run(c, &b);
		bulk_events_free(&b);
		return rc;
	}
	rc = cli_open_session(c, 0);
	if (!rc)
		rc = refuse_read_only(c);
	return rc ? rc : bulk_run(c, 0);
}

/* ---- cancel ---- */

static void
print_cancel_json(struct cli_ctx *c, const char *txid, int cancelled)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(o, "transactionId", txid);
	cJSON_AddBoolToObject(o, "cancelled", cancelled);
	text = cJSON_PrintUnformatted(o);
	if (text)
		print_json_text(c, text);
	cJSON_Delete(o);
}

int
cmd_cancel(struct cli_ctx *c)
{
	const char *txid = c->args[0];
	struct nc_cancel_outcome out = { 0 };
	struct nc_ops ops;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_prepared prep = { 0 };
	enum nc_status st;
	int cancelled = 0, rc;

	if (!*txid) {
		fprintf(c->err, "novu-console: the transaction ID is empty; give the ID a trigger "
		                "printed (see novu-console history)\n");
		return 2;
	}
	rc = cli_open_session(c, c->dry_run);
	if (rc)
		return rc;
	if (c->dry_run) {
		rc = print_dry_run(c, api_prepare_cancel(txid, &prep, &err), &prep, &err);
		prepared_clear(&prep);
		nc_error_clear(&err);
		return rc;
	}
	session_ops(&c->session, &ops);
	st = ops_cancel(&ops, txid, &out, &err);
	cancelled = out.cancelled;
	if (st)
		rc = cli_report_error(c, st, &err);
	else if (c->json)
		print_cancel_json(c, txid, cancelled);
	else if (cancelled)
		term_printf(c->out, "cancelled %s\n", txid);
	else
		term_printf(c->out, "nothing pending for %s (already delivered, unknown, or not yet "
		                "picked up by Novu's worker)\n", txid);
	cancel_outcome_clear(&out);
	nc_error_clear(&err);
	return rc;
}

/* ---- history ---- */

static void
format_time(int64_t ms, char *buf, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, cap, "?");
}

static void
add_str(cJSON *o, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(o, key, value);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *
history_entry_json(const struct nc_history_entry *e)
{
	cJSON *o = cJSON_CreateObject();
	char when[32];

	format_time(e->time_ms, when, sizeof(when));
	cJSON_AddNumberToObject(o, "id", (double)e->id);
	cJSON_AddStringToObject(o, "time", when);
	add_str(o, "profile", e->profile);
	add_str(o, "kind", e->kind);
	add_str(o, "workflow", e->workflow);
	add_str(o, "recipients", e->recipients);
	add_str(o, "transactionId", e->transaction_id);
	add_str(o, "idempotencyKey", e->idempotency_key);
	cJSON_AddNumberToObject(o, "httpStatus", (double)e->http_status);
	add_str(o, "status", e->response_status);
	add_str(o, "error", e->error);
	add_str(o, "cancel", e->cancel_outcome);
	return o;
}

static void
history_row_defuse(struct nc_history_entry *e)
{
	char *const fields[] = { e->profile, e->kind, e->workflow, e->recipients,
	                         e->transaction_id, e->response_status, e->error,
	                         e->cancel_outcome };
	size_t k;

	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		term_defuse(fields[k], TERM_FIELD);
}

static void
print_history(struct cli_ctx *c, struct nc_history_entry *rows, size_t n)
{
	cJSON *arr;
	char *text, when[32];
	size_t i;

	if (c->json) {
		arr = cJSON_CreateArray();
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, history_entry_json(&rows[i]));
		text = cJSON_Print(arr);
		if (text)
			print_json_text(c, text);
		cJSON_Delete(arr);
		return;
	}
	for (i = 0; i < n; i++) {
		/* Stored as received; defused only here, as it is printed. */
		history_row_defuse(&rows[i]);
		format_time(rows[i].time_ms, when, sizeof(when));
		fprintf(c->out, "%s  %-9s %-20s %-16s %-36s %s%s%s\n", when,
		        rows[i].kind ? rows[i].kind : "",
		        rows[i].workflow ? rows[i].workflow : "-",
		        rows[i].response_status ? rows[i].response_status
		                                : (rows[i].error ? "failed" : "-"),
		        rows[i].transaction_id ? rows[i].transaction_id : "-",
		        rows[i].recipients ? rows[i].recipients : "",
		        rows[i].cancel_outcome ? "  cancel: " : "",
		        rows[i].cancel_outcome ? rows[i].cancel_outcome : "");
	}
}

int
cmd_history(struct cli_ctx *c)
{
	struct nc_history *h = NULL;
	struct nc_history_entry *rows = NULL;
	struct nc_error err = NC_ERROR_INIT;
	size_t n = 0, i;
	char *path = histdb_default_path();
	enum nc_status st;
	int rc = 0;

	/* History needs no key and no network: open the store alone. */
	st = path ? histdb_open(path, &h, &err) : NC_E_NOMEM;
	if (!st)
		st = histdb_page(h, c->search, 0, c->limit > 0 ? (size_t)c->limit
		                                                : HISTORY_DEFAULT_LIMIT,
		                  &rows, &n, &err);
	if (st)
		rc = cli_report_error(c, st, &err);
	else
		print_history(c, rows, n);
	for (i = 0; i < n; i++)
		histdb_entry_clear(&rows[i]);
	free(rows);
	if (h)
		histdb_close(h);
	free(path);
	nc_error_clear(&err);
	return rc;
}

/* ---- read-only lists ----
 * Each list becomes an array of flat JSON objects once; --json prints it,
 * otherwise chosen keys are printed as aligned columns. */

struct column {
	const char *key;
	int width;        /* display columns; 0 = last, unpadded */
};

/* Code points, which is the display width of the Latin, Greek and Cyrillic
 * names the lists hold (wide CJK would need wcwidth and a locale). */
static int
utf8_columns(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
print_rows(struct cli_ctx *c, cJSON *rows, const struct column *cols, size_t ncols)
{
	const cJSON *row;
	const char *v;
	char *text;
	size_t k;
	int pad;

	if (c->json) {
		text = cJSON_Print(rows);
		if (text)
			print_json_text(c, text);
		return;
	}
	cJSON_ArrayForEach(row, rows) {
		for (k = 0; k < ncols; k++) {
			v = json_str(row, cols[k].key);
			v = v && *v ? v : "-";
			term_put_field(v, c->out);
			pad = cols[k].width ? cols[k].width - utf8_columns(v) : 0;
			if (k + 1 < ncols)
				fprintf(c->out, "%*s", pad > 0 ? pad + 1 : 1, "");
		}
		fputc('\n', c->out);
	}
}

/* An object of the given key/value pairs (NULL values become null). */
static cJSON *
row_of(const char *const *kv, size_t npairs)
{
	cJSON *o = cJSON_CreateObject();
	size_t k;

	for (k = 0; o && k < npairs; k++)
		add_str(o, kv[2 * k], kv[2 * k + 1]);
	return o;
}

#define ROW(arr, ...) do { \
		const char *const kv_[] = { __VA_ARGS__ }; \
		cJSON_AddItemToArray((arr), row_of(kv_, sizeof(kv_) / sizeof(kv_[0]) / 2)); \
	} while (0)

/* The API's largest page; --limit above it walks the pages. */
#define LIST_PAGE_MAX 100

static int
list_prologue(struct cli_ctx *c, struct nc_list_query *q)
{
	memset(q, 0, sizeof(*q));
	q->search = c->search;
	return cli_open_session(c, 0);
}

/* How many items --limit asks for (LIST_DEFAULT_LIMIT without it). */
static size_t
list_want(const struct cli_ctx *c)
{
	return c->limit > 0 ? (size_t)c->limit : LIST_DEFAULT_LIMIT;
}

/* The page size for the next request when `left` items are still wanted. */
static int
page_limit(size_t left)
{
	return left < LIST_PAGE_MAX ? (int)left : LIST_PAGE_MAX;
}

/* Append m items of `size` bytes to *items (n of them); the caller then
 * empties the source page without freeing what the items point to. */
static enum nc_status
append_items(void **items, size_t *n, const void *src, size_t m, size_t size,
             struct nc_error *err)
{
	void *grown;

	if (!m)
		return NC_OK;
	grown = realloc(*items, (*n + m) * size);
	if (!grown)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	memcpy((char *)grown + *n * size, src, m * size);
	*items = grown;
	*n += m;
	return NC_OK;
}

/* Workflows page by offset, until `want` or the end of the list. */
static enum nc_status
fetch_workflows(struct cli_ctx *c, struct nc_list_query *q, size_t want,
                struct nc_workflow_page *all, struct nc_error *err)
{
	struct nc_workflow_page pg;
	enum nc_status st = NC_OK;
	void *items;
	size_t got;

	while (all->n < want) {
		q->limit = page_limit(want - all->n);
		q->offset = (int)all->n;
		st = api_list_workflows(c->session.client, q, &pg, err);
		if (st != NC_OK)
			break;
		all->total = pg.total;
		got = pg.n;
		items = all->items;
		st = append_items(&items, &all->n, pg.items, got, sizeof(*pg.items), err);
		all->items = items;
		if (st == NC_OK)
			pg.n = 0;             /* the items moved to all */
		workflow_page_clear(&pg);
		if (st != NC_OK || got < (size_t)q->limit ||
		    (all->total >= 0 && (long)all->n >= all->total))
			break;
	}
	return st;
}

/* Subscribers follow the `next` cursor, until `want` or the last page;
 * all->next is left set when more remain. */
static enum nc_status
fetch_subscribers(struct cli_ctx *c, struct nc_list_query *q, size_t want,
                  struct nc_subscriber_page *all, struct nc_error *err)
{
	struct nc_subscriber_page pg;
	enum nc_status st = NC_OK;
	void *items;
	size_t got;

	while (all->n < want) {
		q->limit = page_limit(want - all->n);
		q->after = all->next;
		st = api_list_subscribers(c->session.client, q, &pg, err);
		q->after = NULL;
		if (st != NC_OK)
			break;
		all->total = pg.total;
		got = pg.n;
		items = all->items;
		st = append_items(&items, &all->n, pg.items, pg.n, sizeof(*pg.items), err);
		all->items = items;
		if (st == NC_OK)
			pg.n = 0;
		free(all->next);
		all->next = pg.next;
		pg.next = NULL;
		subscriber_page_clear(&pg);
		/* A short page is the last one, whatever cursor came with it. */
		if (st != NC_OK || !all->next || got < (size_t)q->limit)
			break;
	}
	return st;
}

/* Topics: the same cursor walk. */
static enum nc_status
fetch_topics(struct cli_ctx *c, struct nc_list_query *q, size_t want,
             struct nc_topic_page *all, struct nc_error *err)
{
	struct nc_topic_page pg;
	enum nc_status st = NC_OK;
	void *items;
	size_t got;

	while (all->n < want) {
		q->limit = page_limit(want - all->n);
		q->after = all->next;
		st = api_list_topics(c->session.client, q, &pg, err);
		q->after = NULL;
		if (st != NC_OK)
			break;
		all->total = pg.total;
		got = pg.n;
		items = all->items;
		st = append_items(&items, &all->n, pg.items, pg.n, sizeof(*pg.items), err);
		all->items = items;
		if (st == NC_OK)
			pg.n = 0;
		free(all->next);
		all->next = pg.next;
		pg.next = NULL;
		topic_page_clear(&pg);
		/* A short page is the last one, whatever cursor came with it. */
		if (st != NC_OK || !all->next || got < (size_t)q->limit)
			break;
	}
	return st;
}

int
cmd_workflows(struct cli_ctx *c)
{
	static const struct column cols[] = {
		{ "workflowId", 28 }, { "status", 8 }, { "name", 30 }, { "steps", 0 } };
	struct nc_list_query q;
	struct nc_workflow_page page = { 0 };
	struct nc_error err = NC_ERROR_INIT;
	const struct nc_workflow *w;
	cJSON *rows;
	size_t i;
	int rc;

	if (c->schema_of)
		return cmd_workflow_schema(c);
	rc = list_prologue(c, &q);
	if (rc)
		return rc;
	if (fetch_workflows(c, &q, list_want(c), &page, &err) != NC_OK) {
		rc = cli_report_error(c, err.status ? err.status : NC_E_API, &err);
	} else {
		rows = cJSON_CreateArray();
		for (i = 0; i < page.n; i++) {
			w = &page.items[i];
			ROW(rows, "workflowId", w->workflow_id, "name", w->name, "status", w->status,
			    "steps", w->steps, "tags", w->tags);
		}
		print_rows(c, rows, cols, sizeof(cols) / sizeof(cols[0]));
		cJSON_Delete(rows);
		if (!c->json)
			fprintf(c->err, "%zu of %ld workflows\n", page.n, page.total);
	}
	workflow_page_clear(&page);
	nc_error_clear(&err);
	return rc;
}

int
cmd_subscribers(struct cli_ctx *c)
{
	static const struct column cols[] = {
		{ "subscriberId", 24 }, { "firstName", 12 }, { "lastName", 14 }, { "email", 0 } };
	struct nc_list_query q;
	struct nc_subscriber_page page = { 0 };
	struct nc_error err = NC_ERROR_INIT;
	const struct nc_subscriber_item *s;
	cJSON *rows;
	size_t i;
	int rc = list_prologue(c, &q);

	if (rc)
		return rc;
	if (fetch_subscribers(c, &q, list_want(c), &page, &err) != NC_OK) {
		rc = cli_report_error(c, err.status ? err.status : NC_E_API, &err);
	} else {
		rows = cJSON_CreateArray();
		for (i = 0; i < page.n; i++) {
			s = &page.items[i];
			ROW(rows, "subscriberId", s->subscriber_id, "firstName", s->first_name,
			    "lastName", s->last_name, "email", s->email, "phone", s->phone);
		}
		print_rows(c, rows, cols, sizeof(cols) / sizeof(cols[0]));
		cJSON_Delete(rows);
		if (!c->json)
			fprintf(c->err, "%zu of %ld subscribers%s\n", page.n, page.total,
			        page.next ? " (more: raise --limit or narrow with --search)" : "");
	}
	subscriber_page_clear(&page);
	nc_error_clear(&err);
	return rc;
}

int
cmd_topics(struct cli_ctx *c)
{
	static const struct column cols[] = { { "key", 24 }, { "name", 0 } };
	struct nc_list_query q;
	struct nc_topic_page page = { 0 };
	struct nc_error err = NC_ERROR_INIT;
	cJSON *rows;
	size_t i;
	int rc = list_prologue(c, &q);

	if (rc)
		return rc;
	if (fetch_topics(c, &q, list_want(c), &page, &err) != NC_OK) {
		rc = cli_report_error(c, err.status ? err.status : NC_E_API, &err);
	} else {
		rows = cJSON_CreateArray();
		for (i = 0; i < page.n; i++)
			ROW(rows, "key", page.items[i].key, "name", page.items[i].name);
		print_rows(c, rows, cols, sizeof(cols) / sizeof(cols[0]));
		cJSON_Delete(rows);
	}
	topic_page_clear(&page);
	nc_error_clear(&err);
	return rc;
}

int
cmd_status(struct cli_ctx *c)
{
	static const struct column cols[] = {
		{ "subscriberId", 24 }, { "type", 10 }, { "status", 10 }, { "detail", 0 } };
	struct nc_delivery d = { 0 };
	struct nc_error err = NC_ERROR_INIT;
	const struct nc_job_status *j;
	struct nc_ops ops;
	cJSON *rows;
	size_t i;
	int rc = cli_open_session(c, 0);

	if (rc)
		return rc;
	session_ops(&c->session, &ops);
	if (ops_delivery_status(&ops, c->args[0], &d, &err) != NC_OK) {
		rc = cli_report_error(c, err.status ? err.status : NC_E_API, &err);
	} else if (d.n == 0 && !c->json) {
		term_printf(c->out, "no notifications yet for %s (Novu's worker writes them after "
		                "the trigger; try again in a few seconds)\n", c->args[0]);
	} else {
		rows = cJSON_CreateArray();
		for (i = 0; i < d.n; i++) {
			j = &d.jobs[i];
			ROW(rows, "subscriberId", j->subscriber_id, "type", j->type, "status", j->status,
			    "providerId", j->provider_id, "detail", j->detail);
		}
		print_rows(c, rows, cols, sizeof(cols) / sizeof(cols[0]));
		cJSON_Delete(rows);
		if (d.more)
			fprintf(c->err, "novu-console: showing the first %zu notifications; Novu has "
			                "more (see the activity feed)\n", d.notifications);
	}
	delivery_clear(&d);
	nc_error_clear(&err);
	return rc;
}

int
cmd_profiles(struct cli_ctx *c)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;
	char **names = NULL, *dir;
	size_t n = 0, i;
	int rc = 0;

	profile_init(&p);
	if (profile_list(&names, &n, &err) != NC_OK ||
	    profile_load(&p, c->profile, &err) != NC_OK) {
		rc = cli_report_error(c, NC_E_CONFIG, &err);
	} else {
		dir = profile_config_dir();
		fprintf(c->out, "profiles in %s/profiles:\n", dir ? dir : "?");
		free(dir);
		for (i = 0; i < n; i++)
			fprintf(c->out, "%c %s\n", strcmp(names[i], p.name) == 0 ? '*' : ' ', names[i]);
		if (n == 0)
			fprintf(c->out, "  (none: copy an example from the profiles/ folder of the "
			                "source or the installed docs)\n");
		fprintf(c->out, "active: %s  url: %s%s\n", p.name, p.api_url,
		        p.read_only ? "  (read-only)" : "");
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	profile_clear(&p);
	nc_error_clear(&err);
	return rc;
}
