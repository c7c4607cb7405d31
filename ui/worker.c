/* worker.c - the background thread for network calls. */
#include "worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "http.h"
#include "uiutil.h"

struct worker {
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	atomic_int abort_flag;
	/* Guarded by mu: */
	int quit;
	int has_job, running, finished;
	enum worker_kind kind;
	int64_t started_ms;
	worker_run_fn run;
	worker_done_fn done;
	void *data;
	char label[160];
	char progress_text[160];
	size_t progress_done, progress_total;
	char wait_text[64];
	int64_t wait_until_ms;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->quit && !(w->has_job && !w->running && !w->finished))
			pthread_cond_wait(&w->cond, &w->mu);
		if (w->quit)
			break;
		w->running = 1;
		pthread_mutex_unlock(&w->mu);
		w->run(w->data, w);
		pthread_mutex_lock(&w->mu);
		w->running = 0;
		w->finished = 1;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct worker *
worker_new(void)
{
	struct worker *w = must_calloc(1, sizeof(*w));

	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cond, NULL);
	atomic_init(&w->abort_flag, 0);
	if (pthread_create(&w->thread, NULL, worker_main, w) == 0)
		w->started = 1;
	return w;
}

void
worker_free(struct worker *w, struct app *a)
{
	if (!w)
		return;
	if (worker_busy(w)) {
		worker_abort(w);
		worker_wait_idle(w, a);
	}
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->mu);
	if (w->started)
		pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

atomic_int *
worker_abort_flag(struct worker *w)
{
	return &w->abort_flag;
}

static int
submit(struct worker *w, enum worker_kind kind, const char *label, worker_run_fn run,
       worker_done_fn done, void *data)
{
	pthread_mutex_lock(&w->mu);
	if (w->has_job || !w->started) {
		pthread_mutex_unlock(&w->mu);
		return -1;
	}
	atomic_store(&w->abort_flag, 0);
	w->has_job = 1;
	w->finished = 0;
	w->kind = kind;
	w->started_ms = clock_mono_ms();
	w->run = run;
	w->done = done;
	w->data = data;
	snprintf(w->label, sizeof(w->label), "%s", label);
	w->progress_text[0] = '\0';
	w->progress_done = w->progress_total = 0;
	w->wait_until_ms = 0;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

int
worker_submit(struct worker *w, const char *label, worker_run_fn run,
              worker_done_fn done, void *data)
{
	return submit(w, WORKER_READ, label, run, done, data);
}

int
worker_submit_send(struct worker *w, const char *label, worker_run_fn run,
                   worker_done_fn done, void *data)
{
	return submit(w, WORKER_SEND, label, run, done, data);
}

int
worker_sending(struct worker *w)
{
	int sending;

	pthread_mutex_lock(&w->mu);
	sending = w->has_job && w->kind == WORKER_SEND;
	pthread_mutex_unlock(&w->mu);
	return sending;
}

int64_t
worker_started_ms(struct worker *w)
{
	int64_t ms;

	pthread_mutex_lock(&w->mu);
	ms = w->started_ms;
	pthread_mutex_unlock(&w->mu);
	return ms;
}

int
worker_busy(struct worker *w)
{
	int busy;

	pthread_mutex_lock(&w->mu);
	busy = w->has_job;
	pthread_mutex_unlock(&w->mu);
	return busy;
}

int
worker_poll(struct worker *w, struct app *a)
{
	worker_done_fn done;
	void *data;

	pthread_mutex_lock(&w->mu);
	if (!w->has_job || !w->finished) {
		pthread_mutex_unlock(&w->mu);
		return 0;
	}
	done = w->done;
	data = w->data;
	w->has_job = 0;
	w->finished = 0;
	w->data = NULL;
	pthread_mutex_unlock(&w->mu);
	/* The done callback may submit the next job (a chained fetch). */
	if (done)
		done(a, data);
	return 1;
}

void
worker_wait_idle(struct worker *w, struct app *a)
{
	/* A done callback may start another job; wait for the whole chain. */
	for (;;) {
		pthread_mutex_lock(&w->mu);
		if (!w->has_job) {
			pthread_mutex_unlock(&w->mu);
			return;
		}
		while (!w->finished)
			pthread_cond_wait(&w->cond, &w->mu);
		pthread_mutex_unlock(&w->mu);
		worker_poll(w, a);
	}
}

void
worker_abort(struct worker *w)
{
	atomic_store(&w->abort_flag, 1);
}

int
worker_aborting(struct worker *w)
{
	return atomic_load(&w->abort_flag) != 0;
}

void
worker_set_progress(struct worker *w, size_t done, size_t total, const char *text)
{
	pthread_mutex_lock(&w->mu);
	w->progress_done = done;
	w->progress_total = total;
	snprintf(w->progress_text, sizeof(w->progress_text), "%s", text ? text : "");
	pthread_mutex_unlock(&w->mu);
}

void
worker_set_wait(struct worker *w, const char *what, long ms)
{
	pthread_mutex_lock(&w->mu);
	snprintf(w->wait_text, sizeof(w->wait_text), "%s", what ? what : "");
	w->wait_until_ms = ms > 0 ? clock_mono_ms() + ms : 0;
	pthread_mutex_unlock(&w->mu);
}

void
worker_note_retry(void *ctx, const struct nc_retry_note *n)
{
	char what[64];

	snprintf(what, sizeof(what), "retry %d/%d", n->attempt + 1, n->max_attempts);
	worker_set_wait(ctx, what, n->wait_ms);
}

/* ", retry 2/5 in 3 s" while a wait runs (whole seconds, rounded up, so it
 * never shows 0 while still waiting); "" otherwise. Called with mu held. */
static void
wait_countdown(const struct worker *w, char *buf, size_t size)
{
	int64_t left = w->wait_until_ms - clock_mono_ms();

	buf[0] = '\0';
	if (w->wait_until_ms > 0 && left > 0)
		snprintf(buf, size, ", %s in %lld s", w->wait_text, (long long)((left + 999) / 1000));
}

int
worker_status(struct worker *w, char *label, size_t size, size_t *done, size_t *total)
{
	char wait[96];
	int busy;

	pthread_mutex_lock(&w->mu);
	busy = w->has_job;
	wait_countdown(w, wait, sizeof(wait));
	if (w->progress_text[0])
		snprintf(label, size, "%s: %s%s", w->label, w->progress_text, wait);
	else
		snprintf(label, size, "%s%s", w->label, wait);
	*done = w->progress_done;
	*total = w->progress_total;
	pthread_mutex_unlock(&w->mu);
	return busy;
}
