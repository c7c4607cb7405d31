/* compose_send.c - validating, previewing and sending the form: the request as the core builds it, copy as curl, and the send on the worker through the core's use cases (ops.h). */
#include "compose_int.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "clock.h"
#include "dialog.h"
#include "draft.h"
#include "draw.h"
#include "errlog.h"
#include "jsonutil.h"
#include "lists.h"
#include "payloadform.h"
#include "schemaform.h"
#include "prompt.h"
#include "uiops.h"
#include "viewer.h"
#include "worker.h"

/* ---- preview, curl, send ---- */

const char *
compose_idem(struct compose *c)
{
	if (!str_empty(c->idem))
		return c->idem;
	if (c->mode == CM_BULK_EVENT)
		return NULL;
	if (!c->auto_idem)
		c->auto_idem = ui_new_idempotency_key();
	return c->auto_idem;
}

static enum nc_event_use
compose_use(const struct compose *c)
{
	return c->mode == CM_TRIGGER ? NC_USE_TRIGGER :
	       c->mode == CM_BROADCAST ? NC_USE_BROADCAST : NC_USE_BULK_ENTRY;
}

/* Validate; on failure mark the fields and say what is wrong. */
static int
compose_validate(struct app *a, struct compose *c)
{
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st;

	if (str_empty(c->ev.transaction_id))
		c->ev.transaction_id = ui_new_transaction_id();
	st = event_validate(&c->ev, compose_use(c), NULL, &err);
	if (st == NC_OK && c->mode != CM_BULK_EVENT)
		st = idempotency_key_validate(c->idem, &err);
	if (st == NC_OK) {
		compose_clear_errors(c);
		nc_error_clear(&err);
		return 1;
	}
	compose_mark_errors(c, &err);
	if (err.nfields > 1)
		app_message(a, MSG_ERROR, "%s (and %zu more; fields marked !) - nothing was sent",
		            err.message ? err.message : "invalid", err.nfields - 1);
	else
		app_message(a, MSG_ERROR, "%s - nothing was sent",
		            err.message ? err.message : "invalid");
	nc_error_clear(&err);
	return 0;
}

static enum nc_status
compose_prepare(struct compose *c, struct nc_prepared *p, struct nc_error *err)
{
	struct nc_send_request rq;

	/* What ^S sends, as the core builds it (an ID derived from a typed
	 * key included). */
	memset(&rq, 0, sizeof(rq));
	rq.kind = c->mode == CM_BROADCAST ? NC_SEND_BROADCAST : NC_SEND_TRIGGER;
	rq.ev = &c->ev;
	rq.txid_origin = c->txid_typed ? NC_ID_USER : NC_ID_AUTO;
	rq.idempotency_key = compose_idem(c);
	rq.key_origin = str_empty(c->idem) ? NC_ID_AUTO : NC_ID_USER;
	return ops_prepare(&rq, p, err);
}

static char *
prepared_curl(struct app *a, const struct nc_prepared *p)
{
	struct nc_http_request req = prepared_request(p);

	if (!a->s->client)
		return NULL;
	return client_curl_command(a->s->client, &req);
}

static unsigned
preview_action(struct app *a, void *ctx, enum ui_req req)
{
	if (req != REQ_COPY_CURL)
		return 0;
	clip_copy(a, ctx, "last-curl.sh", "curl command");
	return UI_HANDLED | UI_REDRAW;
}

void
compose_preview(struct app *a, struct compose *c)
{
	static const enum ui_req bar[] = { REQ_COPY_CURL };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_prepared p;
	struct nc_http_request req;
	struct viewer *v;
	char *text, *curl;

	if (!compose_validate(a, c))
		return;
	if (compose_prepare(c, &p, &err) != NC_OK) {
		compose_mark_errors(c, &err);
		app_message(a, MSG_ERROR, "%s", err.message ? err.message : "cannot build the request");
		nc_error_clear(&err);
		return;
	}
	req = prepared_request(&p);
	if (a->s->client)
		text = client_dump_request(a->s->client, &req);
	else
		text = must_asprintf("%s %s\n\n%s\n", p.method, p.path, p.body ? p.body : "");
	curl = prepared_curl(a, &p);
	{
		/* The exact bytes first; then the body again, laid out. */
		char *pretty = json_pretty_text(p.body);

		if (pretty) {
			char *both = must_asprintf("%s\n\nThe body again, formatted for reading:\n%s\n",
			                       text ? text : "", pretty);

			free(text);
			text = both;
			free(pretty);
		}
	}
	v = viewer_open(a, c->mode == CM_BULK_EVENT ? "Preview: this event as a single trigger" :
	                "Preview: the exact request (the key is masked)", text ? text : "");
	if (curl)
		viewer_set_actions(v, preview_action, curl, NULL, bar, 1);
	free(text);
	prepared_clear(&p);
}

void
compose_copy_curl(struct app *a, struct compose *c)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_prepared p;
	char *curl;

	if (!compose_validate(a, c))
		return;
	if (compose_prepare(c, &p, &err) != NC_OK) {
		app_message(a, MSG_ERROR, "%s", err.message ? err.message : "cannot build the request");
		nc_error_clear(&err);
		return;
	}
	curl = prepared_curl(a, &p);
	if (curl)
		clip_copy(a, curl, "last-curl.sh", "curl command");
	else
		app_message(a, MSG_WARN, "no API client (offline): nothing to copy");
	free(curl);
	prepared_clear(&p);
}

struct send_job {
	struct nc_ops ops;
	struct compose *c;
	enum compose_mode mode;
	struct nc_event ev;
	struct nc_send_request rq;
	char *idem;
	int64_t resend_id;          /* > 0: resend this History row (ops_resend) */
	struct nc_send_outcome out;
	struct nc_error err;
	enum nc_status st;
};

static void
send_run(void *data, struct worker *w)
{
	struct send_job *j = data;

	(void)w;
	if (j->resend_id > 0)
		j->st = ops_resend(&j->ops, j->resend_id, NULL, NULL, &j->out, &j->err);
	else
		j->st = ops_send_event(&j->ops, &j->rq, &j->out, &j->err);
}

static const char *
job_txid(const struct send_job *j)
{
	if (j->out.res.transaction_id)
		return j->out.res.transaction_id;
	return j->ev.transaction_id ? j->ev.transaction_id : "?";
}

/* After a processed send the form is a new notification: a new ID, a new
 * key, and the next ^S is a new send. */
static void
form_after_processed(struct app *a, struct compose *c, const char *txid)
{
	free(c->just_sent);
	c->just_sent = must_strdup(txid);
	compose_new_txid(c);
	free(c->auto_idem);
	c->auto_idem = NULL;
	save_draft_with(a, c, -1, NULL);
}

/* A transactionId History replaced before sending goes into the form too. */
static void
note_replacements(struct app *a, struct send_job *j)
{
	struct compose *c = j->c;

	if (j->out.replaced_txid && c && c->ev.transaction_id &&
	    strcmp(c->ev.transaction_id, j->out.replaced_txid) == 0) {
		str_set(&c->ev.transaction_id, j->ev.transaction_id);
		save_draft_with(a, c, -1, NULL);
	}
}

/* The status line's word on the transactionId, after the result: a message
 * of its own would be replaced by the result's at once. */
static const char *
txid_note(const struct send_job *j)
{
	if (j->out.retry_of_row)
		return ", a retry of the earlier send (its key)";
	if (j->out.replaced_txid)
		return ", as a new notification: the form's transactionId was sent before";
	return "";
}

static char *
result_text(struct app *a, struct send_job *j, const char *kind, enum msg_kind *mk)
{
	struct compose *c = j->c;
	const char *txn = job_txid(j);

	switch (j->out.result) {
	case NC_SEND_PROCESSED:
		*mk = MSG_OK;
		app_message(a, MSG_OK, "%s %s: %s%s (recorded in History, 4)", kind,
		            j->ev.workflow ? j->ev.workflow : "", j->out.res.status, txid_note(j));
		return must_asprintf("Sent: %s · transactionId %s · HTTP %ld", j->out.res.status,
		                     txn, j->out.info.http_status);
	case NC_SEND_NOT_PROCESSED:
		*mk = MSG_WARN;
		app_message(a, MSG_WARN, "%s %s: the API answered %s (in History)", kind,
		            j->ev.workflow ? j->ev.workflow : "",
		            j->out.res.status ? j->out.res.status : "without a status");
		return must_asprintf("Accepted but %s%s%s · transactionId %s",
		                     j->out.res.status ? j->out.res.status : "not processed",
		                     j->out.res.error ? ": " : "",
		                     j->out.res.error ? j->out.res.error : "", txn);
	case NC_SEND_UNKNOWN:
		*mk = MSG_WARN;
		/* Kept for its details, but not shown as a failure. */
		errlog_add(a, &j->err, c ? (c->mode == CM_BROADCAST ? SCR_BROADCAST : SCR_TRIGGER) :
		           SCR_HISTORY, kind);
		app_message(a, MSG_WARN, "no answer: the %s may have reached Novu (History shows "
		            "it as unknown)", kind);
		return must_asprintf("Unknown: no answer, it may have been accepted · transactionId "
		                     "%s kept, so ^S again retries it with the same key", txn);
	default:
		*mk = MSG_ERROR;
		errlog_add(a, &j->err, c ? (c->mode == CM_BROADCAST ? SCR_BROADCAST : SCR_TRIGGER) :
		           SCR_HISTORY, kind);
		if (c)
			compose_mark_errors(c, &j->err);
		app_message(a, MSG_ERROR, "%s%s", j->err.message ? j->err.message : "failed",
		            c && compose_field_for_error(&j->err, NULL, NULL) != CF_NONE ?
		            " (f goes to the field)" : "");
		scr_errors_show_latest(a);
		if (j->out.result == NC_SEND_REFUSED_HERE)
			return must_asprintf("Not sent: %s", j->err.message ? j->err.message : "?");
		if (j->err.http_status)
			return must_asprintf("Failed: HTTP %ld %s", j->err.http_status,
			                     j->err.message ? j->err.message : "");
		return must_asprintf("Failed: %s", j->err.message ? j->err.message : "error");
	}
}

static void
send_job_free(struct send_job *j)
{
	event_clear(&j->ev);
	send_outcome_clear(&j->out);
	nc_error_clear(&j->err);
	free(j->idem);
	free(j);
}

static void
send_done(struct app *a, void *data)
{
	struct send_job *j = data;
	struct compose *c = j->c;
	const char *kind = j->mode == CM_BROADCAST ? "broadcast" : "trigger";
	enum msg_kind mk = MSG_INFO;
	char *result;

	note_replacements(a, j);
	result = result_text(a, j, kind, &mk);
	if (j->st == NC_OK && j->err.message)   /* sent; History could not keep the answer */
		app_message(a, MSG_ERROR, "%s", j->err.message);
	if (c && j->out.result == NC_SEND_PROCESSED)
		form_after_processed(a, c, job_txid(j));
	if (c) {
		free(c->result);
		c->result = result;
		c->result_kind = mk;
	} else {
		free(result);
	}
	scr_history_invalidate(a);
	send_job_free(j);
}

static int
send_submit(struct app *a, struct send_job *j)
{
	session_ops(a->s, &j->ops);
	if (worker_submit_send(a->worker, j->mode == CM_BROADCAST ? "Sending broadcast" :
	                       "Sending trigger", send_run, send_done, j) != 0) {
		send_job_free(j);
		app_message(a, MSG_WARN, "a request is running; send again when it ends");
		return -1;
	}
	return 0;
}

int
compose_send_event(struct app *a, struct compose *c, enum compose_mode mode,
                   const struct nc_event *ev, const char *idem, int idem_typed,
                   int txid_typed)
{
	struct send_job *j = must_calloc(1, sizeof(*j));

	j->c = c;
	j->mode = mode;
	event_init(&j->ev);
	nc_error_init(&j->err);
	if (event_copy(&j->ev, ev) != NC_OK) {
		free(j);
		app_message(a, MSG_ERROR, "out of memory");
		return -1;
	}
	j->idem = must_strdup(idem);
	j->rq.kind = mode == CM_BROADCAST ? NC_SEND_BROADCAST : NC_SEND_TRIGGER;
	j->rq.ev = &j->ev;
	j->rq.txid_origin = txid_typed ? NC_ID_USER : NC_ID_AUTO;
	j->rq.idempotency_key = j->idem;
	j->rq.key_origin = idem_typed ? NC_ID_USER : NC_ID_AUTO;
	return send_submit(a, j);
}

int
compose_resend_row(struct app *a, enum compose_mode mode, int64_t id)
{
	struct send_job *j = must_calloc(1, sizeof(*j));

	j->mode = mode;
	j->resend_id = id;
	event_init(&j->ev);
	nc_error_init(&j->err);
	return send_submit(a, j);
}

static void
send_start(struct app *a, struct compose *c)
{
	if (compose_send_event(a, c, c->mode, &c->ev, compose_idem(c), !str_empty(c->idem),
	                       c->txid_typed) == 0) {
		free(c->result);
		c->result = NULL;
	}
}

static void
broadcast_confirmed(struct app *a, void *ctx, int yes)
{
	if (yes)
		send_start(a, ctx);
	else
		app_message(a, MSG_INFO, "broadcast not sent");
}

static void
second_confirmed(struct app *a, void *ctx, int yes)
{
	if (yes)
		send_start(a, ctx);
	else
		app_message(a, MSG_INFO, "not sent: u on History (4) asks Novu whether the "
		            "unanswered send arrived");
}

/* What the confirmation says of an earlier send of the form's
 * transactionId that got no answer (NULL: there is none). */
static char *
prior_note(enum nc_prior prior, int64_t when_ms, const char *kind, const char *txid)
{
	char when[32];

	if (prior == NC_PRIOR_NONE)
		return NULL;
	ui_format_time_short(when_ms, when, sizeof when);
	if (prior == NC_PRIOR_RETRY)
		return must_asprintf("The %s of this form at %s (transactionId %s) got no "
		                     "answer: this sends the very same request under its key, so "
		                     "Novu replays it if it had arrived and nobody gets it twice.",
		                     kind, when, txid);
	return must_asprintf("The %s of this form at %s (transactionId %s) got no answer and "
	                     "may have been delivered. The form has changed since, so this is "
	                     "a SECOND notification, with a new transactionId; u on History "
	                     "(4) asks Novu whether the first arrived.", kind, when, txid);
}

/* Broadcasts are confirmed by typing the workflow; a trigger only when an
 * earlier send of the form may have arrived and this one would be new. */
static void
send_checked(struct app *a, struct compose *c)
{
	int bcast = c->mode == CM_BROADCAST;
	struct nc_ops ops;
	enum nc_prior prior;
	int64_t when = 0;
	char *note, *text;

	session_ops(a->s, &ops);
	prior = ops_prior_send(&ops, bcast ? NC_SEND_BROADCAST : NC_SEND_TRIGGER, &c->ev, &when);
	note = prior_note(prior, when, bcast ? "broadcast" : "send", c->ev.transaction_id);
	if (bcast) {
		text = must_asprintf("%s%sThis sends \"%s\" to EVERY subscriber of the "
		                     "environment (profile %s). Type the workflow ID to confirm, "
		                     "Esc to back out.", note ? note : "", note ? " " : "",
		                     c->ev.workflow,
		                     a->s->profile.name ? a->s->profile.name : "(none)");
		dialog_typed_confirm(a, "Broadcast to all subscribers", text, c->ev.workflow,
		                     broadcast_confirmed, c);
		free(text);
	} else if (prior == NC_PRIOR_DIFFERENT) {
		text = must_asprintf("%s Send it?", note);
		dialog_confirm(a, "Earlier send unanswered", text, second_confirmed, c);
		free(text);
	} else {
		send_start(a, c);
	}
	free(note);
}

static void
inactive_confirmed(struct app *a, void *ctx, int yes)
{
	if (yes)
		send_checked(a, ctx);
	else
		app_message(a, MSG_INFO, "not sent");
}

static void compose_send_checked_form(struct app *a, struct compose *c);

/* ^S on a form that was just sent: a second notification only on purpose. */
static void
send_again_confirmed(struct app *a, void *ctx, int yes)
{
	struct compose *c = ctx;

	if (!yes) {
		app_message(a, MSG_INFO, "not sent again");
		return;
	}
	free(c->just_sent);
	c->just_sent = NULL;
	compose_send_checked_form(a, c);
}

static void
send_when_idle(struct app *a, void *ctx)
{
	compose_send(a, ctx);
}

void
compose_send(struct app *a, struct compose *c)
{
	if (c->mode == CM_BULK_EVENT) {
		app_message(a, MSG_INFO, "this is one bulk event: Esc returns to the list, "
		            "^S there sends them all");
		return;
	}
	if (a->s->profile.read_only) {
		char *text = must_asprintf("Profile %s is read-only: it can look at lists and "
		                       "History and cancel transactions, but never send.",
		                       a->s->profile.name ? a->s->profile.name : "");

		dialog_message(a, "Read-only profile", text);
		free(text);
		return;
	}
	if (!a->s->client) {
		app_message(a, MSG_ERROR, "offline: no API client");
		return;
	}
	if (worker_busy(a->worker)) {
		app_send_when_idle(a, send_when_idle, c);
		return;
	}
	if (c->just_sent) {
		char *text = must_asprintf("This form was just sent (transactionId %s) and has not "
		                           "changed since. Send it again, as a second notification "
		                           "with a new transactionId?", c->just_sent);

		dialog_confirm(a, "Send again?", text, send_again_confirmed, c);
		free(text);
		return;
	}
	compose_send_checked_form(a, c);
}

/* The workflow's payloadSchema refuses the payload: nothing is sent; the
 * Payload field says why and what to change, and the payload form opens at
 * the first row with a problem. 1 when the schema (if any) accepts it. */
static int
payload_matches_schema(struct app *a, struct compose *c)
{
	const char *schema = compose_schema(c);
	char *first = NULL, *fix = NULL;
	size_t n;

	if (!compose_schema_known(c) && a->s->client) {
		/* A restored draft or a request from History: ask first. */
		app_message(a, MSG_INFO, "checking the payload against %s's payloadSchema",
		            c->ev.workflow);
		compose_check_then_send(a, c);
		return 0;
	}
	/* With validatePayload off Novu takes any payload: the schema guides
	 * the form but refusing here would refuse what Novu accepts. */
	n = schema && c->schema_enforced ?
	    schemaform_check(schema, c->ev.payload_json, &first, &fix) : 0;
	if (!n)
		return 1;
	free(c->errors[CF_PAYLOAD]);
	/* The fix first: it is what the user acts on, and lines get cut. */
	c->errors[CF_PAYLOAD] = must_asprintf("%s (%zu problem%s with %s's payloadSchema: %s)",
	                                      fix ? fix : first ? first : "?", n,
	                                      n == 1 ? "" : "s", c->ev.workflow,
	                                      first ? first : "?");
	c->focus = CF_PAYLOAD;
	payloadform_open(a, c, 1);
	app_message(a, MSG_ERROR, "not sent: %s", c->errors[CF_PAYLOAD]);
	free(first);
	free(fix);
	return 0;
}

/* The form's own checks, the payload against the workflow's schema, then
 * the workflow's state, then the send. */
static void
compose_send_checked_form(struct app *a, struct compose *c)
{
	const struct nc_workflow *wf;

	if (!compose_validate(a, c) || !payload_matches_schema(a, c))
		return;
	wf = lists_workflow(a, c->ev.workflow);
	if (wf && wf->status && strcmp(wf->status, "ACTIVE") != 0) {
		char *text = must_asprintf("Workflow %s is %s: Novu will answer trigger_not_active "
		                       "and send nothing. Send anyway?", c->ev.workflow, wf->status);

		dialog_confirm(a, "Workflow not active", text, inactive_confirmed, c);
		free(text);
		return;
	}
	send_checked(a, c);
}

