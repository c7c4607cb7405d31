/* worker.h - one background thread for network calls, so the screen never
 * freezes.
 *
 * One job at a time: `run` executes on the worker thread and may use the
 * session's client (nobody else does) but must not touch the screen or the
 * app; `done` runs later on the main thread (worker_poll) and owns `data`
 * from then on (it frees it). Stopping sets the abort flag the client
 * watches (client_set_abort_flag), so a stuck request ends with
 * NC_E_ABORTED.
 *
 * A job is a READ (lists, a status refresh, a payload example: stopping it
 * loses nothing, so Esc stops it) or a SEND (trigger, broadcast, bulk run,
 * cancel: Novu may act on it even when we stop waiting, so only ^X with a
 * y/N question stops it, and the send path records it as unknown).
 */
#ifndef NC_UI_WORKER_H
#define NC_UI_WORKER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct worker;
struct nc_retry_note;

typedef void (*worker_run_fn)(void *data, struct worker *w);
typedef void (*worker_done_fn)(struct app *a, void *data);

struct worker *worker_new(void);
/* Wait for a running job (its abort flag is raised first), then free. A
 * finished job's data is handed to its done callback before that. */
void worker_free(struct worker *w, struct app *a);

/* The flag to give client_set_abort_flag(). */
atomic_int *worker_abort_flag(struct worker *w);

enum worker_kind { WORKER_READ, WORKER_SEND };

/* Start a READ job. Returns 0, or -1 when a job is already running
 * (nothing is started and data still belongs to the caller). `label` is
 * shown next to the spinner ("Loading lists"); copied. */
int worker_submit(struct worker *w, const char *label, worker_run_fn run,
                  worker_done_fn done, void *data);
/* The same for a SEND job ("Sending trigger"): Esc does not stop it. */
int worker_submit_send(struct worker *w, const char *label, worker_run_fn run,
                       worker_done_fn done, void *data);
/* 1 while a job is queued or running (its done not yet called). */
int worker_busy(struct worker *w);
/* 1 while a SEND job is queued or running. */
int worker_sending(struct worker *w);
/* When the last job was submitted (clock_mono_ms). */
int64_t worker_started_ms(struct worker *w);
/* Main thread: call the done callback of a finished job. Returns 1 if one
 * was called. */
int worker_poll(struct worker *w, struct app *a);
/* Main thread: block until the job finishes, then poll (scripts). */
void worker_wait_idle(struct worker *w, struct app *a);
/* Ask the running job to stop. */
void worker_abort(struct worker *w);
int worker_aborting(struct worker *w);

/* Progress, set from the job (any thread) and read for the spinner line. */
void worker_set_progress(struct worker *w, size_t done, size_t total, const char *text);
/* A wait the job has started (a retry, rate-limit tokens): until it is
 * over, the status line ends in "<what> in N s", counting down. Any thread;
 * ms <= 0 clears it. */
void worker_set_wait(struct worker *w, const char *what, long ms);
/* The client's retry callback (http.h; ctx is the worker): "retry 2/5 in
 * 3 s" on the status line while it waits. */
void worker_note_retry(void *ctx, const struct nc_retry_note *n);
/* Label + progress (+ the wait's countdown) into buf; returns 1 if busy.
 * done/total are 0 when unknown. */
int worker_status(struct worker *w, char *label, size_t size, size_t *done, size_t *total);

#endif
