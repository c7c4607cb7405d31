/* canceljob.h - cancelling one or several transactions on the worker, for
 * the screens that offer it (History, Activity). The core's use case
 * (ops_cancel_many) does the work and records every outcome in History; a
 * job only carries the list there and the outcomes back.
 *
 * Ownership: cancel_job_new takes txns (n malloc'd strings in a malloc'd
 * array); the job is freed by cancel_job_submit's caller-supplied done
 * callback path (after `done` runs) or by cancel_job_free when not
 * submitted.
 */
#ifndef NC_UI_CANCELJOB_H
#define NC_UI_CANCELJOB_H

#include <stddef.h>

#include "app.h"
#include "ops.h"

struct cancel_job {
	struct nc_ops ops;
	struct worker *w;
	size_t n, done;              /* done: how many were tried */
	char **txns;
	struct nc_cancel_outcome *outs;
	enum nc_status *st;
	struct nc_error *errs;
	void *owner;                 /* the screen's, for `done` */
	int from_marks;              /* the screen's marks are used up */
};

/* Counted outcomes of a finished job. */
struct cancel_tally { size_t cancelled, nothing, failed; };

struct cancel_job *cancel_job_new(struct app *a, char **txns, size_t n);
void cancel_job_free(struct cancel_job *j);
/* Run it as a send (only ^X stops it). done runs on the main thread and
 * then the job is freed. -1 when the worker is busy (the job is freed and
 * the user told). */
int cancel_job_submit(struct app *a, struct cancel_job *j,
                      void (*done)(struct app *a, struct cancel_job *j));
/* Count the outcomes, adding each failure to the Errors screen (origin). */
struct cancel_tally cancel_job_tally(struct app *a, const struct cancel_job *j,
                                     enum ui_screen origin);
/* "cancel: 2 cancelled, 1 with nothing pending, 0 failed" on the status line. */
void cancel_job_report(struct app *a, const struct cancel_job *j, struct cancel_tally t);

#endif
