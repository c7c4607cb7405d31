/* errlog.c - the session's list of failed requests. */
#include "errlog.h"

#include "clock.h"

#include <stdlib.h>
#include <string.h>

void
errlog_init(struct app *a)
{
	a->errors = must_calloc(1, sizeof(*a->errors));
}

static void
entry_clear(struct errlog_entry *e)
{
	nc_error_clear(&e->err);
	free(e->what);
}

void
errlog_clear(struct app *a)
{
	struct errlog *l = a->errors;
	size_t i;

	for (i = 0; i < l->n; i++)
		entry_clear(&l->v[i]);
	l->n = 0;
	l->unseen = 0;
	l->version++;
}

void
errlog_free(struct app *a)
{
	if (!a->errors)
		return;
	errlog_clear(a);
	free(a->errors->v);
	free(a->errors);
	a->errors = NULL;
}

void
errlog_add(struct app *a, const struct nc_error *err, enum ui_screen origin,
           const char *what)
{
	struct errlog *l = a->errors;
	struct errlog_entry *e;

	if (l->n == ERRLOG_MAX) {
		entry_clear(&l->v[0]);
		memmove(l->v, l->v + 1, (l->n - 1) * sizeof(*l->v));
		l->n--;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = must_realloc(l->v, l->cap * sizeof(*l->v));
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	nc_error_init(&e->err);
	if (nc_error_copy(&e->err, err) != NC_OK)
		nc_error_set(&e->err, NC_E_NOMEM, NULL, "out of memory copying an error");
	e->time_ms = clock_wall_ms();
	e->origin = origin;
	e->what = must_strdup(what ? what : "");
	l->n++;
	l->unseen++;
	l->version++;
}
