/* canceljob.c - cancelling transactions on the worker (see canceljob.h). */
#include "canceljob.h"

#include <stdlib.h>

#include "errlog.h"
#include "uiutil.h"
#include "worker.h"

struct cancel_job *
cancel_job_new(struct app *a, char **txns, size_t n)
{
	struct cancel_job *j = must_calloc(1, sizeof(*j));
	size_t i;

	session_ops(a->s, &j->ops);
	j->n = n;
	j->txns = txns;
	j->outs = must_calloc(n + 1, sizeof(*j->outs));
	j->st = must_calloc(n + 1, sizeof(*j->st));
	j->errs = must_calloc(n + 1, sizeof(*j->errs));
	for (i = 0; i < n; i++)
		nc_error_init(&j->errs[i]);
	return j;
}

void
cancel_job_free(struct cancel_job *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++) {
		free(j->txns[i]);
		nc_error_clear(&j->errs[i]);
		cancel_outcome_clear(&j->outs[i]);
	}
	free(j->txns);
	free(j->outs);
	free(j->st);
	free(j->errs);
	free(j);
}

static void
cancel_progress(void *ctx, size_t done, size_t total)
{
	struct cancel_job *j = ctx;

	worker_set_progress(j->w, done, total, done < total ? j->txns[done] : NULL);
}

static void
cancel_run(void *data, struct worker *w)
{
	struct cancel_job *j = data;

	j->w = w;
	j->done = ops_cancel_many(&j->ops, (const char *const *)j->txns, j->n, j->outs, j->st,
	                          j->errs, cancel_progress, j);
	worker_set_progress(w, j->done, j->n, NULL);
}

/* The screen's callback, carried through the worker with the job. */
struct cancel_carrier {
	struct cancel_job *job;
	void (*done)(struct app *a, struct cancel_job *j);
};

static void
carrier_run(void *data, struct worker *w)
{
	cancel_run(((struct cancel_carrier *)data)->job, w);
}

static void
carrier_done(struct app *a, void *data)
{
	struct cancel_carrier *c = data;

	c->done(a, c->job);
	/* Whatever screen cancelled, History's rows changed. */
	scr_history_invalidate(a);
	cancel_job_free(c->job);
	free(c);
}

int
cancel_job_submit(struct app *a, struct cancel_job *j,
                  void (*done)(struct app *a, struct cancel_job *j))
{
	struct cancel_carrier *c = must_calloc(1, sizeof(*c));

	c->job = j;
	c->done = done;
	if (worker_submit_send(a->worker, j->n > 1 ? "Cancelling" : "Cancelling transaction",
	                       carrier_run, carrier_done, c) == 0)
		return 0;
	app_message(a, MSG_WARN, "a request is running; try again when it ends");
	cancel_job_free(j);
	free(c);
	return -1;
}

struct cancel_tally
cancel_job_tally(struct app *a, const struct cancel_job *j, enum ui_screen origin)
{
	struct cancel_tally t = { 0, 0, 0 };
	size_t i;

	/* Each outcome is on its History row already (ops_cancel). */
	for (i = 0; i < j->done; i++) {
		if (j->st[i] == NC_OK && j->outs[i].cancelled) {
			t.cancelled++;
		} else if (j->st[i] == NC_OK) {
			t.nothing++;
		} else if (j->st[i] != NC_E_ABORTED) {
			errlog_add(a, &j->errs[i], origin, "cancel");
			t.failed++;
		}
	}
	return t;
}

void
cancel_job_report(struct app *a, const struct cancel_job *j, struct cancel_tally t)
{
	if (j->n == 1 && j->done == 1 && j->st[0] == NC_OK)
		app_message(a, j->outs[0].cancelled ? MSG_OK : MSG_INFO, "%s: %s", j->txns[0],
		            j->outs[0].cancelled ? "cancelled" :
		            "nothing was pending (already sent, or unknown)");
	else if (j->n == 1 && j->done == 1 && j->st[0] != NC_E_ABORTED && j->errs[0].message)
		app_message(a, MSG_ERROR, "%s", j->errs[0].message);   /* the why, not "1 failed" */
	else
		app_message(a, t.failed ? MSG_ERROR : MSG_OK,
		            "cancel: %zu cancelled, %zu with nothing pending, %zu failed%s",
		            t.cancelled, t.nothing, t.failed,
		            j->done < j->n ? ", the rest not tried (stopped)" : "");
}
