/* ops.h - the use cases: send one event, broadcast, bulk runs, cancel,
 * cancel many, delivery status and resend. The headless commands and the
 * screens send and cancel through these only, so the rules below hold for
 * both, whatever a screen does:
 *
 *  1. A transactionId goes out in a new request at most once. Before a send,
 *     History (of the same environment: key and URL, o->scope) is checked
 *     in the same write transaction that records the send. An ID it shows as used is replaced
 *     when the console chose it (NC_ID_AUTO; the outcome names the old one)
 *     and refused when the user typed it (NC_ID_USER: Novu would drop the
 *     event silently).
 *  2. A send is recorded before its request leaves ("unknown": it may have
 *     been accepted) and completed when the answer comes; an answer never
 *     received stays "unknown", never "failed".
 *  3. The same idempotency key with the same bytes is a retry of the row
 *     that has them (Novu replays its answer); with other bytes it is
 *     refused when the user gave the key, naming what differs, and replaced
 *     when the console made it up. A user's key with no transactionId
 *     derives the ID from the key, so a rerun sends identical bytes.
 *  4. No History, no send: without it nothing could keep these promises.
 *
 * Ownership: outcomes are filled here and freed with their *_clear; struct
 * nc_ops only borrows.
 */
#ifndef NC_OPS_H
#define NC_OPS_H

#include <stddef.h>
#include <stdint.h>
#include "api.h"
#include "histdb.h"

struct nc_ops {
	struct nc_client *client;
	struct nc_history *history;
	const char *profile;   /* name recorded on each row */
	const char *scope;     /* "ENVIRONMENT URL" (session_run_scope):
	                          where IDs are checked */
	int read_only;         /* the profile may cancel and read, never send */
};

/* NC_E_USAGE (err says which profile and how to allow sending) when o's
 * profile is read-only, else NC_OK. Every send below (a trigger or
 * broadcast, a resend, a bulk run) asks this first; screens and commands
 * ask it too, to say so before the user has typed anything. */
enum nc_status ops_may_send(const struct nc_ops *o, struct nc_error *err);

/* Who chose an ID: the user (typed, --transaction-id, a file) or us. */
enum nc_id_origin { NC_ID_AUTO, NC_ID_USER };

enum nc_send_kind { NC_SEND_TRIGGER, NC_SEND_BROADCAST };

/* Called once the send is recorded and just before its request leaves,
 * with the transactionId it carries (the headless commands print it then,
 * so even a killed process has told the user what to check or cancel). */
typedef void (*nc_send_leaving_cb)(void *ctx, const char *transaction_id);

struct nc_send_request {
	enum nc_send_kind kind;
	struct nc_event *ev;            /* its transactionId may be set/replaced */
	enum nc_id_origin txid_origin;
	const char *idempotency_key;    /* NULL/"": one is made up */
	enum nc_id_origin key_origin;
	nc_send_leaving_cb leaving;     /* may be NULL */
	void *ctx;
};

/* How a send ended, for the user. */
enum nc_send_result {
	NC_SEND_PROCESSED,     /* 2xx, status "processed" */
	NC_SEND_NOT_PROCESSED, /* 2xx with another status (trigger_not_active...) */
	NC_SEND_FAILED,        /* the API or the network said no; it was not accepted */
	NC_SEND_UNKNOWN,       /* no answer: it may have been accepted */
	NC_SEND_REFUSED_HERE,  /* nothing was sent (History, validation, read-only) */
};

struct nc_send_outcome {
	enum nc_send_result result;
	struct nc_trigger_result res;
	struct nc_send_info info;
	int64_t history_id;         /* its row, 0 when none */
	int retry_of_row;           /* same key and bytes as that row: a retry */
	char *replaced_txid;        /* the used ID that was replaced, or NULL */
	char *replaced_key;         /* the used key that was replaced, or NULL */
};
void send_outcome_clear(struct nc_send_outcome *o);
/* The one-line status text History shows for a result ("unknown" etc.). */
const char *send_result_name(enum nc_send_result r);

/* Send one trigger or broadcast. NC_OK when the API accepted it (check
 * out->result for "processed"); NC_E_USAGE when History refused it (err
 * says why and what to do); otherwise the failure of api_*, with
 * out->result telling FAILED from UNKNOWN. A request whose transactionId
 * and bytes match an `unknown` row (sent, no answer kept) goes again under
 * that row's key as its retry (out->retry_of_row), unless the user typed
 * another key: a form restored after a kill lost its generated key. */
enum nc_status ops_send_event(const struct nc_ops *o, struct nc_send_request *rq,
                              struct nc_send_outcome *out, struct nc_error *err);

/* Before a send of ev is confirmed: whether an earlier send of its
 * transactionId here got no answer (it may have arrived), as History holds
 * it now; the send itself decides again under History's lock. */
enum nc_prior {
	NC_PRIOR_NONE,       /* none, or it was answered: nothing to warn of */
	NC_PRIOR_RETRY,      /* unanswered, and this is the very same request:
	                        it goes again under that key, and Novu replays
	                        it if it had arrived */
	NC_PRIOR_DIFFERENT,  /* unanswered, and the request has changed since:
	                        it goes as a second notification while the
	                        first may have been delivered */
};
/* *when_ms: the earlier send's time (0 with NC_PRIOR_NONE). History that
 * cannot be read counts as NC_PRIOR_NONE: the send's own claim decides. */
enum nc_prior ops_prior_send(const struct nc_ops *o, enum nc_send_kind kind,
                             struct nc_event *ev, int64_t *when_ms);

/* The request ops_send_event would send if History had nothing against it
 * (--dry-run, preview, copy as curl): the transactionId derived or made,
 * the key given or made up. p is freed with prepared_clear(). */
enum nc_status ops_prepare(struct nc_send_request *rq, struct nc_prepared *p,
                           struct nc_error *err);

/* Resend History row `id`: a row whose answer is unknown goes again with
 * its stored key and bytes (Novu replays it if it had arrived); any other
 * trigger or broadcast goes as a new send with a new transactionId and key.
 * A bulk event that is unknown or queued belongs to its run (resume it);
 * NC_E_USAGE then. */
enum nc_status ops_resend(const struct nc_ops *o, int64_t id, nc_send_leaving_cb leaving,
                          void *ctx, struct nc_send_outcome *out, struct nc_error *err);

/* Whether History row e may be sent again on its own (ops_resend's rule,
 * for a screen to ask before it offers the resend): NC_E_USAGE, err saying
 * why and what to do instead, for a cancel, and for a bulk event not
 * answered yet - its request goes again whole by resuming the run, or,
 * when the run was dropped, not at all until its status is known. */
enum nc_status ops_resend_check(const struct nc_ops *o, const struct nc_history_entry *e,
                                struct nc_error *err);

/* The event a History row sent (for an old bulk row holding its whole
 * request, the one with the row's transactionId), numbers and key order
 * as sent. ev need not be initialised; caller: event_clear. */
enum nc_status ops_event_from_row(const struct nc_history_entry *e, struct nc_event *ev,
                                  struct nc_error *err);

/* ---- cancel ---- */
struct nc_cancel_outcome {
	int cancelled;            /* 1: something pending was cancelled */
	int own_row;              /* 1: History had no send of it; a cancel row was added */
	struct nc_send_info info;
	char *outcome;            /* "cancelled", "nothing pending", "failed: ..." */
};
void cancel_outcome_clear(struct nc_cancel_outcome *c);
/* Cancel one transaction and record the outcome on its row(s). */
enum nc_status ops_cancel(const struct nc_ops *o, const char *transaction_id,
                          struct nc_cancel_outcome *out, struct nc_error *err);
/* Cancel each of n transactions (outs and errs: n each, caller-provided and
 * initialised), stopping early only when the client's abort flag is set.
 * progress (may be NULL) is called after each with the count done. Returns
 * the number attempted. */
typedef void (*nc_cancel_progress_cb)(void *ctx, size_t done, size_t total);
size_t ops_cancel_many(const struct nc_ops *o, const char *const *transaction_ids, size_t n,
                       struct nc_cancel_outcome *outs, enum nc_status *sts,
                       struct nc_error *errs, nc_cancel_progress_cb progress, void *ctx);

/* Delivery status of a transaction (reads only). */
enum nc_status ops_delivery_status(const struct nc_ops *o, const char *transaction_id,
                                   struct nc_delivery *out, struct nc_error *err);

/* For the screens and messages: 1 when a failed call may still have reached
 * Novu (no answer, or a gateway that gave up waiting). */
int ops_answer_unknown(enum nc_status st, long http_status);

#endif
